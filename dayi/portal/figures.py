"""What the portal's pages show besides results: headline figures, paths, the small map, similar instruments.

Every count comes from ``dayi.directory.queries`` (summary, facets, search); this module only shapes it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import translation

from dayi.directory import queries
from dayi.directory.models import Category, Expert, Instrument
from dayi.network.models import Institution, Region
from dayi.network.queries import region_path as network_region_path

SIMILAR_LIMIT = 6
# The frame of the small map: an equirectangular projection of China's extent (degrees, GCJ-02).
MAP_WEST, MAP_EAST, MAP_NORTH, MAP_SOUTH = 73.0, 135.0, 54.0, 17.5
MAP_WIDTH, MAP_HEIGHT, MAP_PAD = 560, 400, 12


def english() -> bool:
    return (translation.get_language() or "").startswith("en")


def local_name(name: str, name_en: str | None) -> str:
    """The English name on English pages when there is one; the Chinese name otherwise."""
    return name_en if english() and name_en else name


def headline(*, platform: str | None) -> dict[str, Any]:
    """The platform's figures (the whole network when ``platform`` is None), with experts and 亿元."""
    figs = queries.summary(platform=platform)
    figs["total_value_yi"] = Decimal(figs["total_value"]) / Decimal(100_000_000)
    figs["experts"] = experts(platform=platform).count()
    return figs


def classes_with_counts(by_category: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The twelve top classes of the classification, each with its number of instruments (maybe 0)."""
    return [
        {
            "code": node["code"],
            "name": local_name(node["name"], node["name_en"]),
            "count": by_category.get(node["code"], {}).get("instruments", 0),
        }
        for node in queries.category_tree()
    ]


def provinces_with_counts(by_region: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Provinces holding instruments, most first."""
    names = _region_names(list(by_region))
    rows = [
        {"code": code, "name": names.get(code, row["name"]), "count": row["instruments"]}
        for code, row in by_region.items()
    ]
    return sorted(rows, key=lambda r: (-r["count"], r["code"]))


def _region_names(codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = Region.objects.filter(code__in=codes).values_list("code", "name", "name_en")
    return {code: local_name(name, name_en) for code, name, name_en in rows}


def _category_names(codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = Category.objects.filter(code__in=codes).values_list("code", "name", "name_en")
    return {code: local_name(name, name_en) for code, name, name_en in rows}


def facet_names(kind: str, codes: list[str]) -> dict[str, str]:
    """Localised names for facet keys (``queries.facets`` names them in Chinese)."""
    return _category_names(codes) if kind == "category" else _region_names(codes)


def chart_data(
    by_category: dict[str, dict[str, Any]], by_region: dict[str, dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """``[{"name", "value"}]`` series for the ECharts bar charts, largest first."""
    cat_names = _category_names(list(by_category))
    reg_names = _region_names(list(by_region))
    return {
        "category": _series(by_category, cat_names),
        "region": _series(by_region, reg_names),
    }


def _series(rows: dict[str, dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    series = [
        {"code": code, "name": names.get(code) or row.get("name") or code, "value": row["instruments"]}
        for code, row in rows.items()
    ]
    return sorted(series, key=lambda r: (-r["value"], r["code"]))


def institution_figures(institution: Institution) -> dict[str, Any]:
    """An institution's instruments, their value, and counts by class and province (``queries.facets``)."""
    f = queries.InstrumentFilters(institution=institution.pk)
    totals = (
        queries.search(f)
        .order_by()
        .aggregate(n=Count("id"), value=Coalesce(Sum("original_value"), Decimal("0")))
    )
    facets = queries.facets(f)
    by_category, by_region = (
        {k: {"instruments": v["count"], "name": v["name"]} for k, v in facets[kind].items()}
        for kind in ("category", "region")
    )
    return {
        "instruments": totals["n"],
        "total_value_yi": totals["value"] / Decimal(100_000_000),
        "experts": institution.experts.filter(retired__isnull=True).count(),
        "charts": chart_data(by_category, by_region),
    }


def experts(*, q: str = "", platform: str | None = None) -> QuerySet[Expert]:
    """The public list: the same matching as GET /api/v1/experts (``directory.queries.match_experts``)."""
    return queries.match_experts(q=q, platform=platform)


def category_path(code: str) -> list[Category]:
    """The class, middle class and small class above and at ``code`` (codes nest by prefix)."""
    prefixes = [code[:n] for n in (2, 4, 6) if n <= len(code)]
    return list(Category.objects.filter(code__in=prefixes).order_by("code"))


def region_path(code: str) -> list[Region]:
    """Province › city › county; a municipality's city level repeats its name and is left out."""
    path = network_region_path(code)
    return [r for n, r in enumerate(path) if n == 0 or r.name != path[n - 1].name]


def _project(lon: float, lat: float) -> tuple[float, float]:
    x = MAP_PAD + (lon - MAP_WEST) / (MAP_EAST - MAP_WEST) * (MAP_WIDTH - 2 * MAP_PAD)
    y = MAP_PAD + (MAP_NORTH - lat) / (MAP_NORTH - MAP_SOUTH) * (MAP_HEIGHT - 2 * MAP_PAD)
    return round(x, 1), round(y, 1)


def map_points(region: Region) -> dict[str, Any] | None:
    """The small map: every provincial capital as a dot and the instrument's city centre as the marker.

    Drawn as inline SVG from the region table's coordinates, so no map tiles are fetched from anywhere.
    """
    point = region if region.lon is not None else Region.objects.filter(code=region.parent_id).first()
    if point is None or point.lon is None or point.lat is None:
        return None
    capitals = Region.objects.filter(level="province", lon__isnull=False, lat__isnull=False).values_list(
        "lon", "lat"
    )
    x, y = _project(point.lon, point.lat)
    return {
        "width": MAP_WIDTH,
        "height": MAP_HEIGHT,
        "dots": [_project(lon, lat) for lon, lat in capitals if lon is not None and lat is not None],
        "x": x,
        "y": y,
        "label_x": x - 8 if x > MAP_WIDTH * 0.75 else x + 8,
        "label_y": y - 10,
        "anchor": "end" if x > MAP_WIDTH * 0.75 else "start",
        "lon": point.lon,
        "lat": point.lat,
        "grid_x": [_project(lon, MAP_SOUTH)[0] for lon in range(80, 135, 10)],
        "grid_y": [_project(MAP_WEST, lat)[1] for lat in range(20, 55, 10)],
    }


def _scopes(region_code: str) -> list[str | None]:
    """The instrument's city, then its province, then everywhere: nearest regions first."""
    city, province = region_code[:4] + "00", region_code[:2] + "0000"
    return [city, province, None] if city != province else [province, None]


def similar_nearby(instrument: Instrument) -> list[Instrument]:
    """Listed instruments of the same class, from the same city outwards, through ``queries.search``."""
    found: list[Instrument] = []
    seen = {instrument.pk}
    for scope in _scopes(instrument.region_id):
        f = queries.InstrumentFilters(category=instrument.category_id, region=scope)
        for other in queries.search(f).exclude(pk__in=seen)[: SIMILAR_LIMIT - len(found)]:
            found.append(other)
            seen.add(other.pk)
        if len(found) >= SIMILAR_LIMIT:
            break
    return found
