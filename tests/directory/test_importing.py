from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from openpyxl import Workbook

from dayi.accounts.access import actor_for
from dayi.core.errors import Forbidden, ValidationFailed
from dayi.core.models import AuditEvent
from dayi.directory.errors import ImportRejected, UnsupportedImportFormat
from dayi.directory.importing import VERIFIED_ROWS, Defaults, WordCache, import_instruments
from dayi.directory.models import Instrument
from dayi.network.models import Delegation
from dayi.search.segment import instrument_words
from tests.conftest import NOW, make_instrument

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
UNIQUIP = DATA / "st_andrews_uniquip_equipment.csv"
HEADER = [
    "所属单位内部编号",
    "仪器名称（中文）",
    "英文名称",
    "分类编码",
    "原值（元）",
    "运行状态",
    "共享模式",
    "服务方式",
    "规格型号",
    "生产制造商",
    "产地国别",
    "启用日期",
    "主要学科领域",
    "安放地址",
    "联系方式",
]


def row(n: int, **change: Any) -> list[Any]:
    values = {
        "所属单位内部编号": f"ZJU-{n:05d}",
        "仪器名称（中文）": f"液相色谱-质谱联用仪{n}",
        "英文名称": "Liquid chromatography mass spectrometer",
        "分类编码": "0102",
        "原值（元）": "3,200,000.00",
        "运行状态": "正常",
        "共享模式": "对外共享",
        "服务方式": "委托共享;技术共享",
        "规格型号": "Xevo TQ-XS",
        "生产制造商": "Waters",
        "产地国别": "美国",
        "启用日期": "2019/6/30",
        "主要学科领域": "化学;生物学",
        "安放地址": "紫金港校区化学楼 201",
        "联系方式": "王老师 0571-88206789",
    }
    values.update(change)
    return [values[h] for h in HEADER]


def csv_bytes(rows: list[list[Any]], header: list[str] = HEADER, encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def run(who: Any, institution: Any, content: bytes, **kwargs: Any) -> Any:
    return import_instruments(actor_for(who), institution.pk, content, now=NOW, **kwargs)


def test_it_imports_a_good_file(network: Any, people: Any) -> None:
    # Given a CSV with three instruments in the national layout
    content = csv_bytes([row(1), row(2), row(3, 服务方式="占用共享", 启用日期="2021-01-05")])

    # When alice imports it for her institution
    result = run(people["alice"], network["zju"], content, filename="inventory.csv")

    # Then three instruments exist with clean values and segmented search words
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert result.encoding == "utf-8-sig"
    first = Instrument.objects.get(inventory_no="ZJU-00001")
    assert first.original_value == Decimal("3200000.00")
    assert first.modes == ["sample", "assisted"]
    assert first.disciplines == ["化学", "生物学"]
    assert first.in_service_date == dt.date(2019, 6, 30)
    assert (first.status, first.share_mode, first.region_id) == ("normal", "external", "330100")
    assert first.search_words and first.search_words == instrument_words(first)
    assert Instrument.objects.get(inventory_no="ZJU-00003").modes == ["self"]
    # And one audit row per instrument plus one for the import
    assert AuditEvent.objects.filter(action="instrument.create", reason="import inventory.csv").count() == 3
    summary = AuditEvent.objects.get(action="instrument.import")
    assert summary.object_id == str(network["zju"].pk)
    assert summary.after == {
        "file": "inventory.csv",
        "format": "csv",
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
    }


def test_it_writes_nothing_when_one_row_among_many_is_bad(network: Any, people: Any) -> None:
    # Given 50 good rows and, at data row 37, an unknown category code
    rows = [row(n) for n in range(1, 51)]
    rows[36] = row(37, 分类编码="9999")

    # When alice imports it
    with pytest.raises(ImportRejected) as caught:
        run(people["alice"], network["zju"], csv_bytes(rows))

    # Then the row and the field are named, and nothing was written
    body = caught.value.as_dict()["error"]
    assert body["code"] == "validation_error"
    assert [(r["row"], r["field"], r["column"]) for r in body["rows"]] == [(37, "category", "分类编码")]
    assert "9999" in body["rows"][0]["message"]
    assert "data rows from 1" in body["message"]
    assert not Instrument.objects.exists()
    assert not AuditEvent.objects.exists()


def test_it_names_every_bad_field_of_every_bad_row(network: Any, people: Any) -> None:
    rows = [
        row(1, **{"原值（元）": "about a million"}, 运行状态="broken"),
        row(2),
        row(3, 启用日期="30/06/2019"),
    ]

    with pytest.raises(ImportRejected) as caught:
        run(people["alice"], network["zju"], csv_bytes(rows))

    problems = {(r["row"], r["field"]) for r in caught.value.extra["rows"]}
    assert problems == {(1, "original_value"), (1, "status"), (3, "in_service_date")}


def test_reimport_updates_and_creates_no_duplicates(network: Any, people: Any) -> None:
    # Given an imported inventory
    run(people["alice"], network["zju"], csv_bytes([row(1), row(2), row(3)]))

    # When the same inventory comes back with one value changed and one instrument added
    content = csv_bytes([row(1), row(2, **{"原值（元）": "2800000"}), row(3), row(4)])
    result = run(people["alice"], network["zju"], content)

    # Then one instrument is updated, one created, the rest left alone, and there are no duplicates
    assert (result.created, result.updated, result.unchanged) == (1, 1, 2)
    assert Instrument.objects.filter(institution=network["zju"]).count() == 4
    assert Instrument.objects.get(inventory_no="ZJU-00002").original_value == Decimal("2800000.00")
    update = AuditEvent.objects.get(action="instrument.update")
    changed: Any = (update.before, update.after)
    assert (changed[0]["original_value"], changed[1]["original_value"]) == ("3200000.00", "2800000.00")
    assert "name" not in changed[1]  # only what changed is recorded


def test_reimport_leaves_columns_the_file_does_not_have_alone(network: Any, people: Any) -> None:
    make_instrument(network["zju"], "ZJU-00001", booking_url="https://zju.example.cn/book/1")
    header = ["所属单位内部编号", "仪器名称（中文）", "分类编码", "原值（元）"]

    result = run(
        people["alice"], network["zju"], csv_bytes([["ZJU-00001", "透射电镜", "0101", "8500000"]], header)
    )

    assert result.updated == 1
    instrument = Instrument.objects.get(inventory_no="ZJU-00001")
    assert (instrument.name, instrument.booking_url) == ("透射电镜", "https://zju.example.cn/book/1")


def test_it_reads_xlsx_with_a_title_line_and_spreadsheet_types(network: Any, people: Any) -> None:
    # Given a workbook as Excel keeps it: a title line, a numeric category, a float value, a date cell
    book = Workbook()
    sheet = book.active
    sheet.append(["浙江大学大型科研仪器信息表"])
    sheet.append(["资产编号", "仪器名称", "分类编码", "原值（万元）", "启用日期", "服务方式"])
    sheet.append(
        # A spreadsheet's date cell has no zone: openpyxl reads it as a naive datetime.
        [20190001, "场发射扫描电子显微镜", 101, 350.5, dt.datetime(2019, 6, 30), "占用共享;送样检测"]  # noqa: DTZ001
    )
    sheet.append([None, None, None, None, None, None])
    sheet.append(["ZJU-X-2", "核磁共振波谱仪", "0106", 600, "2020-09", "远程共享"])
    out = io.BytesIO()
    book.save(out)

    # When it is imported
    result = run(people["alice"], network["zju"], out.getvalue(), filename="inventory.xlsx")

    # Then the numbers and codes come out as the form meant them
    assert (result.created, result.encoding) == (2, "xlsx")
    sem = Instrument.objects.get(inventory_no="20190001")
    assert (sem.category_id, sem.original_value) == ("0101", Decimal("3505000.00"))
    assert sem.in_service_date == dt.date(2019, 6, 30)
    assert sem.modes == ["self", "sample"]
    assert Instrument.objects.get(inventory_no="ZJU-X-2").in_service_date == dt.date(2020, 9, 1)


def test_it_counts_rows_below_the_header_in_xlsx_including_blank_ones(network: Any, people: Any) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["资产编号", "仪器名称", "分类编码", "原值（元）"])
    sheet.append(["A-1", "电镜", "0101", 1000000])
    sheet.append([None, None, None, None])
    sheet.append(["A-3", "电镜", "0101", -5])
    out = io.BytesIO()
    book.save(out)

    with pytest.raises(ImportRejected) as caught:
        run(people["alice"], network["zju"], out.getvalue())

    assert [(r["row"], r["field"]) for r in caught.value.extra["rows"]] == [(3, "original_value")]


def test_it_reads_a_gb18030_csv_from_chinese_excel(network: Any, people: Any) -> None:
    content = csv_bytes(
        [row(1, **{"仪器名称（中文）": "X射线光电子能谱仪（XPS）"}, 安放地址="杭州市西湖区余杭塘路866号")],
        encoding="gb18030",
    )

    result = run(people["alice"], network["zju"], content)

    assert (result.created, result.encoding) == (1, "gb18030")
    instrument = Instrument.objects.get()
    assert instrument.name == "X射线光电子能谱仪（XPS）"
    assert instrument.location == "杭州市西湖区余杭塘路866号"


def test_it_accepts_the_api_field_names_as_headers(network: Any, people: Any) -> None:
    header = ["inventory_no", "name", "category", "original_value", "modes", "share_mode", "region"]
    content = csv_bytes(
        [["EN-1", "气相色谱仪", "0105", "450000", "self;sample", "internal", "330106"]], header
    )

    run(people["alice"], network["zju"], content)

    instrument = Instrument.objects.get()
    assert (instrument.modes, instrument.share_mode, instrument.region_id) == (
        ["self", "sample"],
        "internal",
        "330106",
    )


def test_it_refuses_duplicate_inventory_numbers_in_one_file(network: Any, people: Any) -> None:
    with pytest.raises(ImportRejected) as caught:
        run(people["alice"], network["zju"], csv_bytes([row(1), row(2), row(1)]))

    [problem] = caught.value.extra["rows"]
    assert (problem["row"], problem["field"]) == (3, "inventory_no")
    assert "第 1 行" in problem["message"]
    assert not Instrument.objects.exists()


def test_it_names_missing_required_columns_as_row_zero(network: Any, people: Any) -> None:
    header = ["所属单位内部编号", "仪器名称（中文）", "原值（元）"]

    with pytest.raises(ImportRejected) as caught:
        run(people["alice"], network["zju"], csv_bytes([["A", "电镜", "100"]], header))

    assert [(r["row"], r["field"]) for r in caught.value.extra["rows"]] == [(0, "category")]


def test_it_lists_the_columns_it_ignored(network: Any, people: Any) -> None:
    header = [*HEADER, "备注"]

    result = run(people["alice"], network["zju"], csv_bytes([[*row(1), "旧设备"]], header))

    assert result.ignored_columns == ["备注"]


def test_a_dry_run_counts_and_writes_nothing(network: Any, people: Any) -> None:
    make_instrument(network["zju"], "ZJU-00001")

    result = run(people["alice"], network["zju"], csv_bytes([row(1), row(2)]), dry_run=True)

    assert (result.dry_run, result.created, result.updated) == (True, 1, 1)
    assert Instrument.objects.count() == 1
    assert Instrument.objects.get().name == "场发射透射电子显微镜"
    assert not AuditEvent.objects.exists()


def test_a_dry_run_still_rejects_bad_rows(network: Any, people: Any) -> None:
    with pytest.raises(ImportRejected):
        run(people["alice"], network["zju"], csv_bytes([row(1, 分类编码="")]), dry_run=True)


def test_it_refuses_a_manager_of_another_institution(network: Any, people: Any) -> None:
    with pytest.raises(Forbidden):
        run(people["bob"], network["zju"], csv_bytes([row(1)]))

    assert not Instrument.objects.exists()


def test_a_platform_admin_above_the_institution_imports_only_when_delegated(
    network: Any, people: Any
) -> None:
    with pytest.raises(Forbidden):
        run(people["carol"], network["zju"], csv_bytes([row(1)]))

    Delegation.objects.create(
        institution=network["zju"],
        platform=network["yrd"],
        powers=["instruments"],
        created=timezone.now(),
        created_by=people["amy"],
    )
    people["carol"].__dict__.pop("_dayi_actor", None)  # the actor is cached per request: a new request
    result = run(people["carol"], network["zju"], csv_bytes([row(1)]))

    assert result.created == 1


def test_it_refuses_a_file_that_is_not_csv_or_xlsx(network: Any, people: Any) -> None:
    with pytest.raises(UnsupportedImportFormat):
        run(people["alice"], network["zju"], b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", filename="a.xls")


def test_it_imports_the_uniquip_feed_with_defaults_and_reports_what_it_lacks(
    network: Any, people: Any
) -> None:
    # Given the St Andrews uniquip feed (623 rows, no category, value, model or maker)
    content = UNIQUIP.read_bytes()
    defaults = Defaults(category="12", original_value="500000")

    # When it is imported with a default category and value
    result = run(people["alice"], network["zju"], content, fmt="uniquip", defaults=defaults)

    # Then every row is an instrument, and the report says what the feed lacked and what was defaulted
    assert (result.created, result.encoding) == (623, "cp1252")
    assert result.report["defaults_used"] == {"category": 623, "original_value": 623}
    assert result.report["missing"]["model"] == 623
    assert result.report["missing"]["category"] == 623
    assert result.report["generated_inventory_numbers"] == 623
    hitachi = Instrument.objects.filter(name="Hitachi S4800 SEM").order_by("inventory_no")
    assert hitachi.count() == 5  # five units, five distinct generated numbers
    sem = hitachi[0]
    assert (sem.unit, sem.location, sem.booking_url) == (
        "Physics & Astronomy",
        "St Andrews",
        "https://www.st-andrews.ac.uk/physics/",
    )
    assert sem.contact == "441334 463111 physics@st-andrews.ac.uk"
    assert sem.original_value == Decimal("500000.00") and sem.category_id == "12"
    gsd = (
        Instrument.objects.filter(unit__contains="GSD").first()
        or Instrument.objects.filter(contact__contains="gsd@").first()
    )
    assert gsd is not None and gsd.contact.endswith("gsd@st-andrews.ac.uk")  # the stray byte is gone


def test_reimporting_the_uniquip_feed_changes_nothing(network: Any, people: Any) -> None:
    defaults = Defaults(category="12", original_value="500000")
    run(people["alice"], network["zju"], UNIQUIP.read_bytes(), fmt="uniquip", defaults=defaults)

    result = run(people["alice"], network["zju"], UNIQUIP.read_bytes(), fmt="uniquip", defaults=defaults)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 623)
    assert Instrument.objects.count() == 623


def test_uniquip_needs_a_default_category_and_value(network: Any, people: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        run(
            people["alice"],
            network["zju"],
            UNIQUIP.read_bytes(),
            fmt="uniquip",
            defaults=Defaults(category="77"),
        )

    assert set(caught.value.fields) == {"default_value"}
    with pytest.raises(ValidationFailed) as caught:
        run(
            people["alice"],
            network["zju"],
            UNIQUIP.read_bytes(),
            fmt="uniquip",
            defaults=Defaults(category="77", original_value="1"),
        )
    assert set(caught.value.fields) == {"default_category"}
    assert not Instrument.objects.exists()


def test_a_uniquip_file_without_the_format_gets_a_hint(network: Any, people: Any) -> None:
    utf8_feed = UNIQUIP.read_bytes().replace(b"\xca", b"")

    with pytest.raises(ImportRejected) as caught:
        run(people["alice"], network["zju"], utf8_feed)

    assert "format=uniquip" in caught.value.extra["rows"][0]["message"]


def test_the_command_imports_with_a_progress_bar(network: Any, people: Any, tmp_path: Path) -> None:
    path = tmp_path / "inventory.csv"
    path.write_bytes(csv_bytes([row(n) for n in range(1, 6)]))
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "import_instruments",
        str(path),
        institution=network["zju"].pk,
        username="alice",
        stdout=out,
        stderr=err,
    )

    assert "created 5" in out.getvalue()
    assert "100%" in err.getvalue()
    assert AuditEvent.objects.get(action="instrument.import").actor == people["alice"]


def test_the_command_dry_run_writes_nothing(network: Any, people: Any, tmp_path: Path) -> None:
    path = tmp_path / "inventory.csv"
    path.write_bytes(csv_bytes([row(1)]))

    call_command(
        "import_instruments",
        str(path),
        institution=network["zju"].pk,
        dry_run=True,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )

    assert not Instrument.objects.exists()


def test_the_command_names_bad_rows(network: Any, people: Any, tmp_path: Path) -> None:
    path = tmp_path / "inventory.csv"
    path.write_bytes(csv_bytes([row(1), row(2, 分类编码="9999")]))

    with pytest.raises(CommandError, match=r"row 2 category \(分类编码\)"):
        call_command(
            "import_instruments",
            str(path),
            institution=network["zju"].pk,
            username="alice",
            stderr=io.StringIO(),
        )


def test_the_word_cache_gives_what_instrument_words_gives(network: Any) -> None:
    # Given instruments whose texts repeat, mix scripts and carry joiners at a field's edge
    instruments = [
        make_instrument(network["zju"], "W-1"),
        make_instrument(
            network["zju"], "W-2", name="液相色谱-质谱联用仪", model="Xevo TQ-XS", category_id="0102"
        ),
        make_instrument(
            network["zju"], "W-3", name="液相色谱", manufacturer="-质谱联用 Waters", specs="分辨率 0.1 nm"
        ),
        make_instrument(
            network["zju"], "W-4", name="ＴＥＭ 透射电镜", specs="加速电压 200 kV；显微CT", functions="/成像"
        ),
    ] * 2
    cache = WordCache()
    cache.checked = VERIFIED_ROWS  # past the self-check: the cached path itself answers

    # Then every instrument gets exactly the words the search domain would give it
    for instrument in instruments:
        assert cache(instrument) == instrument_words(instrument)
    assert cache.trusted


def test_a_retired_instrument_in_the_file_is_updated_and_stays_retired(network: Any, people: Any) -> None:
    make_instrument(network["zju"], "ZJU-00001", retired=NOW)

    result = run(people["alice"], network["zju"], csv_bytes([row(1)]))

    assert (result.created, result.updated) == (0, 1)
    instrument = Instrument.objects.get()
    assert instrument.retired == NOW and instrument.name == "液相色谱-质谱联用仪1"
