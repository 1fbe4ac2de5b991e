"""Every .xlsx export is written through here, so user-provided text can never become a live
formula or link in the reader's spreadsheet (CSV/formula injection, OWASP).

Two layers: the workbook never turns strings into formulas, links or numbers
(`strings_to_formulas/urls/numbers: False`), and every string cell that starts with a character
a spreadsheet may read as the start of a formula (`= + - @`, tab, CR) is written with a leading
`'`, so it also stays text after the reader edits the cell or re-saves the file as CSV.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from server.core.timeutil import CST

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# real Excel date-times, shown the Chinese way (a reader can sort and filter them)
DATETIME_FORMAT = 'yyyy"年"m"月"d"日" hh:mm:ss'
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
SAFE_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def cell_text(value: str) -> str:
    """The text as it is safe to put in a cell."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _write_str(ws: Worksheet, row: int, col: int, token: str, *args: Any):
    # a write handler: `write` and `write_row` of any str land here and stay plain strings
    return ws.write_string(row, col, cell_text(token), *args)


def china_time(value: dt.datetime) -> dt.datetime:
    """An instant as China time without zone (Excel has none): naive values are UTC, as stored."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(CST).replace(tzinfo=None)


class SafeWorkbook(xlsxwriter.Workbook):
    """An XlsxWriter workbook whose sheets write every string as text (see the module doc) and every
    `datetime` / `date` as a real Excel date-time in China time, formatted 2026年11月30日 08:05:00."""

    def __init__(self, filename: Any = None, options: dict | None = None):
        super().__init__(filename, {**(options or {}), **SAFE_OPTIONS})
        self._dt_format = self.add_format({"num_format": DATETIME_FORMAT})
        self._date_format = self.add_format({"num_format": DATE_FORMAT})

    def add_worksheet(self, name: str | None = None, worksheet_class=None) -> Worksheet:
        ws = super().add_worksheet(name, worksheet_class)
        ws.add_write_handler(str, _write_str)
        dt_format, date_format = self._dt_format, self._date_format

        def write_datetime(ws: Worksheet, row: int, col: int, value: dt.datetime, fmt=None, *args: Any):
            return ws.write_datetime(row, col, china_time(value), fmt or dt_format)

        def write_date(ws: Worksheet, row: int, col: int, value: dt.date, fmt=None, *args: Any):
            return ws.write_datetime(row, col, value, fmt or date_format)

        ws.add_write_handler(dt.datetime, write_datetime)
        ws.add_write_handler(dt.date, write_date)
        return ws
