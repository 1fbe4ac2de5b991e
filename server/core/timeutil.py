"""Time as the server keeps it: naive UTC in the database, China Standard Time for people."""

from __future__ import annotations

import datetime as dt

CST = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def utcnow() -> dt.datetime:
    """Naive UTC, the form the database stores."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def today_cst(now: dt.datetime) -> dt.date:
    """The calendar day in China for a naive UTC instant."""
    return now.replace(tzinfo=dt.UTC).astimezone(CST).date()


def iso(value: dt.datetime | None) -> str | None:
    """A naive UTC datetime from the database as ISO 8601 in China Standard Time."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(CST).isoformat(timespec="seconds")
