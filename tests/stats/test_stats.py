"""Console statistics on both backends: China-time buckets, groupings, ratings, overdue, cards, applications."""

import datetime as dt
import io

import openpyxl
import pytest
import sqlalchemy as sa

from server.db.tables import accounts, appointments, ratings, services, windows

CST = dt.timedelta(hours=8)


def utc(y, m, d, hh, mm=0):
    return dt.datetime(y, m, d, hh, mm) - CST  # a China-time wall clock as stored (naive UTC)


async def _seed(deps):
    """Four appointments around a China-time midnight, two windows, three ratings."""
    db = deps.db
    zhang = await db.fetchval(sa.select(accounts.c.id).where(accounts.c.phone == "13800000001"))
    svc = await db.fetchval(sa.select(services.c.id).where(services.c.category == "appointment").order_by(services.c.id))
    wins = await db.fetchall(sa.select(windows.c.id, windows.c.district).order_by(windows.c.id))
    w1, w2 = wins[0], wins[1]
    rows = [
        # 23:30 and 00:30 China time: two different China days, one UTC day
        (w1, "completed", utc(2026, 3, 9, 23, 30), None),
        (w1, "completed", utc(2026, 3, 10, 0, 30), None),
        (w2, "submitted", utc(2026, 3, 10, 9), utc(2026, 3, 11, 9)),   # overdue (deadline passed)
        (w2, "submitted", utc(2026, 4, 2, 9), utc(2099, 1, 1, 0)),     # running, not overdue
    ]
    ids = []
    async with db.transaction() as tx:
        for w, status, at, deadline in rows:
            ids.append(await tx.insert(appointments, dict(
                holder_id=zhang, service_id=svc, window_id=w["id"], district=w["district"], holder_name="张三",
                status=status, content="x", deadline_at=deadline, version=1, created_at=at, updated_at=at,
                completed_at=at if status == "completed" else None)))
        for appt, stars, comment in ((ids[0], 5, "=HYPERLINK(\"http://x\")"), (ids[1], 2, "太慢"), (ids[2], 4, None)):
            await tx.insert(ratings, dict(appointment_id=appt, holder_id=zhang, stars=stars, comment=comment,
                                          created_at=utc(2026, 3, 12, 10)))
    return w1, w2


@pytest.fixture
def seeded(deps, io_loop):
    return io_loop.run_sync(lambda: _seed(deps))


async def test_appointments_by_day_in_china_time(api, seeded):
    w1, w2 = seeded
    admin = await api.login_password("admin")
    r = await api.get("/api/v1/admin/stats/appointments?group=day&by=status&from=2026-03-09&to=2026-03-10",
                      token=admin)
    assert r.status == 200, r
    got = {(i["period"], i["key"]): (i["label"], i["count"]) for i in r.json["items"]}
    assert got == {("2026-03-09", "completed"): ("已办结", 1), ("2026-03-10", "completed"): ("已办结", 1),
                   ("2026-03-10", "submitted"): ("待受理", 1)}
    r = await api.get("/api/v1/admin/stats/appointments?group=month&by=window&from=2026-03-01&to=2026-04-30",
                      token=admin)
    got = {(i["period"], i["key"]): i["count"] for i in r.json["items"]}
    assert got == {("2026-03", str(w1["id"])): 2, ("2026-03", str(w2["id"])): 1, ("2026-04", str(w2["id"])): 1}
    assert all(i["label"] for i in r.json["items"])
    r = await api.get("/api/v1/admin/stats/appointments?group=month&by=district&from=2026-03-01&to=2026-04-30",
                      token=admin)
    assert {i["key"] for i in r.json["items"]} == {w1["district"], w2["district"]}
    r = await api.get("/api/v1/admin/stats/appointments?group=month&by=service&from=2026-03-01&to=2026-04-30",
                      token=admin)
    assert sum(i["count"] for i in r.json["items"]) == 4
    for bad in ("group=week", "by=holder", "from=2026-3-1", "from=２０２６-03-01", "from=2026-04-01&to=2026-03-01",
                "from=9999-12-30&to=9999-12-31", "from=0001-01-01&to=0001-01-02"):
        r = await api.get(f"/api/v1/admin/stats/appointments?{bad}", token=admin)
        assert r.status == 400, bad


async def test_ratings_per_window(api, seeded):
    w1, w2 = seeded
    admin = await api.login_password("admin")
    r = await api.get("/api/v1/admin/stats/ratings?from=2026-03-01&to=2026-03-31", token=admin)
    assert r.status == 200
    by = {i["window_id"]: i for i in r.json["items"]}
    one = by[str(w1["id"])]
    assert one["count"] == 2 and one["average"] == 3.5
    assert one["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}
    assert {c["comment"] for c in one["comments"]} == {"太慢", "=HYPERLINK(\"http://x\")"}
    assert by[str(w2["id"])]["comments"] == [] and by[str(w2["id"])]["average"] == 4.0
    r = await api.get("/api/v1/admin/stats/ratings.xlsx?from=2026-03-01&to=2026-03-31", token=admin)
    assert r.status == 200 and r.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = openpyxl.load_workbook(io.BytesIO(r.body))
    cells = [c.value for row in wb["最新评价"].iter_rows() for c in row]
    assert "'=HYPERLINK(\"http://x\")" in cells  # user text stays text


async def test_overdue_per_window(api, seeded):
    w1, w2 = seeded
    admin = await api.login_password("admin")
    r = await api.get("/api/v1/admin/stats/overdue?from=2026-03-01&to=2026-04-30", token=admin)
    by = {i["window_id"]: i for i in r.json["items"]}
    assert (by[str(w1["id"])]["total"], by[str(w1["id"])]["overdue"]) == (2, 0)
    assert (by[str(w2["id"])]["total"], by[str(w2["id"])]["overdue"], by[str(w2["id"])]["rate"]) == (2, 1, 0.5)
    r = await api.get("/api/v1/admin/stats/overdue.xlsx?from=2026-03-01&to=2026-04-30", token=admin)
    assert r.status == 200


async def test_cards_by_level_and_status(api):
    admin = await api.login_password("admin")
    r = await api.get("/api/v1/admin/stats/cards", token=admin)
    assert r.status == 200
    levels = {i["level"]: i["count"] for i in r.json["by_level"]}
    states = {i["status"]: i["count"] for i in r.json["by_status"]}
    assert levels == {"A": 1, "B": 1, "C": 0}  # demo: 张三 A active, 王五 B disabled
    assert states == {"active": 1, "disabled": 1, "expired": 0}
    await api.post("/api/v1/admin/cards/WH202400000001/disable", {"reason": "测试"}, token=admin)
    states = {i["status"]: i["count"] for i in (await api.get("/api/v1/admin/stats/cards", token=admin)).json["by_status"]}
    assert states == {"active": 0, "disabled": 2, "expired": 0}
    r = await api.get("/api/v1/admin/stats/cards.xlsx", token=admin)
    assert r.status == 200 and openpyxl.load_workbook(io.BytesIO(r.body))["按等级"]["A2"].value == "A类"


async def test_applications_by_type_stage_outcome(api):
    admin = await api.login_password("admin")
    lisi = await api.login_sms("13800000002")
    draft = (await api.get("/api/v1/me/applications?status=draft", token=lisi)).json["items"][0]
    r = await api.get("/api/v1/admin/stats/applications", token=admin)
    assert r.json["by_type"] == [] and r.json["by_stage"] == []  # drafts are not counted
    assert (await api.post(f"/api/v1/applications/{draft['id']}/submit", {}, token=lisi)).status == 200
    r = await api.get("/api/v1/admin/stats/applications", token=admin)
    assert r.status == 200
    assert r.json["by_type"] == [{"key": "new", "label": "新办", "count": 1}]
    assert r.json["by_outcome"] == [{"key": "submitted", "label": "正在审批", "count": 1}]
    assert len(r.json["by_stage"]) == 1 and r.json["by_stage"][0]["count"] == 1
    assert r.json["by_stage"][0]["label"] == "主管部门审核（威海市农业农村局）"
    r = await api.get("/api/v1/admin/stats/applications.xlsx", token=admin)
    assert r.status == 200
