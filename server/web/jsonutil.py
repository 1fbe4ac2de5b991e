"""JSON on the wire: UTF-8, Chinese unescaped, times ISO 8601 with the +08:00 offset."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

CST = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


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


def _default(o: Any):
    if isinstance(o, dt.datetime):
        return iso(o)
    if isinstance(o, dt.date):
        return o.isoformat()
    if isinstance(o, (set, frozenset)):
        return sorted(o)
    if isinstance(o, bytes):
        return o.decode()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=_default, separators=(",", ":"))
