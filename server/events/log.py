"""The event log (change feed): one row per state change, written in the same transaction.

Readers (the PC-side pull and the WebSocket hub) page by id. Auto-increment ids are assigned at
insert but become visible at commit, so a reader could see id 12 before id 11 commits. `read_after`
therefore stops at a gap younger than `GAP_GRACE`: it waits for the missing id to commit, and only
passes a gap that old (a rolled-back transaction leaves one forever). Writers never wait.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

import sqlalchemy as sa

from server.db.database import Query
from server.db.tables import events

GAP_GRACE = dt.timedelta(seconds=5)

_INSERT = Query(events.insert().values(
    type=sa.bindparam("type"), entity=sa.bindparam("entity"), entity_id=sa.bindparam("entity_id"),
    data=sa.bindparam("data"), audience=sa.bindparam("audience"), created_at=sa.bindparam("now"),
))
_AFTER = Query(
    sa.select(events).where(events.c.id > sa.bindparam("after")).order_by(events.c.id).limit(sa.bindparam("n"))
)
_MAX_ID = Query(sa.select(sa.func.max(events.c.id)))


def audience(*, accounts: Iterable[int] = (), orgs: Iterable[int] = (), roles: Iterable[str] = ()) -> str:
    """Who is told live about an event."""
    toks = [f"a:{a}" for a in accounts if a] + [f"o:{o}" for o in orgs if o] + [f"r:{r}" for r in roles]
    return " ".join(dict.fromkeys(toks))[:255]


async def record(tx, *, type: str, entity: str, entity_id, data: dict, now: dt.datetime, to: str = "") -> int:
    """Append one event inside the caller's transaction."""
    res = await tx.execute(_INSERT, {"type": type, "entity": entity, "entity_id": str(entity_id),
                                     "data": json.dumps(data, ensure_ascii=False, default=str),
                                     "audience": to, "now": now})
    return res.lastrowid


def public(row: dict) -> dict:
    from server.web.jsonutil import iso

    return {"id": str(row["id"]), "type": row["type"], "entity": row["entity"], "entity_id": row["entity_id"],
            "data": json.loads(row["data"]), "at": iso(row["created_at"])}


async def read_after(db, after: int, limit: int, now: dt.datetime) -> tuple[list[dict], int]:
    """Events after `after` in id order without skipping one still being committed.
    Returns (rows, cursor) where cursor is the id of the last row handed out (or `after`)."""
    rows = await db.fetchall(_AFTER, {"after": after, "n": limit})
    out: list[dict] = []
    expected = after + 1 if after else None  # from the start nothing is known to be missing
    for row in rows:
        if expected is not None and row["id"] != expected and now - row["created_at"] < GAP_GRACE:
            break  # a smaller id may still commit: come back for it
        out.append(row)
        expected = row["id"] + 1
    return out, (out[-1]["id"] if out else after)


async def latest_id(db) -> int:
    return (await db.fetchval(_MAX_ID)) or 0
