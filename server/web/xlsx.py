"""Every .xlsx export is written through here, so user-provided text can never become a live
formula or link in the reader's spreadsheet (CSV/formula injection, OWASP).

Two layers: the workbook never turns strings into formulas, links or numbers
(`strings_to_formulas/urls/numbers: False`), and every string cell that starts with a character
a spreadsheet may read as the start of a formula (`= + - @`, tab, CR) is written with a leading
`'`, so it also stays text after the reader edits the cell or re-saves the file as CSV.
"""

from __future__ import annotations

from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SAFE_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def cell_text(value: str) -> str:
    """The text as it is safe to put in a cell."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _write_str(ws: Worksheet, row: int, col: int, token: str, *args: Any):
    # a write handler: `write` and `write_row` of any str land here and stay plain strings
    return ws.write_string(row, col, cell_text(token), *args)


class SafeWorkbook(xlsxwriter.Workbook):
    """An XlsxWriter workbook whose sheets write every string as text (see the module doc)."""

    def __init__(self, filename: Any = None, options: dict | None = None):
        super().__init__(filename, {**(options or {}), **SAFE_OPTIONS})

    def add_worksheet(self, name: str | None = None, worksheet_class=None) -> Worksheet:
        ws = super().add_worksheet(name, worksheet_class)
        ws.add_write_handler(str, _write_str)
        return ws
