from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from dayi.accounts.access import actor_for
from dayi.core.errors import ValidationFailed
from dayi.directory import exporting
from dayi.directory.importing import import_instruments
from dayi.directory.models import Instrument
from dayi.directory.queries import InstrumentFilters
from tests.conftest import NOW, make_instrument

pytestmark = pytest.mark.django_db


@pytest.fixture
def inventory(network: Any) -> list[Instrument]:
    zju, pku = network["zju"], network["pku"]
    return [
        make_instrument(
            zju,
            "ZJU-1",
            status="occasional_faults",
            share_mode="internal",
            source="purchased",
            purpose="general",
            in_service_date=dt.date(2018, 3, 1),
            disciplines=["材料科学", "物理学"],
            specs="加速电压 200 kV\n点分辨率 0.24 nm",
            contact="王老师 0571-88206789",
            booking_url="https://zju.example.cn/book/1",
        ),
        make_instrument(
            zju,
            "ZJU-2",
            name="液相色谱-质谱联用仪",
            category_id="0102",
            original_value="3200000.50",
            modes=["sample"],
            region_id="330106",
        ),
        make_instrument(
            zju,
            "ZJU-3",
            name='=HYPERLINK("http://evil.example","点击")',
            category_id="0102",
            original_value="600000",
        ),
        make_instrument(pku, "PKU-1", name="核磁共振波谱仪", category_id="0106"),
    ]


def csv_rows(f: InstrumentFilters, headers: str = "zh") -> tuple[bytes, list[list[str]]]:
    content = b"".join(exporting.csv_chunks(f, headers))
    return content, list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def reimport(people: Any, institution: Any, content: bytes, **kwargs: Any) -> Any:
    return import_instruments(actor_for(people["alice"]), institution.pk, content, now=NOW, **kwargs)


def test_csv_starts_with_a_bom_and_the_national_headers(inventory: Any) -> None:
    content, rows = csv_rows(InstrumentFilters())

    assert content.startswith("\ufeff".encode())
    assert rows[0][:5] == ["所属单位内部编号", "仪器名称（中文）", "英文名称", "分类编码", "分类名称"]
    assert len(rows) == 1 + 4


def test_csv_writes_labels_in_chinese_and_codes_in_english(inventory: Any) -> None:
    _, zh = csv_rows(InstrumentFilters(institution=inventory[0].institution_id, sort="name"))
    _, en = csv_rows(InstrumentFilters(institution=inventory[0].institution_id, sort="name"), "en")

    zh_row = dict(zip(zh[0], next(r for r in zh if r[0] == "ZJU-1"), strict=True))
    en_row = dict(zip(en[0], next(r for r in en if r[0] == "ZJU-1"), strict=True))
    assert (zh_row["运行状态"], zh_row["共享模式"], zh_row["服务方式"]) == (
        "偶有故障",
        "内部共享",
        "占用共享;技术共享;委托共享（送样检测）",
    )
    assert (en_row["status"], en_row["share_mode"], en_row["modes"]) == (
        "occasional_faults",
        "internal",
        "self;assisted;sample",
    )
    assert (en_row["original_value"], en_row["in_service_date"], en_row["disciplines"]) == (
        "8500000.00",
        "2018-03-01",
        "材料科学;物理学",
    )


def test_it_exports_public_fields_only(inventory: Any) -> None:
    _, rows = csv_rows(InstrumentFilters(), "en")

    assert not {"booking_policy", "search_words", "retired", "created", "updated"} & set(rows[0])


def test_export_honours_the_search_filters(inventory: Any, network: Any) -> None:
    _, by_category = csv_rows(InstrumentFilters(category="0102"))
    _, by_region = csv_rows(InstrumentFilters(region="330106"))
    _, by_value = csv_rows(InstrumentFilters(min_value=Decimal("5000000")))
    _, by_platform = csv_rows(InstrumentFilters(platform="bj"))

    assert {r[0] for r in by_category[1:]} == {"ZJU-2", "ZJU-3"}
    assert {r[0] for r in by_region[1:]} == {"ZJU-2"}
    assert {r[0] for r in by_value[1:]} == {"ZJU-1", "PKU-1"}
    assert {r[0] for r in by_platform[1:]} == {"PKU-1"}


def test_export_leaves_out_retired_instruments(inventory: Any) -> None:
    Instrument.objects.filter(inventory_no="ZJU-2").update(retired=NOW)

    _, rows = csv_rows(InstrumentFilters())

    assert "ZJU-2" not in {r[0] for r in rows[1:]}


def test_bad_filters_are_refused_before_streaming(inventory: Any) -> None:
    with pytest.raises(ValidationFailed):
        exporting.csv_chunks(InstrumentFilters(category="abc"))


def test_csv_guards_against_formulas(inventory: Any) -> None:
    _, rows = csv_rows(InstrumentFilters())

    evil = next(r for r in rows if r[0] == "ZJU-3")
    assert evil[1].startswith("'=")


@pytest.mark.parametrize("headers", ["zh", "en"])
def test_a_csv_export_imports_back_unchanged(inventory: Any, people: Any, network: Any, headers: str) -> None:
    # Given the export of zju's instruments
    content, _ = csv_rows(InstrumentFilters(institution=network["zju"].pk), headers)

    # When it is imported into zju again
    result = reimport(people, network["zju"], content)

    # Then every row matches an instrument and nothing changes
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert Instrument.objects.get(inventory_no="ZJU-3").name.startswith("=HYPERLINK")


def test_a_csv_export_creates_the_same_instruments_elsewhere(
    inventory: Any, people: Any, network: Any
) -> None:
    content, _ = csv_rows(InstrumentFilters(institution=network["zju"].pk))
    Instrument.objects.filter(institution=network["zju"]).delete()

    result = reimport(people, network["zju"], content)

    assert result.created == 3
    again = Instrument.objects.get(inventory_no="ZJU-1")
    original = inventory[0]
    for name in (
        "name",
        "name_en",
        "category_id",
        "status",
        "share_mode",
        "modes",
        "disciplines",
        "specs",
        "in_service_date",
        "contact",
        "booking_url",
        "source",
        "purpose",
        "region_id",
    ):
        assert getattr(again, name) == getattr(original, name), name
    assert again.original_value == Decimal("8500000.00")


def test_an_xlsx_export_imports_back_unchanged(inventory: Any, people: Any, network: Any) -> None:
    # Given the XLSX export of zju's instruments
    out = exporting.xlsx_file(InstrumentFilters(institution=network["zju"].pk))
    content = out.read()

    # Then text that looks like a formula is stored as text, values as numbers, dates as dates
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=False))
    evil = next(r for r in rows if r[0].value == "ZJU-3")
    assert evil[1].data_type == "s"
    first = next(r for r in rows if r[0].value == "ZJU-1")
    assert first[5].value == 8500000 and first[3].value == "0101"

    # And it imports back with no change
    result = reimport(people, network["zju"], content, filename="export.xlsx")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)


def test_it_refuses_unknown_formats_and_header_styles() -> None:
    with pytest.raises(ValidationFailed) as caught:
        exporting.check("pdf", "fr")

    assert set(caught.value.fields) == {"format", "headers"}
