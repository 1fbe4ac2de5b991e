"""Employers (API.md v1.1, seeds 002 §2.3–2.4 and 003): registration with an SMS-verified contact,
approval by the right HR bureau, 关联代码 links confirmed by the employer's staff, the employer's
review stage on a linked holder's application, and the prefilled form."""

import re

import pytest
import sqlalchemy as sa

from server.db.tables import accounts, applications, employer_links
from server.employers.service import credit_code_check_char, valid_credit_code

CITY_HR = "威海市人力资源和社会保障局"
WENDENG_HR = "文登区人力资源和社会保障局"
NEW_CODE = "91371081MA3NEWC02T"  # valid check character


def reg_body(**over):
    body = {"name": "威海新创电子有限公司", "credit_code": NEW_CODE, "district": "文登区", "is_city_level": False,
            "contact_name": "韩梅", "contact_phone": "13900000021", "sms_code": "000000",
            "username": "xinchuang_hr", "password": "Xinchuang@2026"}
    body.update(over)
    return body


async def sms(api, phone, purpose="employer_reg"):
    r = await api.post("/api/v1/auth/sms/send", {"phone": phone, "purpose": purpose})
    assert r.status == 200, r
    return await api.last_sms_code(phone)


async def register(api, **over):
    body = reg_body(**over)
    body["sms_code"] = await sms(api, body["contact_phone"])
    return await api.post("/api/v1/employers/register", body)


async def act(api, token, app_id, action, opinion=""):
    app = (await api.get(f"/api/v1/applications/{app_id}", token=token)).json
    return await api.post(f"/api/v1/review/applications/{app_id}/actions",
                          {"action": action, "opinion": opinion, "version": app["version"]}, token=token)


def test_credit_code_check_character():
    assert valid_credit_code("91350100M000100Y43") and valid_credit_code("91110000600037341L")
    assert valid_credit_code(NEW_CODE) and not valid_credit_code(NEW_CODE[:-1] + "U")
    assert not valid_credit_code("91371081MA3NEWCO2T")  # O is not in the alphabet
    assert not valid_credit_code("９1371081MA3NEWC02T")
    assert credit_code_check_char(NEW_CODE[:17]) == "T"


async def test_whole_path_register_approve_link_apply_employer_review(api, deps):
    r = await register(api)
    assert r.status == 201 and r.json["status"] == "pending", r
    emp_id = r.json["id"]
    # the staff account waits for approval (said so only to who knows the password)
    r = await api.post("/api/v1/auth/password/login", {"username": "xinchuang_hr", "password": "Xinchuang@2026"})
    assert r.status == 403 and r.code == "ACCOUNT_DISABLED" and "审核中" in r.json["error"]["message"]
    r = await api.post("/api/v1/auth/password/login", {"username": "xinchuang_hr", "password": "Wrong@20266"})
    assert r.status == 401 and r.code == "BAD_CREDENTIALS"
    # a district employer is approved by its district's HR bureau (and the admin), nobody else
    agri = await api.login_password("agri_reviewer")
    city = await api.login_password("city_reviewer")
    wendeng = await api.login_password("wendeng_reviewer")
    assert (await api.get("/api/v1/admin/employers", token=agri)).json["items"] == []
    assert (await api.get("/api/v1/admin/employers?status=pending", token=city)).json["items"] == []
    r = await api.post(f"/api/v1/admin/employers/{emp_id}/actions", {"action": "approve"}, token=city)
    assert r.status == 404
    pending = (await api.get("/api/v1/admin/employers?status=pending", token=wendeng)).json["items"]
    assert [e["id"] for e in pending] == [emp_id]
    assert pending[0]["contact_phone_masked"] == "139****0021" and pending[0]["association_code"] is None
    assert "13900000021" not in str(pending)
    r = await api.post(f"/api/v1/admin/employers/{emp_id}/actions", {"action": "approve"}, token=wendeng)
    assert r.status == 200 and r.json["status"] == "active", r
    assert (await api.post(f"/api/v1/admin/employers/{emp_id}/actions", {"action": "approve"},
                           token=wendeng)).status == 409

    staff = await api.login_password("xinchuang_hr", "Xinchuang@2026")
    me = (await api.get("/api/v1/me", token=staff)).json
    assert me["roles"] == ["employer"] and me["org"]["name"] == "威海新创电子有限公司"
    prof = (await api.get("/api/v1/employer/profile", token=staff)).json
    code = prof["association_code"]
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{8}", code) and "O" not in code and "I" not in code

    # 李四 looks the code up, sees the name, asks to be linked
    lisi = await api.login_sms("13800000002")
    r = await api.get(f"/api/v1/employers/lookup?code={code.lower()}", token=lisi)
    assert r.status == 200 and r.json == {"id": emp_id, "name": "威海新创电子有限公司"}
    r = await api.post("/api/v1/me/employer-link", {"code": code}, token=lisi)
    assert r.status == 201 and r.json["status"] == "pending" and r.json["employer"]["name"] == "威海新创电子有限公司"
    r = await api.post("/api/v1/me/employer-link", {"code": "WHKJ2026"}, token=lisi)
    assert r.status == 409 and r.code == "EMPLOYER_LINK_EXISTS"
    assert (await api.get("/api/v1/me/employer-link", token=lisi)).json["link"]["status"] == "pending"

    # another employer's staff see nothing of it; this employer's staff approve
    other = await api.login_password("demo_employer")
    assert (await api.get("/api/v1/employer/links", token=other)).json["items"] == []
    links = (await api.get("/api/v1/employer/links?status=pending", token=staff)).json["items"]
    assert len(links) == 1 and links[0]["holder"]["name"] == "李四" and links[0]["holder"]["phone_masked"] == "138****0002"
    link_id = links[0]["id"]
    r = await api.post(f"/api/v1/employer/links/{link_id}/actions", {"action": "approve"}, token=other)
    assert r.status == 404
    r = await api.post(f"/api/v1/employer/links/{link_id}/actions", {"action": "approve", "opinion": "本单位员工"},
                       token=staff)
    assert r.status == 200 and r.json["status"] == "approved", r
    assert (await api.get("/api/v1/me/employer-link", token=lisi)).json["link"]["status"] == "approved"

    # her application starts with the employer's review; the linked employer's district decides the rest
    draft = (await api.get("/api/v1/me/applications?status=draft", token=lisi)).json["items"][0]
    app = (await api.get(f"/api/v1/applications/{draft['id']}", token=lisi)).json
    r = await api.post(f"/api/v1/applications/{draft['id']}/submit", {"version": app["version"]}, token=lisi)
    assert r.status == 200, r
    assert [s["org_name"] for s in r.json["stages"][1:-1]] == ["威海新创电子有限公司", WENDENG_HR, CITY_HR, CITY_HR]
    assert r.json["current_stage"]["name"] == "用人单位审核"
    queue = (await api.get("/api/v1/review/applications?status=pending", token=staff)).json["items"]
    assert [a["id"] for a in queue] == [draft["id"]]
    assert (await api.get("/api/v1/review/applications", token=wendeng)).json["items"] == []
    assert (await api.get(f"/api/v1/applications/{draft['id']}", token=other)).status == 404
    assert (await act(api, wendeng, draft["id"], "approve")).status == 403
    r = await act(api, staff, draft["id"], "approve", "情况属实")
    assert r.status == 200 and r.json["current_stage"]["org_name"] == WENDENG_HR, r
    handled = (await api.get("/api/v1/review/applications?status=handled", token=staff)).json["items"]
    assert [a["id"] for a in handled] == [draft["id"]]
    assert (await act(api, staff, draft["id"], "approve")).status == 403  # no longer its stage
    assert [a["id"] for a in (await api.get("/api/v1/review/applications", token=wendeng)).json["items"]] \
        == [draft["id"]]

    # the next application starts from this one and from the link
    pre = (await api.get("/api/v1/me/application-prefill", token=lisi)).json
    assert pre["sources"] == ["last_application", "account", "employer_link"]
    assert pre["form"]["education"]["school"] == "中国农业大学"
    assert pre["form"]["employer"]["name"] == "威海新创电子有限公司"
    assert pre["form"]["employer"]["is_city_level"] is False and pre["form"]["employer"]["district"] == "文登区"
    assert "position" not in pre["form"]["employer"]  # the old position was at another employer
    assert pre["form"]["personal"]["id_number"].startswith("371002******")


async def test_disabling_an_employer_ends_its_staff_sessions_and_its_stage(api, deps):
    admin = await api.login_password("admin")
    staff = await api.login_password("demo_employer")
    emps = (await api.get("/api/v1/admin/employers?status=active", token=admin)).json["items"]
    whkj = next(e for e in emps if e["association_code"] == "WHKJ2026")
    assert whkj["name"] == "威海某科技有限公司" and whkj["is_city_level"] is True
    r = await api.post(f"/api/v1/admin/employers/{whkj['id']}/actions", {"action": "reject", "opinion": "x"},
                       token=admin)
    assert r.status == 409  # only a pending registration is rejected
    r = await api.get("/api/v1/admin/accounts?role=employer", token=admin)
    assert [a["username"] for a in r.json["items"]] == ["demo_employer"]
    r = await api.post(f"/api/v1/admin/employers/{whkj['id']}/actions", {"action": "disable", "opinion": "注销"},
                       token=admin)
    assert r.status == 200 and r.json["status"] == "disabled"
    assert (await api.get("/api/v1/employer/profile", token=staff)).status == 401
    zhang = await api.login_sms("13800000001")
    assert (await api.get("/api/v1/employers/lookup?code=WHKJ2026", token=zhang)).status == 404
    r = await api.post(f"/api/v1/admin/employers/{whkj['id']}/actions", {"action": "approve"}, token=admin)
    assert r.status == 200 and r.json["status"] == "active"
    assert (await api.get("/api/v1/employers/lookup?code=WHKJ2026", token=zhang)).status == 200
    assert (await api.post("/api/v1/auth/password/login",
                           {"username": "demo_employer", "password": "Demo@12345"})).status == 200


async def test_city_level_registration_goes_to_the_city_bureau_and_can_be_rejected_and_resubmitted(api, deps):
    r = await register(api, is_city_level=True, district="环翠区")
    emp_id = r.json["id"]
    huancui = await api.login_password("city_reviewer")  # the city bureau
    pending = (await api.get("/api/v1/admin/employers?status=pending", token=huancui)).json["items"]
    assert [e["id"] for e in pending] == [emp_id]
    wendeng = await api.login_password("wendeng_reviewer")
    assert (await api.get("/api/v1/admin/employers", token=wendeng)).json["items"] == []
    r = await api.post(f"/api/v1/admin/employers/{emp_id}/actions", {"action": "reject"}, token=huancui)
    assert r.status == 400 and "opinion" in r.json["error"]["details"]["fields"]
    r = await api.post(f"/api/v1/admin/employers/{emp_id}/actions", {"action": "reject", "opinion": "营业执照不清晰"},
                       token=huancui)
    assert r.status == 200 and r.json["status"] == "rejected"
    r = await api.post("/api/v1/auth/password/login", {"username": "xinchuang_hr", "password": "Xinchuang@2026"})
    assert r.status == 403
    # 退回修改: another phone cannot take the rejected registration over; its own contact corrects it
    r = await register(api, contact_phone="13900000022", username="thief_hr")
    assert r.status == 409 and r.code == "EMPLOYER_EXISTS"
    deps.clock.advance(61)
    r = await register(api, is_city_level=False, district="文登区", name="威海新创电子股份有限公司",
                       password="Xinchuang@2027")
    assert r.status == 201 and r.json == {"id": emp_id, "status": "pending"}, r
    wendeng = await api.login_password("wendeng_reviewer")
    mine = (await api.get("/api/v1/admin/employers?status=pending", token=wendeng)).json["items"]
    assert [(e["id"], e["name"], e["opinion"]) for e in mine] == [(emp_id, "威海新创电子股份有限公司", None)]
    assert (await api.get("/api/v1/admin/employers?status=pending", token=huancui)).json["items"] == []
    r = await api.post(f"/api/v1/admin/employers/{emp_id}/actions", {"action": "approve"}, token=wendeng)
    assert r.status == 200
    assert (await api.login_password("xinchuang_hr", "Xinchuang@2027"))
    # once approved (or pending) nobody registers it again
    deps.clock.advance(61)
    r = await register(api, username="again_hr")
    assert r.status == 409 and r.code == "EMPLOYER_EXISTS"


@pytest.mark.parametrize("over,field", [
    ({"credit_code": NEW_CODE[:-1] + "U"}, "credit_code"),           # wrong check character
    ({"credit_code": "91371081MA3NEWC0２T"}, "credit_code"),          # a full-width digit
    ({"contact_phone": "1390000002１"}, "contact_phone"),
    ({"password": "short"}, "password"),
    ({"password": "alllowercase1"}, "password"),
    ({"username": "坏名字"}, "username"),
    ({"sms_code": "１２３４５６"}, "sms_code"),
])
async def test_bad_registration_input_is_a_400_in_chinese(api, deps, over, field):
    r = await api.post("/api/v1/employers/register", reg_body(**over))
    assert r.status == 400 and r.code == "INVALID_REQUEST", r
    assert field in r.json["error"]["details"]["fields"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json["error"]["details"]["fields"][field])
    assert await deps.db.fetchval(sa.select(sa.func.count()).select_from(accounts)
                                  .where(accounts.c.username == "xinchuang_hr")) == 0


async def test_registration_needs_a_fresh_code_for_this_purpose_and_is_unique(api, deps):
    # a login code of the same phone does not register an employer
    body = reg_body(sms_code=await sms(api, "13900000021", purpose="login"))
    r = await api.post("/api/v1/employers/register", body)
    assert r.status == 400 and r.code == "SMS_CODE_INVALID"
    deps.clock.advance(61)
    r = await register(api)
    assert r.status == 201
    # the same code twice, the same credit code, a taken username, an unknown district
    r = await api.post("/api/v1/employers/register", {**body, "username": "other_hr", "credit_code": "91350100M000100Y43"})
    assert r.status == 400 and r.code == "SMS_CODE_INVALID"
    deps.clock.advance(61)
    r = await register(api, username="other_hr")
    assert r.status == 409 and r.code == "EMPLOYER_EXISTS"
    deps.clock.advance(61)
    r = await register(api, credit_code="91350100M000100Y43", username="admin")
    assert r.status == 409 and r.code == "USERNAME_TAKEN"
    # without a valid code nobody learns whether a username is taken
    r = await api.post("/api/v1/employers/register", reg_body(credit_code="91350100M000100Y43", username="admin"))
    assert r.status == 400 and r.code == "SMS_CODE_INVALID"
    r = await api.post("/api/v1/employers/register", reg_body(credit_code="91350100M000100Y43", district="火星区"))
    assert r.status == 422 and r.code == "DISTRICT_UNKNOWN"


async def test_links_reject_cancel_and_pending_registrations(api, deps):
    r = await register(api)
    zhang = await api.login_sms("13800000001")
    from server.db.tables import orgs
    pending_code = await deps.db.fetchval(sa.select(orgs.c.association_code).where(orgs.c.id == int(r.json["id"])))
    for code in (pending_code, "NOSUCH99"):
        assert (await api.get(f"/api/v1/employers/lookup?code={code}", token=zhang)).status == 404
        assert (await api.post("/api/v1/me/employer-link", {"code": code}, token=zhang)).status == 404
    r = await api.get("/api/v1/employers/lookup?code=ＷHKJ2026", token=zhang)
    assert r.status == 400
    assert (await api.get("/api/v1/me/employer-link", token=zhang)).json == {"link": None}
    assert (await api.post("/api/v1/me/employer-link", {"code": "WHKJ2026"}, token=zhang)).status == 201
    staff = await api.login_password("demo_employer")
    link_id = (await api.get("/api/v1/employer/links", token=staff)).json["items"][0]["id"]
    r = await api.post(f"/api/v1/employer/links/{link_id}/actions", {"action": "reject"}, token=staff)
    assert r.status == 400
    r = await api.post(f"/api/v1/employer/links/{link_id}/actions", {"action": "reject", "opinion": "查无此人"},
                       token=staff)
    assert r.status == 200 and r.json["status"] == "rejected"
    assert (await api.post(f"/api/v1/employer/links/{link_id}/actions", {"action": "approve"},
                           token=staff)).status == 409
    mine = (await api.get("/api/v1/me/employer-link", token=zhang)).json["link"]
    assert mine["status"] == "rejected" and mine["opinion"] == "查无此人"
    # free to ask again, and to withdraw the request
    assert (await api.post("/api/v1/me/employer-link", {"code": "WHKJ2026"}, token=zhang)).status == 201
    r = await api.delete("/api/v1/me/employer-link", token=zhang)
    assert r.status == 200 and r.json["link"]["status"] == "cancelled"
    assert (await api.delete("/api/v1/me/employer-link", token=zhang)).status == 404
    live = await deps.db.fetchval(sa.select(sa.func.count()).select_from(employer_links)
                                  .where(employer_links.c.live_holder_id.is_not(None)))
    assert live == 0


async def test_lookups_are_limited_per_caller(api):
    zhang = await api.login_sms("13800000001")
    from server.employers.service import LOOKUPS_PER_WINDOW
    for _ in range(LOOKUPS_PER_WINDOW):
        assert (await api.get("/api/v1/employers/lookup?code=NOSUCH99", token=zhang)).status == 404
    r = await api.get("/api/v1/employers/lookup?code=WHKJ2026", token=zhang)
    assert r.status == 429 and r.code == "RATE_LIMITED"


async def test_prefill_from_account_and_profile_and_masked_values_resolve(api, deps):
    zhang = await api.login_sms("13800000001")
    pre = (await api.get("/api/v1/me/application-prefill", token=zhang)).json
    assert pre["sources"] == ["account", "profile"]
    p = pre["form"]["personal"]
    assert p["name"] == "张三" and p["phone"] == "138****0001" and p["id_number"].startswith("371081******")
    assert pre["form"]["employer"]["name"] == "威海文登精工机械有限公司"
    assert "id_number_enc" not in str(pre) and "13800000001" not in str(pre)
    # the masked values sent back keep the account's real ones
    r = await api.post("/api/v1/applications", {"type": "renew", "form": pre["form"]}, token=zhang)
    assert r.status == 201, r
    raw = await deps.db.fetchval(sa.select(applications.c.form).where(applications.c.id == int(r.json["id"])))
    acct = await deps.db.fetchone(sa.select(accounts).where(accounts.c.phone == "13800000001"))
    assert acct["id_number_hash"] in raw and '"phone": "13800000001"' in raw
    # a new holder starts with (almost) nothing and the placeholder name is not offered
    new = await api.login_sms("13900000099")
    pre = (await api.get("/api/v1/me/application-prefill", token=new)).json
    assert pre["sources"] == ["account"] and "name" not in pre["form"]["personal"]
