"""The national service record (服务记录): every completed order of a provider, in the reporting fields.

One row per completed, charged or settled order: amount charged, date or period, content, service mode (the
national codes), volume (hours from the usage records for instrument time, samples for a submission), the
user, the user's institution, the user's project and its funding source, and the user's rating on the five
national levels (5 = very satisfied; null when none).

The service date is the booking's start for instrument time and the order's creation for a sample
submission; ``from``/``to`` select on that day in Asia/Shanghai. The project and its funding source are what
the customer gave when ordering or later (``PATCH /api/v1/orders/{id}``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from dataclasses import dataclass
from typing import IO, Any

from django.db.models import DecimalField, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext, override

from dayi.accounts.access import Actor, oversees_institution, require_signed_in
from dayi.booking.models import UsageRecord
from dayi.core.errors import NotFound, ValidationFailed
from dayi.core.money import fmt
from dayi.core.spreadsheet import csv_text, xlsx_cell
from dayi.directory.models import ServiceMode
from dayi.network.models import Institution
from dayi.orders.models import Order, OrderStatus
from dayi.statements.queries import SHANGHAI

DONE = (OrderStatus.COMPLETED, OrderStatus.CHARGED, OrderStatus.SETTLED)
FORMATS = ("json", "csv", "xlsx")
with override("zh-hans"):  # the national form's Chinese words, in whatever language it is asked for
    MODE_CODES = {m.value: str(m.label) for m in ServiceMode}


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # the Chinese header of the reporting form


COLUMNS = [
    Column("order", "订单编号"),
    Column("amount", "收费金额（元）"),
    Column("start", "服务开始时间"),
    Column("end", "服务结束时间"),
    Column("content", "服务内容"),
    Column("mode", "服务方式"),
    Column("mode_name", "服务方式名称"),
    Column("hours", "服务机时"),
    Column("samples", "样品数"),
    Column("instrument", "仪器编号"),
    Column("instrument_name", "仪器名称"),
    Column("user", "用户"),
    Column("user_institution", "用户单位"),
    Column("project", "用户课题名称"),
    Column("funding_source", "课题经费来源"),
    Column("rating", "用户评价"),
]


def _rating_subquery() -> Any:
    """The order's rating level, once the ratings domain has its model (null until then)."""
    try:
        from dayi.ratings.models import Rating
    except ImportError:
        return None
    return Subquery(Rating.objects.filter(order=OuterRef("pk")).values("level")[:1])


def service_orders(
    actor: Actor, institution_id: int, start: dt.date | None, end: dt.date | None
) -> QuerySet[Order]:
    """The provider's completed orders, for its admins and managers (and admins above); else 404."""
    require_signed_in(actor.user)
    if not Institution.objects.filter(pk=institution_id).exists():
        raise NotFound(gettext("单位不存在"))
    if not oversees_institution(actor, institution_id):
        raise NotFound(gettext("单位不存在"))
    hours = (
        UsageRecord.objects.filter(booking=OuterRef("booking_id"), superseded=False)
        .order_by()
        .values("booking")
        .annotate(h=Sum("hours"))
        .values("h")
    )
    qs = (
        Order.objects.filter(provider_id=institution_id, status__in=DONE)
        .select_related("instrument", "customer", "customer_institution", "booking")
        .annotate(
            used_hours=Subquery(hours, output_field=DecimalField(max_digits=10, decimal_places=2)),
            sample_count=Cast(KeyTextTransform("count", "samples"), IntegerField()),
        )
    )
    rating = _rating_subquery()
    if rating is not None:
        qs = qs.annotate(rating_level=rating)
    day = Coalesce("booking__start", "created")
    if start:
        qs = qs.alias(day=day).filter(day__gte=dt.datetime.combine(start, dt.time(), SHANGHAI))
    if end:
        after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), SHANGHAI)
        qs = qs.alias(day=day).filter(day__lt=after)
    return qs.order_by("created", "id")


def _local(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(SHANGHAI).isoformat() if moment else None


def row(o: Order) -> dict[str, Any]:
    booking = o.booking
    is_time = booking is not None
    content = o.instrument.name + (f"：{o.description}" if o.description else "")
    user_name = o.customer.get_full_name() or o.customer.username
    level = getattr(o, "rating_level", None)
    return {
        "order": o.pk,
        "amount": fmt(o.amount),
        "start": _local(booking.start if booking else o.created),
        "end": _local(booking.end if booking else o.updated),
        "content": content,
        "mode": o.mode,
        "mode_name": str(MODE_CODES.get(o.mode, o.mode)),
        # used_hours and sample_count are annotations of the export's query, not fields of Order
        "hours": fmt(o.used_hours) if is_time and o.used_hours is not None else None,  # type: ignore[attr-defined]  # annotated
        "samples": None if is_time else o.sample_count,  # type: ignore[attr-defined]  # annotated
        "instrument": o.instrument.inventory_no,
        "instrument_name": o.instrument.name,
        "user": user_name,
        "user_institution": o.customer_institution.name if o.customer_institution else "",
        "project": o.project,
        "funding_source": o.funding_source,
        "rating": level,
    }


def check_format(file_format: str) -> None:
    if file_format not in FORMATS:
        raise ValidationFailed(
            fields={"format": [gettext("应为 %(choices)s 之一") % {"choices": ", ".join(FORMATS)}]}
        )


def headers() -> list[str]:
    """Chinese headers with the English alias, like the instrument export: "收费金额（元） amount"."""
    return [f"{c.header} {c.field}" for c in COLUMNS]


def as_csv(qs: QuerySet[Order]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers())
    for o in qs.iterator(chunk_size=2000):
        r = row(o)
        writer.writerow([csv_text(r[c.field]) for c in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(qs: QuerySet[Order]) -> IO[bytes]:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("服务记录")

    def cell(value: Any) -> Any:
        return xlsx_cell(sheet, value)

    sheet.append([cell(h) for h in headers()])
    for o in qs.iterator(chunk_size=2000):
        r = row(o)
        sheet.append([cell(r[c.field]) for c in COLUMNS])
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - the caller closes it
    book.save(out)
    out.seek(0)
    return out
