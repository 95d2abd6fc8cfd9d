"""/api/v1/instruments/import and /export: parse, call the import service or the export, answer."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from ninja import File, Form, Query, Router, Schema, UploadedFile

from dayi.api import SIGNED_IN, ErrorOut, signed_in
from dayi.directory import exporting, importing
from dayi.directory.api import SearchParams, filters_from
from dayi.directory.errors import ImportFileTooLarge

router = Router(tags=["directory"])

IMPORT_DESCRIPTION = """
Create and update the institution's instruments from one file: CSV (UTF-8, UTF-8 with BOM or GB18030)
or XLSX (the first sheet), in the national record layout with its Chinese headers or the API field names
(`modes`, `disciplines` separated by `;`; `原值（万元）` is converted to yuan). Instruments are matched on
their inventory number: known numbers are updated, new ones created, unchanged rows left alone.

**All rows or none.** Any bad row answers 422 with every problem as `{"row", "field", "column", "message"}`
and nothing is written. **`row` counts data rows from 1: the header is not counted and `row` 0 is the header
itself** (data row n is spreadsheet line n + 1 when the header is the first line).

`dry_run=true` checks the file and reports the counts without writing. `format=uniquip` reads the UK
uniquip feed; it has no category and no value, so `default_category` and `default_value` (yuan) are required
and the answer's `report` says what the feed lacked. Files over the size limit answer 413, files that are
neither CSV nor XLSX 415.
"""


class ImportOut(Schema):
    created: int
    updated: int
    unchanged: int
    rows: int
    dry_run: bool
    format: str
    encoding: str
    ignored_columns: list[str]
    report: dict[str, Any]


class ExportParams(SearchParams):
    format: str = "csv"
    headers: str = "zh"


@router.post(
    "/instruments/import",
    auth=SIGNED_IN,
    response={200: ImportOut, 413: ErrorOut, 415: ErrorOut, 422: ErrorOut},
    summary="Import instruments from CSV or XLSX",
    description=IMPORT_DESCRIPTION,
)
def import_instruments(
    request: HttpRequest,
    file: File[UploadedFile],
    institution: Form[int],
    dry_run: Form[bool] = False,
    format: Form[str | None] = None,  # the contract's parameter name
    default_category: Form[str | None] = None,
    default_value: Form[str | None] = None,
) -> dict[str, Any]:
    actor = signed_in(request)
    if file.size is not None and file.size > importing.MAX_BYTES:
        raise ImportFileTooLarge(
            gettext("文件超过 %(value)s MB") % {"value": f"{importing.MAX_BYTES // (1024 * 1024)}"}
        )
    result = importing.import_instruments(
        actor,
        institution,
        file.read(),
        filename=file.name or "",
        fmt=format,
        dry_run=dry_run,
        defaults=importing.Defaults(category=default_category, original_value=default_value),
        now=timezone.now(),
    )
    return result.as_dict()


@router.get(
    "/instruments/export",
    response={200: None, 422: ErrorOut},
    summary="Export the directory as CSV or XLSX",
    description=(
        "The search's filters (`q`, `region`, `platform`, `category`, `institution`, `min_value`,"
        " `max_value`, `mode`, `status`, `share_mode`, `sort`) select the rows; `format=csv|xlsx`;"
        " `headers=zh` (the national form's Chinese headers and labels, default) or `headers=en` (API field"
        " names and codes). CSV is UTF-8 with a BOM and streamed. Public fields only; `page` and `page_size`"
        " are ignored (the whole result is exported). The file imports back unchanged."
    ),
)
def export_instruments(request: HttpRequest, params: Query[ExportParams]) -> HttpResponseBase:
    exporting.check(params.format, params.headers)
    f = filters_from(params)
    name = f"dayi-instruments-{timezone.localdate():%Y%m%d}.{params.format}"
    if params.format == "xlsx":
        return FileResponse(
            exporting.xlsx_file(f, params.headers),
            as_attachment=True,
            filename=name,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response = StreamingHttpResponse(
        exporting.csv_chunks(f, params.headers), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
