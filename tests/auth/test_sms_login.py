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
