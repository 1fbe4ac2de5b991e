"""The talent card over HTTP: the administrator disables, enables, lists and exports cards."""

import io

import openpyxl


async def test_admin_disables_and_enables_a_card(api):
    admin = await api.login_password("admin")
    zhang = await api.login_sms("13800000001")
    r = await api.post("/api/v1/admin/cards/WH202400000001/disable", {"reason": ""}, token=admin)
    assert r.status == 400
    r = await api.post("/api/v1/admin/cards/WH202400000001/disable", {"reason": "核查期间暂停"}, token=admin)
    assert r.status == 200 and r.json["status"] == "disabled" and r.json["holder"]["phone_masked"] == "138****0001"
    card = (await api.get("/api/v1/me/card", token=zhang)).json
    assert card["status"] == "disabled" and card["status_reason"] == "核查期间暂停"
    r = await api.post("/api/v1/admin/cards/WH202400000001/enable", {}, token=admin)
    assert r.status == 200 and r.json["status"] == "active"
    assert (await api.get("/api/v1/me/card", token=zhang)).json["status"] == "active"
    assert (await api.post("/api/v1/admin/cards/NOPE/disable", {"reason": "x"}, token=admin)).status == 404
    wangwu = await api.login_sms("13800000003")
    assert (await api.get("/api/v1/me/card", token=wangwu)).json["status"] == "disabled"
    lisi = await api.login_sms("13800000002")
    r = await api.get("/api/v1/me/card", token=lisi)
    assert r.status == 404 and r.code == "NO_CARD"


async def test_card_list_filters_and_export(api):
    admin = await api.login_password("admin")
    r = await api.get("/api/v1/admin/cards", token=admin)
    assert {c["card_no"] for c in r.json["items"]} == {"WH202400000001", "WH202300000002"}
    r = await api.get("/api/v1/admin/cards?status=disabled", token=admin)
    assert [c["holder"]["name"] for c in r.json["items"]] == ["王五"]
    r = await api.get("/api/v1/admin/cards?level=A&q=张三", token=admin)
    assert [c["card_no"] for c in r.json["items"]] == ["WH202400000001"]
    r = await api.get("/api/v1/admin/cards?limit=1", token=admin)
    assert len(r.json["items"]) == 1 and r.json["next_cursor"]
    r2 = await api.get(f"/api/v1/admin/cards?limit=1&cursor={r.json['next_cursor']}", token=admin)
    assert r2.json["items"][0]["card_no"] != r.json["items"][0]["card_no"]
    r = await api.get("/api/v1/admin/cards/export.xlsx?status=active", token=admin)
    assert r.status == 200 and "spreadsheetml" in r.headers["Content-Type"]
    ws = openpyxl.load_workbook(io.BytesIO(r.body)).active
    rows = list(ws.values)
    assert rows[0][:6] == ("卡号", "持卡人", "手机号", "证件号", "等级", "状态")
    assert rows[1][0] == "WH202400000001" and rows[1][2] == "138****0001" and rows[1][5] == "正常"
    assert len(rows) == 2
    r = await api.get("/api/v1/admin/cards?status=lost", token=admin)
    assert r.status == 400
