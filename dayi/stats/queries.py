"""Read-side of the stats domain: figures at every level, from the pre-aggregated tables.

The levels the dashboards show (the nation, a platform with its sub-platforms, a province or city, an
institution; per top class for years) are read from ``ScopeFigures``: a handful of rows. Any other
combination of filters (a county, a middle class, a platform and a class …) is computed from
``InstrumentPeriod`` and ``Served`` by one GROUP BY each: slower, the same answer (tests compare them).

Additive figures (instruments, value, hours, samples, income, ratings, bookings, no-shows) of a level are
the sums of its parts; distinct counts (users, user institutions, companies) are not: a user served by
two institutions is one user of their province.
"""

# ruff: noqa: S608 — the SQL here is built from this module's constant fragments and column names only;
# every value is a bound parameter.

from __future__ import annotations

import datetime as dt
import time
import zoneinfo
from collections.abc import Collection, Iterable
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext

from dayi.booking.models import Booking, UsageRecord
from dayi.core.errors import ValidationFailed
from dayi.directory.models import Instrument
from dayi.network.models import Institution, Platform, Region, region_prefix
from dayi.orders.models import LedgerEntry, Order
from dayi.ratings.models import Rating
from dayi.stats import aggregates
from dayi.stats.models import RefreshRun

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ZERO = Decimal("0.00")
RATE = Decimal("0.0001")
EXTERNAL_WEIGHT = Decimal("1.5")  # income rate = (internal + 1.5 × external) / original value

# National averages per instrument and year (DOMAIN.md): only the end points are published.
NATIONAL_AVERAGES = {2018: (Decimal(1340), Decimal(226)), 2025: (Decimal(1599), Decimal(273))}


# --- figures ---------------------------------------------------------------------------------------------


def _ratio(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figures:
    """An instrument's, or a level's, figures over a month or a year. Hours in hours, money in yuan."""

    instruments: int = 0
    original_value: Decimal = ZERO
    available_hours: Decimal = ZERO
    booked_hours: Decimal = ZERO
    effective_hours: Decimal = ZERO  # confirmed usage
    external_hours: Decimal = ZERO
    unconfirmed_hours: Decimal = ZERO  # self-reported, awaiting a manager: shown beside, never counted
    samples: int = 0
    users: int = 0
    user_institutions: int = 0
    companies: int = 0
    income_internal: Decimal = ZERO
    income_external: Decimal = ZERO
    ratings: int = 0
    average_rating: Decimal | None = None
    bookings: int = 0
    no_shows: int = 0

    @property
    def sharing_rate(self) -> Decimal | None:
        """External hours / effective hours."""
        return _ratio(self.external_hours, self.effective_hours)

    @property
    def utilisation(self) -> Decimal | None:
        """Effective hours / available hours."""
        return _ratio(self.effective_hours, self.available_hours)

    @property
    def income_rate(self) -> Decimal | None:
        """(internal income + 1.5 × external income) / original value."""
        return _ratio(self.income_internal + EXTERNAL_WEIGHT * self.income_external, self.original_value)

    @property
    def no_show_rate(self) -> Decimal | None:
        return _ratio(self.no_shows, self.bookings)

    @property
    def hours_per_instrument(self) -> Decimal | None:
        """Effective hours per instrument: the figure the national averages are given in."""
        if not self.instruments:
            return None
        return (self.effective_hours / self.instruments).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def external_per_instrument(self) -> Decimal | None:
        if not self.instruments:
            return None
        return (self.external_hours / self.instruments).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def as_json(self) -> dict[str, Any]:
        """The API's form: money and hours as decimal strings, rates as decimal strings or null."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = str(value) if isinstance(value, Decimal) else value
        for name in ("sharing_rate", "utilisation", "income_rate", "no_show_rate"):
            value = getattr(self, name)
            out[name] = None if value is None else str(value)
        return out


_ADDITIVE = ["instruments", "original_value", *aggregates._ADDITIVE]
_DISTINCT = ["users", "user_institutions", "companies"]


def _dec(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(ZERO)


def figures_from(row: dict[str, Any]) -> Figures:
    """A ``Figures`` from a row holding the additive columns, ``rating_sum`` and the distinct counts."""
    ratings = int(row.get("ratings") or 0)
    average = None
    if ratings:
        average = (Decimal(row["rating_sum"]) / ratings).quantize(ZERO, rounding=ROUND_HALF_UP)
    return Figures(
        instruments=int(row.get("instruments") or 0),
        original_value=_dec(row.get("original_value")),
        available_hours=_dec(row.get("available_hours")),
        booked_hours=_dec(row.get("booked_hours")),
        effective_hours=_dec(row.get("effective_hours")),
        external_hours=_dec(row.get("external_hours")),
        unconfirmed_hours=_dec(row.get("unconfirmed_hours")),
        samples=int(row.get("samples") or 0),
        users=int(row.get("users") or 0),
        user_institutions=int(row.get("user_institutions") or 0),
        companies=int(row.get("companies") or 0),
        income_internal=_dec(row.get("income_internal")),
        income_external=_dec(row.get("income_external")),
        ratings=ratings,
        average_rating=average,
        bookings=int(row.get("bookings") or 0),
        no_shows=int(row.get("no_shows") or 0),
    )


# --- scopes ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which part of the network: any of a platform (code), region (code), category (code), institution."""

    platform: str | None = None
    region: str | None = None
    category: str | None = None
    institution: int | None = None

    def validate(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.region and not (self.region.isdigit() and len(self.region) == 6):
            errors["region"] = [gettext("应为六位行政区划代码")]
        elif self.region and not Region.objects.filter(code=self.region).exists():
            errors["region"] = [gettext("没有这个行政区划")]
        if self.category and not (self.category.isdigit() and len(self.category) in (2, 4, 6)):
            errors["category"] = [gettext("应为2、4或6位分类代码")]
        if self.institution and not Institution.objects.filter(pk=self.institution).exists():
            errors["institution"] = [gettext("没有这个单位")]
        if self.platform and not Platform.objects.filter(code=self.platform).exists():
            errors["platform"] = [gettext("平台 %(platform)s 不存在") % {"platform": self.platform}]
        if errors:
            raise ValidationFailed(gettext("统计范围有误"), fields=errors)

    @property
    def region_prefix(self) -> str | None:
        return region_prefix(self.region) if self.region else None

    def platform_path(self) -> str | None:
        if not self.platform:
            return None
        return Platform.objects.filter(code=self.platform).values_list("path", flat=True).first()

    def key(self) -> str | None:
        """The ``ScopeFigures.scope`` holding this scope's rows, or None when it must be computed."""
        given = [x for x in (self.platform, self.region, self.institution) if x]
        if len(given) > 1:
            return None
        if self.platform:
            pk = Platform.objects.filter(code=self.platform).values_list("pk", flat=True).first()
            return f"p:{pk}"
        if self.region:
            prefix = self.region_prefix or ""
            return f"r:{prefix}" if len(prefix) in (2, 4) else None
        if self.institution:
            return f"i:{self.institution}"
        return "cn"


def _where(scope: Scope) -> tuple[str, list[Any]]:
    """SQL conditions on ``stats_instrumentperiod ip`` for the scope."""
    clauses: list[str] = []
    params: list[Any] = []
    if scope.region_prefix:
        clauses.append("ip.region_id LIKE %s")
        params.append(scope.region_prefix + "%")
    if scope.category:
        clauses.append("ip.category_id LIKE %s")
        params.append(scope.category + "%")
    if scope.institution:
        clauses.append("ip.institution_id = %s")
        params.append(scope.institution)
    if scope.platform:
        clauses.append(
            "ip.institution_id IN (SELECT m.institution_id FROM network_membership m "
            "JOIN network_platform p ON p.id = m.platform_id WHERE m.status = 'accepted' AND p.path LIKE %s)"
        )
        params.append((scope.platform_path() or "/-none-/") + "%")
    return " AND ".join(["TRUE", *clauses]), params


def _rows(sql: str, params: Iterable[Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        names = [c.name for c in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 1)


def _live(scope: Scope, kind: str, first: dt.date, last: dt.date, group: str) -> dict[Any, Figures]:
    """Figures per ``group`` (an SQL expression over ``ip``) computed from the instrument rows."""
    where, params = _where(scope)
    sums = ", ".join(f"sum(ip.{c}) AS {c}" for c in ["original_value", *aggregates._ADDITIVE])
    additive = _rows(
        f"SELECT {group} AS g, count(*) AS instruments, {sums} FROM stats_instrumentperiod ip "
        f"WHERE ip.kind = %s AND ip.start BETWEEN %s AND %s AND {where} GROUP BY 1",
        [kind, first, last, *params],
    )
    served_group = group
    if group == "ip.start" and kind == "year":
        served_group = "date_trunc('year', ip.start)::date"
    last_month = last if kind == "month" else dt.date(last.year, 12, 1)
    distinct = _rows(
        f"SELECT {served_group} AS g, count(DISTINCT sv.user_id) AS users, "
        "count(DISTINCT sv.institution_id) AS user_institutions, "
        "count(DISTINCT sv.institution_id) FILTER (WHERE sv.is_company) AS companies "
        "FROM stats_served sv JOIN stats_instrumentperiod ip ON ip.instrument_id = sv.instrument_id "
        "AND ip.kind = 'month' AND ip.start = sv.month "
        f"WHERE sv.month BETWEEN %s AND %s AND {where} GROUP BY 1",
        [first, last_month, *params],
    )
    people = {row["g"]: row for row in distinct}
    return {row["g"]: figures_from({**row, **people.get(row["g"], {})}) for row in additive}


def _stored(key: str, category: str, kind: str, first: dt.date, last: dt.date) -> dict[dt.date, Figures]:
    rows = _rows(
        "SELECT * FROM stats_scopefigures WHERE scope = %s AND category = %s AND kind = %s "
        "AND start BETWEEN %s AND %s",
        [key, category, kind, first, last],
    )
    return {row["start"]: figures_from(row) for row in rows}


def _stored_category(scope: Scope, kind: str) -> str | None:
    """The ``ScopeFigures.category`` for the scope's category, or None when none is stored."""
    if not scope.category:
        return ""
    return scope.category if len(scope.category) == 2 and kind == "year" else None


def _periods(scope: Scope, kind: str, first: dt.date, last: dt.date) -> dict[dt.date, Figures]:
    key, category = scope.key(), _stored_category(scope, kind)
    if key is not None and category is not None:
        return _stored(key, category, kind, first, last)
    return _live(scope, kind, first, last, "ip.start")


def figures(scope: Scope, year: int, month: int | None = None) -> Figures:
    """The scope's figures over a year, or one month of it."""
    if month:
        start = dt.date(year, month, 1)
        return _periods(scope, "month", start, start).get(start, Figures())
    start = dt.date(year, 1, 1)
    return _periods(scope, "year", start, start).get(start, Figures())


def by_month(scope: Scope, year: int) -> list[tuple[dt.date, Figures]]:
    """The twelve months of ``year`` (zero figures for months without rows)."""
    found = _periods(scope, "month", *_year_bounds(year))
    return [(m, found.get(m, Figures())) for m in (dt.date(year, n, 1) for n in range(1, 13))]


def by_year(scope: Scope) -> list[tuple[int, Figures]]:
    """Every year with rows, oldest first: the trend."""
    found = _periods(scope, "year", dt.date(1900, 1, 1), dt.date(2999, 1, 1))
    return [(start.year, found[start]) for start in sorted(found)]


def years_available() -> list[int]:
    rows = _rows("SELECT DISTINCT start FROM stats_scopefigures WHERE scope = 'cn' AND kind = 'year'", [])
    return sorted(row["start"].year for row in rows)


def by_category(scope: Scope, year: int) -> list[dict[str, Any]]:
    """The scope's year per top class of the classification, most effective hours first."""
    start = dt.date(year, 1, 1)
    key = scope.key()
    if key is not None and not scope.category:
        rows = _rows(
            "SELECT * FROM stats_scopefigures WHERE scope = %s AND category <> '' AND kind = 'year' "
            "AND start = %s",
            [key, start],
        )
        found = {row["category"]: figures_from(row) for row in rows}
    else:
        found = _live(scope, "year", start, start, "left(ip.category_id, 2)")
    return _named(found, "directory_category")


def by_region(scope: Scope, year: int) -> list[dict[str, Any]]:
    """The scope's year per province (per city inside a province), with the region's coordinates."""
    start = dt.date(year, 1, 1)
    prefix = scope.region_prefix or ""
    width = 4 if len(prefix) >= 2 else 2
    key = scope.key()
    # The nation's provinces and a province's cities are stored; anything else is computed.
    if key in ("cn", f"r:{prefix}") and not scope.category and len(prefix) < 4:
        pattern = "r:" + prefix + "_" * (width - len(prefix))
        rows = _rows(
            "SELECT * FROM stats_scopefigures WHERE scope LIKE %s AND category = '' AND kind = 'year' "
            "AND start = %s",
            [pattern, start],
        )
        return _named({row["scope"][2:]: figures_from(row) for row in rows}, "network_region")
    found = _live(scope, "year", start, start, f"left(ip.region_id, {width})")
    return _named(found, "network_region")


def _named(found: dict[str, Figures], table: str) -> list[dict[str, Any]]:
    """Rows with the names (and for regions the coordinates) of their codes, most hours first."""
    codes = {code: (code + "0000")[:6] if table == "network_region" else code for code in found}
    extra = ", lon, lat" if table == "network_region" else ", NULL AS lon, NULL AS lat"
    names = {
        row["code"]: row
        for row in _rows(
            f"SELECT code, name, name_en{extra} FROM {table} WHERE code = ANY(%s)", [list(codes.values())]
        )
    }
    out = []
    for code, figs in found.items():
        meta = names.get(codes[code], {})
        out.append(
            {
                "code": codes[code],
                "name": meta.get("name", code),
                "name_en": meta.get("name_en", ""),
                "lon": meta.get("lon"),
                "lat": meta.get("lat"),
                "figures": figs,
            }
        )
    return sorted(out, key=lambda r: (-r["figures"].effective_hours, r["code"]))


def ranked_instruments(
    scope: Scope, year: int, *, bottom: bool = False, limit: int = 10
) -> list[dict[str, Any]]:
    """The scope's instruments with the most (or fewest) effective hours in ``year``."""
    where, params = _where(scope)
    order = "ASC" if bottom else "DESC"
    rows = _rows(
        "SELECT ip.*, i.name, i.name_en, inst.name AS holder, ip.institution_id AS holder_id "
        "FROM stats_instrumentperiod ip JOIN directory_instrument i ON i.id = ip.instrument_id "
        "JOIN network_institution inst ON inst.id = ip.institution_id "
        f"WHERE ip.kind = 'year' AND ip.start = %s AND {where} "
        f"ORDER BY ip.effective_hours {order}, ip.instrument_id {order} LIMIT %s",
        [dt.date(year, 1, 1), *params, limit],
    )
    return [
        {
            "id": row["instrument_id"],
            "name": row["name"],
            "name_en": row["name_en"],
            "holder": row["holder"],
            "holder_id": row["holder_id"],
            "figures": figures_from(row),
        }
        for row in rows
    ]


def institution_figures(year: int, *, institution_ids: Collection[int] | None = None) -> dict[int, Figures]:
    """Each institution's figures as a holder over ``year`` (institutions holding instruments that year).

    Read from the stored institution rows: one query whatever the number of institutions.
    """
    params: list[Any] = [dt.date(year, 1, 1)]
    condition = "scope LIKE 'i:%%'"
    if institution_ids is not None:
        condition = "scope = ANY(%s)"
        params.append([f"i:{pk}" for pk in institution_ids])
    rows = _rows(
        "SELECT * FROM stats_scopefigures WHERE kind = 'year' AND category = '' AND start = %s "
        f"AND {condition}",
        params,
    )
    return {int(row["scope"][2:]): figures_from(row) for row in rows}


def national_average(year: int) -> dict[str, Any]:
    """The national average effective and external hours per instrument in ``year``.

    Published for 2018 and 2025 only; between them a straight line, outside them the nearest end point —
    both marked ``estimated``.
    """
    (y0, (e0, x0)), (y1, (e1, x1)) = sorted(NATIONAL_AVERAGES.items())
    if year in NATIONAL_AVERAGES:
        effective, external = NATIONAL_AVERAGES[year]
        return {"year": year, "effective_hours": effective, "external_hours": external, "estimated": False}
    t = Decimal(min(max(year, y0), y1) - y0) / Decimal(y1 - y0)
    q = Decimal("1")
    return {
        "year": year,
        "effective_hours": (e0 + (e1 - e0) * t).quantize(q),
        "external_hours": (x0 + (x1 - x0) * t).quantize(q),
        "estimated": True,
    }


# --- refreshing the aggregates ---------------------------------------------------------------------------


def months_back(month: dt.date, n: int) -> dt.date:
    """The first of the month ``n`` months before ``month``."""
    index = month.year * 12 + month.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def _local_month(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date().replace(day=1)


def _data_bounds() -> tuple[dt.datetime | None, dt.datetime | None]:
    """The earliest and latest moments any record the figures count from carries."""
    lows: list[dt.datetime] = []
    highs: list[dt.datetime] = []
    for model, field in (
        (UsageRecord, "start"),
        (Booking, "start"),
        (Order, "created"),
        (LedgerEntry, "created"),
        (Rating, "created"),
    ):
        found = model.objects.aggregate(low=Min(field), high=Max(field))
        lows += [found["low"]] if found["low"] else []
        highs += [found["high"]] if found["high"] else []
    return (min(lows) if lows else None, max(highs) if highs else None)


def refresh(*, since: dt.date | None = None, now: dt.datetime | None = None) -> None:
    """(Re)build the aggregates for the whole years from ``since``'s (or from the first record's).

    The months run up to the current month (or the last record's, if later): available hours are not
    counted for months that have not begun. One transaction: readers see the old figures until commit.
    """
    started = timezone.now()
    clock = time.perf_counter()
    now = now or started
    low, high = _data_bounds()
    first_year = since.year if since else (_local_month(low).year if low else _local_month(now).year)
    last = max(_local_month(now), _local_month(high) if high else _local_month(now))
    last = min(last, _local_month(now + dt.timedelta(days=400)))  # far-future bookings add no months
    first = dt.date(min(first_year, last.year), 1, 1)
    with transaction.atomic():
        # One refresh at a time: a second one waits here rather than interleaving its deletes.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('dayi.stats.refresh'))")
        aggregates.rebuild(first, last)
        end = _local_month(now)
        aggregates.rebuild_recent(months_back(end, 24), months_back(end, 12), end)
        RefreshRun.objects.create(
            started=started,
            finished=timezone.now(),
            first_month=first,
            last_month=last,
            seconds=time.perf_counter() - clock,
        )


def changed_since(moment: dt.datetime) -> dt.date | None:
    """The earliest day a record written after ``moment`` counts in (None: nothing changed)."""
    candidates = [
        # A usage record written, confirmed (its hours now count), or superseded by a newer one.
        UsageRecord.objects.filter(
            Q(created__gte=moment) | Q(confirmed_at__gte=moment) | Q(superseded_by__created__gte=moment)
        ).aggregate(d=Min("start"))["d"],
        Booking.objects.filter(updated__gte=moment).aggregate(d=Min("start"))["d"],
        Order.objects.filter(updated__gte=moment).aggregate(d=Min("created"))["d"],
        LedgerEntry.objects.filter(created__gte=moment).aggregate(d=Min("created"))["d"],
        Rating.objects.filter(created__gte=moment).aggregate(d=Min("created"))["d"],
    ]
    # An instrument added, retired or given other opening hours changes its available hours: rebuild at
    # least the year of the last refresh (earlier years keep the hours they were built with).
    if Instrument.objects.filter(updated__gte=moment).exists():
        candidates.append(moment)
    found = [c for c in candidates if c is not None]
    return min(found).astimezone(SHANGHAI).date() if found else None


def last_refresh() -> RefreshRun | None:
    return RefreshRun.objects.order_by("-started").first()


def require_full_refresh() -> None:
    """Make the next periodic refresh rebuild everything: after a bulk load whose records the change
    detection cannot see (records dated in the past, rows deleted), with no run on record it starts over."""
    RefreshRun.objects.all().delete()
