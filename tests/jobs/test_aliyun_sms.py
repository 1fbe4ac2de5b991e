"""The Aliyun dysmsapi sender, through the real SDK, against the fake endpoint (tests/fakes/aliyun_server.py)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time

import pytest
import sqlalchemy as sa

from server.db.tables import dev_sms, outbox
from server.integrations.aliyun_sms import AliyunSmsSender, classify
from server.jobs.outbox import backoff, enqueue
from tests.fakes.aliyun_server import SIGN_NAME, TEMPLATE_CODES

PHONE = "13800000001"


@pytest.fixture
def aliyun_extra():
    """Extra environment for one test (parametrize it to change the Aliyun configuration)."""
    return {}


@pytest.fixture
def config_overrides(fake_aliyun, aliyun_extra):
    return fake_aliyun.env(**aliyun_extra)


async def outbox_rows(deps) -> list[dict]:
    return await deps.db.fetchall(sa.select(outbox).order_by(outbox.c.id))


async def test_sms_login_end_to_end(api, deps, fake_aliyun):
    assert isinstance(deps.sms, AliyunSmsSender)
    r = await api.post("/api/v1/auth/sms/send", {"phone": PHONE, "purpose": "login"})
    assert r.status == 200 and r.json == {"cooldown_seconds": 60}
    (msg,) = fake_aliyun.received
    assert msg.phone == PHONE and msg.sign_name == SIGN_NAME and msg.template_code == TEMPLATE_CODES["login"]
    assert re.fullmatch(r"\d{6}", msg.params["code"])
    (row,) = await outbox_rows(deps)
    assert msg.out_id == str(row["id"])
    assert row["status"] == "sent" and row["attempts"] == 1
    answer = json.loads(json.loads(row["provider_response"])["detail"])
    assert answer["Code"] == "OK" and answer["BizId"] == msg.biz_id and answer["RequestId"]
    # the console provider was not used
    assert await deps.db.fetchval(sa.select(sa.func.count()).select_from(dev_sms)) == 0
    r = await api.post("/api/v1/auth/sms/login", {"phone": PHONE, "code": fake_aliyun.last_code(PHONE)})
    assert r.status == 200, r
    assert r.json["user"]["name"] == "张三"


async def test_aliyun_flow_control_is_429(api, deps, fake_aliyun, clock):
    fake_aliyun.fail_next("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1")
    r = await api.post("/api/v1/auth/sms/send", {"phone": PHONE, "purpose": "login"})
    assert r.status == 429 and r.code == "SMS_RATE_LIMITED", r
    assert r.json["error"]["message"] == "短信发送过于频繁，请稍后再试"
    assert r.json["error"]["details"]["retry_after_seconds"] == 60
    (row,) = await outbox_rows(deps)
    assert row["status"] == "dead"
    assert json.loads(row["provider_response"])["code"] == "isv.BUSINESS_LIMIT_CONTROL"
    # the throttled code is never sent late
    clock.advance(3600)
    assert await deps.relay.run_once() == 0
    assert fake_aliyun.received == []


@pytest.mark.parametrize("aliyun_extra", [{"ALIYUN_ACCESS_KEY_SECRET": "not-the-secret"}])
async def test_bad_secret_is_refused_and_recorded(api, deps, fake_aliyun, caplog):
    caplog.set_level(logging.INFO)
    r = await api.post("/api/v1/auth/sms/send", {"phone": PHONE, "purpose": "login"})
    assert r.status == 200  # the user is not told about our configuration
    assert fake_aliyun.refused == [("SignatureDoesNotMatch", 400)] and fake_aliyun.received == []
    (row,) = await outbox_rows(deps)
    assert row["status"] == "dead" and row["sent_at"] is None
    response = json.loads(row["provider_response"])
    # the SDK turns a signature mismatch on an identical string-to-sign into InvalidAccessKeySecret
    assert response["code"] in ("SignatureDoesNotMatch", "InvalidAccessKeySecret")
    assert json.loads(response["detail"])["HttpStatus"] == 400
    assert PHONE not in row["provider_response"]
    assert PHONE not in caplog.text and "138****0001" in caplog.text


async def test_http_500_is_retried_later(api, deps, fake_aliyun, clock):
    fake_aliyun.http_error_next(500)
    r = await api.post("/api/v1/auth/sms/send", {"phone": PHONE, "purpose": "login"})
    assert r.status == 200
    (row,) = await outbox_rows(deps)
    assert row["status"] == "pending" and row["attempts"] == 1
    assert row["next_attempt_at"] > clock()
    assert json.loads(json.loads(row["provider_response"])["detail"])["HttpStatus"] == 500
    assert fake_aliyun.received == []
    clock.advance(backoff(1).total_seconds() + 1)
    assert await deps.relay.run_once() == 1
    (row,) = await outbox_rows(deps)
    assert row["status"] == "sent" and row["attempts"] == 2
    r = await api.post("/api/v1/auth/sms/login", {"phone": PHONE, "code": fake_aliyun.last_code(PHONE)})
    assert r.status == 200, r


@pytest.mark.parametrize("aliyun_extra", [{"ALIYUN_SMS_READ_TIMEOUT": "1"}])
async def test_timeout_is_retried_later(deps, fake_aliyun):
    fake_aliyun.slow_next(2)
    async with deps.db.transaction() as tx:
        msg_id = await enqueue(tx, channel="sms", recipient=PHONE, template="rating_invite",
                               params={"service": "子女入学"}, now=deps.clock())
    result = await deps.relay.deliver(msg_id)
    assert not result.ok and result.retryable and result.code == "SDK.HttpError"
    (row,) = await outbox_rows(deps)
    assert row["status"] == "pending"
    # Aliyun may still deliver what timed out on our side (at-least-once): the OutId tells them apart
    while not fake_aliyun.received:
        await asyncio.sleep(0.05)
    assert fake_aliyun.received[0].out_id == str(msg_id)


async def test_sdk_call_does_not_block_the_event_loop(api, fake_aliyun):
    fake_aliyun.slow_next(1.5)
    started = time.monotonic()
    sending = asyncio.ensure_future(api.post("/api/v1/auth/sms/send", {"phone": PHONE, "purpose": "login"}))
    while fake_aliyun.requests == 0:
        await asyncio.sleep(0.01)
    t0 = time.monotonic()
    health = await api.get("/healthz")
    assert health.status == 200 and time.monotonic() - t0 < 0.5
    r = await sending
    assert r.status == 200 and time.monotonic() - started >= 1.5
    assert len(fake_aliyun.received) == 1


async def test_other_templates_and_params(deps, fake_aliyun):
    async with deps.db.transaction() as tx:
        msg_id = await enqueue(tx, channel="sms", recipient="13900000009", template="supervision",
                               params={"window": "市人社局窗口", "count": 3}, now=deps.clock())
    assert await deps.relay.run_once() == 1
    (msg,) = fake_aliyun.received
    assert msg.template_code == TEMPLATE_CODES["supervision"] and msg.out_id == str(msg_id)
    assert msg.params == {"window": "市人社局窗口", "count": "3"}


async def test_unknown_template_is_permanent_without_calling_aliyun(deps, fake_aliyun):
    result = await deps.sms.send(PHONE, "no_such_template", {})
    assert not result.ok and not result.retryable and result.code == "TEMPLATE_NOT_CONFIGURED"
    assert fake_aliyun.requests == 0


async def test_permanent_business_error_is_dead(deps, fake_aliyun):
    async with deps.db.transaction() as tx:
        msg_id = await enqueue(tx, channel="sms", recipient="12345", template="rating_invite",
                               params={"service": "子女入学"}, now=deps.clock())
    assert await deps.relay.run_once() == 1
    row = await deps.db.fetchone(sa.select(outbox).where(outbox.c.id == msg_id))
    assert row["status"] == "dead"
    assert json.loads(row["provider_response"])["code"] == "isv.MOBILE_NUMBER_ILLEGAL"


@pytest.mark.parametrize("code, http_status, ok, retryable, rate_limited", [
    ("OK", None, True, False, False),
    ("isv.BUSINESS_LIMIT_CONTROL", None, False, True, True),
    ("isv.DAY_LIMIT_CONTROL", None, False, True, True),
    ("Throttling.User", 400, False, True, True),
    ("isv.AMOUNT_NOT_ENOUGH", None, False, True, False),
    ("isp.SYSTEM_ERROR", None, False, True, False),
    ("isv.MOBILE_NUMBER_ILLEGAL", None, False, False, False),
    ("isv.TEMPLATE_MISSING_PARAMETERS", None, False, False, False),
    ("isv.SMS_TEMPLATE_ILLEGAL", None, False, False, False),
    ("isv.SMS_SIGNATURE_ILLEGAL", None, False, False, False),
    ("isv.INVALID_PARAMETERS", None, False, False, False),
    ("isv.BLACK_KEY_CONTROL_LIMIT", None, False, False, False),
    ("isv.SOMETHING_NEW", None, False, False, False),
    ("SignatureDoesNotMatch", 400, False, False, False),
    ("SDK.UnknownServerError", 502, False, True, False),
    ("ServiceUnavailable", 503, False, True, False),
    ("Forbidden.RAM", 403, False, False, False),
])
def test_classify(code, http_status, ok, retryable, rate_limited):
    result = classify(code, http_status)
    assert (result.ok, result.retryable, result.rate_limited) == (ok, retryable, rate_limited)


def test_aliyun_provider_needs_keys_and_login_template():
    from server.config import Config, ConfigError

    full = {"SMS_PROVIDER": "aliyun", "ALIYUN_ACCESS_KEY_ID": "ak", "ALIYUN_ACCESS_KEY_SECRET": "sk",
            "ALIYUN_SMS_TEMPLATE_LOGIN": "SMS_1"}
    Config.from_env(full).check()
    for missing in ("ALIYUN_ACCESS_KEY_ID", "ALIYUN_ACCESS_KEY_SECRET", "ALIYUN_SMS_TEMPLATE_LOGIN"):
        with pytest.raises(ConfigError, match=missing):
            Config.from_env({k: v for k, v in full.items() if k != missing}).check()
    with pytest.raises(ConfigError, match="ALIYUN_SMS_PROTOCOL"):
        Config.from_env({**full, "ALIYUN_SMS_PROTOCOL": "ftp"}).check()
