"""Staff password login, captcha, lock-out, change password, logout and session revocation."""

import base64
import io

import pytest
from PIL import Image

from server.demo_city import STAFF

STAFF_USERS = [s[0] for s in STAFF]


@pytest.mark.parametrize("username", STAFF_USERS)
async def test_every_demo_staff_account_logs_in(api, username):
    r = await api.post("/api/v1/auth/password/login", {"username": username, "password": "Demo@12345"})
    assert r.status == 200, r
    me = await api.get("/api/v1/me", token=r.json["token"])
    assert me.status == 200 and me.json["roles"] == r.json["user"]["roles"]
    assert me.json["org"]["name"]


async def test_wrong_password_and_unknown_user_look_the_same(api):
    a = await api.post("/api/v1/auth/password/login", {"username": "admin", "password": "nope"})
    b = await api.post("/api/v1/auth/password/login", {"username": "nobody", "password": "nope"})
    assert a.status == b.status == 401
    assert a.code == b.code == "BAD_CREDENTIALS"
    assert a.json["error"]["message"] == b.json["error"]["message"] == "用户名或密码错误"


async def test_captcha_after_three_failures_then_lock(api, deps, monkeypatch):
    for _ in range(3):
        r = await api.post("/api/v1/auth/password/login", {"username": "admin", "password": "wrong"})
        assert r.status == 401
    # the right password without a captcha is refused now
    r = await api.post("/api/v1/auth/password/login", {"username": "admin", "password": "Demo@12345"})
    assert r.status == 428 and r.code == "CAPTCHA_REQUIRED"
    # a captcha image is a real PNG
    answers = []
    from server.auth import captcha
    real_new = captcha.new_answer
    monkeypatch.setattr(captcha, "new_answer", lambda: answers.append(real_new()) or answers[-1])
    c = await api.get("/api/v1/auth/captcha")
    assert c.status == 200 and c.json["image"].startswith("data:image/png;base64,")
    img = Image.open(io.BytesIO(base64.b64decode(c.json["image"].split(",", 1)[1])))
    assert img.format == "PNG" and img.size == (120, 44)
    # a wrong captcha is refused and burns the captcha
    r = await api.post("/api/v1/auth/password/login", {"username": "admin", "password": "Demo@12345",
                                                         "captcha_id": c.json["captcha_id"], "captcha_code": "XXXX"})
    assert r.status == 428
    r = await api.post("/api/v1/auth/password/login", {"username": "admin", "password": "Demo@12345",
                                                         "captcha_id": c.json["captcha_id"], "captcha_code": answers[-1]})
    assert r.status == 428, "a captcha works once"
    c = await api.get("/api/v1/auth/captcha")
    r = await api.post("/api/v1/auth/password/login", {"username": "admin", "password": "Demo@12345",
                                                         "captcha_id": c.json["captcha_id"],
                                                         "captcha_code": answers[-1].lower()})
    assert r.status == 200, r
    # the counter is reset by a success: no captcha needed now
    assert (await api.post("/api/v1/auth/password/login", {"username": "admin", "password": "Demo@12345"})).status == 200


async def test_lock_after_repeated_failures(api, clock, monkeypatch):
    from server.auth import captcha
    answers = []
    real_new = captcha.new_answer
    monkeypatch.setattr(captcha, "new_answer", lambda: answers.append(real_new()) or answers[-1])

    async def attempt(password):
        c = await api.get("/api/v1/auth/captcha")
        return await api.post("/api/v1/auth/password/login", {"username": "city_window", "password": password,
                                                               "captcha_id": c.json["captcha_id"],
                                                               "captcha_code": answers[-1]})
    codes = [(await attempt("wrong")).status for _ in range(5)]
    assert codes == [401, 401, 401, 401, 423]
    r = await attempt("Demo@12345")
    assert r.status == 423 and r.code == "ACCOUNT_LOCKED"
    assert r.json["error"]["details"]["retry_after_seconds"] > 0
    clock.advance(15 * 60 + 1)
    r = await attempt("Demo@12345")
    assert r.status == 200, r


async def test_change_password(api):
    token = await api.login_password("wendeng_window")
    other = await api.login_password("wendeng_window")
    r = await api.post("/api/v1/me/password", {"old_password": "bad", "new_password": "abc", "confirm_password": "abd"},
                       token=token)
    assert r.status == 400 and set(r.json["error"]["details"]["fields"]) == {"old_password", "new_password", "confirm_password"}
    r = await api.post("/api/v1/me/password", {"old_password": "Demo@12345", "new_password": "Weihai#2026",
                                               "confirm_password": "Weihai#2026"}, token=token)
    assert r.status == 204
    assert (await api.get("/api/v1/me", token=token)).status == 200, "this session stays"
    assert (await api.get("/api/v1/me", token=other)).status == 401, "other sessions are logged out"
    r = await api.post("/api/v1/auth/password/login", {"username": "wendeng_window", "password": "Demo@12345"})
    assert r.status == 401
    await api.login_password("wendeng_window", "Weihai#2026")


async def test_holder_sets_a_password_then_logs_in_with_phone(api):
    token = await api.login_sms("13800000001")
    assert (await api.get("/api/v1/me", token=token)).json["has_password"] is False
    r = await api.post("/api/v1/me/password", {"new_password": "Zhang#3san", "confirm_password": "Zhang#3san"}, token=token)
    assert r.status == 204
    await api.login_password("13800000001", "Zhang#3san")


async def test_logout_revokes_the_token(api):
    token = await api.login_password("admin")
    assert (await api.post("/api/v1/auth/logout", token=token)).status == 204
    r = await api.get("/api/v1/me", token=token)
    assert r.status == 401 and r.code == "UNAUTHORIZED"


async def test_expired_and_forged_tokens(api, clock):
    token = await api.login_password("admin")
    assert (await api.get("/api/v1/me", token="x" * 43)).status == 401
    assert (await api.get("/api/v1/me", token="x" * 5000)).status == 401
    clock.advance(7 * 24 * 3600 + 1)
    assert (await api.get("/api/v1/me", token=token)).status == 401


async def test_disabling_an_account_revokes_its_sessions(api, clock):
    admin = await api.login_password("admin")
    holder = await api.login_sms("13800000002")
    holder_id = (await api.get("/api/v1/me", token=holder)).json["id"]
    r = await api.post(f"/api/v1/admin/accounts/{holder_id}/disable", {"reason": "测试停用"}, token=admin)
    assert r.status == 200 and r.json["status"] == "disabled"
    assert (await api.get("/api/v1/me", token=holder)).status == 401
    # a disabled account cannot log in again either
    clock.advance(61)
    await api.post("/api/v1/auth/sms/send", {"phone": "13800000002"})
    code = await api.last_sms_code("13800000002")
    r = await api.post("/api/v1/auth/sms/login", {"phone": "13800000002", "code": code})
    assert r.status == 403 and r.code == "ACCOUNT_DISABLED"
    r = await api.post(f"/api/v1/admin/accounts/{holder_id}/enable", {}, token=admin)
    assert r.status == 200 and r.json["status"] == "active"
    me = await api.get("/api/v1/admin/accounts?role=holder&q=李四", token=admin)
    assert me.json["items"][0]["status"] == "active"


async def test_admin_account_list_is_masked_and_paginated(api):
    admin = await api.login_password("admin")
    r = await api.get("/api/v1/admin/accounts?limit=5", token=admin)
    assert r.status == 200 and len(r.json["items"]) == 5 and r.json["next_cursor"]
    r2 = await api.get(f"/api/v1/admin/accounts?limit=100&cursor={r.json['next_cursor']}", token=admin)
    ids = [i["id"] for i in r.json["items"] + r2.json["items"]]
    assert len(ids) == len(set(ids)) == 12  # 3 holders, 8 staff, demo_employer
    r = await api.get("/api/v1/admin/accounts?role=holder", token=admin)
    assert {i["name"] for i in r.json["items"]} == {"张三", "李四", "王五"}
    assert "13800000001" not in r.body.decode() and "138****0001" in r.body.decode()
    r = await api.get("/api/v1/admin/accounts?limit=1000", token=admin)
    assert r.status == 400 and "limit" in r.json["error"]["details"]["fields"]
    r = await api.get("/api/v1/admin/accounts?cursor=abc", token=admin)
    assert r.status == 400
    r = await api.post("/api/v1/admin/accounts/999999/disable", {}, token=admin)
    assert r.status == 404


async def test_captchas_are_limited_per_ip(api, deps, clock):
    import asyncio

    deps.config.captcha_ip_limit = 5
    rs = await asyncio.gather(*(api.get("/api/v1/auth/captcha") for _ in range(12)))
    assert sorted(r.status for r in rs) == [200] * 5 + [429] * 7
    r = next(r for r in rs if r.status == 429)
    assert r.code == "RATE_LIMITED" and "频繁" in r.json["error"]["message"]
    assert 0 < r.json["error"]["details"]["retry_after_seconds"] <= 600
    assert (await api.get("/api/v1/auth/captcha")).status == 429
    clock.advance(r.json["error"]["details"]["retry_after_seconds"])
    assert (await api.get("/api/v1/auth/captcha")).status == 200
