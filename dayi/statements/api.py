"""/api/v1/statements and /api/v1/service-records: parse, call a query, serialise (issue 5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema

from dayi.api import SIGNED_IN, signed_in
from dayi.core.errors import ValidationFailed
from dayi.statements import queries, records, rendering

router = Router(tags=["statements"])
FORMATS = ("json", "csv", "pdf")


class StatementParams(Schema):
    institution: int | None = None
    account: int | None = None
    month: str
    format: str = "json"


class RecordParams(Schema):
    institution: int
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None
    format: str = "json"


def _attachment(body: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def statement_response(s: queries.Statement, file_format: str) -> HttpResponseBase:
    name = f"dayi-statement-{s.kind}-{s.subject_id}-{s.period}"
    if file_format == "csv":
        return _attachment(rendering.as_csv(s), "text/csv; charset=utf-8", f"{name}.csv")
    if file_format == "pdf":
        return _attachment(rendering.as_pdf(s), "application/pdf", f"{name}.pdf")
    return JsonResponse(rendering.as_json(s))


@router.get(
    "/statements",
    auth=SIGNED_IN,
    response={200: Any},
    summary="A customer's monthly statement",
    description=(
        "`institution=` (a customer institution) or `account=` (a research-group account), `month=YYYY-MM`"
        " (Asia/Shanghai), `format=json|csv|pdf`. Opening and closing amounts owed, the month's charges,"
        " corrections and payments, per order and in total, all summed from the ledger. The customer's"
        " admins (an account's PI and members) see all of it; a provider's instrument managers their own"
        " lines; anyone else gets 404."
    ),
)
def get_statement(request: HttpRequest, params: Query[StatementParams]) -> HttpResponseBase:
    actor = signed_in(request)
    if params.format not in FORMATS:
        raise ValidationFailed(fields={"format": [gettext("应为 json, csv, pdf 之一")]})
    if (params.institution is None) == (params.account is None):
        raise ValidationFailed(fields={"institution": [gettext("给出 institution 或 account 之一")]})
    year, month = queries.parse_month(params.month)
    if params.account is not None:
        s = queries.visible_statement(actor, "account", params.account, year, month)
    else:
        assert params.institution is not None  # one of the two, checked above
        s = queries.visible_statement(actor, "institution", params.institution, year, month)
    return statement_response(s, params.format)


@router.get(
    "/service-records",
    auth=SIGNED_IN,
    response={200: Any},
    summary="The national service records of a provider institution",
    description=(
        "Every completed, charged or settled order of the provider `institution` whose service day (the"
        " booking's start, or the submission's date, Asia/Shanghai) is within `from`–`to` (inclusive dates),"
        " in the fields of the national service record. `format=json|csv|xlsx`; file headers are the Chinese"
        " header and the JSON field name. The provider's admins and instrument managers, platform admins"
        " above, superusers; otherwise 404."
    ),
)
def get_service_records(request: HttpRequest, params: Query[RecordParams]) -> HttpResponseBase:
    actor = signed_in(request)
    records.check_format(params.format)
    qs = records.service_orders(actor, params.institution, params.from_, params.to)
    if params.format in ("csv", "xlsx"):
        return service_records_file(qs, params.institution, params.format)
    items = [records.row(o) for o in qs]
    return JsonResponse({"count": len(items), "items": items})


def service_records_file(qs: Any, institution_id: int, file_format: str) -> HttpResponseBase:
    """The records as a download (CSV or XLSX): the API's and the export page's one answer."""
    name = f"dayi-service-records-{institution_id}.{file_format}"
    if file_format == "csv":
        return _attachment(records.as_csv(qs), "text/csv; charset=utf-8", name)
    return FileResponse(
        records.as_xlsx(qs),
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
