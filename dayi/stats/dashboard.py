"""What a dashboard shows, shaped once for the API and the pages: figures, months, trend, parts, ranks."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

from dayi.network.models import Institution, Platform, Region
from dayi.stats import queries
from dayi.stats.queries import Figures, Scope

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def jsonable(value: Any) -> Any:
    """Decimals as strings (money and hours keep their places); everything else as it is."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Figures):
        return value.as_json()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def scope_name(scope: Scope) -> str:
    """ "全国", a platform's, region's or institution's name, with the class code when filtered."""
    parts: list[str] = []
    if scope.platform:
        parts.append(
            Platform.objects.filter(code=scope.platform).values_list("name", flat=True).first() or ""
        )
    if scope.region:
        parts.append(Region.objects.filter(code=scope.region).values_list("name", flat=True).first() or "")
    if scope.institution:
        name = Institution.objects.filter(pk=scope.institution).values_list("name", flat=True).first()
        parts.append(name or str(scope.institution))
    if scope.category:
        parts.append(scope.category)
    return " · ".join(p for p in parts if p) or "全国"


def per_instrument(figs: Figures) -> dict[str, str | None]:
    def s(v: Decimal | None) -> str | None:
        return None if v is None else str(v)

    return {
        "effective_hours": s(figs.hours_per_instrument),
        "external_hours": s(figs.external_per_instrument),
    }


def utilisation(scope: Scope, year: int, month: int | None) -> dict[str, Any]:
    """Everything a dashboard shows for the scope and period (Python values)."""
    months = queries.by_month(scope, year)
    figs = dict(months)[dt.date(year, month, 1)] if month else queries.figures(scope, year)
    refreshed = queries.last_refresh()
    return {
        "scope": {
            "platform": scope.platform,
            "region": scope.region,
            "category": scope.category,
            "institution": scope.institution,
            "name": scope_name(scope),
        },
        "year": year,
        "month": month,
        "figures": figs,
        "per_instrument": per_instrument(figs),
        "national_average": queries.national_average(year),
        "months": [{"period": f"{m:%Y-%m}", "figures": f} for m, f in months],
        "years": [{"period": str(y), "figures": f} for y, f in queries.by_year(scope)],
        "by_category": queries.by_category(scope, year),
        "by_region": queries.by_region(scope, year),
        "top": queries.ranked_instruments(scope, year),
        "bottom": queries.ranked_instruments(scope, year, bottom=True),
        "refreshed": refreshed.finished if refreshed else None,
    }


def utilisation_json(scope: Scope, year: int, month: int | None) -> dict[str, Any]:
    out: dict[str, Any] = jsonable(utilisation(scope, year, month))
    return out
