"""/api/v1 for the stats domain (issue 7). Thin: parse, call a service or a query, serialise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Query, Router, Schema, Status

from dayi.api import SIGNED_IN, current_actor, page_bounds, signed_in
from dayi.core.errors import ValidationFailed
from dayi.stats import dashboard, idle, services
from dayi.stats.queries import Scope

router = Router(tags=["stats"])


class FiguresOut(Schema):
    instruments: int
    original_value: str
    available_hours: str
    booked_hours: str
    effective_hours: str  # confirmed usage: what the rates and the evaluation count
    external_hours: str
    unconfirmed_hours: str  # self-reported usage awaiting a manager's confirmation (not counted)
    samples: int
    users: int
    user_institutions: int
    companies: int
    income_internal: str
    income_external: str
    ratings: int
    average_rating: str | None
    bookings: int
    no_shows: int
    sharing_rate: str | None
    utilisation: str | None
    income_rate: str | None
    no_show_rate: str | None


class PeriodOut(Schema):
    period: str  # "2025" or "2025-03"
    figures: FiguresOut


class PartOut(Schema):
    code: str
    name: str
    name_en: str
    lon: float | None = None
    lat: float | None = None
    figures: FiguresOut


class RankedOut(Schema):
    id: int
    name: str
    name_en: str
    holder: str
    holder_id: int
    figures: FiguresOut


class AverageOut(Schema):
    year: int
    effective_hours: str
    external_hours: str
    estimated: bool


class UtilisationOut(Schema):
    scope: dict[str, Any]
    year: int
    month: int | None
    figures: FiguresOut
    per_instrument: dict[str, str | None]
    national_average: AverageOut
    months: list[PeriodOut]
    years: list[PeriodOut]
    by_category: list[PartOut]
    by_region: list[PartOut]
    top: list[RankedOut]
    bottom: list[RankedOut]
    refreshed: dt.datetime | None


class ScopeParams(Schema):
    platform: str | None = None
    region: str | None = None
    category: str | None = None
    institution: int | None = None


class UtilisationParams(ScopeParams):
    year: int | None = None
    month: int | None = None


def _scope(params: ScopeParams) -> Scope:
    scope = Scope(
        platform=params.platform or None,
        region=params.region or None,
        category=params.category or None,
        institution=params.institution or None,
    )
    scope.validate()
    return scope


def _period(year: int | None, month: int | None) -> tuple[int, int | None]:
    errors: dict[str, list[str]] = {}
    year = year or timezone.now().astimezone(dashboard.SHANGHAI).year
    if not 2000 <= year <= 2100:
        errors["year"] = [gettext("应在2000到2100之间")]
    if month is not None and not 1 <= month <= 12:
        errors["month"] = [gettext("应在1到12之间")]
    if errors:
        raise ValidationFailed(gettext("统计期间有误"), fields=errors)
    return year, month


@router.get(
    "/stats/utilisation",
    response=UtilisationOut,
    summary="Utilisation figures of a level of the network: the year (or month), its months, the trend",
)
def utilisation(request: HttpRequest, params: Query[UtilisationParams]) -> dict[str, Any]:
    year, month = _period(params.year, params.month)
    return dashboard.utilisation_json(_scope(params), year, month)


class IdleParams(ScopeParams):
    threshold: Decimal | None = (
        None  # effective hours in the last 12 months; default a quarter of the average
    )
    page: int = 1
    page_size: int = 50


class IdleItem(Schema):
    instrument: int
    name: str
    name_en: str
    category: str
    region: str
    institution: int
    holder: str
    original_value: str
    effective_hours: str
    previous_hours: str | None
    trend: str  # down, up, flat, new (no rows for the 12 months before)
    notified: dt.datetime | None
    transfer_to: int | None


class IdleList(Schema):
    count: int
    threshold_hours: str
    window: dict[str, dt.date]
    items: list[IdleItem]


@router.get(
    "/stats/idle",
    auth=SIGNED_IN,
    response=IdleList,
    summary="Idle instruments: below the threshold of effective hours in the last 12 months",
)
def idle_list(request: HttpRequest, params: Query[IdleParams]) -> dict[str, Any]:
    actor = signed_in(request)
    offset, limit = page_bounds(params.page, params.page_size)
    scope = _scope(params)
    idle.check_idle_scope(actor, scope)
    if params.threshold is not None and params.threshold < 0:
        raise ValidationFailed(fields={"threshold": [gettext("不能为负")]})
    now = timezone.now()
    count, items, threshold = idle.idle_instruments(
        scope, now=now, threshold=params.threshold, offset=offset, limit=limit
    )
    first, end = idle.window(now)
    return {
        "count": count,
        "threshold_hours": str(threshold.quantize(Decimal("0.01"))),
        "window": {"start": first, "end": end},
        "items": [dashboard.jsonable(item) for item in items],
    }


class PurchaseIn(Schema):
    category: str
    region: str
    value: Decimal


class SimilarOut(Schema):
    instrument: int
    name: str
    name_en: str
    category: str
    region: str
    institution: int
    holder: str
    original_value: str
    effective_hours: str
    open_hours: str
    distance_km: int | None


class DuplicateOut(Schema):
    category: str
    region: str
    value: str
    review_required: bool
    window: dict[str, dt.date]
    local_count: int
    local_average_hours: str | None
    saturated_hours: str
    verdict: str  # saturated, available_capacity, no_similar_local
    local: list[SimilarOut]
    nearby: list[SimilarOut]


@router.post(
    "/stats/duplicate-check",
    response=DuplicateOut,
    summary="A planned purchase against similar instruments in the region and nearby",
)
def duplicate_check(request: HttpRequest, body: PurchaseIn) -> dict[str, Any]:
    current_actor(request)  # a bad token is an error, not anonymity
    result = idle.duplicate_check(body.category, body.region, body.value, now=timezone.now())
    return dashboard.jsonable(result)


class NoticeIn(Schema):
    message: str = ""


class NoticeOut(Schema):
    id: int
    instrument: int
    effective_hours: str
    threshold_hours: str
    created: dt.datetime


@router.post(
    "/stats/idle/{instrument_id}/notice",
    auth=SIGNED_IN,
    response={201: NoticeOut},
    summary="Tell an idle instrument's holder that it is idle",
)
def notice(request: HttpRequest, instrument_id: int, body: NoticeIn) -> Status[dict[str, Any]]:
    n = services.notify_idle(signed_in(request), instrument_id, message=body.message, now=timezone.now())
    return Status(
        201,
        {
            "id": n.pk,
            "instrument": n.instrument_id,
            "effective_hours": str(n.effective_hours),
            "threshold_hours": str(n.threshold_hours),
            "created": n.created,
        },
    )


class TransferIn(Schema):
    to_institution: int
    reason: str = ""


class TransferOut(Schema):
    id: int
    instrument: int
    to_institution: int
    status: str
    created: dt.datetime


@router.post(
    "/stats/idle/{instrument_id}/transfer",
    auth=SIGNED_IN,
    response={201: TransferOut},
    summary="Propose that an idle instrument go to another holder",
)
def transfer(request: HttpRequest, instrument_id: int, body: TransferIn) -> Status[dict[str, Any]]:
    p = services.propose_transfer(
        signed_in(request),
        instrument_id,
        to_institution=body.to_institution,
        reason=body.reason,
        now=timezone.now(),
    )
    return Status(
        201,
        {
            "id": p.pk,
            "instrument": p.instrument_id,
            "to_institution": p.to_institution_id,
            "status": p.status,
            "created": p.created,
        },
    )
