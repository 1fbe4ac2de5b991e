"""JSON on the wire: UTF-8, Chinese unescaped, times ISO 8601 with the +08:00 offset."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from server.core.timeutil import iso


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
