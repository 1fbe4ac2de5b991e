"""The working-day calendar (工作日): 办理时限 in China are counted in working days, so a deadline
never falls due, and 督办 never goes out, on a weekend or a public holiday, while a 调休 Saturday
counts as a working day.

A day's kind: the administrator's entry (table `calendar_days`) if there is one, else the shipped
State Council schedule (`holidays.SHIPPED`), else `normal` (Monday–Friday work). Each process keeps
the calendar in memory and re-reads it when the calendar version (a `kv_store` token that every
administrator change replaces) differs; the version itself is read at most every
`REFRESH_SECONDS`, and the changing process drops its copy at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
import time
import weakref
from typing import Literal

import sqlalchemy as sa

from server import errors
from server.calendar.holidays import PROVISIONAL_YEARS, SHIPPED
from server.core.timeutil import from_cst, to_cst
from server.db.database import Query
from server.db.tables import calendar_days, kv_store
from server.events import catalog as event
from server.events import log as events

Unit = Literal["working_days", "hours"]
Kind = Literal["holiday", "workday", "normal"]
REFRESH_SECONDS = 5.0
VERSION_KEY = "calendar.version"
# no deadline reaches further than this many days ahead (a guard against a calendar with no working day)
MAX_SPAN_DAYS = 3 * 366
WEEKDAY_ZH = "一二三四五六日"

_VERSION = Query(sa.select(kv_store.c.v).where(kv_store.c.k == VERSION_KEY))
_ENTRIES = Query(sa.select(calendar_days.c.day, calendar_days.c.kind, calendar_days.c.note))


class WorkCalendar:
    """Which days are worked, and deadlines counted on them. Times are naive UTC, as stored."""

    def __init__(self, entries: dict[dt.date, str] | None = None):
        self.entries = dict(entries or {})

    def kind(self, day: dt.date) -> str:
        return self.entries.get(day) or SHIPPED.get(day) or "normal"

    def is_working_day(self, day: dt.date) -> bool:
        kind = self.kind(day)
        if kind == "holiday":
            return False
        return kind == "workday" or day.weekday() < 5

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day after `day`."""
        for i in range(1, MAX_SPAN_DAYS):
            d = day + dt.timedelta(days=i)
            if self.is_working_day(d):
                return d
        raise errors.NoWorkingDay()

    def add_working_time(self, start: dt.datetime, amount: float, unit: Unit) -> dt.datetime:
        """The deadline `amount` of working time after `start` (naive UTC in, naive UTC out).

        - `working_days`: the end (24:00 local time) of the amount-th working day after the day of
          `start` — the day a step begins does not count (行政许可法: 期间开始之日不计算在内), so
          Friday's work with one working day is due at the end of Monday.
        - `hours`: hours that pass on working days only; a weekend or a holiday stops the clock.
        """
        local = to_cst(start)
        if unit == "working_days":
            day = local.date()
            for _ in range(max(int(amount), 1)):
                day = self.next_working_day(day)
            end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
        else:
            left = dt.timedelta(hours=float(amount))
            t = local
            for _ in range(MAX_SPAN_DAYS):
                midnight = dt.datetime.combine(t.date() + dt.timedelta(days=1), dt.time())
                if self.is_working_day(t.date()):
                    if left <= midnight - t:
                        end = t + left
                        break
                    left -= midnight - t
                t = midnight
            else:
                raise errors.NoWorkingDay()
        return from_cst(end)


# --------------------------------------------------------------------------- the per-process copy

@dataclasses.dataclass
class _Cached:
    version: str | None
    calendar: WorkCalendar
    checked: float


# one copy per database (tests run many databases in one process)
_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def current(db) -> WorkCalendar:
    """The calendar as the administrator last left it (at most `REFRESH_SECONDS` old in another process)."""
    cached = _cache.get(db)
    mono = time.monotonic()
    if cached is not None and mono - cached.checked < REFRESH_SECONDS:
        return cached.calendar
    version = await db.fetchval(_VERSION)
    if cached is None or cached.version != version:
        rows = await db.fetchall(_ENTRIES)
        cached = _Cached(version, WorkCalendar({r["day"]: r["kind"] for r in rows}), mono)
        _cache[db] = cached
    cached.checked = mono
    return cached.calendar


def forget(db) -> None:
    """Drop this process's copy (after a change), so the next use reads the calendar again."""
    _cache.pop(db, None)


# --------------------------------------------------------------------------- administration

async def year_view(db, year: int) -> dict:
    """Every day of `year` with its kind, whether it is worked, and where the kind comes from."""
    if not 2000 <= year <= 2100:
        raise errors.field_error("year", "年份须在2000至2100之间", "年份超出范围")
    rows = await db.fetchall(sa.select(calendar_days).where(
        calendar_days.c.day >= dt.date(year, 1, 1), calendar_days.c.day <= dt.date(year, 12, 31)))
    admin = {r["day"]: r for r in rows}
    cal = WorkCalendar({d: r["kind"] for d, r in admin.items()})
    days = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        source = "admin" if day in admin else ("shipped" if day in SHIPPED else "weekday")
        days.append({"date": day.isoformat(), "weekday": "周" + WEEKDAY_ZH[day.weekday()], "kind": cal.kind(day),
                     "working": cal.is_working_day(day), "source": source,
                     "note": admin[day]["note"] if day in admin else None})
        day += dt.timedelta(days=1)
    return {"year": year, "provisional": year in PROVISIONAL_YEARS and not admin,
            "working_days": sum(d["working"] for d in days), "days": days}


def parse_day(raw: str) -> dt.date:
    try:
        if len(raw) != 10:
            raise ValueError
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise errors.field_error("date", "日期格式应为YYYY-MM-DD") from None
    if not 2000 <= day.year <= 2100:
        raise errors.field_error("date", "日期须在2000至2100年之间", "日期超出范围")
    return day


async def set_day(deps, day: dt.date, kind: str, note: str | None, actor_id: int) -> dict:
    """Set a day's kind (holiday / workday / normal); `normal` also overrides a shipped entry."""
    now = deps.clock()
    async with deps.db.transaction() as tx:
        await tx.execute(calendar_days.delete().where(calendar_days.c.day == day))
        await tx.insert(calendar_days, dict(day=day, kind=kind, note=note, updated_by=actor_id, updated_at=now))
        # a new version token: every process re-reads the calendar on its next check
        await tx.execute(kv_store.delete().where(kv_store.c.k == VERSION_KEY))
        await tx.insert(kv_store, dict(k=VERSION_KEY, v=secrets.token_hex(8), expires_at=None))
        await events.record(tx, event.calendar_changed(day, kind=kind), now=now)
    forget(deps.db)
    cal = await current(deps.db)
    return {"date": day.isoformat(), "weekday": "周" + WEEKDAY_ZH[day.weekday()], "kind": cal.kind(day),
            "working": cal.is_working_day(day), "source": "admin", "note": note}
