"""Card applications end to end: submit, rule-routed review, correction (card management itself: tests/cards/)."""

import asyncio
import io
import re

import pytest
import sqlalchemy as sa

from server.db.tables import applications

CITY_HR = "威海市人力资源和社会保障局"


async def lisi_draft(api, token):
    r = await api.get("/api/v1/me/applications?status=draft", token=token)
    assert r.status == 200 and len(r.json["items"]) == 1
    return r.json["items"][0]


async def applicant(api, token, app_id, action):
    """submit / withdraw from the version the applicant sees now (the contract requires it)."""
    app = (await api.get(f"/api/v1/applications/{app_id}", token=token)).json
    return await api.post(f"/api/v1/applications/{app_id}/{action}", {"version": app["version"]}, token=token)


async def act(api, token, app_id, action, opinion="", **extra):
    app = (await api.get(f"/api/v1/applications/{app_id}", token=token)).json
    return await api.post(f"/api/v1/review/applications/{app_id}/actions",
                          {"action": action, "opinion": opinion, "version": app["version"], **extra}, token=token)


async def test_lisi_submits_and_is_reviewed_to_a_card(api):
    lisi = await api.login_sms("13800000002")
    draft = await lisi_draft(api, lisi)
    assert draft["type"] == "new" and draft["status"] == "draft"
    r = await applicant(api, lisi, draft['id'], "submit")
    assert r.status == 200, r
    assert r.json["status"] == "submitted" and re.fullmatch(r"RC\d{17}", r.json["acceptance_no"])
    assert r.json["current_stage"]["name"] == "主管部门审核"
    assert [s["org_name"] for s in r.json["stages"][1:-1]] == ["威海市农业农村局", CITY_HR, CITY_HR]
    assert [s["state"] for s in r.json["stages"]] == ["done", "current", "pending", "pending", "pending"]
    app_id = draft["id"]

    agri = await api.login_password("agri_reviewer")
    city = await api.login_password("city_reviewer")
    wendeng = await api.login_password("wendeng_reviewer")
    queue = (await api.get("/api/v1/review/applications?status=pending", token=agri)).json["items"]
    assert [a["id"] for a in queue] == [app_id]
    assert (await api.get("/api/v1/review/applications", token=city)).json["items"] == []
    assert (await api.get("/api/v1/review/applications", token=wendeng)).json["items"] == []
    # a reviewer of another org cannot act on it
    r = await act(api, agri, app_id, "approve")  # fetch version with agri token
    assert r.status == 200 and r.json["current_stage"]["name"] == "市人社局初审"
    r = await act(api, city, app_id, "approve", "材料齐全，同意")
    assert r.status == 200 and r.json["current_stage"]["name"] == "市人社局终审"
    r = await act(api, city, app_id, "approve", "同意发卡")
    assert r.status == 200 and r.json["status"] == "approved" and r.json["card_no"].startswith("WH")
    assert all(s["state"] == "done" for s in r.json["stages"])
    assert r.json["stages"][1]["actor_name"] == "赵刚" and r.json["stages"][2]["opinion"] == "材料齐全，同意"

    card = await api.get("/api/v1/me/card", token=lisi)
    assert card.status == 200 and card.json["status"] == "active" and card.json["level"] == "B"
    assert card.json["holder"]["name"] == "李四" and card.json["holder"]["photo_url"].startswith("/api/v1/uploads/")
    assert card.json["holder"]["id_number_masked"].startswith("371002******")
    me = (await api.get("/api/v1/me", token=lisi)).json
    assert me["card"]["card_no"] == r.json["card_no"]


async def test_return_for_correction_resumes_at_the_same_stage(api):
    lisi = await api.login_sms("13800000002")
    app_id = (await lisi_draft(api, lisi))["id"]
    await applicant(api, lisi, app_id, "submit")
    agri = await api.login_password("agri_reviewer")
    city = await api.login_password("city_reviewer")
    assert (await act(api, agri, app_id, "approve")).status == 200
    r = await act(api, city, app_id, "return")
    assert r.status == 400 and "opinion" in r.json["error"]["details"]["fields"]
    r = await act(api, city, app_id, "return", "学历证书不清晰，请重新上传")
    assert r.status == 200 and r.json["status"] == "correction_required"

    mine = (await api.get(f"/api/v1/applications/{app_id}", token=lisi)).json
    returned = [s for s in mine["stages"] if s["state"] == "returned"]
    assert len(returned) == 1 and returned[0]["name"] == "市人社局初审"
    assert returned[0]["opinion"] == "学历证书不清晰，请重新上传" and returned[0]["actor_name"] == "周强"
    assert (await api.get("/api/v1/me/applications?status=correction_required", token=lisi)).json["items"]

    form = mine["form"]
    form["education"]["school"] = "中国农业大学（研究生院）"
    r = await api.put(f"/api/v1/applications/{app_id}", {"form": form, "version": mine["version"]}, token=lisi)
    assert r.status == 200, r
    # the masked ID number sent back keeps the stored one
    assert r.json["form"]["personal"]["id_number"] == mine["form"]["personal"]["id_number"]
    r = await api.post(f"/api/v1/applications/{app_id}/submit", {"version": r.json["version"]}, token=lisi)
    assert r.status == 200 and r.json["current_stage"]["name"] == "市人社局初审"
    assert r.json["acceptance_no"] == mine["acceptance_no"]
    assert (await api.get("/api/v1/review/applications", token=agri)).json["items"] == []
    assert [a["id"] for a in (await api.get("/api/v1/review/applications", token=city)).json["items"]] == [app_id]
    assert [h["action"] for h in r.json["history"]] == ["submit", "approve", "return", "resubmit"]


async def test_reject_is_final(api):
    lisi = await api.login_sms("13800000002")
    app_id = (await lisi_draft(api, lisi))["id"]
    await applicant(api, lisi, app_id, "submit")
    agri = await api.login_password("agri_reviewer")
    r = await act(api, agri, app_id, "reject", "不符合申领条件")
    assert r.status == 200 and r.json["status"] == "rejected"
    assert r.json["stages"][1]["state"] == "rejected"
    r = await act(api, agri, app_id, "approve")
    assert r.status == 409 and r.code == "INVALID_TRANSITION"
    r = await applicant(api, lisi, app_id, "submit")
    assert r.status == 409


async def test_two_reviewers_at_once_one_wins(api):
    lisi = await api.login_sms("13800000002")
    app_id = (await lisi_draft(api, lisi))["id"]
    v = (await applicant(api, lisi, app_id, "submit")).json["version"]
    a = await api.login_password("agri_reviewer")
    rs = await asyncio.gather(*[
        api.post(f"/api/v1/review/applications/{app_id}/actions", {"action": x, "opinion": "意见", "version": v}, token=a)
        for x in ("approve", "return")])
    assert sorted(r.status for r in rs) == [200, 409]
    loser = next(r for r in rs if r.status == 409)
    assert loser.code == "VERSION_CONFLICT" and loser.json["error"]["details"]["current"]["version"] == v + 1


async def test_withdraw_only_before_review(api):
    lisi = await api.login_sms("13800000002")
    app_id = (await lisi_draft(api, lisi))["id"]
    await applicant(api, lisi, app_id, "submit")
    r = await applicant(api, lisi, app_id, "withdraw")
    assert r.status == 200 and r.json["status"] == "withdrawn"
    agri = await api.login_password("agri_reviewer")
    assert (await api.get("/api/v1/review/applications", token=agri)).json["items"] == []
    # a second application: once reviewed it cannot be withdrawn
    form = (await api.get(f"/api/v1/applications/{app_id}", token=lisi)).json["form"]
    form["personal"]["id_number"] = None
    form["personal"]["phone"] = "13800000002"  # a masked phone cannot be copied into a new form
    new = await api.post("/api/v1/applications", {"type": "new", "form": form}, token=lisi)
    assert new.status == 201, new
    r = await applicant(api, lisi, new.json['id'], "submit")
    assert r.status == 422 and r.code == "FORM_INCOMPLETE" and "personal.id_number" in r.json["error"]["details"]["fields"]
    form["personal"]["id_number"] = "37100219850315456X"
    r = await api.put(f"/api/v1/applications/{new.json['id']}", {"form": form, "version": 1}, token=lisi)
    assert r.status == 400 and "form.personal.id_number" in r.json["error"]["details"]["fields"]
    from server.demo_city import HOLDERS
    form["personal"]["id_number"] = HOLDERS[1][3]
    assert (await api.put(f"/api/v1/applications/{new.json['id']}", {"form": form, "version": 1}, token=lisi)).status == 200
    assert (await applicant(api, lisi, new.json['id'], "submit")).status == 200
    assert (await act(api, agri, new.json["id"], "approve")).status == 200
    r = await applicant(api, lisi, new.json['id'], "withdraw")
    assert r.status == 409 and r.code == "INVALID_TRANSITION"


async def test_one_application_in_progress(api):
    lisi = await api.login_sms("13800000002")
    first = await lisi_draft(api, lisi)
    form = (await api.get(f"/api/v1/applications/{first['id']}", token=lisi)).json["form"]
    second = await api.post("/api/v1/applications", {"type": "new", "form": {"talent": form["talent"]}}, token=lisi)
    assert second.status == 201
    assert (await applicant(api, lisi, first['id'], "submit")).status == 200
    r = await applicant(api, lisi, second.json['id'], "submit")
    assert r.status == 409 and r.code == "APPLICATION_IN_PROGRESS"


async def test_materials_missing_lists_what_is_missing(api):
    lisi = await api.login_sms("13800000002")
    draft = (await api.get(f"/api/v1/applications/{(await lisi_draft(api, lisi))['id']}", token=lisi)).json
    form = draft["form"]
    form["materials"] = [m for m in form["materials"] if m["kind"] != "degree_cert"]
    form["photo_file_id"] = None
    r = await api.put(f"/api/v1/applications/{draft['id']}", {"form": form, "version": draft["version"]}, token=lisi)
    assert r.status == 200
    r = await applicant(api, lisi, draft['id'], "submit")
    assert r.status == 422 and r.code == "MATERIALS_MISSING"
    assert {m["kind"] for m in r.json["error"]["details"]["missing"]} == {"photo", "degree_cert"}
    assert "学历学位证书" in r.json["error"]["message"]


async def test_type_preconditions_and_foreign_files(api):
    zhang = await api.login_sms("13800000001")
    r = await api.post("/api/v1/applications", {"type": "new"}, token=zhang)
    assert r.status == 409 and r.code == "CARD_EXISTS"
    r = await api.post("/api/v1/applications", {"type": "renew"}, token=zhang)
    assert r.status == 201
    lisi = await api.login_sms("13800000002")
    r = await api.post("/api/v1/applications", {"type": "replace"}, token=lisi)
    assert r.status == 409 and r.code == "CARD_REQUIRED"
    # 张三 cannot attach 李四's files
    lisi_form = (await api.get(f"/api/v1/applications/{(await lisi_draft(api, lisi))['id']}", token=lisi)).json["form"]
    r = await api.post("/api/v1/applications", {"type": "renew", "form": {"materials": lisi_form["materials"][:1]}},
                       token=zhang)
    assert r.status == 400


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (60, 80), (200, 220, 240)).save(buf, "PNG")
    return buf.getvalue()


async def upload(api, token, kind):
    boundary = "----yckboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n"
            f"Content-Type: image/png\r\n\r\n").encode() + _png() + f"\r\n--{boundary}--\r\n".encode()
    r = await api.call("POST", "/api/v1/uploads", body=body, token=token,
                       headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status == 201, r
    return r.json["file_id"]


async def test_renew_extends_validity_and_routes_by_district(api):
    """张三 works at a 文登区 company (not 市直): seed 002 example 2 route, then a longer validity."""
    zhang = await api.login_sms("13800000001")
    before = (await api.get("/api/v1/me/card", token=zhang)).json
    from server.demo_city import HOLDERS
    form = {"personal": {"name": "张三", "gender": "男", "birth_date": "1980-01-01", "id_type": "resident_id",
                         "id_number": HOLDERS[0][3], "phone": "13800000001"},
            "education": {"degree": "博士研究生"},
            "employer": {"name": "威海文登精工机械有限公司", "is_city_level": False, "district": "文登区"},
            "talent": {"category": "第一类", "honor_title": "威海市科技创新领军人才", "card_level": "A"},
            "materials": [{"kind": "id_card", "file_id": await upload(api, zhang, "material")},
                          {"kind": "employment_proof", "file_id": await upload(api, zhang, "material")}],
            "declaration_accepted": True}
    app = (await api.post("/api/v1/applications", {"type": "renew", "form": form}, token=zhang)).json
    r = await applicant(api, zhang, app['id'], "submit")
    assert r.status == 200, r
    assert [s["org_name"] for s in r.json["stages"][1:-1]] == ["文登区人力资源和社会保障局", CITY_HR, CITY_HR]
    wendeng = await api.login_password("wendeng_reviewer")
    city = await api.login_password("city_reviewer")
    for token in (wendeng, city, city):
        assert (await act(api, token, app["id"], "approve")).status == 200
    after = (await api.get("/api/v1/me/card", token=zhang)).json
    assert after["card_no"] == before["card_no"]
    assert int(after["valid_until"][:4]) == int(before["valid_until"][:4]) + 3


async def test_applications_are_private_and_ids_encrypted(api, deps):
    lisi = await api.login_sms("13800000002")
    app_id = (await lisi_draft(api, lisi))["id"]
    zhang = await api.login_sms("13800000001")
    assert (await api.get(f"/api/v1/applications/{app_id}", token=zhang)).status == 404
    wendeng = await api.login_password("wendeng_reviewer")
    assert (await api.get(f"/api/v1/applications/{app_id}", token=wendeng)).status == 404
    mine = await api.get(f"/api/v1/applications/{app_id}", token=lisi)
    assert mine.json["form"]["personal"]["id_number"].startswith("371002******")
    assert mine.json["form"]["personal"]["phone"] == "138****0002"
    from server.demo_city import HOLDERS
    raw = await deps.db.fetchval(sa.select(applications.c.form).where(applications.c.id == int(app_id)))
    assert HOLDERS[1][3] not in raw and HOLDERS[1][3] not in mine.body.decode()
    assert "id_number_enc" not in mine.body.decode()


@pytest.mark.parametrize("path,body", [
    ("/api/v1/applications", {"type": "upgrade"}),
    ("/api/v1/applications", {"type": "new", "form": {"personal": {"gender": "其他"}}}),
    ("/api/v1/applications", {"type": "new", "form": {"personal": {"birth_date": "yesterday"}}}),
    ("/api/v1/applications", {"type": "new", "form": {"family": [{"name": "小李"}]}}),
    ("/api/v1/applications", {"type": "new", "form": {"unknown_section": {}}}),
    ("/api/v1/applications", {"type": "new", "form": {"materials": [{"kind": "id_card", "file_id": "abc"}]}}),
    ("/api/v1/applications", {"type": "new", "form": {"history": [{}] * 31}}),
])
async def test_bad_application_input(api, path, body):
    lisi = await api.login_sms("13800000002")
    r = await api.post(path, body, token=lisi)
    assert r.status == 400 and r.code == "INVALID_REQUEST", r
    assert r.json["error"]["details"]["fields"]


async def test_unknown_ids_and_wrong_roles(api):
    lisi = await api.login_sms("13800000002")
    agri = await api.login_password("agri_reviewer")
    assert (await api.get("/api/v1/applications/999999", token=lisi)).status == 404
    assert (await api.get("/api/v1/applications/abc", token=lisi)).status == 404
    assert (await api.post("/api/v1/applications/999999/submit", {"version": 1}, token=lisi)).status == 404
    r = await api.post("/api/v1/review/applications/1/actions", {"action": "approve", "version": "x"}, token=agri)
    assert r.status == 400
    r = await api.post("/api/v1/applications", {"type": "new"}, token=agri)
    assert r.status == 403
    app_id = (await lisi_draft(api, lisi))["id"]
    r = await api.post(f"/api/v1/review/applications/{app_id}/actions", {"action": "approve", "version": 1}, token=agri)
    assert r.status == 404, "a draft is nobody's business but the applicant's"


async def test_submit_and_withdraw_need_the_version_the_applicant_saw(api):
    """Every state-changing action takes the version it saw: 400 without it, 409 when stale."""
    lisi = await api.login_sms("13800000002")
    draft = await lisi_draft(api, lisi)
    for body in ({}, {"version": None}, {"version": "one"}, {"version": 0}):
        r = await api.post(f"/api/v1/applications/{draft['id']}/submit", body, token=lisi)
        assert r.status == 400 and r.code == "INVALID_REQUEST" and "version" in r.json["error"]["details"]["fields"], r
    r = await api.post(f"/api/v1/applications/{draft['id']}/submit", {"version": draft["version"] + 1}, token=lisi)
    assert r.status == 409 and r.code == "VERSION_CONFLICT" and r.json["error"]["details"]["current"]["status"] == "draft"
    r = await api.post(f"/api/v1/applications/{draft['id']}/submit", {"version": draft["version"]}, token=lisi)
    assert r.status == 200 and r.json["status"] == "submitted"
    r = await api.post(f"/api/v1/applications/{draft['id']}/withdraw", {}, token=lisi)
    assert r.status == 400 and "version" in r.json["error"]["details"]["fields"], r
    r = await api.post(f"/api/v1/applications/{draft['id']}/withdraw", {"version": draft["version"]}, token=lisi)
    assert r.status == 409 and r.code == "VERSION_CONFLICT", "the version before the submission is stale"
    assert r.json["error"]["details"]["current"]["status"] == "submitted"
    r = await applicant(api, lisi, draft["id"], "withdraw")
    assert r.status == 200 and r.json["status"] == "withdrawn"
