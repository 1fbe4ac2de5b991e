"""The event log (change feed): one row per state change, written in the same transaction.

What each event type carries and who hears it is defined once in `server.events.catalog`.
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

from server.core.privacy import mask_card_no, mask_id_number, mask_phone
from server.db.database import Query
from server.db.tables import events, window_staff, windows
from server.events.catalog import TYPES, Event, UnknownEvent, audience

__all__ = ["audience", "record", "read_after", "latest_id", "public", "for_socket", "masked", "tokens_for",
           "tokens_of"]

GAP_GRACE = dt.timedelta(seconds=5)

_INSERT = Query(events.insert().values(
    type=sa.bindparam("type"), entity=sa.bindparam("entity"), entity_id=sa.bindparam("entity_id"),
    data=sa.bindparam("data"), audience=sa.bindparam("audience"), created_at=sa.bindparam("now"),
))
_AFTER = Query(
    sa.select(events).where(events.c.id > sa.bindparam("after")).order_by(events.c.id).limit(sa.bindparam("n"))
)
_MAX_ID = Query(sa.select(sa.func.max(events.c.id)))


_STAFF_WINDOWS = Query(
    sa.select(windows.c.id, windows.c.is_city)
    .select_from(window_staff.join(windows, windows.c.id == window_staff.c.window_id))
    .where(window_staff.c.account_id == sa.bindparam("account"))
)


def tokens_of(principal, windows_of: Iterable[dict] = ()) -> frozenset[str]:
    """The audience tokens that address this principal; `windows_of`: the window rows
    ({id, is_city}) a window clerk is assigned to."""
    toks = {f"a:{principal.id}"} | {f"r:{r}" for r in principal.roles}
    if principal.org_id:
        toks |= {f"o:{principal.org_id}:{r}" for r in principal.roles}
    if "window_staff" in principal.roles:
        for w in windows_of:
            toks.add(f"w:{w['id']}")
            if w["is_city"]:
                toks.add("w:city")
    return frozenset(toks)


async def tokens_for(db, principal) -> frozenset[str]:
    """`tokens_of` with the clerk's windows read from the database (one query, window clerks only)."""
    rows = await db.fetchall(_STAFF_WINDOWS, {"account": principal.id}) if "window_staff" in principal.roles else []
    return tokens_of(principal, rows)


async def record(tx, event: Event, *, now: dt.datetime) -> int:
    """Append one event, built by its `server.events.catalog` function, inside the caller's transaction."""
    if not isinstance(event, Event) or event.type not in TYPES:
        raise UnknownEvent(f"not a catalog event: {event!r}")
    res = await tx.execute(_INSERT, {"type": event.type, "entity": event.entity, "entity_id": event.entity_id,
                                     "data": json.dumps(event.data, ensure_ascii=False, default=str),
                                     "audience": event.to, "now": now})
    return res.lastrowid


def public(row: dict) -> dict:
    """An event as the signed PC-side pull serves it: the full data (the PC system owns it)."""
    from server.core.timeutil import iso

    return {"id": str(row["id"]), "type": row["type"], "entity": row["entity"], "entity_id": row["entity_id"],
            "data": json.loads(row["data"]), "at": iso(row["created_at"])}


# card numbers in these events go to people the HTTP API shows only the masked number (venue
# clerks); card events proper go to the holder and admins, who see the full number anyway
_MASK_CARD_NO = {"visit.recorded"}


def masked(type_: str, data):
    """The event data as a WebSocket sends it: masked exactly as the HTTP answers are (phones and
    ID numbers everywhere, card numbers where HTTP masks them)."""
    if isinstance(data, list):
        return [masked(type_, v) for v in data]
    if not isinstance(data, dict):
        return data
    out = {}
    for k, v in data.items():
        if k == "phone" and isinstance(v, str):
            out["phone_masked"] = mask_phone(v)
        elif k == "id_number" and isinstance(v, str):
            out["id_number_masked"] = mask_id_number(v)
        elif k == "card_no" and type_ in _MASK_CARD_NO:
            out["card_no_masked"] = mask_card_no(v)
        else:
            out[k] = masked(type_, v)
    return out


def for_socket(row: dict) -> dict:
    """An event as the live push sends it: `public` with its data masked."""
    ev = public(row)
    ev["data"] = masked(row["type"], ev["data"])
    return ev


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
