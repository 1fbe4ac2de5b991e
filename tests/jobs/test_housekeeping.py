"""Housekeeping purges what only grows, table by table, in bounded batches: rows past their life go,
rows still in use stay (the injected clock moves time)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from server.app import make_app
from server.auth import tickets
from server.db.tables import (
    accounts,
    auth_tickets,
    dev_sms,
    idempotency_keys,
    kv_store,
    outbox,
    qr_uses,
    rate_counters,
    sessions,
    sms_codes,
    sync_nonces,
)
from server.jobs import housekeeping
from server.jobs.housekeeping import RULES, purge
from server.worker import JOBS, run_once
from tests.web.test_base import ThingsHandler

RULE = {r.name: r for r in RULES}


async def _account(db) -> int:
    return await db.fetchval(sa.select(accounts.c.id).order_by(accounts.c.id).limit(1))


# one row of each table, marked with `tag`, "created" at `now` (and, where it has one, expiring soon after)
async def _make(db, name: str, tag: str, now: dt.datetime) -> None:
    soon = now + dt.timedelta(minutes=5)
    if name == "qr_uses":
        await db.execute(qr_uses.insert().values(token_hash=tag, created_at=now))
    elif name == "idempotency_keys":
        await db.execute(idempotency_keys.insert().values(scope="a:1", route="r", idem_key=tag, request_hash="h",
                                                          status_code=201, response_body="{}", created_at=now))
    elif name == "sessions":
        await db.execute(sessions.insert().values(token_hash=tag, account_id=await _account(db), method="sms",
                                                  created_at=now, expires_at=soon))
    elif name == "auth_tickets":
        await db.execute(auth_tickets.insert().values(kind="wx_bind", key_hash=tag, payload="{}", created_at=now,
                                                      expires_at=soon))
    elif name == "sms_codes":
        await db.execute(sms_codes.insert().values(phone="13800000001", purpose="login", code_hash=tag, ip="1.2.3.4",
                                                   created_at=now, expires_at=soon))
    elif name == "sync_nonces":
        await db.execute(sync_nonces.insert().values(client_key="pc", nonce=tag, created_at=now))
    elif name == "outbox":
        await db.execute(outbox.insert().values(channel="sms", recipient="13800000001", template=tag, params="{}",
                                                status="sent", attempts=1, next_attempt_at=now, created_at=now,
                                                sent_at=now))
    elif name == "dev_sms":
        await db.execute(dev_sms.insert().values(phone="13800000001", template=tag, params="{}", text="x",
                                                 created_at=now))
    elif name == "rate_counters":
        await db.execute(rate_counters.insert().values(k=tag, window_start=now, n=1))
    else:  # pragma: no cover
        raise AssertionError(name)


_TAGGED = {
    "qr_uses": qr_uses.c.token_hash, "idempotency_keys": idempotency_keys.c.idem_key,
    "sessions": sessions.c.token_hash, "auth_tickets": auth_tickets.c.key_hash, "sms_codes": sms_codes.c.code_hash,
    "sync_nonces": sync_nonces.c.nonce, "outbox": outbox.c.template, "dev_sms": dev_sms.c.template,
    "rate_counters": rate_counters.c.k,
}


async def _tags(db, name: str) -> set[str]:
    col = _TAGGED[name]
    return {r["t"] for r in await db.fetchall(sa.select(col.label("t")))}


def test_every_rule_is_tested():
    assert set(_TAGGED) == set(RULE)


@pytest.mark.parametrize("name", sorted(_TAGGED))
async def test_old_rows_go_fresh_rows_stay(deps, clock, name):
    rule = RULE[name]
    await _make(deps.db, name, "old", clock())
    await _make(deps.db, name, "edge", clock() + dt.timedelta(minutes=10))
    clock.advance(rule.keep.total_seconds() + 6 * 60)  # "old" is past its life by a minute; "edge" is not
    await _make(deps.db, name, "fresh", clock())
    removed = await housekeeping.run(deps)
    assert removed[name] == 1
    assert await _tags(deps.db, name) == {"edge", "fresh"}
    clock.advance(10 * 60)
    assert (await housekeeping.run(deps))[name] == 1
    assert await _tags(deps.db, name) == {"fresh"}


@pytest.mark.parametrize("name, keep_hours", [
    ("qr_uses", 1), ("idempotency_keys", 24), ("sessions", 24), ("auth_tickets", 24), ("sms_codes", 7 * 24),
    ("outbox", 30 * 24), ("dev_sms", 24)])
def test_retention(name, keep_hours):
    assert RULE[name].keep == dt.timedelta(hours=keep_hours)


def test_sync_nonces_outlive_the_clock_window():
    from server.sync.signature import MAX_SKEW

    # a request signed at t may arrive until t + MAX_SKEW; its nonce was used no earlier than t - MAX_SKEW
    assert RULE["sync_nonces"].keep > dt.timedelta(seconds=2 * MAX_SKEW)


async def test_unsent_outbox_rows_are_kept(deps, clock):
    now = clock()
    for status in ("pending", "dead"):
        await deps.db.execute(outbox.insert().values(channel="sms", recipient="13800000001", template=status,
                                                     params="{}", status=status, attempts=1, next_attempt_at=now,
                                                     created_at=now))
    clock.advance(400 * 86400)
    await housekeeping.run(deps)
    assert await _tags(deps.db, "outbox") == {"pending", "dead"}


async def test_captchas_and_tickets_issued_for_real_expire(deps, clock):
    captcha = await tickets.issue(deps.db, "captcha", {"h": "x"}, clock(), dt.timedelta(minutes=5))
    clock.advance(86400 + 6 * 60)
    bind = await tickets.issue(deps.db, "wx_bind", {"a": 1}, clock(), dt.timedelta(minutes=10))
    await housekeeping.run(deps)
    assert await tickets.consume(deps.db, "captcha", captcha, clock()) is None
    assert await tickets.consume(deps.db, "wx_bind", bind, clock()) == {"a": 1}
    assert await deps.db.fetchval(sa.select(sa.func.count()).select_from(auth_tickets)) == 1


async def test_batches_are_bounded(deps, clock):
    for i in range(5):
        await _make(deps.db, "qr_uses", f"old-{i}", clock())
    clock.advance(7200)
    assert await purge(deps.db, RULE["qr_uses"], clock(), batch=2, max_batches=2) == 4
    assert await _tags(deps.db, "qr_uses") == {"old-4"}
    assert await purge(deps.db, RULE["qr_uses"], clock(), batch=2, max_batches=2) == 1
    assert await purge(deps.db, RULE["qr_uses"], clock(), batch=2, max_batches=2) == 0


async def test_the_worker_runs_housekeeping(deps, clock):
    assert "housekeeping" in [j.name for j in JOBS]
    await _make(deps.db, "dev_sms", "old", clock())
    clock.advance(2 * 86400)
    await run_once(deps)
    assert await _tags(deps.db, "dev_sms") == set()


# --------------------------------------------------------------------------- Idempotency-Key after 24 h

@pytest.fixture
def app(deps):
    return make_app(deps, extra_routes=[(r"/test/things", ThingsHandler)])


async def _things(deps) -> int:
    return await deps.db.fetchval(sa.select(sa.func.count()).select_from(kv_store).where(kv_store.c.k.like("thing:%")))


async def test_a_key_reused_after_24_hours_is_a_new_request(api, deps, clock):
    h = {"Idempotency-Key": "monthly-report"}
    token = await api.login_password("admin")
    a = await api.post("/test/things", {"name": "甲"}, token=token, headers=h)
    b = await api.post("/test/things", {"name": "甲"}, token=token, headers=h)
    assert a.status == b.status == 201 and b.headers.get("Idempotent-Replayed") == "true"
    clock.advance(23 * 3600)
    token = await api.login_password("admin")  # staff sessions end after 2 hours idle
    c = await api.post("/test/things", {"name": "甲"}, token=token, headers=h)
    assert c.headers.get("Idempotent-Replayed") == "true" and await _things(deps) == 1
    clock.advance(60 * 86400)  # months later, before any purge ran
    token = await api.login_password("admin")
    d = await api.post("/test/things", {"name": "甲"}, token=token, headers=h)
    assert d.status == 201 and d.headers.get("Idempotent-Replayed") is None and d.json["id"] != a.json["id"]
    assert await _things(deps) == 2
    # the key now answers for the new request, and a different body under it is a conflict again
    e = await api.post("/test/things", {"name": "甲"}, token=token, headers=h)
    assert e.headers.get("Idempotent-Replayed") == "true" and e.json == d.json
    f = await api.post("/test/things", {"name": "乙"}, token=token, headers=h)
    assert f.status == 422 and f.code == "IDEMPOTENCY_CONFLICT"
