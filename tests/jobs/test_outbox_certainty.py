"""A send whose outcome was never recorded (the relay died between the provider's answer and the
UPDATE) is resolved before anything is sent again: SMS by asking Aliyun (QuerySendDetails, OutId =
outbox id) through the real SDK against the fake, WeChat subscribe messages given up (at most once)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest
import sqlalchemy as sa

from server.config import Config, ConfigError
from server.db.tables import outbox
from server.integrations.aliyun_sms import china_dates
from server.integrations.wechat_subscribe import WechatSubscribeSender
from server.jobs.outbox import UNCERTAIN_ABANDONED, OutboxRelay, backoff, enqueue

PHONE = "13800000009"


@pytest.fixture
def aliyun_extra():
    return {}


@pytest.fixture
def config_overrides(fake_aliyun, aliyun_extra):
    return fake_aliyun.env(**aliyun_extra)


async def add(deps, channel: str = "sms", recipient: str = PHONE) -> int:
    async with deps.db.transaction() as tx:
        return await enqueue(tx, channel=channel, recipient=recipient, template="rating_invite",
                             params={"service": "子女入学"}, now=deps.clock())


async def row(deps, msg_id: int) -> dict:
    return await deps.db.fetchone(sa.select(outbox).where(outbox.c.id == msg_id))


def relay(deps, name: str, senders: dict | None = None) -> OutboxRelay:
    return OutboxRelay(deps.db, senders or deps.relay.senders, deps.clock, worker_id=name, lease=deps.relay.lease)


async def crash_after_start(deps, msg_id: int, *, provider_got_it: bool) -> None:
    """Relay A claims the row and commits "attempt started"; the provider accepts the message (or
    not); then A dies before recording anything."""
    a = relay(deps, "relay-a")
    started = await a._start(await a._claim(msg_id))
    if provider_got_it:
        result = await a._send(started)
        assert result.ok
    r = await row(deps, msg_id)
    assert r["attempted_at"] is not None and r["locked_by"] == "relay-a" and r["status"] == "pending"


async def test_sent_but_unrecorded_sms_is_found_and_not_sent_again(deps, fake_aliyun, clock):
    msg_id = await add(deps)
    await crash_after_start(deps, msg_id, provider_got_it=True)
    b = relay(deps, "relay-b")
    assert await b.run_once() == 0  # A's lease still holds
    clock.advance(deps.relay.lease.total_seconds() + 1)
    assert await b.run_once() == 1
    assert fake_aliyun.deliveries() == {str(msg_id): 1}  # one SMS, not two
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).strftime("%Y%m%d")
    assert (PHONE, today) in fake_aliyun.queries
    r = await row(deps, msg_id)
    assert r["status"] == "sent" and r["attempts"] == 1 and r["attempted_at"] is None and r["locked_by"] is None
    detail = json.loads(json.loads(r["provider_response"])["detail"])
    assert detail["Found"] == "QuerySendDetails" and detail["OutId"] == str(msg_id) and detail["SendStatus"] == 3
    assert PHONE not in r["provider_response"]
    clock.advance(7200)
    assert await b.run_once() == 0 and len(fake_aliyun.received) == 1


async def test_started_but_never_sent_sms_is_sent_once(deps, fake_aliyun, clock):
    other = await add(deps)  # another message to the same number, already at Aliyun
    assert (await relay(deps, "relay-z").deliver(other)).ok
    msg_id = await add(deps)
    await crash_after_start(deps, msg_id, provider_got_it=False)
    clock.advance(deps.relay.lease.total_seconds() + 1)
    assert await relay(deps, "relay-b").run_once() == 1
    assert fake_aliyun.deliveries() == {str(other): 1, str(msg_id): 1}
    assert len(fake_aliyun.queries) == 1
    r = await row(deps, msg_id)
    assert r["status"] == "sent" and r["attempts"] == 2 and r["attempted_at"] is None
    assert json.loads(json.loads(r["provider_response"])["detail"])["BizId"]


async def test_failed_lookup_sends_nothing_and_asks_again_later(deps, fake_aliyun, clock):
    msg_id = await add(deps)
    await crash_after_start(deps, msg_id, provider_got_it=True)
    clock.advance(deps.relay.lease.total_seconds() + 1)
    fake_aliyun.fail_next("isp.SYSTEM_ERROR", "系统错误")  # the QuerySendDetails call
    b = relay(deps, "relay-b")
    assert await b.run_once() == 1
    r = await row(deps, msg_id)
    assert r["status"] == "pending" and r["attempted_at"] is not None and r["locked_by"] is None
    assert json.loads(r["provider_response"])["code"] == "isp.SYSTEM_ERROR"
    assert len(fake_aliyun.received) == 1  # never sent blind
    assert await b.run_once() == 0  # backing off
    clock.advance(backoff(r["attempts"]).total_seconds() + 1)
    assert await b.run_once() == 1
    assert fake_aliyun.deliveries() == {str(msg_id): 1}
    assert (await row(deps, msg_id))["status"] == "sent"


@pytest.mark.parametrize("aliyun_extra", [{"ALIYUN_SMS_READ_TIMEOUT": "1"}])
async def test_timed_out_send_that_arrived_is_not_sent_again(deps, fake_aliyun, clock):
    msg_id = await add(deps)
    fake_aliyun.slow_next(1.5)  # Aliyun takes the message, our read times out first
    b = relay(deps, "relay-b")
    assert await b.run_once() == 1
    r = await row(deps, msg_id)
    assert r["status"] == "pending" and r["attempted_at"] is not None and r["locked_by"] is None
    assert json.loads(r["provider_response"])["code"] == "SDK.HttpError"
    while not fake_aliyun.received:
        await asyncio.sleep(0.05)
    clock.advance(backoff(1).total_seconds() + 1)
    assert await b.run_once() == 1
    assert fake_aliyun.deliveries() == {str(msg_id): 1} and len(fake_aliyun.queries) == 1
    r = await row(deps, msg_id)
    assert r["status"] == "sent" and r["attempts"] == 1 and r["attempted_at"] is None


async def test_lookup_refused_for_good_is_dead_not_resent(deps, fake_aliyun, clock):
    msg_id = await add(deps)
    await crash_after_start(deps, msg_id, provider_got_it=False)
    clock.advance(deps.relay.lease.total_seconds() + 1)
    fake_aliyun.fail_next("isp.RAM_PERMISSION_DENY", "RAM权限DENY")  # no dysms:QuerySendDetails
    assert await relay(deps, "relay-b").run_once() == 1
    r = await row(deps, msg_id)
    assert r["status"] == "dead" and r["attempted_at"] is None
    assert json.loads(r["provider_response"])["code"] == "isp.RAM_PERMISSION_DENY"
    clock.advance(7200)
    assert await relay(deps, "relay-b").run_once() == 0 and fake_aliyun.received == []


async def test_lookup_spans_both_china_days_of_the_attempt(deps, fake_aliyun):
    msg_id = await add(deps)
    await crash_after_start(deps, msg_id, provider_got_it=False)
    sender = deps.relay.senders["sms"]
    # an attempt that started at 23:59:30 China time and whose lease ended after midnight
    since = dt.datetime(2026, 11, 29, 15, 59, 30)
    assert await sender.find_sent(PHONE, out_id=str(msg_id), since=since,
                                  until=since + dt.timedelta(seconds=60)) is None
    assert fake_aliyun.queries == [(PHONE, "20261129"), (PHONE, "20261130")]


def test_china_dates():
    assert china_dates(dt.datetime(2026, 11, 29, 15, 0), dt.datetime(2026, 11, 29, 15, 59)) == ["20261129"]
    assert china_dates(dt.datetime(2026, 11, 29, 15, 59), dt.datetime(2026, 11, 29, 16, 1)) == ["20261129", "20261130"]


async def test_uncertain_wechat_subscribe_message_is_abandoned_not_resent(deps, clock):
    # the real sender; it is never called (the gateway would fail loudly if it were)
    senders = {"wechat_subscribe": WechatSubscribeSender(gateway=None, template_id="tpl")}
    msg_id = await add(deps, channel="wechat_subscribe", recipient="o-openid-1")
    a = relay(deps, "relay-a", senders)
    await a._start(await a._claim(msg_id))  # … and died
    clock.advance(deps.relay.lease.total_seconds() + 1)
    assert await relay(deps, "relay-b", senders).run_once() == 1
    r = await row(deps, msg_id)
    assert r["status"] == "dead" and r["attempts"] == 1 and r["attempted_at"] is None
    assert json.loads(r["provider_response"])["code"] == UNCERTAIN_ABANDONED
    clock.advance(7200)
    assert await relay(deps, "relay-b", senders).run_once() == 0


def test_lease_must_outlast_the_aliyun_timeouts(fake_aliyun):
    env = {"APP_ENV": "test", **fake_aliyun.env(ALIYUN_SMS_CONNECT_TIMEOUT="5", ALIYUN_SMS_READ_TIMEOUT="10")}
    Config.from_env({**env, "OUTBOX_LEASE_SECONDS": "16"}).check()
    with pytest.raises(ConfigError, match="OUTBOX_LEASE_SECONDS"):
        Config.from_env({**env, "OUTBOX_LEASE_SECONDS": "15"}).check()
