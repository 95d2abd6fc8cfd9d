"""Import a whole inventory from CSV or XLSX in the national record layout (or the UK uniquip feed).

All rows or none: every row is cleaned by ``records.clean_instrument`` (the one cleaning function), every bad
row is named as ``{"row", "field", "column", "message"}``, and if there is any, nothing is written. Rows are
*data rows counted from 1*: the header row is not counted (``row`` 0 means the header itself), so data row n
sits on spreadsheet line n + 1 when the header is the first line.

Instruments are matched on (institution, inventory number): a known number updates the instrument, a new one
creates it, a row that changes nothing is left alone. Only the columns the file has are written, so an
inventory without a booking-link column keeps the links set in Dayi. A retired instrument whose number is in
the file is updated and stays retired (restoring it is a decision, not a side effect of an import).

The write is one transaction: a per-institution advisory lock, row locks on the instruments it updates,
COPY for the rows, one audit row per created or updated instrument and one for the import.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import JSONField
from django.utils.translation import gettext

from dayi.accounts.access import Actor, check_operates, require_signed_in
from dayi.booking.policy import starting_policy
from dayi.core import audit
from dayi.core.errors import ValidationFailed
from dayi.core.spreadsheet import unquote
from dayi.directory.errors import (
    DuplicateInventoryNo,
    ImportFileTooLarge,
    ImportRejected,
    UnsupportedImportFormat,
)
from dayi.directory.models import Instrument
from dayi.directory.records import Lookups, clean_instrument
from dayi.network.models import Institution
from dayi.search.segment import INDEXED_FIELDS, instrument_words

MAX_BYTES = int(getattr(settings, "DAYI_IMPORT_MAX_BYTES", 20 * 1024 * 1024))
MAX_ROWS = 200_000
MAX_REPORTED_ERRORS = 1000  # a file of 30,000 bad rows should not answer with 30,000 objects
FORMATS = ("csv", "xlsx", "uniquip")
HEADER_SEARCH_ROWS = 10  # national templates often carry a title line or two above the header
# Transaction-level advisory lock namespace: imports into one institution run one after another.
IMPORT_LOCK_NAMESPACE = 0x1D1

Progress = Callable[[str, int, int], None]  # (stage, done, total)


# --- the layout --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of the national record layout: the API field, the form's Chinese header, other names."""

    field: str
    header: str
    aliases: tuple[str, ...] = ()
    scale: int = 1  # 10000 for amounts given in 万元


# In export order. The first header is what the national form calls the column and what the export writes.
COLUMNS: tuple[Column, ...] = (
    Column(
        "inventory_no",
        "所属单位内部编号",
        ("资产编号", "仪器编号", "内部编号", "单位内部编号", "仪器设备编号"),
    ),
    Column("name", "仪器名称（中文）", ("仪器名称", "中文名称", "仪器中文名称", "设备名称")),
    Column("name_en", "英文名称", ("仪器名称（英文）", "仪器英文名称")),
    Column("category", "分类编码", ("分类代码", "仪器分类编码", "仪器分类代码", "分类号")),
    Column("category_name", "分类名称", ("仪器分类",)),
    Column("original_value", "原值（元）", ("原值", "仪器原值（元）", "原值(人民币元)", "金额（元）")),
    Column("status", "运行状态", ("仪器状态",)),
    Column("share_mode", "共享模式", ("共享方式", "共享类型")),
    Column("modes", "服务方式", ("共享服务方式", "服务模式")),
    Column("model", "规格型号", ("型号", "型号规格", "仪器型号")),
    Column("manufacturer", "生产制造商", ("制造商", "生产厂家", "生产厂商", "厂家")),
    Column("country", "产地国别", ("国别", "产地", "生产国别")),
    Column("source", "仪器来源", ("来源",)),
    Column("purpose", "通用或专用", ("用途类别", "仪器用途类别", "通用/专用")),
    Column("in_service_date", "启用日期", ("投入使用日期", "投用日期", "启用时间")),
    Column("specs", "主要技术指标", ("技术指标",)),
    Column("functions", "主要功能", ("主要功能及特色", "功能")),
    Column("disciplines", "主要学科领域", ("学科领域", "服务学科领域")),
    Column("services", "服务内容", ("对外服务内容",)),
    Column("results", "典型成果", ("服务典型成果", "主要成果")),
    Column("opening_rules", "开放制度", ("开放共享制度", "共享制度")),
    Column("fees_note", "参考收费标准", ("收费标准", "收费标准（元）")),
    Column("booking_url", "预约链接", ("预约网址", "预约地址", "在线预约链接")),
    Column("location", "安放地址", ("放置地点", "存放地点", "安放地点", "详细地址")),
    Column("region", "所在地区代码", ("所在地区", "行政区划代码", "地区代码")),
    Column("contact", "联系方式", ("联系人/联系方式", "联系人及联系方式", "联系人及电话")),
    Column("unit", "所属资源载体", ("所属单元", "所属仪器中心", "所属中心", "所属平台")),
    Column("timezone", "时区"),
    Column("institution_name", "所属单位", ("单位名称", "管理单位", "依托单位")),
    Column("id", "仪器ID"),
)
IMPORT_ONLY: tuple[Column, ...] = (
    Column("original_value", "原值（万元）", ("原值(万)", "金额（万元）", "仪器原值（万元）"), scale=10000),
    # A contact given as separate columns is joined in this order into the one ``contact`` field.
    Column("contact_name", "联系人", ("联系人姓名",)),
    Column("contact_phone", "联系电话", ("电话", "手机")),
    Column("contact_email", "电子邮箱", ("邮箱", "email", "e-mail", "电子邮件")),
)
CONTACT_PARTS = ("contact", "contact_name", "contact_phone", "contact_email")
# Written by the export for readers; the import knows them and skips them.
EXPORT_ONLY = ("category_name", "institution_name", "id")
REQUIRED_COLUMNS = ("inventory_no", "name", "category", "original_value")


def normalise_header(text: Any) -> str:
    """Headers compare without spaces, required-field stars and full-width brackets, case-insensitively."""
    value = str(text or "").replace("（", "(").replace("）", ")").replace("＊", "*")
    return "".join(value.split()).strip("*:：").lower()


def _header_index() -> dict[str, Column]:
    index: dict[str, Column] = {}
    for column in COLUMNS + IMPORT_ONLY:
        for name in (column.header, column.field, *column.aliases):
            index.setdefault(normalise_header(name), column)
    return index


HEADERS = _header_index()


# --- reading files -----------------------------------------------------------------------------------------


@dataclass
class Table:
    """Every row of a CSV file or of the first worksheet, header included, and how it was read."""

    rows: list[list[Any]]
    encoding: str  # "utf-8", "utf-8-sig", "utf-16", "gb18030", "cp1252" or "xlsx"


def file_kind(content: bytes, filename: str = "") -> str:
    """ "csv" or "xlsx", from the bytes first and the name second."""
    name = filename.lower()
    if content.startswith(b"PK\x03\x04"):
        return "xlsx"
    if content.startswith(b"\xd0\xcf\x11\xe0") or name.endswith(".xls"):
        raise UnsupportedImportFormat(gettext("不支持旧版 Excel (.xls) 文件，请另存为 .xlsx 或 CSV"))
    if name.endswith((".xlsx", ".xlsm")):
        raise UnsupportedImportFormat(gettext("文件不是有效的 XLSX"))
    head = content[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnsupportedImportFormat(gettext("只接受 CSV 或 XLSX 文件"))
    return "csv"


def decode_text(content: bytes, fallback: str = "gb18030") -> tuple[str, str]:
    """The text and its encoding: UTF-8 (with or without BOM), UTF-16 with BOM, else ``fallback``.

    Chinese Excel saves "CSV" in GB18030 (a superset of GBK and GB2312), so that is the national fallback.
    """
    if content.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif content.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", fallback]
    for encoding in candidates:
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UnsupportedImportFormat(
        gettext("无法识别文件编码，请保存为 UTF-8") % {"value": f"{' or '.join(candidates)}"}
    )


def read_csv(content: bytes, fallback: str = "gb18030") -> Table:
    text, encoding = decode_text(content, fallback)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        rows = list(_limited(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)))
    except csv.Error as exc:
        raise ImportRejected(gettext("CSV 格式错误：%(error)s") % {"error": exc}, rows=[]) from None
    return Table(rows=rows, encoding=encoding)


# A workbook is a zip: a few MB can unpack to gigabytes (a zip bomb) that openpyxl would inflate while it
# parses. Before openpyxl sees it, the parts' declared sizes must stay within these; Python's zip reader
# then stops at the declared size of each part, so a part cannot lie about it either.
XLSX_MAX_UNPACKED_BYTES = 10 * MAX_BYTES
# Spreadsheet XML compresses about 5 to 20 times; a part packed tighter than this is not a real sheet.
XLSX_MAX_RATIO = 200
XLSX_RATIO_FROM_BYTES = 1024 * 1024  # small parts (styles, a few cells) may compress as they like


def check_zip_sizes(content: bytes) -> None:
    """Refuse (413) a workbook whose parts would unpack too large, before anything unpacks them."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnsupportedImportFormat(gettext("无法读取 XLSX 文件：%(error)s") % {"error": exc}) from None
    unpacked = sum(p.file_size for p in parts)
    packed_tight = [
        p.filename
        for p in parts
        if p.file_size > XLSX_RATIO_FROM_BYTES and p.file_size > XLSX_MAX_RATIO * max(p.compress_size, 1)
    ]
    if unpacked > XLSX_MAX_UNPACKED_BYTES or packed_tight:
        mb = XLSX_MAX_UNPACKED_BYTES // (1024 * 1024)
        raise ImportFileTooLarge(
            gettext("XLSX 文件解压后过大或压缩比异常（上限 %(mb)s MB），请拆分或另存为 CSV") % {"mb": mb}
        )


def read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    check_zip_sizes(content)
    try:
        # read_only streams the sheet instead of building every cell object; data_only reads cached values.
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnsupportedImportFormat(gettext("无法读取 XLSX 文件：%(error)s") % {"error": exc}) from None
    try:
        sheet = book.worksheets[0]
        rows = [list(r) for r in _limited(sheet.iter_rows(values_only=True))]
    finally:
        book.close()
    return Table(rows=rows, encoding="xlsx")


def _limited(rows: Iterable[Any]) -> Iterator[Any]:
    for n, row in enumerate(rows):
        if n > MAX_ROWS + HEADER_SEARCH_ROWS:
            raise ImportRejected(
                gettext("文件超过 %(MAX_ROWS)s 行，请拆分")
                % {"MAX_ROWS": MAX_ROWS, "MAX_ROWS2": f"{MAX_ROWS:,}"},
                rows=[],
            )
        yield row


def read_table(content: bytes, *, filename: str = "", fallback: str = "gb18030") -> Table:
    if file_kind(content, filename) == "xlsx":
        return read_xlsx(content)
    return read_csv(content, fallback)


# --- from table rows to raw records ------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    field: str
    message: str
    column: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "column": self.column, "message": self.message}


@dataclass
class RawRow:
    number: int  # data row, counted from 1
    values: dict[str, Any]  # API field name → the cell's value
    problems: list[RowError] = field(default_factory=list)  # found before cleaning


@dataclass
class Parsed:
    """The data rows of a file, as API field names, and what the file said about itself."""

    rows: list[RawRow]
    columns: dict[str, str]  # API field → the header it came from
    ignored_columns: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # about the header (row 0)
    report: dict[str, Any] = field(default_factory=dict)  # format-specific findings (uniquip)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def find_header(rows: list[list[Any]], known: Callable[[Any], bool], *, at_least: int = 2) -> int | None:
    """The index of the first row among the first few with ``at_least`` recognised headers."""
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if sum(1 for cell in row if not is_blank(cell) and known(cell)) >= at_least:
            return i
    return None


def data_rows(rows: list[list[Any]], header_at: int) -> Iterator[tuple[int, list[Any]]]:
    """(data row number from 1, cells) of each non-blank row below the header; blank rows are counted too."""
    for number, row in enumerate(rows[header_at + 1 :], start=1):
        if any(not is_blank(cell) for cell in row):
            yield number, row


def cell(row: list[Any], index: int) -> Any:
    value = row[index] if index < len(row) else None
    return unquote(value)  # undo the export's guard against spreadsheet formulas


def national_rows(table: Table) -> Parsed:
    header_at = find_header(table.rows, lambda h: normalise_header(h) in HEADERS)
    if header_at is None:
        message = gettext("未找到表头：请使用国家仪器信息表的中文列名或 API 字段名")
        return Parsed(rows=[], columns={}, errors=[RowError(0, "", message)])
    columns, ignored, errors = _map_header(table.rows[header_at])
    if errors:
        return Parsed(rows=[], columns={}, ignored_columns=ignored, errors=errors)
    rows = [_national_row(number, row, columns) for number, row in data_rows(table.rows, header_at)]
    named = {column.field: label for label, (_, column) in columns.items()}
    return Parsed(rows=rows, columns=named, ignored_columns=ignored)


def _map_header(header: list[Any]) -> tuple[dict[str, tuple[int, Column]], list[str], list[RowError]]:
    """{header text: (index, column)} for recognised columns, the ignored headers, and header errors."""
    columns: dict[str, tuple[int, Column]] = {}
    ignored: list[str] = []
    errors: list[RowError] = []
    taken: dict[str, str] = {}
    for index, text in enumerate(header):
        if is_blank(text):
            continue
        label = str(text).strip()
        column = HEADERS.get(normalise_header(text))
        if column is None:
            ignored.append(label)
            continue
        if column.field in EXPORT_ONLY:
            continue
        if column.field in taken:
            message = gettext("列“%(taken)s”与“%(label)s”重复") % {
                "taken": taken[column.field],
                "label": label,
                "field": column.field,
            }
            errors.append(RowError(0, column.field, message, label))
            continue
        taken[column.field] = label
        columns[label] = (index, column)
    for name in REQUIRED_COLUMNS:
        if name not in taken:
            header_text = next(c.header for c in COLUMNS if c.field == name)
            errors.append(
                RowError(
                    0,
                    name,
                    gettext("缺少必填列“%(header_text)s”") % {"header_text": header_text, "name": name},
                    header_text,
                )
            )
    return columns, ignored, errors


def _national_row(number: int, row: list[Any], columns: dict[str, tuple[int, Column]]) -> RawRow:
    values: dict[str, Any] = {}
    problems: list[RowError] = []
    for label, (index, column) in columns.items():
        value = cell(row, index)
        if column.field == "original_value":
            value, problem = amount_in_yuan(value, column.scale)
            if problem:
                problems.append(RowError(number, "original_value", problem, label))
        elif column.field == "category":
            value = category_code(value)
        values[column.field] = value
    if any(part in values for part in CONTACT_PARTS):
        parts = [values.pop(p, None) for p in CONTACT_PARTS]
        values["contact"] = " ".join(str(p).strip() for p in parts if not is_blank(p))
    return RawRow(number, values, problems)


def amount_in_yuan(value: Any, scale: int = 1) -> tuple[Any, str | None]:
    """An amount as yuan: "350万" anywhere, and 350 in a 万元 column, both mean 3,500,000 yuan.

    What is not a number is passed on for ``clean_instrument`` to judge, except in a 万元 column, whose
    message must say 万元.
    """
    if is_blank(value) or isinstance(value, bool | dt.date):
        return value, None
    text = str(value).strip()  # str(float) is the shortest repr: 1234.56 stays "1234.56"
    for mark in (",", "，", "¥", "￥"):
        text = text.replace(mark, "")
    for suffix, factor in (("万元", 10000), ("万", 10000), ("元", 1)):
        if text.endswith(suffix):
            text, scale = text[: -len(suffix)].strip(), factor
            break
    try:
        amount = Decimal(text)
    except InvalidOperation:
        if scale == 1:
            return value, None
        return value, gettext("应为金额（万元），而不是 %(got)s") % {"got": repr(value)}
    return amount * scale, None


def category_code(value: Any) -> Any:
    """Spreadsheets store "0101" as the number 101; give the code its leading zero back."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = str(int(value))
        return text.zfill(len(text) + len(text) % 2)
    return value


# --- cleaning ----------------------------------------------------------------------------------------------


@dataclass
class Record:
    number: int
    values: dict[str, Any]  # model values from clean_instrument


def clean_rows(
    parsed: Parsed, lookups: Lookups, progress: Progress | None = None
) -> tuple[list[Record], list[RowError]]:
    records: list[Record] = []
    errors: list[RowError] = list(parsed.errors)
    first_seen: dict[str, int] = {}
    total = len(parsed.rows)
    for n, raw in enumerate(parsed.rows, start=1):
        clean, problems = clean_instrument(raw.values, lookups)
        pre = {p.field for p in raw.problems}
        errors.extend(raw.problems)
        for key, messages in problems.items():
            if key not in pre:
                errors.extend(RowError(raw.number, key, m, parsed.columns.get(key, "")) for m in messages)
        if not problems and not raw.problems:
            inventory_no = clean["inventory_no"]
            if inventory_no in first_seen:
                message = gettext("资产编号 %(inventory_no)s 与第 %(first_seen)s 行重复") % {
                    "inventory_no": inventory_no,
                    "first_seen": first_seen[inventory_no],
                }
                errors.append(RowError(raw.number, "inventory_no", message, parsed.columns["inventory_no"]))
            else:
                first_seen[inventory_no] = raw.number
                records.append(Record(raw.number, clean))
        if progress and (n % 1000 == 0 or n == total):
            progress("check", n, total)
    return records, errors


def reject(errors: list[RowError], row_count: int) -> ImportRejected:
    bad_rows = len({e.row for e in errors})
    shown = errors[:MAX_REPORTED_ERRORS]
    more = gettext("; 仅列出前 %(shown)s 条") % {"shown": len(shown)} if len(errors) > len(shown) else ""
    message = (
        f"{bad_rows} 行有误，未导入任何数据；row 为数据行号，从 1 起，表头不计，0 表示表头"
        f" ({bad_rows} of {row_count} rows have errors, nothing was imported; `row` counts data rows from 1,"
        f" the header not counted, 0 is the header){more}"
    )
    return ImportRejected(message, rows=[e.as_dict() for e in shown], error_count=len(errors))


# --- planning and writing ----------------------------------------------------------------------------------


@dataclass
class Plan:
    creates: list[Instrument] = field(default_factory=list)
    updates: list[tuple[Instrument, dict[str, Any]]] = field(default_factory=list)  # (instrument, before)
    changed_fields: set[str] = field(default_factory=set)
    unchanged: int = 0


FOREIGN_KEYS = ("category", "region")


def plan(
    institution: Institution, records: list[Record], lookups: Lookups, *, now: dt.datetime, lock: bool
) -> Plan:
    """What the import will do: new instruments to create, existing ones with their changed fields set."""
    existing = _existing(institution, [r.values["inventory_no"] for r in records], lock=lock)
    result = Plan()
    for record in records:
        instrument = existing.get(record.values["inventory_no"])
        if instrument is None:
            values = {"region": institution.region, **record.values}
            if not values.get("booking_policy"):  # the institution's default, not "open round the clock"
                values["booking_policy"] = starting_policy(institution.default_booking_policy)
            # created/updated set here: COPY bypasses the fields' auto_now.
            result.creates.append(Instrument(institution=institution, created=now, updated=now, **values))
            continue
        changed = _changed(instrument, record.values)
        if not changed:
            result.unchanged += 1
            continue
        before = audit.snapshot(instrument, exclude=("search_words",))
        for key, value in changed.items():
            setattr(instrument, key, value)
        instrument.updated = now
        result.updates.append((instrument, before))
        result.changed_fields.update(changed)
    return result


def _existing(institution: Institution, inventory_nos: list[str], *, lock: bool) -> dict[str, Instrument]:
    found: dict[str, Instrument] = {}
    for start in range(0, len(inventory_nos), 5000):  # keeps each IN list well under the bind-parameter cap
        qs = Instrument.objects.filter(
            institution=institution, inventory_no__in=inventory_nos[start : start + 5000]
        )
        if lock:
            # Row locks so that a PATCH of one of these instruments waits instead of being overwritten.
            qs = qs.select_for_update()
        found.update((i.inventory_no, i) for i in qs)
    return found


def _changed(instrument: Instrument, values: dict[str, Any]) -> dict[str, Any]:
    changed = {}
    for key, value in values.items():
        if key in FOREIGN_KEYS:
            if getattr(instrument, f"{key}_id") != value.pk:
                changed[key] = value
        elif getattr(instrument, key) != value:
            changed[key] = value
    return changed


# Characters that join two Chinese words across a space ("液相色谱 - 质谱"): see dayi.search.segment.
JOINERS = set("-‐‑‒–—―~·・/／－～﹣")
VERIFIED_ROWS = 20


class WordCache:
    """``instrument_words``, with each distinct field text segmented once.

    An instrument's words are those of its fields' texts joined by spaces, and jieba never cuts across a
    space, so they equal the words of each field in turn without repeats. An inventory repeats names,
    models, makers, functions and classes over thousands of rows; this pays for each text once. A field
    that starts or ends with a joiner could join its neighbour, so such an instrument is segmented whole;
    and the first rows are checked against ``instrument_words`` itself, falling back to it for the whole
    import should the search domain ever compose an instrument's words differently.
    """

    def __init__(self) -> None:
        self.texts: dict[str, list[str]] = {}
        self.categories: dict[str, list[str]] = {}
        self.checked = 0
        self.trusted = True

    def __call__(self, instrument: Instrument) -> str:
        parts = [str(getattr(instrument, f, "") or "") for f in INDEXED_FIELDS]
        if not self.trusted or any(_may_join(p) for p in parts):
            return instrument_words(instrument)
        found: list[str] = []
        for text in parts:
            found += self._words(text)
        found += self._category_words(instrument.category_id)
        result = " ".join(dict.fromkeys(found))
        if self.checked < VERIFIED_ROWS:
            self.checked += 1
            whole = instrument_words(instrument)
            self.trusted = self.trusted and result == whole
            return whole
        return result

    def _words(self, text: str) -> list[str]:
        if text not in self.texts:
            self.texts[text] = instrument_words(SimpleNamespace(name=text)).split()
        return self.texts[text]

    def _category_words(self, code: str) -> list[str]:
        if code not in self.categories:
            self.categories[code] = instrument_words(SimpleNamespace(category_id=code)).split()
        return self.categories[code]


def _may_join(text: str) -> bool:
    text = text.strip()
    return bool(text) and (text[0] in JOINERS or text[-1] in JOINERS)


SEGMENTED = {*INDEXED_FIELDS, "category"}


def segment(result: Plan, progress: Progress | None = None) -> None:
    words = WordCache()
    resegment = [i for i, _ in result.updates] if result.changed_fields & SEGMENTED else []
    todo = result.creates + resegment
    for n, instrument in enumerate(todo, start=1):
        instrument.search_words = words(instrument)
        if progress and (n % 1000 == 0 or n == len(todo)):
            progress("segment", n, len(todo))
    if resegment:
        result.changed_fields.add("search_words")


def write(result: Plan, progress: Progress | None = None) -> None:
    """Insert and update with COPY: the ORM's bulk statements spend most of a 30,000-row import escaping
    parameters in Python (psycopg's client-side binding), COPY streams the rows in its own format."""
    if result.creates:
        _copy_in(result.creates, _columns(), Instrument._meta.db_table)
        ids = dict(
            Instrument.objects.filter(institution=result.creates[0].institution_id).values_list(
                "inventory_no", "pk"
            )
        )
        for instrument in result.creates:
            instrument.pk = ids[instrument.inventory_no]
            instrument._state.adding = False
    if progress:
        progress("write", len(result.creates), len(result.creates) + len(result.updates))
    if result.updates:
        _copy_update([i for i, _ in result.updates], result.changed_fields | {"updated"})
    if progress:
        total = len(result.creates) + len(result.updates)
        progress("write", total, total)


def _columns(names: set[str] | None = None) -> list[Any]:
    """The model's columns: all but the id, or the id and ``names``."""
    fields = Instrument._meta.concrete_fields
    if names is None:
        return [f for f in fields if not f.primary_key]
    return [f for f in fields if f.primary_key or f.name in names]


def _copy_in(instruments: list[Instrument], fields: list[Any], table: str) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor, cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
        for instrument in instruments:
            copy.write_row([_db_value(f, instrument) for f in fields])


def _db_value(f: Any, instrument: Instrument) -> Any:
    value = getattr(instrument, f.attname)
    if isinstance(f, JSONField):
        return json.dumps(value, ensure_ascii=False)
    return value


def _copy_update(instruments: list[Instrument], names: set[str]) -> None:
    """COPY the changed columns into a temporary table, then one UPDATE … FROM it."""
    fields = _columns(names)
    quote = connection.ops.quote_name
    table = quote(Instrument._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    assignments = ", ".join(f"{quote(f.column)} = u.{quote(f.column)}" for f in fields if not f.primary_key)
    # Identifiers only, all from the model's own fields: no user text reaches these statements.
    create = f"CREATE TEMPORARY TABLE dayi_import_update ON COMMIT DROP AS SELECT {columns} FROM {table}"  # noqa: S608
    update = f"UPDATE {table} AS i SET {assignments} FROM dayi_import_update AS u WHERE i.id = u.id"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS dayi_import_update")
        cursor.execute(create + " WITH NO DATA")
    _copy_in(instruments, fields, "dayi_import_update")
    with connection.cursor() as cursor:
        cursor.execute(update)


def audit_events(
    actor: Actor, institution: Institution, result: Plan, summary: dict[str, Any], *, now: dt.datetime
) -> list[Any]:
    reason = f"import {summary['file']}".strip()
    events = [
        audit.event(
            "instrument.create",
            i,
            actor=actor.user,
            after=audit.snapshot(i, exclude=("search_words",)),
            institution_id=institution.pk,
            reason=reason,
            now=now,
        )
        for i in result.creates
    ]
    for instrument, before in result.updates:
        b, a = audit.changes(before, audit.snapshot(instrument, exclude=("search_words",)))
        events.append(
            audit.event(
                "instrument.update",
                instrument,
                actor=actor.user,
                before=b,
                after=a,
                institution_id=institution.pk,
                reason=reason,
                now=now,
            )
        )
    events.append(
        audit.event(
            "instrument.import",
            institution,
            actor=actor.user,
            after=summary,
            institution_id=institution.pk,
            now=now,
        )
    )
    return events


# --- the service -------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int
    rows: int
    dry_run: bool
    format: str
    encoding: str
    ignored_columns: list[str]
    report: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Defaults:
    """Values for required fields a feed does not carry (uniquip has no category and no value)."""

    category: str | None = None
    original_value: str | None = None


def import_instruments(
    actor: Actor,
    institution_id: int,
    content: bytes,
    *,
    now: dt.datetime,
    filename: str = "",
    fmt: str | None = None,
    dry_run: bool = False,
    defaults: Defaults | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Create and update ``institution_id``'s instruments from a file: every row or, on any bad row, none."""
    institution = _managed_institution(actor, institution_id)
    fmt = _check_request(content, fmt)
    lookups = Lookups.load()
    parsed, encoding = _parse(content, filename=filename, fmt=fmt, defaults=defaults, lookups=lookups)
    if progress:
        progress("read", len(parsed.rows), len(parsed.rows))
    records, errors = clean_rows(parsed, lookups, progress)
    if errors:
        raise reject(errors, len(parsed.rows))
    result = ImportResult(
        created=0,
        updated=0,
        unchanged=0,
        rows=len(records),
        dry_run=dry_run,
        format=fmt or file_kind(content, filename),
        encoding=encoding,
        ignored_columns=parsed.ignored_columns,
        report=parsed.report,
    )
    if dry_run:
        planned = plan(institution, records, lookups, now=now, lock=False)
    else:
        planned = _apply(actor, institution, records, lookups, result, filename, now=now, progress=progress)
    result.created, result.updated = len(planned.creates), len(planned.updates)
    result.unchanged = planned.unchanged
    return result


def _managed_institution(actor: Actor, institution_id: int) -> Institution:
    require_signed_in(actor.user)
    institution = Institution.objects.select_related("region").filter(pk=institution_id).first()
    if institution is None:
        raise ValidationFailed(fields={"institution": [gettext("单位不存在")]})
    check_operates(actor, institution.pk, "instruments")
    return institution


def _check_request(content: bytes, fmt: str | None) -> str | None:
    if len(content) > MAX_BYTES:
        raise ImportFileTooLarge(
            gettext("文件超过 %(mb)s MB，请拆分后导入") % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    fmt = (fmt or "").strip().lower() or None
    if fmt is not None and fmt not in FORMATS:
        raise ValidationFailed(
            fields={"format": [gettext("应为 %(choices)s 之一") % {"choices": ", ".join(FORMATS)}]}
        )
    if not content.strip():
        raise ValidationFailed(fields={"file": [gettext("文件为空")]})
    return fmt


def _parse(
    content: bytes, *, filename: str, fmt: str | None, defaults: Defaults | None, lookups: Lookups
) -> tuple[Parsed, str]:
    from dayi.directory import uniquip

    if fmt == "uniquip":
        table = read_table(content, filename=filename, fallback=uniquip.FALLBACK_ENCODING)
        return uniquip.uniquip_rows(table, defaults or Defaults(), lookups), table.encoding
    if fmt is not None and fmt != file_kind(content, filename):
        raise UnsupportedImportFormat(gettext("文件内容不是 %(value)s") % {"value": fmt.upper()})
    table = read_table(content, filename=filename)
    parsed = national_rows(table)
    if parsed.errors and uniquip.looks_like_uniquip(table):
        parsed.errors[0].message += gettext("；这像是 uniquip 文件，请加 format=uniquip")
    return parsed, table.encoding


def _apply(
    actor: Actor,
    institution: Institution,
    records: list[Record],
    lookups: Lookups,
    result: ImportResult,
    filename: str,
    *,
    now: dt.datetime,
    progress: Progress | None,
) -> Plan:
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Two imports into one institution would both see a number as new and both insert it.
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)", [IMPORT_LOCK_NAMESPACE, institution.pk]
                )
            planned = plan(institution, records, lookups, now=now, lock=True)
            segment(planned, progress)
            write(planned, progress)
            summary = {
                "file": filename,
                "format": result.format,
                "rows": len(records),
                "created": len(planned.creates),
                "updated": len(planned.updates),
                "unchanged": planned.unchanged,
            }
            audit.record_many(audit_events(actor, institution, planned, summary, now=now))
    except IntegrityError:
        # Only a concurrent single create (which does not take the import lock) can get here.
        raise DuplicateInventoryNo(gettext("导入期间有仪器以相同资产编号被创建，请重试")) from None
    return planned
