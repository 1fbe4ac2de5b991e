"""GET /api/v1/admin/cards/{card_no}: the administrator's card detail with its status history and visits."""

from tests.onsite.helpers import qr_token, scan

ZHANG_CARD, WANGWU_CARD = "WH202400000001", "WH202300000002"


async def test_detail_shows_every_status_change_with_reason_and_actor(api):
    admin = await api.login_password("admin")
    r = await api.post(f"/api/v1/admin/cards/{ZHANG_CARD}/disable", {"reason": "违规转借"}, token=admin)
    assert r.status == 200, r
    r = await api.post(f"/api/v1/admin/cards/{ZHANG_CARD}/enable", {"reason": "核实无误"}, token=admin)
    assert r.status == 200, r
    r = await api.get(f"/api/v1/admin/cards/{ZHANG_CARD}", token=admin)
    assert r.status == 200, r
    d = r.json
    assert d["card_no"] == ZHANG_CARD and d["level"] == "A" and d["status"] == "active"
    assert [(h["status"], h["reason"]) for h in d["history"]] == [("active", "核实无误"), ("disabled", "违规转借")]
    assert all(h["actor_name"] and h["at"].endswith("+08:00") for h in d["history"])
    assert d["holder"]["name"] == "张三"
    assert d["holder"]["phone_masked"] == "138****0001"
    assert "13800000001" not in r.body.decode()
    assert d["visits"] == []
    # the holder's photo is a signed upload URL that loads without the Authorization header (API.md v1.1)
    assert "?exp=" in d["holder"]["photo_url"] and "&sig=" in d["holder"]["photo_url"]
    assert (await api.get(d["holder"]["photo_url"])).status == 200


async def test_detail_lists_visits_newest_first(api):
    admin = await api.login_password("admin")
    holder = await api.login_sms("13800000001")
    staff = await api.login_password("airport_staff")
    for _ in range(2):
        r = await scan(api, staff, await qr_token(api, holder))
        assert r.status == 200 and r.json["verdict"] == "ok", r
    r = await scan(api, staff, "not-a-token")
    r = await api.get(f"/api/v1/admin/cards/{ZHANG_CARD}", token=admin)
    assert len(r.json["visits"]) == 2
    v = r.json["visits"][0]
    assert v["verdict"] == "ok" and "机场" in v["venue_name"] and v["service_name"] == "机场贵宾通道"


async def test_demo_disabled_card_has_its_reason(api):
    admin = await api.login_password("admin")
    r = await api.get(f"/api/v1/admin/cards/{WANGWU_CARD}", token=admin)
    assert r.json["status"] == "disabled"
    assert r.json["history"][0]["reason"] == "人才已调离本市，按规定停用"


async def test_unknown_card_is_404(api):
    admin = await api.login_password("admin")
    r = await api.get("/api/v1/admin/cards/WH000", token=admin)
    assert r.status == 404 and r.code == "NOT_FOUND"
