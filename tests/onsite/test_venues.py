"""Venue management, guide posters and visit statistics (administrators)."""

import io
import os

import openpyxl
import pytest
from PIL import Image

from server.onsite import poster
from tests.onsite.helpers import ZHANG, qr_token, scan, service_id


async def test_admin_creates_a_venue_with_staff_who_can_scan(api, deps):
    admin = await api.login_password("admin")
    medical = await service_id(deps.db, "medical_green")
    airport = await service_id(deps.db, "airport_vip")
    child = await service_id(deps.db, "child_school")
    listed = (await api.get("/api/v1/admin/venues", token=admin)).json
    assert {v["name"] for v in listed["items"]} == {"威海国际机场商务贵宾区", "威海市立医院"}
    airport_venue = next(v for v in listed["items"] if "机场" in v["name"])
    assert [s["name"] for s in airport_venue["services"]] == ["机场贵宾通道"] and airport_venue["staff_count"] == 1

    # an appointment service cannot be offered on site
    r = await api.post("/api/v1/admin/venues", {"name": "威海火车站贵宾厅", "type": "station", "service_ids": [str(child)]},
                       token=admin)
    assert r.status == 400 and "service_ids" in r.json["error"]["details"]["fields"]
    r = await api.post("/api/v1/admin/venues", {"name": "威海火车站贵宾厅", "type": "station", "district": "环翠区",
                                                "address": "环翠区火炬路1号", "service_ids": [str(medical)]},
                       token=admin, headers={"Idempotency-Key": "venue-1"})
    assert r.status == 201, r
    venue = r.json
    assert venue["services"][0]["name"] == "就医绿色通道" and venue["staff_count"] == 0
    assert venue["poster_url"] == f"/api/v1/admin/venues/{venue['id']}/poster.png"
    replay = await api.post("/api/v1/admin/venues", {"name": "威海火车站贵宾厅", "type": "station", "district": "环翠区",
                                                     "address": "环翠区火炬路1号", "service_ids": [str(medical)]},
                            token=admin, headers={"Idempotency-Key": "venue-1"})
    assert replay.json["id"] == venue["id"]

    r = await api.put(f"/api/v1/admin/venues/{venue['id']}", {"name": "威海站贵宾厅", "service_ids": [str(airport)]},
                      token=admin)
    assert r.status == 200 and r.json["name"] == "威海站贵宾厅", r
    assert [s["name"] for s in r.json["services"]] == ["机场贵宾通道"]

    # staff: weak password, then a good one, then the same username again
    path = f"/api/v1/admin/venues/{venue['id']}/staff"
    r = await api.post(path, {"username": "station_staff", "name": "钱敏", "password": "12345678"}, token=admin)
    assert r.status == 400 and r.json["error"]["details"]["fields"]["password"]
    r = await api.post(path, {"username": "station_staff", "name": "钱敏", "password": "Station@2026",
                              "phone": "13900000888"}, token=admin)
    assert r.status == 201 and r.json["roles"] == ["venue_staff"] and r.json["phone_masked"] == "139****0888", r
    assert r.json["venue_id"] == venue["id"]
    r = await api.post(path, {"username": "station_staff", "name": "钱敏", "password": "Station@2026"}, token=admin)
    assert r.status == 409 and r.json["error"]["code"] == "USERNAME_TAKEN"
    assert [s["username"] for s in (await api.get(path, token=admin)).json["items"]] == ["station_staff"]

    staff = await api.login_password("station_staff", "Station@2026")
    me = (await api.get("/api/v1/me", token=staff)).json
    assert me["venue_id"] == venue["id"]
    zhang = await api.login_sms(ZHANG)
    r = await scan(api, staff, await qr_token(api, zhang))
    assert r.json["verdict"] == "ok" and r.json["venue"]["name"] == "威海站贵宾厅", r
    # a disabled venue refuses
    await api.put(f"/api/v1/admin/venues/{venue['id']}", {"status": "disabled"}, token=admin)
    r = await scan(api, staff, await qr_token(api, zhang))
    assert r.json["verdict"] == "venue_service_mismatch"
    assert (await api.get("/api/v1/admin/venues/abc", token=admin)).status == 404
    assert (await api.put("/api/v1/admin/venues/999999", {"name": "不存在"}, token=admin)).status == 404


async def test_the_poster_is_a_printable_png(api, deps, tmp_path):
    if poster.find_cjk_font() is None:
        if os.environ.get("CI") == "true":  # .ci/run installs fonts-wqy-zenhei: CI must draw the poster
            pytest.fail("no CJK font installed on CI (apt-get install fonts-wqy-zenhei)")
        pytest.skip("no CJK font installed (apt-get install fonts-wqy-zenhei)")
    admin = await api.login_password("admin")
    venue = next(v for v in (await api.get("/api/v1/admin/venues", token=admin)).json["items"] if "机场" in v["name"])
    r = await api.get(venue["poster_url"], token=admin)
    assert r.status == 200 and r.headers["Content-Type"] == "image/png", r
    img = Image.open(io.BytesIO(r.body))
    assert img.size == (poster.WIDTH, poster.HEIGHT) and img.height > img.width
    (tmp_path / "poster.png").write_bytes(r.body)
    # the QR code in the middle decodes to the check-in URL: dark modules are there
    assert img.convert("L").crop((300, 600, 860, 1100)).getextrema()[0] < 50
    staff = await api.login_password("airport_staff")
    assert (await api.get(venue["poster_url"], token=staff)).status == 403


async def test_no_cjk_font_is_a_clear_503(api, monkeypatch):
    admin = await api.login_password("admin")
    venue = (await api.get("/api/v1/admin/venues", token=admin)).json["items"][0]
    monkeypatch.setattr(poster, "find_cjk_font", lambda candidates=None: None)
    r = await api.get(venue["poster_url"], token=admin)
    assert r.status == 503 and r.json["error"]["code"] == "POSTER_FONT_MISSING", r
    assert "字体" in r.json["error"]["message"]


def test_a_font_without_chinese_is_not_taken():
    assert poster.find_cjk_font(["/nonexistent.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"]) is None


async def test_visit_statistics_by_day_and_month_with_export(api, deps):
    admin = await api.login_password("admin")
    zhang = await api.login_sms(ZHANG)
    airport_staff = await api.login_password("airport_staff")
    hospital_staff = await api.login_password("hospital_staff")
    token = await qr_token(api, zhang)
    assert (await scan(api, airport_staff, token)).json["verdict"] == "ok"
    assert (await scan(api, airport_staff, token)).json["verdict"] == "token_used"
    assert (await scan(api, hospital_staff, await qr_token(api, zhang))).json["verdict"] == "ok"
    r = await api.get("/api/v1/admin/stats/visits?group=day", token=admin)
    assert r.status == 200, r
    rows = {(x["venue"]["name"], x["service"]["name"]): x for x in r.json["items"]}
    assert rows[("威海国际机场商务贵宾区", "机场贵宾通道")] | {} == {
        **rows[("威海国际机场商务贵宾区", "机场贵宾通道")], "ok": 1, "refused": 1, "total": 2}
    assert rows[("威海市立医院", "就医绿色通道")]["ok"] == 1
    period = r.json["items"][0]["period"]
    assert len(period) == 10 and period == r.json["to"]
    month = await api.get("/api/v1/admin/stats/visits?group=month", token=admin)
    assert {x["period"] for x in month.json["items"]} == {period[:7]}
    airport_venue = r.json["items"][0]["venue"]["id"]
    one = await api.get(f"/api/v1/admin/stats/visits?venue_id={airport_venue}&from={period}&to={period}", token=admin)
    assert {x["venue"]["id"] for x in one.json["items"]} == {airport_venue}
    assert (await api.get("/api/v1/admin/stats/visits?from=2026-02-01&to=2026-01-01", token=admin)).status == 400
    assert (await api.get("/api/v1/admin/stats/visits?group=week", token=admin)).status == 400
    x = await api.get("/api/v1/admin/stats/visits.xlsx?group=day", token=admin)
    assert x.status == 200 and "spreadsheetml" in x.headers["Content-Type"], x
    ws = openpyxl.load_workbook(io.BytesIO(x.body)).active
    assert [c.value for c in ws[1]] == ["日期", "服务场所", "服务项目", "核验通过", "核验未通过", "合计"]
    assert ws.max_row == 3


@pytest.mark.parametrize("query", ["to=0001-01-01", "from=0001-01-01", "to=9999-12-31", "group=month&to=0001-01-31"])
async def test_stats_dates_at_the_ends_of_the_calendar_are_a_400(api, query):
    """`to=0001-01-01` overflowed the default period's start (a 500, found by the fuzzer)."""
    admin = await api.login_password("admin")
    for path in ("/api/v1/admin/stats/visits", "/api/v1/admin/stats/visits.xlsx"):
        r = await api.get(f"{path}?{query}", token=admin)
        assert r.status == 400 and r.code == "INVALID_REQUEST", r
