"""Small, strict parsing of ids and cursors from paths, queries and bodies: ASCII digits only
(`[0-9]`, never `\\d`, which also takes full-width and other Unicode digits)."""

from __future__ import annotations

import re

from server import errors

DIGITS = re.compile(r"^[0-9]{1,18}$", re.ASCII)


def path_id(raw: str, what: str = "记录") -> int:
    """An id in a URL path; anything else is simply not found."""
    if not DIGITS.match(raw or "") or int(raw) == 0:
        raise errors.NotFound(f"{what}不存在")
    return int(raw)


def cursor(raw: str | None) -> int | None:
    """A keyset cursor (the last id of the previous page)."""
    if not raw:
        return None
    if not DIGITS.match(raw):
        raise errors.InvalidRequest("分页游标无效", details={"fields": {"cursor": "分页游标无效"}})
    return int(raw)


def body_id(v):
    """A pydantic `mode="before"` validator: ids are strings on the wire (numbers accepted)."""
    if v is None or v == "":
        return None
    s = str(v).strip()
    if isinstance(v, bool) or not DIGITS.match(s) or int(s) == 0:
        raise ValueError("编号格式不正确")
    return int(s)
