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


def to_cst(utc: dt.datetime) -> dt.datetime:
    """A naive UTC instant as naive China local time (wall clock)."""
    return utc.replace(tzinfo=dt.UTC).astimezone(CST).replace(tzinfo=None)


def from_cst(local: dt.datetime) -> dt.datetime:
    """Naive China local time (wall clock) as the naive UTC instant the database stores."""
    return local.replace(tzinfo=CST).astimezone(dt.UTC).replace(tzinfo=None)


def day_start_utc(day: dt.date) -> dt.datetime:
    """The naive UTC instant at which a China calendar day begins."""
    return from_cst(dt.datetime.combine(day, dt.time()))


def utc_range(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The naive-UTC instants [start, end) of the China days first..last."""
    return day_start_utc(first), day_start_utc(last + dt.timedelta(days=1))


_CST_OFFSET = dt.timedelta(hours=8)


def iso(value: dt.datetime | None) -> str | None:
    """A naive UTC datetime from the database as ISO 8601 in China Standard Time."""
    if value is None:
        return None
    if value.tzinfo is None:
        # China has no daylight saving time: shifting by the fixed offset is what astimezone(CST) does,
        # at a third of its cost (a listed row has three instants)
        return (value + _CST_OFFSET).isoformat(timespec="seconds") + "+08:00"
    return value.astimezone(CST).isoformat(timespec="seconds")
