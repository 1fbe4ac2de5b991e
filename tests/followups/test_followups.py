"""好差评 closed loop: a 1–2 star rating opens a 整改 for the window's org; rectify, revisit, scope, versions."""

import datetime as dt

import pytest
import sqlalchemy as sa

from server.db.tables import followups
from server.followups.service import deadline_after

CST = dt.timedelta(hours=8)


def utc(y, m, d, hh, mm):
    """A China-time wall clock as the naive UTC the database stores."""
    return dt.datetime(y, m, d, hh, mm) - CST


@pytest.mark.parametrize("now, due", [
    (utc(2026, 11, 30, 10, 0), utc(2026, 12, 7, 17, 30)),   # Monday → next Monday
    (utc(2026, 12, 4, 23, 0), utc(2026, 12, 11, 17, 30)),   # Friday night → next Friday
    (utc(2026, 12, 5, 9, 0), utc(2026, 12, 11, 17, 30)),    # Saturday → Friday
    (utc(2026, 12, 6, 1, 0), utc(2026, 12, 11, 17, 30)),    # Sunday 01:00 China time (Saturday in UTC)
])
def test_deadline_is_five_working_days_at_1730_china_time(now, due):
    assert deadline_after(now) == due


async def _rate_demo(api, stars, comment="等了很久，态度不好"):
    zhang = await api.login_sms("13800000001")
    done = (await api.get("/api/v1/me/appointments?status=completed", token=zhang)).json["items"][0]
    r = await api.post(f"/api/v1/appointments/{done['id']}/rating", {"stars": stars, "comment": comment}, token=zhang)
    assert r.status == 201, r
    return done


async def test_good_rating_opens_nothing(api, deps):
    await _rate_demo(api, 3, "一般")
    assert await deps.db.fetchval(sa.select(sa.func.count()).select_from(followups)) == 0


async def test_bad_rating_rectify_revisit_close(api, deps, clock):
    appt = await _rate_demo(api, 1)
    admin = await api.login_password("admin")
    clerk = await api.login_password("wendeng_window")
    r = await api.get("/api/v1/admin/followups?status=open", token=admin)
    assert r.status == 200 and len(r.json["items"]) == 1
    f = r.json["items"][0]
    assert f["appointment_id"] == appt["id"] and f["stars"] == 1 and f["comment"] == "等了很久，态度不好"
    assert f["status"] == "open" and f["overdue"] is False and f["deadline_at"].endswith("T17:30:00+08:00")
    assert f["org_name"] == "文登区人力资源和社会保障局" and f["window_name"]
    assert f["rater"] == {"name": "张三", "phone_masked": "138****0001"}
    # the clerk of that org sees it, without the rater
    mine = (await api.get("/api/v1/followups", token=clerk)).json["items"]
    assert [x["id"] for x in mine] == [f["id"]] and "rater" not in mine[0]
    # overdue after the deadline
    clock.advance(8 * 86400)
    admin = await api.login_password("admin")  # the earlier sessions have expired
    clerk = await api.login_password("wendeng_window")
    r = await api.get("/api/v1/admin/followups?status=overdue", token=admin)
    assert [x["id"] for x in r.json["items"]] == [f["id"]] and r.json["items"][0]["overdue"] is True
    # revisit before rectification: refused
    r = await api.post(f"/api/v1/followups/{f['id']}/revisit", {"holder_response": "x", "satisfied": True,
                                                                  "version": f["version"]}, token=admin)
    assert r.status == 409 and r.code == "INVALID_TRANSITION"
    r = await api.post(f"/api/v1/followups/{f['id']}/rectify", {"action_taken": "已约谈窗口人员，增设引导岗",
                                                                  "version": f["version"]}, token=clerk)
    assert r.status == 200, r
    assert r.json["status"] == "rectified" and r.json["rectification"]["by"] == "刘敏"
    assert r.json["overdue"] is False
    # a second clerk with the old version
    r = await api.post(f"/api/v1/followups/{f['id']}/rectify", {"action_taken": "再次", "version": f["version"]},
                       token=clerk)
    assert r.status == 409 and r.code == "VERSION_CONFLICT"
    assert r.json["error"]["details"]["current"]["status"] == "rectified"
    v = r.json["error"]["details"]["current"]["version"]
    r = await api.post(f"/api/v1/followups/{f['id']}/revisit", {"holder_response": "持卡人表示满意", "satisfied": True,
                                                                  "version": v}, token=admin)
    assert r.status == 200 and r.json["status"] == "closed" and r.json["revisit"]["satisfied"] is True
    assert r.json["rater"]["phone_masked"] == "138****0001"
    r = await api.get("/api/v1/admin/followups?status=closed", token=admin)
    assert [x["id"] for x in r.json["items"]] == [f["id"]]
    assert (await api.get("/api/v1/admin/followups?status=open", token=admin)).json["items"] == []


async def test_other_orgs_clerk_cannot_see_or_act(api):
    await _rate_demo(api, 2)
    admin = await api.login_password("admin")
    f = (await api.get("/api/v1/admin/followups", token=admin)).json["items"][0]
    city = await api.login_password("city_window")  # the city bureau's window: another org
    assert (await api.get("/api/v1/followups", token=city)).json["items"] == []
    r = await api.post(f"/api/v1/followups/{f['id']}/rectify", {"action_taken": "x", "version": f["version"]},
                       token=city)
    assert r.status == 404
    r = await api.post(f"/api/v1/followups/{f['id']}/revisit", {"holder_response": "x", "satisfied": False,
                                                                  "version": f["version"]}, token=city)
    assert r.status == 404
    r = await api.get("/api/v1/admin/followups?status=bogus", token=admin)
    assert r.status == 400
    r = await api.post("/api/v1/followups/１/rectify", {"action_taken": "x", "version": 1},
                       token=await api.login_password("wendeng_window"))
    assert r.status == 404
