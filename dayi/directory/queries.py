"""Read-side of the directory: the instrument filters, facets and headline figures.

The API, the export, the portal pages and the statistics all call these; there is no second implementation.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import gettext

from dayi.core.errors import ValidationFailed
from dayi.core.money import fmt
from dayi.directory.models import Category, Expert, Instrument, ServiceMode, ShareMode, Status
from dayi.network.models import Platform, Region, region_prefix
from dayi.network.queries import platform_institution_ids
from dayi.search import geo, ranking

SORTS = {
    "relevance": ["-updated", "-id"],  # without a query; with ``q``, dayi.search.ranking ranks
    "value": ["original_value", "id"],
    "-value": ["-original_value", "-id"],
    "name": ["name", "id"],
    "updated": ["-updated", "-id"],
}


# The value facet's bands, yuan, both ends included (the filters' min_value and max_value): the national
# rule opens every instrument of 500,000 yuan and more; a purchase over 2 million is reviewed against
# duplicates; 5 and 10 million split the large ones.
VALUE_BANDS: tuple[tuple[Decimal | None, Decimal | None], ...] = (
    (None, Decimal("499999.99")),
    (Decimal("500000"), Decimal("1999999.99")),
    (Decimal("2000000"), Decimal("4999999.99")),
    (Decimal("5000000"), Decimal("9999999.99")),
    (Decimal("10000000"), None),
)


def band_key(low: Decimal | None, high: Decimal | None) -> str:
    """A band as the facet names it: ``500000-1999999.99``, ``-499999.99``, ``10000000-``."""
    return f"{'' if low is None else low}-{'' if high is None else high}"


def _value_band() -> Case:
    """The index of the band an instrument's value falls in (0 … 4)."""
    whens = [When(original_value__lte=high, then=Value(n)) for n, (_, high) in enumerate(VALUE_BANDS) if high]
    return Case(*whens, default=Value(len(VALUE_BANDS) - 1), output_field=IntegerField())


@dataclass
class InstrumentFilters:
    q: str | None = None
    region: str | None = None
    platform: str | None = None
    category: str | None = None
    institution: int | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    mode: str | None = None
    status: str | None = None
    share_mode: str | None = None
    sort: str = "relevance"
    near: str | None = None  # a region code: nearest first (distance from its centre), then ``sort``

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> InstrumentFilters:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in params.items() if k in names and v not in (None, "")})

    def validate(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.sort not in SORTS:
            errors["sort"] = [gettext("应为 %(choices)s 之一") % {"choices": ", ".join(SORTS)}]
        if self.mode and self.mode not in ServiceMode.values:
            errors["mode"] = [gettext("应为 %(choices)s 之一") % {"choices": ", ".join(ServiceMode.values)}]
        if self.status and self.status not in Status.values:
            errors["status"] = [gettext("应为 %(choices)s 之一") % {"choices": ", ".join(Status.values)}]
        if self.region and not (self.region.isdigit() and len(self.region) == 6):
            errors["region"] = [gettext("应为六位行政区划代码")]
        if self.near and not (self.near.isdigit() and len(self.near) == 6):
            errors["near"] = [gettext("应为六位行政区划代码")]
        if self.category and not (self.category.isdigit() and len(self.category) in (2, 4, 6)):
            errors["category"] = [gettext("应为2、4或6位分类代码")]
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            errors["min_value"] = [gettext("不能大于 max_value")]
        if self.q is not None and len(self.q) > 200:
            errors["q"] = [gettext("检索词不能超过200字")]
        if errors:
            raise ValidationFailed(gettext("检索条件有误"), fields=errors)


def listed() -> QuerySet[Instrument]:
    """Instruments in the directory: every instrument not retired."""
    return Instrument.objects.filter(retired__isnull=True)


def _platform(code: str) -> Platform:
    platform = Platform.objects.filter(code=code).first()
    if platform is None:
        raise ValidationFailed(fields={"platform": [gettext("平台 %(code)s 不存在") % {"code": code}]})
    return platform


def filter_q(f: InstrumentFilters, *, skip: str | None = None) -> Q:
    """The filters as one Q; ``skip`` leaves one out (facet counts reflect the *other* filters)."""
    q = Q()
    if f.region and skip != "region":
        q &= Q(region__code__startswith=region_prefix(f.region))
    if f.category and skip != "category":
        q &= Q(category__code__startswith=f.category)
    if f.platform:
        q &= Q(institution_id__in=platform_institution_ids(_platform(f.platform)))
    if f.institution:
        q &= Q(institution_id=f.institution)
    if f.min_value is not None:
        q &= Q(original_value__gte=f.min_value)
    if f.max_value is not None:
        q &= Q(original_value__lte=f.max_value)
    if f.mode:
        q &= Q(modes__contains=[f.mode])
    if f.status:
        q &= Q(status=f.status)
    if f.share_mode:
        q &= Q(share_mode=f.share_mode)
    if f.q:
        q &= text_q(f.q)
    return q


def text_q(text: str) -> Q:
    """The instruments ``text`` finds: segmented words, synonyms, model fragments (dayi.search.ranking)."""
    return ranking.text_q(text)


def search(f: InstrumentFilters) -> QuerySet[Instrument]:
    """The filtered instruments in order: by relevance to ``q`` (or ``sort``), nearest first with ``near``."""
    f.validate()
    qs = listed().filter(filter_q(f))
    order: list[Any] = list(SORTS[f.sort])
    if f.q and f.sort == "relevance":
        # Ranking reads every match before the top rows are known; joining the holder, class and region
        # to all of them (10,000+ for a two-character query) costs more than fetching them for one page.
        qs, order = ranking.ranked(qs, f.q)
        qs = qs.prefetch_related("institution", "category", "region")
    else:
        qs = qs.select_related("institution", "category", "region")
    if f.near:
        qs = qs.annotate(distance_km=geo.distance_km(f.near))
        order = [F("distance_km").asc(nulls_last=True), *order]
    return qs.order_by(*order)


def _child_prefix_length(code: str | None, lengths: tuple[int, ...]) -> int:
    """Facet one level below the active filter: no filter → the top level."""
    if not code:
        return lengths[0]
    current = len(code)
    for length in lengths:
        if length > current:
            return length
    return current


def count_and_facets(f: InstrumentFilters) -> tuple[int, dict[str, dict[str, dict[str, Any]]]]:
    """How many instruments match, and their counts per category and per region one level below the
    active filter, per share mode and per value band (``VALUE_BANDS``), from one grouped query.

    A facet narrows within the other filters and its own (a category filter of 01 counts its middle
    classes 0101, 0102 …), so the count and the facets share one WHERE clause: the database reads the
    matches once, grouped by (category key, region key, share mode, value band), and the sums are taken
    over those few groups.
    """
    f.validate()
    cat_len = _child_prefix_length(f.category, (2, 4, 6))
    region_len = _child_prefix_length(region_prefix(f.region) if f.region else None, (2, 4, 6))
    groups = (
        listed()
        .filter(filter_q(f))
        .annotate(
            ck=Substr("category_id", 1, cat_len), rk=Substr("region_id", 1, region_len), vb=_value_band()
        )
        .values("ck", "rk", "share_mode", "vb")
        .annotate(n=Count("id"))
        .order_by()
    )
    cat_counts: dict[str, int] = {}
    region_counts: dict[str, int] = {}
    share_counts = dict.fromkeys(ShareMode.values, 0)
    band_counts = [0] * len(VALUE_BANDS)
    for g in groups:
        cat_counts[g["ck"]] = cat_counts.get(g["ck"], 0) + g["n"]
        region = g["rk"].ljust(6, "0")
        region_counts[region] = region_counts.get(region, 0) + g["n"]
        share_counts[g["share_mode"]] = share_counts.get(g["share_mode"], 0) + g["n"]
        band_counts[g["vb"]] += g["n"]
    cat_names = dict(Category.objects.filter(code__in=list(cat_counts)).values_list("code", "name"))
    reg_names = dict(Region.objects.filter(code__in=list(region_counts)).values_list("code", "name"))

    def ranked(counts: dict[str, int], names: dict[str, str]) -> dict[str, dict[str, Any]]:
        order = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return {key: {"count": n, "name": names.get(key, "")} for key, n in order}

    facet_counts = {
        "category": ranked(cat_counts, cat_names),
        "region": ranked(region_counts, reg_names),
        "share_mode": {
            mode: {"count": share_counts[mode], "name": str(label)} for mode, label in ShareMode.choices
        },
        "value": {
            band_key(low, high): {
                "count": n,
                "name": _band_name(low, high),
                "min_value": None if low is None else fmt(low),
                "max_value": None if high is None else fmt(high),
            }
            for (low, high), n in zip(VALUE_BANDS, band_counts, strict=True)
        },
    }
    return sum(cat_counts.values()), facet_counts


def _band_name(low: Decimal | None, high: Decimal | None) -> str:
    """In 万元 (10,000 yuan), as the national forms count values: 50万–200万元."""

    def wan(v: Decimal) -> str:
        return f"{(v + Decimal('0.01')) / 10000:.0f}万" if v % 1 else f"{v / 10000:.0f}万"

    if low is None and high is not None:
        return f"{wan(high)}元以下"
    if high is None and low is not None:
        return f"{wan(low)}元及以上"
    assert low is not None and high is not None
    return f"{wan(low)}–{wan(high)}元"


def facets(f: InstrumentFilters) -> dict[str, dict[str, dict[str, Any]]]:
    """Counts per category and per region one level below the active filter, under the other filters."""
    return count_and_facets(f)[1]


def summary(
    *, platform: str | None = None, region: str | None = None, category: str | None = None
) -> dict[str, Any]:
    """The headline figures platforms publish (instruments, value, institutions), by class and province."""
    f = InstrumentFilters(platform=platform, region=region, category=category)
    f.validate()
    qs = listed().filter(filter_q(f))
    totals = qs.aggregate(
        instruments=Count("id"),
        total_value=Coalesce(Sum("original_value"), Decimal("0")),
        institutions=Count("institution_id", distinct=True),
    )
    by_category = (
        qs.annotate(key=Substr("category_id", 1, 2))
        .values("key")
        .annotate(instruments=Count("id"), value=Coalesce(Sum("original_value"), Decimal("0")))
        .order_by("key")
    )
    by_region = (
        qs.annotate(key=Substr("region_id", 1, 2))
        .values("key")
        .annotate(instruments=Count("id"), value=Coalesce(Sum("original_value"), Decimal("0")))
        .order_by("key")
    )
    cat_names = dict(Category.objects.filter(level=1).values_list("code", "name"))
    prov_names = dict(Region.objects.filter(level="province").values_list("code", "name"))
    return {
        "instruments": totals["instruments"],
        "total_value": fmt(totals["total_value"]),
        "institutions": totals["institutions"],
        "by_category": {
            r["key"]: {
                "name": cat_names.get(r["key"], ""),
                "instruments": r["instruments"],
                "value": fmt(r["value"]),
            }
            for r in by_category
        },
        "by_region": {
            f"{r['key']}0000": {
                "name": prov_names.get(f"{r['key']}0000", ""),
                "instruments": r["instruments"],
                "value": fmt(r["value"]),
            }
            for r in by_region
        },
    }


def category_tree() -> list[dict[str, Any]]:
    nodes: dict[str, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for c in Category.objects.order_by("code"):
        node = {"code": c.code, "name": c.name, "name_en": c.name_en, "level": c.level, "children": []}
        nodes[c.code] = node
        (nodes[c.parent_id]["children"] if c.parent_id in nodes else roots).append(node)
    return roots


# --- experts ---------------------------------------------------------------------------------------------


def expert_match(q: str) -> Q:
    """The one matching of experts (the API, the public list and the managers' list): every word of ``q``
    is found, case-insensitively, in the name, the title, the institution's name or a field of expertise."""
    match = Q()
    for word in q.split()[:10]:
        match &= (
            Q(name__icontains=word)
            | Q(title__icontains=word)
            | Q(institution__name__icontains=word)
            | Q(fields_of_expertise__icontains=word)  # the array as text: '{电子显微学,材料表征}'
        )
    return match


def match_experts(
    experts: QuerySet[Expert] | None = None,
    *,
    q: str = "",
    institution: int | None = None,
    platform: str | None = None,
    include_retired: bool = False,
) -> QuerySet[Expert]:
    """Experts matching ``q`` (``expert_match``), of an institution or a platform's members, listed ones
    only unless asked; by name. ``experts`` narrows the start (the experts a manager manages)."""
    qs = (Expert.objects.all() if experts is None else experts).select_related("institution")
    if not include_retired:
        qs = qs.filter(retired__isnull=True)
    if institution:
        qs = qs.filter(institution_id=institution)
    if platform:
        p = Platform.objects.filter(code=platform).first()
        qs = qs.filter(institution_id__in=platform_institution_ids(p)) if p else qs.none()
    if q.strip():
        qs = qs.filter(expert_match(q))
    return qs.order_by("name", "id")
