"""SMS code login (API.md Auth; SPEC §10)."""

import re

import pytest


async def test_sms_login_new_and_existing_holder(api):
    r = await api.post("/api/v1/auth/sms/send", {"phone": "13800000001", "purpose": "login"})
    assert r.status == 200 and r.json == {"cooldown_seconds": 60}
    sms = (await api.get("/api/v1/dev/sms?phone=13800000001")).json["items"][0]
    assert sms["template"] == "login" and re.fullmatch(r"\d{6}", sms["params"]["code"])
    assert sms["params"]["code"] in sms["text"]
    r = await api.post("/api/v1/auth/sms/login", {"phone": "13800000001", "code": sms["params"]["code"]})
    assert r.status == 200, r
    assert r.json["user"]["name"] == "张三" and r.json["user"]["roles"] == ["holder"]
    assert r.json["user"]["phone_masked"] == "138****0001"
    assert r.json["expires_at"].endswith("+08:00")
    me = await api.get("/api/v1/me", token=r.json["token"])
    assert me.status == 200 and me.json["phone_masked"] == "138****0001"
    assert "13800000001" not in me.body.decode()
    assert me.json["id_number_masked"].startswith("371081******")


async def test_unknown_phone_becomes_holder(api):
    token = await api.login_sms("13912345678")
    me = (await api.get("/api/v1/me", token=token)).json
    assert me["roles"] == ["holder"] and me["phone_masked"] == "139****5678"


async def test_second_request_within_a_minute_is_429(api, clock):
    assert (await api.post("/api/v1/auth/sms/send", {"phone": "13800000002"})).status == 200
    r = await api.post("/api/v1/auth/sms/send", {"phone": "13800000002"})
    assert r.status == 429 and r.code == "SMS_RATE_LIMITED"
    assert 0 < r.json["error"]["details"]["retry_after_seconds"] <= 60
    clock.advance(61)
    assert (await api.post("/api/v1/auth/sms/send", {"phone": "13800000002"})).status == 200


async def test_hourly_and_daily_limits(api, clock):
    for _ in range(5):
        assert (await api.post("/api/v1/auth/sms/send", {"phone": "13800000002"})).status == 200
        clock.advance(61)
    r = await api.post("/api/v1/auth/sms/send", {"phone": "13800000002"})
    assert r.status == 429 and r.json["error"]["details"]["retry_after_seconds"] > 60
    clock.advance(3600)
    for _ in range(5):
        assert (await api.post("/api/v1/auth/sms/send", {"phone": "13800000002"})).status == 200
        clock.advance(61)
    r = await api.post("/api/v1/auth/sms/send", {"phone": "13800000002"})
    assert r.status == 429 and "明天" in r.json["error"]["message"]


async def test_per_ip_limit(api, deps):
    deps.config.sms_ip_hourly_limit = 3
    for i in range(3):
        assert (await api.post("/api/v1/auth/sms/send", {"phone": f"1390000000{i}"})).status == 200
    r = await api.post("/api/v1/auth/sms/send", {"phone": "13900000009"})
    assert r.status == 429 and r.code == "SMS_RATE_LIMITED"


async def test_code_is_single_use_and_expires(api, clock):
    await api.post("/api/v1/auth/sms/send", {"phone": "13800000001"})
    code = await api.last_sms_code("13800000001")
    assert (await api.post("/api/v1/auth/sms/login", {"phone": "13800000001", "code": code})).status == 200
    r = await api.post("/api/v1/auth/sms/login", {"phone": "13800000001", "code": code})
    assert r.status == 400 and r.code == "SMS_CODE_INVALID"
    clock.advance(61)
    await api.post("/api/v1/auth/sms/send", {"phone": "13800000001"})
    code = await api.last_sms_code("13800000001")
    clock.advance(301)
    r = await api.post("/api/v1/auth/sms/login", {"phone": "13800000001", "code": code})
    assert r.status == 400 and r.code == "SMS_CODE_INVALID"
    assert r.json["error"]["message"] == "验证码错误或已失效"


async def test_sixth_try_refused_even_when_right(api):
    await api.post("/api/v1/auth/sms/send", {"phone": "13800000001"})
    code = await api.last_sms_code("13800000001")
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        r = await api.post("/api/v1/auth/sms/login", {"phone": "13800000001", "code": wrong})
        assert r.status == 400 and r.code == "SMS_CODE_INVALID"
    r = await api.post("/api/v1/auth/sms/login", {"phone": "13800000001", "code": code})
    assert r.status == 429


@pytest.mark.parametrize("body", [
    {"phone": "1380000000", "purpose": "login"},
    {"phone": 13800000001},
    {"phone": "abcdefghijk"},
    {"purpose": "login"},
    {"phone": "13800000001", "purpose": "hack"},
    [],
    "13800000001",
])
async def test_send_bad_input(api, body):
    r = await api.post("/api/v1/auth/sms/send", body)
    assert r.status == 400 and r.code == "INVALID_REQUEST", r
    assert r.json["error"]["message"]


async def test_send_bad_input_field_messages(api):
    r = await api.post("/api/v1/auth/sms/send", {"phone": "12345"})
    assert r.json["error"]["details"]["fields"] == {"phone": "请输入正确的11位手机号"}
    r = await api.post("/api/v1/auth/sms/login", {"phone": "13800000001"})
    assert r.json["error"]["details"]["fields"] == {"code": "此项为必填项"}


async def test_broken_json_and_huge_body(api):
    r = await api.call("POST", "/api/v1/auth/sms/send", body=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status == 400 and r.code == "INVALID_REQUEST"
    r = await api.call("POST", "/api/v1/auth/sms/send", body=b'{"phone":"' + b"1" * (2 * 1024 * 1024) + b'"}')
    assert r.status == 413 and r.code == "PAYLOAD_TOO_LARGE"


# full-width, Arabic-Indic and mathematical digits: Python's \d takes them, MariaDB's collation equates them with 0-9
FOREIGN_DIGIT_PHONES = ["1380000000１", "1390000000٩", "139000000𝟗𝟗"]


@pytest.mark.parametrize("phone", FOREIGN_DIGIT_PHONES)
async def test_phones_with_non_ascii_digits_are_refused(api, deps, phone):
    for path, body in [("/api/v1/auth/sms/send", {"phone": phone}),
                       ("/api/v1/auth/sms/login", {"phone": phone, "code": "123456"}),
                       ("/api/v1/auth/wechat/bind", {"bind_ticket": "t", "phone": phone, "code": "123456"})]:
        r = await api.post(path, body)
        assert r.status == 400 and r.code == "INVALID_REQUEST", (path, r)
        assert r.json["error"]["details"]["fields"] == {"phone": "请输入正确的11位手机号"}
    assert (await api.get("/api/v1/dev/sms?phone=13800000001")).json["items"] == []
    # the service holds the rule for every caller, not only the HTTP schema
    from server import errors
    from server.auth import service

    with pytest.raises(errors.InvalidRequest):
        await service.request_sms_code(deps, phone=phone, purpose="login", ip="127.0.0.1")
    with pytest.raises(errors.InvalidRequest):
        await service.verify_sms_code(deps, phone=phone, code="123456")


async def test_non_ascii_digits_do_not_reach_zhangs_account(api):
    """On MariaDB "1380000000１" = "13800000001" in a comparison: neither the SMS per-phone limits
    nor 张三's password may be reached through it."""
    token = await api.login_sms("13800000001")
    r = await api.post("/api/v1/me/password", {"new_password": "Zhang#3san", "confirm_password": "Zhang#3san"},
                       token=token)
    assert r.status == 204
    r = await api.post("/api/v1/auth/password/login", {"username": "1380000000１", "password": "Zhang#3san"})
    assert r.status == 401 and r.code == "BAD_CREDENTIALS"
    r = await api.post("/api/v1/auth/sms/send", {"phone": "1380000000１"})
    assert r.status == 400
    await api.login_password("13800000001", "Zhang#3san")


@pytest.mark.parametrize("code", ["１２３４５６", "١٢٣٤٥٦", "12345", "1234567", "12 456"])
async def test_sms_codes_are_six_ascii_digits(api, code):
    await api.post("/api/v1/auth/sms/send", {"phone": "13800000001"})
    r = await api.post("/api/v1/auth/sms/login", {"phone": "13800000001", "code": code})
    assert r.status == 400 and r.json["error"]["details"]["fields"] == {"code": "请输入6位数字验证码"}, r


async def test_captcha_codes_are_ascii(api):
    r = await api.post("/api/v1/auth/password/login", {"username": "admin", "password": "x", "captcha_id": "c",
                                                       "captcha_code": "ＡＢＣＤ"})
    assert r.status == 400 and "captcha_code" in r.json["error"]["details"]["fields"]
