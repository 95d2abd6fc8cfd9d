"""Idle instruments and the duplicate-purchase check (issue 7), read from the aggregates.

- Idle: an instrument whose effective hours in the last 12 complete months (in Asia/Shanghai) are below a
  threshold, by default a quarter of the national average for the year those months end in.
- Duplicate purchase: for a planned purchase (class, region, value), the similar instruments — the same
  class code or below it — in the region (its code's subtree) and nearby (within ``NEARBY_KM`` of the
  region's centre), with their effective hours and their open hours over the next four weeks. The verdict
  of the national review: "saturated" when the local ones average ``SATURATED_HOURS`` a year or more,
  otherwise "available capacity — consider sharing"; with no similar local instrument at all, neither
  applies and the answer says so (``no_similar_local``).
"""

# ruff: noqa: S608 — the SQL here is built from constant fragments and column names only; every value is a
# bound parameter.

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext

from dayi.accounts.access import (
    Actor,
    administers_platform,
    is_national_admin,
    oversees_institution,
    require_signed_in,
)
from dayi.booking import timeline
from dayi.booking.queries import _policy, bookable, occupied_ranges, open_time
from dayi.core.errors import Forbidden, ValidationFailed
from dayi.directory import queries as directory
from dayi.directory.models import Category, Instrument
from dayi.network.models import Platform, Region, region_prefix
from dayi.search import geo
from dayi.stats.models import RecentHours
from dayi.stats.queries import Scope, _rows, _where, months_back, national_average

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
IDLE_SHARE = Decimal("0.25")  # default threshold: a quarter of the national average
SATURATED_HOURS = Decimal(1200)  # the national review's line, hours a year per similar local instrument
REVIEWED_VALUE = Decimal(2_000_000)  # purchases from this value (yuan) are reviewed against duplicates
NEARBY_KM = 300
OPEN_DAYS = 28
LISTED = 50  # instruments listed per group in the duplicate check


def _month_start(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date().replace(day=1)


def window(now: dt.datetime) -> tuple[dt.date, dt.date]:
    """[first, end) months of the last 12 complete months before ``now``."""
    end = _month_start(now)
    return months_back(end, 12), end


def default_idle_threshold(*, now: dt.datetime) -> Decimal:
    _, end = window(now)
    year = months_back(end, 1).year
    hours = (national_average(year)["effective_hours"] * IDLE_SHARE).quantize(Decimal("1"), ROUND_HALF_UP)
    return hours.quantize(Decimal("0.01"))


def recent_hours(instrument_id: int, *, now: dt.datetime) -> Decimal:
    first, end = window(now)
    rows = _rows(
        "SELECT coalesce(sum(effective_hours), 0) AS h FROM stats_instrumentperiod "
        "WHERE instrument_id = %s AND kind = 'month' AND start >= %s AND start < %s",
        [instrument_id, first, end],
    )
    return Decimal(rows[0]["h"]).quantize(Decimal("0.01"))


# --- who may see the idle list ---------------------------------------------------------------------------


def check_idle_scope(actor: Actor, scope: Scope) -> None:
    """The idle list names holders: only those who administer the scope may read it. Deny by default."""
    require_signed_in(actor.user)
    if scope.institution and oversees_institution(actor, scope.institution):
        return
    if scope.platform:
        platform = Platform.objects.filter(code=scope.platform).first()
        if platform is not None and administers_platform(actor, platform):
            return
    elif not scope.institution and is_national_admin(actor):
        return  # an admin of a national platform reads the whole network
    raise Forbidden(gettext("只有该范围的管理员可以查看闲置清单"))


# --- the idle list ---------------------------------------------------------------------------------------


_IDLE_COLUMNS = """
    i.name, i.name_en, i.category_id, i.original_value, i.region_id, i.institution_id, inst.name AS holder,
    (SELECT max(n.created) FROM stats_idlenotice n WHERE n.instrument_id = i.id) AS notified,
    (SELECT t.to_institution_id FROM stats_transferproposal t
     WHERE t.instrument_id = i.id AND t.status = 'proposed') AS transfer_to
"""


def idle_instruments(
    scope: Scope, *, now: dt.datetime, threshold: Decimal | None = None, offset: int = 0, limit: int = 50
) -> tuple[int, list[dict[str, Any]], Decimal]:
    """(count, one page of idle instruments, the threshold), fewest hours first.

    Each with its holder, value, hours in the last 12 months and the 12 before (the trend), and whether a
    notice was sent or a transfer proposed. Read from ``RecentHours`` when the last refresh was this
    month; otherwise summed from the month rows (the same answer, slower).
    """
    threshold = default_idle_threshold(now=now) if threshold is None else threshold
    first, end = window(now)
    where, params = _where(scope)
    if RecentHours.objects.filter(window_end=end).exists():
        source = "stats_recenthours ip"
        source_params: list[Any] = []
    else:
        source = """(
            SELECT ip.instrument_id,
                   coalesce(sum(ip.effective_hours) FILTER (WHERE ip.start >= %s), 0) AS recent,
                   sum(ip.effective_hours) FILTER (WHERE ip.start < %s) AS previous,
                   max(ip.institution_id) AS institution_id, max(ip.region_id) AS region_id,
                   max(ip.category_id) AS category_id, max(ip.original_value) AS original_value
            FROM stats_instrumentperiod ip
            WHERE ip.kind = 'month' AND ip.start >= %s AND ip.start < %s
            GROUP BY 1
        ) ip"""
        source_params = [first, first, months_back(first, 12), end]
    # The page first (ids, hours, the count), then the names and actions of its rows only.
    rows = _rows(
        f"""
        WITH page AS (
            SELECT ip.instrument_id, ip.recent, ip.previous, ip.original_value, count(*) OVER () AS total
            FROM {source}
            JOIN directory_instrument live ON live.id = ip.instrument_id AND live.retired IS NULL
            WHERE ip.recent < %s AND {where}
            ORDER BY ip.recent, ip.original_value DESC, ip.instrument_id
            OFFSET %s LIMIT %s
        )
        SELECT page.instrument_id AS id, page.total, page.recent, page.previous, {_IDLE_COLUMNS}
        FROM page
        JOIN directory_instrument i ON i.id = page.instrument_id
        JOIN network_institution inst ON inst.id = i.institution_id
        ORDER BY page.recent, page.original_value DESC, page.instrument_id
        """,
        [*source_params, threshold, *params, offset, limit],
    )
    if rows:
        count = int(rows[0]["total"])
    else:
        count = _idle_count(source, source_params, where, params, threshold) if offset else 0
    return count, [_idle_item(row) for row in rows], threshold


def _idle_count(
    source: str, source_params: list[Any], where: str, params: list[Any], threshold: Decimal
) -> int:
    """The count for a page past the end (the page query then has no row to carry it)."""
    rows = _rows(
        f"SELECT count(*) AS n FROM {source} "
        "JOIN directory_instrument i ON i.id = ip.instrument_id AND i.retired IS NULL "
        f"WHERE ip.recent < %s AND {where}",
        [*source_params, threshold, *params],
    )
    return int(rows[0]["n"])


def _idle_item(row: dict[str, Any]) -> dict[str, Any]:
    recent = Decimal(row["recent"]).quantize(Decimal("0.01"))
    previous = None if row["previous"] is None else Decimal(row["previous"]).quantize(Decimal("0.01"))
    trend = (
        "new" if previous is None else "down" if recent < previous else "up" if recent > previous else "flat"
    )
    return {
        "instrument": row["id"],
        "name": row["name"],
        "name_en": row["name_en"],
        "category": row["category_id"],
        "region": row["region_id"],
        "institution": row["institution_id"],
        "holder": row["holder"],
        "original_value": Decimal(row["original_value"]).quantize(Decimal("0.01")),
        "effective_hours": recent,
        "previous_hours": previous,
        "trend": trend,
        "notified": row["notified"],
        "transfer_to": row["transfer_to"],
    }


# --- the duplicate-purchase check ------------------------------------------------------------------------


def _clean_purchase(category: str, region: str, value: Decimal) -> None:
    errors: dict[str, list[str]] = {}
    if not (category.isdigit() and len(category) in (2, 4, 6)):
        errors["category"] = [gettext("应为2、4或6位分类代码")]
    elif not Category.objects.filter(code=category).exists():
        errors["category"] = [gettext("没有这个分类")]
    if not (region.isdigit() and len(region) == 6):
        errors["region"] = [gettext("应为六位行政区划代码")]
    elif not Region.objects.filter(code=region).exists():
        errors["region"] = [gettext("没有这个行政区划")]
    if value < 0 or value > Decimal("1e12"):
        errors["value"] = [gettext("原值应在0到一万亿元之间")]
    if errors:
        raise ValidationFailed(gettext("拟购置信息有误"), fields=errors)


def _hours_by_instrument(ids: list[int], first: dt.date, end: dt.date) -> dict[int, Decimal]:
    if not ids:
        return {}
    rows = _rows(
        "SELECT instrument_id, sum(effective_hours) AS h FROM stats_instrumentperiod "
        "WHERE kind = 'month' AND start >= %s AND start < %s AND instrument_id = ANY(%s) GROUP BY 1",
        [first, end, ids],
    )
    return {row["instrument_id"]: Decimal(row["h"]).quantize(Decimal("0.01")) for row in rows}


def _open_hours(instruments: list[Instrument], *, now: dt.datetime) -> dict[int, Decimal]:
    """Opening hours − closures − occupied time over the next ``OPEN_DAYS`` days (0 if not bookable)."""
    end = now + dt.timedelta(days=OPEN_DAYS)
    occupied = occupied_ranges([i.pk for i in instruments], now, end)
    out: dict[int, Decimal] = {}
    for instrument in instruments:
        policy = _policy(instrument)
        if policy is None or not bookable(instrument):
            out[instrument.pk] = Decimal("0.00")
            continue
        free = timeline.subtract(
            open_time(policy, timeline.zone_of(instrument), now, end), occupied.get(instrument.pk, [])
        )
        seconds = sum((b - a).total_seconds() for a, b in free)
        out[instrument.pk] = (Decimal(seconds) / 3600).quantize(Decimal("0.01"))
    return out


def _similar_item(instrument: Any, hours: Decimal, open_hours: Decimal) -> dict[str, Any]:
    distance = getattr(instrument, "distance_km", None)
    return {
        "instrument": instrument.pk,
        "name": instrument.name,
        "name_en": instrument.name_en,
        "category": instrument.category_id,
        "region": instrument.region_id,
        "institution": instrument.institution_id,
        "holder": instrument.institution.name,
        "original_value": instrument.original_value,
        "effective_hours": hours,
        "open_hours": open_hours,
        "distance_km": None if distance is None else round(distance),
    }


def duplicate_check(category: str, region: str, value: Decimal, *, now: dt.datetime) -> dict[str, Any]:
    """Similar instruments in the region and nearby, their use, and the national review's verdict."""
    _clean_purchase(category, region, value)
    prefix = region_prefix(region)
    similar = directory.listed().filter(category__code__startswith=category).select_related("institution")
    local_qs = similar.filter(region__code__startswith=prefix)
    nearby_qs = (
        similar.exclude(region__code__startswith=prefix)
        .annotate(distance_km=geo.distance_km(region))
        .filter(distance_km__lte=NEARBY_KM)
    )
    first, end = window(now)
    local_ids = list(local_qs.values_list("pk", flat=True))
    local_hours = _hours_by_instrument(local_ids, first, end)
    total = sum(local_hours.values(), Decimal(0))
    average = (total / len(local_ids)).quantize(Decimal("0.1")) if local_ids else None
    if average is None:
        verdict = "no_similar_local"
    else:
        verdict = "saturated" if average >= SATURATED_HOURS else "available_capacity"
    shown_local = sorted(local_qs, key=lambda i: (local_hours.get(i.pk, Decimal(0)), i.pk))[:LISTED]
    shown_nearby: list[Instrument] = list(nearby_qs.order_by("distance_km", "pk")[:LISTED])
    nearby_hours = _hours_by_instrument([i.pk for i in shown_nearby], first, end)
    open_hours = _open_hours(shown_local + shown_nearby, now=now)
    return {
        "category": category,
        "region": region,
        "value": value,
        "review_required": value >= REVIEWED_VALUE,
        "window": {"start": first, "end": end},
        "local_count": len(local_ids),
        "local_average_hours": average,
        "saturated_hours": SATURATED_HOURS,
        "verdict": verdict,
        "local": [
            _similar_item(i, local_hours.get(i.pk, Decimal("0.00")), open_hours[i.pk]) for i in shown_local
        ],
        "nearby": [
            _similar_item(i, nearby_hours.get(i.pk, Decimal("0.00")), open_hours[i.pk]) for i in shown_nearby
        ],
    }
