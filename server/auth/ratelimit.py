"""Per-key request limits in fixed windows (e.g. captchas per IP per 10 minutes).

One row per key holds the current window's start and its count. Counting is one guarded UPDATE
(`n + 1` only while under the limit, or a restart at 1 in a new window), so racing requests cannot
pass the limit together; the row is created by the first request of a key."""

from __future__ import annotations

import datetime as dt
import math

import sqlalchemy as sa

from server.db.database import IntegrityError, Query
from server.db.tables import rate_counters

_c = rate_counters.c
_EPOCH = dt.datetime(2000, 1, 1)

# MySQL applies SET assignments left to right (a later one sees the earlier one's new value):
# `n` is computed first, from the old window.
_HIT = Query(rate_counters.update().where(
    _c.k == sa.bindparam("k"),
    sa.or_(_c.window_start != sa.bindparam("ws"), _c.n < sa.bindparam("limit")),
).ordered_values(
    (_c.n, sa.case((_c.window_start == sa.bindparam("ws"), _c.n + 1), else_=1)),
    (_c.window_start, sa.bindparam("ws")),
))
_FIRST = Query(rate_counters.insert().values(k=sa.bindparam("k"), window_start=sa.bindparam("ws"), n=1))


def window_start(now: dt.datetime, window: dt.timedelta) -> dt.datetime:
    size = int(window.total_seconds())
    elapsed = int((now - _EPOCH).total_seconds())
    return _EPOCH + dt.timedelta(seconds=elapsed - elapsed % size)


async def hit(db, key: str, *, limit: int, window: dt.timedelta, now: dt.datetime) -> int | None:
    """Count one request for `key`. None when it is within the limit, else the seconds until the
    window ends. Use it with autocommit statements (`deps.db`), not inside a long transaction."""
    ws = window_start(now, window)
    params = {"k": key[:191], "ws": ws, "limit": limit}
    if (await db.execute(_HIT, params)).rowcount == 1:
        return None
    try:
        await db.execute(_FIRST, params)
        return None
    except IntegrityError:  # the row exists: the limit is reached, or a racing request created it
        pass
    if (await db.execute(_HIT, params)).rowcount == 1:
        return None
    return max(math.ceil((ws + window - now).total_seconds()), 1)
