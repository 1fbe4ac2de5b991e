"""人才管理: the applications the reviewer's org has acted on, with the org's last action; filters; export."""

import io

import openpyxl


async def act(api, token, app_id, action, opinion=""):
    app = (await api.get(f"/api/v1/applications/{app_id}", token=token)).json
    r = await api.post(f"/api/v1/review/applications/{app_id}/actions",
                       {"action": action, "opinion": opinion, "version": app["version"]}, token=token)
    assert r.status == 200, r
    return r.json


async def _submitted(api, lisi=None):
    lisi = lisi or await api.login_sms("13800000002")
    draft = (await api.get("/api/v1/me/applications?status=draft", token=lisi)).json["items"][0]
    r = await api.post(f"/api/v1/applications/{draft['id']}/submit", {}, token=lisi)
    assert r.status == 200, r
    return draft["id"], r.json["acceptance_no"]


async def test_each_org_sees_its_own_last_action(api):
    app_id, acc_no = await _submitted(api)
    agri = await api.login_password("agri_reviewer")
    city = await api.login_password("city_reviewer")
    wendeng = await api.login_password("wendeng_reviewer")
    assert (await api.get("/api/v1/review/processed", token=agri)).json["items"] == []
    await act(api, agri, app_id, "approve", "荣誉属实，同意推荐")
    await act(api, city, app_id, "return", "请补充社保缴纳证明")
    r = await api.get("/api/v1/review/processed", token=agri)
    assert r.status == 200
    [item] = r.json["items"]
    assert item["id"] == app_id and item["acceptance_no"] == acc_no and item["applicant_name"] == "李四"
    assert item["status"] == "correction_required" and item["type_name"] == "新办"
    assert item["last_action"]["action"] == "approve" and item["last_action"]["opinion"] == "荣誉属实，同意推荐"
    assert item["last_action"]["at"].endswith("+08:00")
    [item] = (await api.get("/api/v1/review/processed", token=city)).json["items"]
    assert item["last_action"]["action"] == "return" and item["last_action"]["action_name"] == "退回补正"
    assert (await api.get("/api/v1/review/processed", token=wendeng)).json["items"] == []
    # filters
    assert (await api.get("/api/v1/review/processed?action=approve", token=city)).json["items"] == []
    assert len((await api.get("/api/v1/review/processed?action=return&type=new", token=city)).json["items"]) == 1
    assert len((await api.get(f"/api/v1/review/processed?q={acc_no}", token=city)).json["items"]) == 1
    assert len((await api.get("/api/v1/review/processed?q=李四", token=city)).json["items"]) == 1
    assert (await api.get("/api/v1/review/processed?q=张三", token=city)).json["items"] == []
    assert (await api.get("/api/v1/review/processed?from=2000-01-01&to=2000-01-02", token=city)).json["items"] == []
    for bad in ("action=withdraw", "type=x", "from=2026-13-01", "cursor=abc", "cursor=１",
                "to=9999-12-31", "from=0001-01-01"):
        assert (await api.get(f"/api/v1/review/processed?{bad}", token=city)).status == 400, bad
    r = await api.get("/api/v1/review/processed/export.xlsx", token=city)
    assert r.status == 200
    ws = openpyxl.load_workbook(io.BytesIO(r.body))["人才管理"]
    assert [c.value for c in ws[2]][:5] == [acc_no, "李四", "新办", "材料补正", "退回补正"]


async def test_one_row_per_application_with_the_latest_action(api, deps):
    lisi = await api.login_sms("13800000002")
    app_id, _ = await _submitted(api, lisi)
    agri = await api.login_password("agri_reviewer")
    city = await api.login_password("city_reviewer")
    await act(api, agri, app_id, "approve", "同意")
    await act(api, city, app_id, "return", "补充")
    v = (await api.get(f"/api/v1/applications/{app_id}", token=lisi)).json["version"]
    assert (await api.post(f"/api/v1/applications/{app_id}/submit", {"version": v}, token=lisi)).status == 200
    await act(api, city, app_id, "approve", "同意")
    # one application, however often the org acted on it
    r = await api.get("/api/v1/review/processed?limit=1", token=city)
    assert len(r.json["items"]) == 1 and r.json["next_cursor"] is None
    assert r.json["items"][0]["last_action"]["action"] == "approve"
