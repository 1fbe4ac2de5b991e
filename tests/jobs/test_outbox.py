"""The outbox (SPEC §9): written in the caller's transaction, delivered once by any number of relays,
retried with backoff, dead after too many tries."""

from __future__ import annotations

import asyncio
import json

import pytest
import sqlalchemy as sa

from server.db.database import open_database
from server.db.tables import outbox
from server.integrations.sms import SendResult
from server.jobs.outbox import LEASE, MAX_ATTEMPTS, OutboxRelay, backoff, enqueue


class ScriptedSender:
    """Answers from a script (then OK), and counts what it sent."""

    name = "scripted"

    def __init__(self, *results: SendResult, delay: float = 0.0):
        self.results = list(results)
        self.delay = delay
        self.calls = 0
        self.sent: list[str | None] = []  # out_ids of the messages that went out

    async def send(self, phone: str, template: str, params: dict, out_id: str | None = None) -> SendResult:
        self.calls += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        result = self.results.pop(0) if self.results else SendResult(ok=True, code="OK", detail='{"BizId":"1"}')
        if result.ok:
            self.sent.append(out_id)
        return result


RETRY = SendResult(ok=False, code="isp.SYSTEM_ERROR", detail="busy", retryable=True)
PERMANENT = SendResult(ok=False, code="isv.MOBILE_NUMBER_ILLEGAL", detail="bad number")


def relay_for(deps, sender, worker_id: str = "relay-a", db=None) -> OutboxRelay:
    return OutboxRelay(db or deps.db, {"sms": sender}, deps.clock, worker_id=worker_id)


async def add(deps, n: int = 1, template: str = "rating_invite") -> list[int]:
    async with deps.db.transaction() as tx:
        return [
            await enqueue(tx, channel="sms", recipient=f"1390000{i:04d}", template=template,
                          params={"service": "子女入学"}, now=deps.clock())
            for i in range(n)
        ]


async def row(deps, msg_id: int) -> dict:
    return await deps.db.fetchone(sa.select(outbox).where(outbox.c.id == msg_id))


async def test_rolled_back_message_is_never_sent(deps):
    sender = ScriptedSender()
    with pytest.raises(RuntimeError):
        async with deps.db.transaction() as tx:
            await enqueue(tx, channel="sms", recipient="13900000001", template="rating_invite",
                          params={"service": "子女入学"}, now=deps.clock())
            raise RuntimeError("the change failed")
    assert await relay_for(deps, sender).run_once() == 0
    assert sender.calls == 0
    assert await deps.db.fetchval(sa.select(sa.func.count()).select_from(outbox)) == 0


async def test_committed_message_is_sent_once(deps):
    sender = ScriptedSender()
    (msg_id,) = await add(deps)
    relay = relay_for(deps, sender)
    assert await relay.run_once() == 1
    assert await relay.run_once() == 0
    assert sender.sent == [str(msg_id)]  # the row id travels as the provider's OutId
    r = await row(deps, msg_id)
    assert r["status"] == "sent" and r["attempts"] == 1 and r["sent_at"] is not None
    assert r["locked_by"] is None and r["locked_until"] is None
    assert json.loads(r["provider_response"]) == {"code": "OK", "detail": '{"BizId":"1"}'}


async def test_retryable_failure_backs_off_then_delivers(deps, clock):
    sender = ScriptedSender(RETRY)
    (msg_id,) = await add(deps)
    relay = relay_for(deps, sender)
    before = clock()
    assert await relay.run_once() == 1
    r = await row(deps, msg_id)
    assert r["status"] == "pending" and r["attempts"] == 1 and r["locked_by"] is None
    assert before + backoff(1) <= r["next_attempt_at"] <= clock() + backoff(1)
    assert json.loads(r["provider_response"])["code"] == "isp.SYSTEM_ERROR"
    assert await relay.run_once() == 0  # not due yet
    clock.advance(backoff(1).total_seconds() + 1)
    assert await relay.run_once() == 1
    r = await row(deps, msg_id)
    assert r["status"] == "sent" and r["attempts"] == 2
    assert sender.calls == 2 and sender.sent == [str(msg_id)]


def test_backoff_grows_and_is_capped():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert backoff(30).total_seconds() == 3600


async def test_permanent_failure_is_dead(deps, clock):
    sender = ScriptedSender(PERMANENT)
    (msg_id,) = await add(deps)
    relay = relay_for(deps, sender)
    assert await relay.run_once() == 1
    r = await row(deps, msg_id)
    assert r["status"] == "dead" and r["attempts"] == 1
    assert json.loads(r["provider_response"])["code"] == "isv.MOBILE_NUMBER_ILLEGAL"
    clock.advance(7200)
    assert await relay.run_once() == 0 and sender.calls == 1


async def test_dead_after_max_attempts(deps, clock):
    sender = ScriptedSender(*[RETRY] * (MAX_ATTEMPTS + 2))
    (msg_id,) = await add(deps)
    relay = relay_for(deps, sender)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert await relay.run_once() == 1
        r = await row(deps, msg_id)
        assert r["attempts"] == attempt
        assert r["status"] == ("dead" if attempt == MAX_ATTEMPTS else "pending")
        clock.advance(3601)
    assert await relay.run_once() == 0
    assert sender.calls == MAX_ATTEMPTS and sender.sent == []


async def test_sender_exception_is_retried(deps, clock):
    class Broken(ScriptedSender):
        async def send(self, *a, **kw):
            raise ValueError("provider bug")

    (msg_id,) = await add(deps)
    assert await relay_for(deps, Broken()).run_once() == 1
    r = await row(deps, msg_id)
    assert r["status"] == "pending" and json.loads(r["provider_response"])["code"] == "EXCEPTION"


async def test_crashed_relay_lease_expires_and_another_relay_sends(deps, clock):
    hang = asyncio.Event()

    class Hanging(ScriptedSender):
        async def send(self, *a, **kw):
            self.calls += 1
            await hang.wait()  # never set: the process "dies" mid-send

    crashed_sender = Hanging()
    (msg_id,) = await add(deps)
    crashed = asyncio.ensure_future(relay_for(deps, crashed_sender, "relay-a").run_once())
    while crashed_sender.calls == 0:
        await asyncio.sleep(0.01)
    crashed.cancel()
    with pytest.raises(asyncio.CancelledError):
        await crashed
    r = await row(deps, msg_id)
    assert r["status"] == "pending" and r["locked_by"] == "relay-a"

    sender = ScriptedSender()
    other = relay_for(deps, sender, "relay-b")
    assert await other.run_once() == 0  # the lease still holds
    clock.advance(LEASE.total_seconds() + 1)
    assert await other.run_once() == 1
    r = await row(deps, msg_id)
    assert r["status"] == "sent" and r["attempts"] == 2 and r["locked_by"] is None
    assert sender.sent == [str(msg_id)]


async def test_late_record_after_lost_lease_does_not_clobber(deps, clock):
    """A relay whose lease ran out while sending must not overwrite the row's new owner's state."""
    (msg_id,) = await add(deps)
    slow = relay_for(deps, ScriptedSender(), "relay-a")
    row_a = await slow._claim(msg_id)
    clock.advance(LEASE.total_seconds() + 1)
    fast = relay_for(deps, ScriptedSender(RETRY), "relay-b")
    assert await fast.run_once() == 1
    await slow._record(row_a, SendResult(ok=True, code="OK"))
    r = await row(deps, msg_id)
    assert r["status"] == "pending" and json.loads(r["provider_response"])["code"] == "isp.SYSTEM_ERROR"


async def test_two_relays_send_each_message_exactly_once(deps):
    ids = await add(deps, 50)
    sender = ScriptedSender(delay=0.002)
    # two relays on two connection pools, as two processes would be
    db_b = open_database(deps.config.database_url, 5)
    try:
        a = relay_for(deps, sender, "relay-a")
        b = relay_for(deps, sender, "relay-b", db=db_b)
        handled = await asyncio.gather(a.run_once(), b.run_once(), a.run_once(), b.run_once())
    finally:
        await db_b.close()
    assert sum(handled) == 50
    assert sorted(sender.sent) == sorted(str(i) for i in ids)
    assert sender.calls == 50
    statuses = await deps.db.fetchall(sa.select(outbox.c.status, sa.func.count().label("n")).group_by(outbox.c.status))
    assert statuses == [{"status": "sent", "n": 50}]


async def test_deliver_now_and_rate_limited_is_not_retried(deps, clock):
    limited = SendResult(ok=False, code="isv.BUSINESS_LIMIT_CONTROL", retryable=True, rate_limited=True)
    sender = ScriptedSender(limited)
    relay = relay_for(deps, sender)
    first, second = await add(deps, 2, template="login")
    result = await relay.deliver(first)
    assert result.rate_limited and not result.retryable
    assert (await row(deps, first))["status"] == "dead"  # a late login code is useless
    assert (await relay.deliver(second)).ok
    assert await relay.deliver(second) is None  # already handled
    clock.advance(3600)
    assert await relay.run_once() == 0


async def test_background_loop_delivers_and_stops(deps):
    sender = ScriptedSender()
    relay = OutboxRelay(deps.db, {"sms": sender}, deps.clock, worker_id="loop", poll_seconds=0.05)
    relay.start()
    try:
        ids = await add(deps, 3)
        relay.poke()
        for _ in range(200):
            if len(sender.sent) == 3:
                break
            await asyncio.sleep(0.01)
    finally:
        await relay.stop()
    assert sorted(sender.sent) == sorted(str(i) for i in ids)
    assert relay._task is None
