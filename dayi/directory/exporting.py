"""Export the directory as CSV or XLSX in the national record layout, filtered exactly like search.

The rows come from ``queries.search`` with the caller's ``InstrumentFilters``: there is no second filter. Only
public fields are written (what anyone may read through ``GET /api/v1/instruments/{id}``, without the
booking policy). An export imports back unchanged: same headers, coded values as the form's Chinese labels
(or as API codes with ``headers="en"``), lists joined with ";".
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext, override

from dayi.core.errors import ValidationFailed
from dayi.core.spreadsheet import csv_text, xlsx_cell
from dayi.directory import queries
from dayi.directory.importing import COLUMNS
from dayi.directory.models import Instrument, Purpose, ServiceMode, ShareMode, Source, Status

HEADER_STYLES = ("zh", "en")
FORMATS = ("csv", "xlsx")
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header
CHUNK = 2000
with override("zh-hans"):  # the national form's Chinese words, in whatever language it is asked for
    LABELS: dict[str, dict[str, str]] = {
        name: {value: str(label) for value, label in choices.choices}
        for name, choices in (
            ("status", Status),
            ("share_mode", ShareMode),
            ("source", Source),
            ("purpose", Purpose),
            ("modes", ServiceMode),
        )
    }


def check(file_format: str, headers: str) -> None:
    errors: dict[str, list[str]] = {}
    if file_format not in FORMATS:
        errors["format"] = [gettext("应为 %(choices)s 之一") % {"choices": ", ".join(FORMATS)}]
    if headers not in HEADER_STYLES:
        errors["headers"] = [gettext("应为 %(choices)s 之一") % {"choices": ", ".join(HEADER_STYLES)}]
    if errors:
        raise ValidationFailed(gettext("导出参数有误"), fields=errors)


def header_row(headers: str = "zh") -> list[str]:
    return [c.header if headers == "zh" else c.field for c in COLUMNS]


def instruments(f: queries.InstrumentFilters) -> QuerySet[Instrument]:
    """The listed instruments that match, in the search's order; checks the filters now, not mid-stream."""
    return queries.search(f)


def values(i: Instrument, headers: str = "zh") -> list[Any]:
    """One row: Decimal, date and str values in the order of COLUMNS."""
    zh = headers == "zh"

    def coded(key: str, value: str) -> str:
        return str(LABELS[key].get(value, value)) if zh and value else value

    row = {
        "inventory_no": i.inventory_no,
        "name": i.name,
        "name_en": i.name_en,
        "category": i.category_id,
        "category_name": i.category.name,
        "original_value": i.original_value,
        "status": coded("status", i.status),
        "share_mode": coded("share_mode", i.share_mode),
        "modes": ";".join(coded("modes", m) for m in i.modes),
        "model": i.model,
        "manufacturer": i.manufacturer,
        "country": i.country,
        "source": coded("source", i.source),
        "purpose": coded("purpose", i.purpose),
        "in_service_date": i.in_service_date,
        "specs": i.specs,
        "functions": i.functions,
        "disciplines": ";".join(i.disciplines),
        "services": i.services,
        "results": i.results,
        "opening_rules": i.opening_rules,
        "fees_note": i.fees_note,
        "booking_url": i.booking_url,
        "location": i.location,
        "region": i.region_id,
        "contact": i.contact,
        "unit": i.unit,
        "timezone": i.timezone,
        "institution_name": i.institution.name,
        "id": i.pk,
    }
    return [row[c.field] for c in COLUMNS]


# --- CSV ---------------------------------------------------------------------------------------------------


def csv_chunks(f: queries.InstrumentFilters, headers: str = "zh") -> Iterator[bytes]:
    """The CSV file in pieces, UTF-8 with a BOM so that Excel opens the Chinese correctly."""
    qs = instruments(f)
    return _csv_stream(qs, headers)


def _csv_stream(qs: QuerySet[Instrument], headers: str) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header_row(headers))
    yield ("\ufeff" + _drain(buffer)).encode("utf-8")
    for n, instrument in enumerate(qs.iterator(chunk_size=CHUNK), start=1):
        writer.writerow([csv_text(v) for v in values(instrument, headers)])
        if n % CHUNK == 0:
            yield _drain(buffer).encode("utf-8")
    yield _drain(buffer).encode("utf-8")


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


# --- XLSX --------------------------------------------------------------------------------------------------


def xlsx_file(f: queries.InstrumentFilters, headers: str = "zh") -> IO[bytes]:
    """The workbook in a temporary file (a zip cannot be streamed as it is written), positioned at 0."""
    from openpyxl import Workbook

    qs = instruments(f)
    if qs.count() > XLSX_MAX_ROWS:
        raise ValidationFailed(
            gettext("超过 Excel 的 %(XLSX_MAX_ROWS)s 行上限，请导出 CSV 或缩小范围")
            % {"XLSX_MAX_ROWS": f"{XLSX_MAX_ROWS:,}"},
            fields={"format": ["xlsx"]},
        )
    book = Workbook(write_only=True)
    sheet = book.create_sheet("仪器" if headers == "zh" else "instruments")

    sheet.append([xlsx_cell(sheet, h) for h in header_row(headers)])
    for instrument in qs.iterator(chunk_size=CHUNK):
        sheet.append([xlsx_cell(sheet, v) for v in values(instrument, headers)])
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - the caller closes it
    book.save(out)
    out.seek(0)
    return out
