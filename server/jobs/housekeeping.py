"""Housekeeping (scheduled in `server.worker`): delete what would otherwise only grow.

Each rule names a table, the rows that have outlived their use, and why they may go. Rows are removed
in bounded batches (select up to `BATCH` keys by an indexed column, delete those keys while re-checking
the condition) and at most `MAX_BATCHES` batches per rule and run, so a backlog is worked off over a few
runs without long locks or a huge transaction. Every worker runs the job; two at once only delete the
same rows twice (nothing), so no claiming is needed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable

import sqlalchemy as sa

from server.core.idempotency import IDEMPOTENCY_TTL
from server.db.database import Query
from server.db.tables import (
    auth_tickets,
    dev_sms,
    idempotency_keys,
    outbox,
    qr_uses,
    rate_counters,
    sessions,
    sms_codes,
    sync_nonces,
)
from server.sync.signature import MAX_SKEW

log = logging.getLogger(__name__)

BATCH = 1000
MAX_BATCHES = 20


@dataclasses.dataclass(frozen=True)
class Rule:
    """Rows of `table` whose `column` is older than `keep` (and that match `extra`) are removed."""

    name: str
    table: sa.Table
    column: sa.Column
    keep: dt.timedelta
    extra: Callable[[], sa.ColumnElement] | None = None

    @property
    def key(self) -> sa.Column:
        (col,) = self.table.primary_key.columns
        return col

    def condition(self, before: dt.datetime | None = None) -> sa.ColumnElement:
        """The rows that may go: a bound parameter `before` (compiled once) or the given instant."""
        cond = self.column < (sa.bindparam("before") if before is None else before)
        return sa.and_(self.extra(), cond) if self.extra is not None else cond


RULES: list[Rule] = [
    # a card QR token is accepted for two 30-second steps; its "used" mark is needed only that long
    Rule("qr_uses", qr_uses, qr_uses.c.created_at, dt.timedelta(hours=1)),
    # a reused key is a new request after 24 h anyway (server/core/idempotency.py); the stored answer is dead weight
    Rule("idempotency_keys", idempotency_keys, idempotency_keys.c.created_at, IDEMPOTENCY_TTL),
    # a session past its expiry logs nobody in; a day's grace keeps "your session expired" diagnosable
    Rule("sessions", sessions, sessions.c.expires_at, dt.timedelta(days=1)),
    # captchas, OAuth states, bind and login tickets: minutes-long, single use
    Rule("auth_tickets", auth_tickets, auth_tickets.c.expires_at, dt.timedelta(days=1)),
    # login codes live 5 minutes; the per-number and per-IP send limits look back at most a day
    Rule("sms_codes", sms_codes, sms_codes.c.created_at, dt.timedelta(days=7)),
    # a nonce must be remembered while a request carrying it could pass the ±MAX_SKEW clock check
    Rule("sync_nonces", sync_nonces, sync_nonces.c.created_at, dt.timedelta(seconds=2 * MAX_SKEW + 300)),
    # delivered messages, kept a month for support questions; dead ones stay for investigation
    Rule("outbox", outbox, outbox.c.sent_at, dt.timedelta(days=30), extra=lambda: outbox.c.status == "sent"),
    # per-IP fixed-window counters (server/auth/ratelimit.py): a window lasts minutes
    Rule("rate_counters", rate_counters, rate_counters.c.window_start, dt.timedelta(days=1)),
    # what the console SMS provider "sent" (development only)
    Rule("dev_sms", dev_sms, dev_sms.c.created_at, dt.timedelta(days=1)),
]

_SELECT = {r.name: Query(sa.select(r.key).where(r.condition()).order_by(r.column).limit(BATCH)) for r in RULES}


async def purge(db, rule: Rule, now: dt.datetime, *, batch: int = BATCH, max_batches: int = MAX_BATCHES) -> int:
    """Delete `rule`'s outlived rows, `batch` at a time, at most `max_batches` times; returns the count."""
    before = now - rule.keep
    select = _SELECT[rule.name] if batch == BATCH else Query(
        sa.select(rule.key).where(rule.condition()).order_by(rule.column).limit(batch))
    total = 0
    for _ in range(max_batches):
        keys = [next(iter(r.values())) for r in await db.fetchall(select, {"before": before})]
        if not keys:
            break
        # an IN list of literal keys (one statement per batch); the condition again, in case a row was
        # renewed meanwhile
        res = await db.execute(rule.table.delete().where(rule.key.in_(keys), rule.condition(before)))
        total += max(res.rowcount, 0)
        if len(keys) < batch:
            break
    return total


async def run(deps) -> dict[str, int]:
    """One housekeeping pass over every rule; returns how many rows each removed."""
    now = deps.clock()
    removed = {}
    for rule in RULES:
        try:
            removed[rule.name] = await purge(deps.db, rule, now)
        except Exception:  # one table's trouble must not stop the others
            log.exception("housekeeping of %s failed", rule.name)
    if any(removed.values()):
        log.info("housekeeping removed %s", ", ".join(f"{k}={v}" for k, v in removed.items() if v))
    return removed
