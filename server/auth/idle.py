"""Idle time-out of staff sessions (issue 10): a staff session (any role besides holder) ends after
2 hours without use; a holder's lasts its full term (SESSION_TTL_HOURS, 7 days). Each use slides
the idle deadline, but `last_seen_at` is written at most once a minute, so the hot path keeps its
one-statement session look-up and gains a write only once a minute per active session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

STAFF_IDLE = dt.timedelta(hours=2)
TOUCH_EVERY = dt.timedelta(minutes=1)


def is_staff(roles: Iterable[str]) -> bool:
    return any(r and r != "holder" for r in roles)


def idle_deadline(last_seen: dt.datetime) -> dt.datetime:
    return last_seen + STAFF_IDLE


def needs_touch(last_seen: dt.datetime, now: dt.datetime) -> bool:
    return now - last_seen >= TOUCH_EVERY
