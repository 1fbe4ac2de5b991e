"""The State Council's holiday schedule (国务院办公厅关于部分节假日安排的通知), shipped as data.

`holiday` = a day off (放假), including the weekend days inside a holiday block; `workday` = a
weekend day that is worked instead (调休上班). Days not listed follow their weekday. The
administrator corrects or extends this per year through `PUT /api/v1/admin/calendar/{date}`;
an entry made there overrides the line here.
"""

from __future__ import annotations

import datetime as dt


def _span(first: str, last: str) -> list[str]:
    a, b = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    return [(a + dt.timedelta(days=i)).isoformat() for i in range((b - a).days + 1)]


def _year(holidays: list[str], workdays: list[str]) -> dict[dt.date, str]:
    out = {dt.date.fromisoformat(d): "holiday" for d in holidays}
    out.update({dt.date.fromisoformat(d): "workday" for d in workdays})
    return out


# 国务院办公厅关于2026年部分节假日安排的通知, 2025-11-04 (as published by 新华社)
Y2026 = _year(
    [*_span("2026-01-01", "2026-01-03"),   # 元旦
     *_span("2026-02-15", "2026-02-23"),   # 春节
     *_span("2026-04-04", "2026-04-06"),   # 清明节
     *_span("2026-05-01", "2026-05-05"),   # 劳动节
     *_span("2026-06-19", "2026-06-21"),   # 端午节
     *_span("2026-09-25", "2026-09-27"),   # 中秋节
     *_span("2026-10-01", "2026-10-07")],  # 国庆节
    ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
)

# PROVISIONAL: the 2027 notice is not published yet (as of 2026-11). Only the statutory days
# (全国年节及纪念日放假办法, 2025 revision) are listed, at their 2027 dates; the blocks and the 调休
# make-up days follow when the State Council publishes them (the administrator enters them).
Y2027 = _year(
    ["2027-01-01",                        # 元旦
     *_span("2027-02-05", "2027-02-08"),  # 春节: 除夕 and 正月初一至初三 (正月初一 = 2027-02-06)
     "2027-04-05",                        # 清明节
     "2027-05-01", "2027-05-02",          # 劳动节
     "2027-06-09",                        # 端午节
     "2027-09-15",                        # 中秋节
     *_span("2027-10-01", "2027-10-03")],  # 国庆节
    [],
)

SHIPPED: dict[dt.date, str] = {**Y2026, **Y2027}
PROVISIONAL_YEARS = frozenset({2027})
