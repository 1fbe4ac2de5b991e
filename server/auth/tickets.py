"""Short-lived, single-use secrets (captcha answers, OAuth states, bind and login tickets).

Only a hash of the ticket is stored; using one is a conditional UPDATE, so a ticket works once
even when two requests race for it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable

import sqlalchemy as sa

from server.db.database import Query
from server.db.tables import auth_tickets

_INSERT = Query(auth_tickets.insert().values(
    kind=sa.bindparam("kind"), key_hash=sa.bindparam("key_hash"), payload=sa.bindparam("payload"),
    created_at=sa.bindparam("now"), expires_at=sa.bindparam("expires_at"),
))
_GET = Query(sa.select(auth_tickets).where(auth_tickets.c.key_hash == sa.bindparam("key_hash")))
_USE = Query(auth_tickets.update().where(
    auth_tickets.c.id == sa.bindparam("id"), auth_tickets.c.used_at.is_(None)
).values(used_at=sa.bindparam("now")))


def _hash(kind: str, ticket: str) -> str:
    return hashlib.sha256(f"{kind}:{ticket}".encode()).hexdigest()


async def issue(db_or_tx, kind: str, payload: dict, now: dt.datetime, ttl: dt.timedelta) -> str:
    ticket = secrets.token_urlsafe(24)
    await db_or_tx.execute(_INSERT, {
        "kind": kind, "key_hash": _hash(kind, ticket), "payload": json.dumps(payload, ensure_ascii=False),
        "now": now, "expires_at": now + ttl,
    })
    return ticket


async def consume(db_or_tx, kind: str, ticket: str | None, now: dt.datetime,
                  accept: Callable[[dict], bool] | None = None) -> dict | None:
    """The ticket's payload if it exists, is unexpired and unused; it is used up either way —
    unless `accept` refuses its payload: then it is left alone, so whoever holds the ticket but
    not the rest of the proof (an OAuth state without its browser cookie) cannot spoil it."""
    if not ticket or len(ticket) > 128:
        return None
    row = await db_or_tx.fetchone(_GET, {"key_hash": _hash(kind, ticket)})
    if row is None or row["kind"] != kind:
        return None
    if accept is not None and not accept(json.loads(row["payload"])):
        return None
    res = await db_or_tx.execute(_USE, {"id": row["id"], "now": now})
    if res.rowcount != 1 or row["expires_at"] <= now:
        return None
    return json.loads(row["payload"])
