"""The one place where the API decides what a digit, an id, a cursor, a phone and a date are.

Rule: only ASCII `0-9` is a digit. No normalisation: `１`, `٩`, `𝟗` or `²` are refused with a
400, never folded into `1`/`9`/`2`. Folding them would let `1380000000１` pass as a new phone on
SQLite and log into the ASCII phone's account on MariaDB (whose collation equates them), and hash
an ID number differently from its ASCII form. Python's Unicode digit tests, `int()` on raw text and
an unqualified digit class in a regex all accept those characters, so they are never used on input:
use the `[0-9]` patterns and parsers here
(`tests/web/test_ascii_digits.py` greps the code for them).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

from server import errors


def _whole(pattern: str) -> re.Pattern:
    """The pattern (written for pydantic, whose `$` means the end of the text) for Python's `re`,
    whose `$` also matches before a final newline: `\\Z` instead, so "13800000001\\n" is refused."""
    return re.compile(pattern.removesuffix("$") + r"\Z")


# the largest id a BIGINT column holds is 2^63-1 (19 digits); ids we hand out are far smaller, and
# 18 digits keep every value inside a signed 64-bit integer on SQLite and MariaDB alike
ID_PATTERN = r"^[1-9][0-9]{0,17}$"
ID_RE = _whole(ID_PATTERN)
MOBILE_PATTERN = r"^1[3-9][0-9]{9}$"
PHONE_RE = _whole(MOBILE_PATTERN)
# 居民身份证: 17 digits and a check character (GB 11643); the check digit itself is verified apart
ID_CARD_PATTERN = r"^[0-9]{17}[0-9X]$"
ID_CARD_RE = _whole(ID_CARD_PATTERN)
# other identity documents (passport, 港澳/台湾通行证, 外国人永久居留证): ASCII letters and digits
OTHER_ID_PATTERN = r"^[A-Z0-9]{5,20}$"
OTHER_ID_RE = _whole(OTHER_ID_PATTERN)
ASCII_DIGITS_RE = _whole(r"^[0-9]+$")
# codes looked up by equality (单位关联代码 / 统一社会信用代码 …): MariaDB's collation would equate
# `９１３７…` with `9137…`, so only ASCII letters, digits, `_` and `-`
CODE_PATTERN = r"^[0-9A-Za-z_-]{1,64}$"
CODE_RE = _whole(CODE_PATTERN)

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)

# dates the API takes (filters, birth dates, card validity): far from the calendar's edges, so
# `date ± a few days` and the conversion to a UTC datetime never overflow, on either database
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)


def is_ascii_digits(text: str) -> bool:
    """True for a non-empty string of ASCII 0-9 only (unlike `isdigit`)."""
    return bool(ASCII_DIGITS_RE.match(text))


def parse_id(raw: str | None, what: str = "记录") -> int:
    """An id from the path: anything but a well-formed positive id is simply not found (404)."""
    if raw is None or not ID_RE.match(raw):
        raise errors.NotFound(f"{what}不存在")
    return int(raw)


def parse_cursor(raw: str | None, field: str = "cursor") -> int | None:
    """A keyset cursor (the last id of the previous page); a malformed one is a 400."""
    if raw is None or raw == "":
        return None
    if not ID_RE.match(raw):
        raise errors.field_error(field, "分页游标无效")
    return int(raw)


def _int_to_str(v):
    # ids are strings on the wire; a client sending the number is forgiven
    return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


# an id in a body or a query string: a string of ASCII digits ("123")
IdStr = Annotated[str, Field(pattern=ID_PATTERN, max_length=18)]
# the same, forgiving a client that sends the JSON number (the catalog's admin forms do)
LenientIdStr = Annotated[str, BeforeValidator(_int_to_str), Field(pattern=ID_PATTERN, max_length=18)]


def _sane_date(v: dt.date) -> dt.date:
    if not DATE_MIN <= v <= DATE_MAX:
        raise ValueError(f"日期应在{DATE_MIN.isoformat()}至{DATE_MAX.isoformat()}之间")
    return v


# every date the API takes
Day = Annotated[dt.date, AfterValidator(_sane_date)]


def check_id_number(v: str, id_type: str | None = "resident_id") -> str:
    """An identity document number, upper-cased; 居民身份证 with a correct GB 11643 check digit,
    other documents 5–20 ASCII letters and digits."""
    v = v.strip().upper()
    if id_type in (None, "resident_id"):
        if not valid_id_card(v):
            raise ValueError("请输入正确的18位居民身份证号码")
    elif not OTHER_ID_RE.match(v):
        raise ValueError("证件号码应为5至20位英文字母或数字")
    return v


def valid_id_card(v: str) -> bool:
    """Mainland resident ID card: 18 ASCII characters with the GB 11643 check digit."""
    if not ID_CARD_RE.match(v):
        return False
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(v[:17], weights))
    return "10X98765432"[total % 11] == v[17]


def check_code(v: str | None) -> str | None:
    """An organisation code in ASCII letters and digits, or None for an empty value."""
    if v is None or v.strip() == "":
        return None
    if not CODE_RE.match(v.strip()):
        raise ValueError("代码只能包含英文字母、数字、下划线和连字符")
    return v.strip()


def check_phone(v: str | None) -> str | None:
    """A mainland mobile number in ASCII digits, or None for an empty value."""
    if v is None or v == "":
        return None
    if not PHONE_RE.match(v):
        raise ValueError("请输入正确的11位手机号")
    return v


def body_id(v):
    """A pydantic `mode="before"` validator for an id that services take as an int: ids are strings on the
    wire (numbers accepted)."""
    if v is None or v == "":
        return None
    text = str(v).strip()
    if isinstance(v, bool) or not ID_RE.match(text):
        raise ValueError("编号格式不正确")
    return int(text)


def filter_date(v: dt.date | None) -> dt.date | None:
    """A pydantic `mode="after"` validator for date filters (the `Day` bounds)."""
    return None if v is None else _sane_date(v)
