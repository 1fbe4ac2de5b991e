"""Small, strict parsing of ids and cursors from paths, queries and bodies: ASCII digits only
(`[0-9]`, never `\\d`, which also takes full-width and other Unicode digits)."""

from __future__ import annotations

import datetime as dt
import re

from server import errors

DIGITS = re.compile(r"[0-9]{1,18}", re.ASCII)  # always with fullmatch: `$` would let "12\n" through
# dates the filters take: far from the calendar's edges, so turning a China-time date range into UTC
# instants never overflows (a 500 otherwise)
DATE_MIN, DATE_MAX = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


def path_id(raw: str, what: str = "记录") -> int:
    """An id in a URL path; anything else is simply not found."""
    if not DIGITS.fullmatch(raw or "") or int(raw) == 0:
        raise errors.NotFound(f"{what}不存在")
    return int(raw)


def cursor(raw: str | None) -> int | None:
    """A keyset cursor (the last id of the previous page)."""
    if not raw:
        return None
    if not DIGITS.fullmatch(raw):
        raise errors.InvalidRequest("分页游标无效", details={"fields": {"cursor": "分页游标无效"}})
    return int(raw)


def body_id(v):
    """A pydantic `mode="before"` validator: ids are strings on the wire (numbers accepted)."""
    if v is None or v == "":
        return None
    s = str(v).strip()
    if isinstance(v, bool) or not DIGITS.fullmatch(s) or int(s) == 0:
        raise ValueError("编号格式不正确")
    return int(s)


def filter_date(v: dt.date | None) -> dt.date | None:
    """A pydantic `mode="after"` validator for date filters."""
    if v is not None and not DATE_MIN <= v <= DATE_MAX:
        raise ValueError("日期超出范围（1900-01-01至2100-12-31）")
    return v
