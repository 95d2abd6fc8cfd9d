"""The results page: filters from the URL, one page of ``queries.search``, facets, and broader searches.

Everything counted here is counted by ``dayi.directory.queries`` (search, facets); the mode and status
facets are aggregates over ``queries.search`` with that one filter left out, as the API's facets are.
"""

from __future__ import annotations

import unicodedata
from dataclasses import fields, replace
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import QueryDict
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dayi.core.errors import DayiError
from dayi.directory import queries
from dayi.directory.models import Category, ServiceMode, Status
from dayi.network.models import Institution, Platform, Region
from dayi.portal import figures
from dayi.portal.labels import choice_label
from dayi.search.highlight import highlight

PAGE_SIZE = 20
BASE = "/instruments/"
SNIPPET_BEFORE, SNIPPET_AFTER = 30, 90
TEXT_FILTERS = ("q", "region", "platform", "category", "mode", "status", "share_mode", "sort")

CHOICE_FILTERS = {"mode": "mode", "status": "status", "share_mode": "share_mode"}
SORT_LABELS = {
    "relevance": gettext_lazy("相关度"),
    "-value": gettext_lazy("原值从高到低"),
    "value": gettext_lazy("原值从低到高"),
    "name": gettext_lazy("名称"),
    "updated": gettext_lazy("最近更新"),
}


def sort_choices() -> list[tuple[str, Any]]:
    return [(key, SORT_LABELS.get(key, key)) for key in queries.SORTS]


def filters_from_query(get: QueryDict) -> tuple[queries.InstrumentFilters, list[str]]:
    """The filters a URL asks for, and messages for values that cannot be read (numbers, mostly)."""
    raw: dict[str, Any] = {k: printable(get.get(k, "")) for k in TEXT_FILTERS}
    errors: list[str] = []
    institution = get.get("institution", "").strip()
    if institution:
        if institution.isdigit():
            raw["institution"] = int(institution)
        else:
            errors.append(_("单位编号应为数字"))
    for key in ("min_value", "max_value"):
        value = get.get(key, "").strip()
        if value:
            try:
                raw[key] = Decimal(value)
            except InvalidOperation:
                errors.append(_("金额应为数字"))
    f = queries.InstrumentFilters.from_params(raw)
    try:
        f.validate()
    except DayiError as exc:
        errors.extend(error_messages(exc))
    return f, errors


def printable(text: str) -> str:
    """``text`` without control characters (a NUL cannot even reach PostgreSQL), trimmed."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc").strip()


def error_messages(exc: DayiError) -> list[str]:
    return [msg for msgs in exc.fields.values() for msg in msgs] or [exc.message]


def url(f: queries.InstrumentFilters, **changes: Any) -> str:
    """The results URL for ``f`` with ``changes`` (None removes a filter); the page number is dropped."""
    params = {}
    for field in fields(f):
        value = changes.get(field.name, getattr(f, field.name))
        if value in (None, "") or (field.name == "sort" and value == "relevance"):
            continue
        params[field.name] = str(value)
    return f"{BASE}?{urlencode(params)}" if params else BASE


def page_url(f: queries.InstrumentFilters, number: int) -> str:
    base = url(f)
    return f"{base}{'&' if '?' in base else '?'}page={number}"


def page_context(f: queries.InstrumentFilters, page_number: str | None) -> dict[str, Any]:
    paginator = Paginator(queries.search(f), PAGE_SIZE)
    page = paginator.get_page(page_number)
    marker = Marker(f.q)
    return {
        "page": page,
        "items": [present(i, marker) for i in page.object_list],
        "page_links": page_links(f, page),
        "prev_url": page_url(f, page.previous_page_number()) if page.has_previous() else None,
        "next_url": page_url(f, page.next_page_number()) if page.has_next() else None,
        "facets": facet_groups(f),
        "value_keep": kept_params(f, "min_value", "max_value"),
        "active": active_filters(f),
        "broader": broader_searches(f) if paginator.count == 0 else [],
    }


class Marker:
    """Marks one query's words in many fields, parsing the query once per page.

    ``dayi.search.highlight.highlight(text, q)`` parses ``q`` (and checks the synonym table) on every
    call, five calls a result; ``query_terms`` + ``spans`` do the same matching with one parse.
    """

    def __init__(self, q: str | None) -> None:
        self.q = q
        try:
            from dayi.search.highlight import query_terms, spans
        except ImportError:  # an older search domain: highlight() per field
            self.spans = None
        else:
            self.terms, self.spans = query_terms(q), spans

    def mark(self, text: str) -> SafeString:
        if self.spans is None:
            return highlight(text, self.q)
        text = text or ""
        return _marked(text, self.spans(text, self.terms))

    def snippet(self, text: str) -> SafeString | None:
        """About 120 characters of ``text`` around its first match; None if the query is not in it."""
        if not text or not self.q:
            return None
        found = self.spans(text, self.terms) if self.spans is not None else []
        if not found:
            return None
        start = max(found[0][0] - SNIPPET_BEFORE, 0)
        end = found[0][0] + SNIPPET_AFTER
        inside = [(max(a, start) - start, min(b, end) - start) for a, b in found if a < end and b > start]
        body = _marked(text[start:end], inside)
        return mark_safe(("…" if start else "") + body + ("…" if end < len(text) else ""))  # noqa: S308


def _marked(text: str, found: list[tuple[int, int]]) -> SafeString:
    out, pos = [], 0
    for start, end in sorted(found):
        if start >= pos:
            out += [escape(text[pos:start]), "<mark>", escape(text[start:end]), "</mark>"]
            pos = end
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece of the text is escaped


def present(instrument: Any, marker: Marker) -> dict[str, Any]:
    """One result with the query's words marked: name, English name, model, maker, and a text snippet."""
    return {
        "i": instrument,
        "name": marker.mark(instrument.name),
        "name_en": marker.mark(instrument.name_en),
        "model": marker.mark(instrument.model),
        "manufacturer": marker.mark(instrument.manufacturer),
        "snippet": marker.snippet(instrument.specs) or marker.snippet(instrument.functions),
    }


def page_links(f: queries.InstrumentFilters, page: Any) -> list[dict[str, Any]]:
    """Numbered links around the current page, keeping every filter in the URL."""
    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return [
        {"number": n, "url": page_url(f, n) if isinstance(n, int) else None, "current": n == page.number}
        for n in numbers
    ]


def facet_groups(f: queries.InstrumentFilters) -> list[dict[str, Any]]:
    counts = queries.facets(f)
    groups = []
    for kind, title in (("category", _("仪器类别")), ("region", _("所在地区"))):
        names = figures.facet_names(kind, list(counts[kind]))
        options = [
            {
                "name": names.get(code) or row["name"] or code,
                "count": row["count"],
                "url": url(f, **{kind: code}),
            }
            for code, row in counts[kind].items()
            if code != getattr(f, kind)
        ]
        groups.append({"key": kind, "title": title, "options": options})
    groups.append(_choice_group(f, "mode", _("服务方式"), mode_counts(f)))
    groups.append(_choice_group(f, "status", _("运行状态"), status_counts(f)))
    share = {mode: row["count"] for mode, row in counts["share_mode"].items()}
    groups.append(_choice_group(f, "share_mode", _("共享方式"), share))
    groups.append(value_group(f, counts["value"]))
    return groups


def value_group(f: queries.InstrumentFilters, counts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The value bands (``queries.VALUE_BANDS``) under the other filters; a chosen band toggles off."""
    options = []
    for low, high in queries.VALUE_BANDS:
        current = f.min_value == low and f.max_value == high
        n = counts[queries.band_key(low, high)]["count"]
        if n or current:
            target = {"min_value": None if current else low, "max_value": None if current else high}
            options.append(
                {"name": band_label(low, high), "count": n, "url": url(f, **target), "current": current}
            )
    return {"key": "value", "title": _("原值"), "options": options, "range": True}


def band_label(low: Decimal | None, high: Decimal | None) -> str:
    """A band in 万元 in Chinese, in millions of yuan in English (the numbers are given in both units)."""

    def whole(v: Decimal | None, unit: int) -> str:
        yuan = Decimal(0) if v is None else (v + Decimal("0.01") if v % 1 else v)
        return f"{(yuan / unit).normalize():f}"

    numbers = {
        "low_wan": whole(low, 10_000),
        "high_wan": whole(high, 10_000),
        "low_m": whole(low, 1_000_000),
        "high_m": whole(high, 1_000_000),
    }
    if low is None:
        return _("%(high_wan)s万元以下") % numbers
    if high is None:
        return _("%(low_wan)s万元及以上") % numbers
    return _("%(low_wan)s万–%(high_wan)s万元") % numbers


def kept_params(f: queries.InstrumentFilters, *leave_out: str) -> list[tuple[str, str]]:
    """The search's parameters but ``leave_out``, as hidden inputs for a form that sets those."""
    params = parse_qsl(url(f).partition("?")[2])
    return [(k, v) for k, v in params if k not in leave_out]


def _choice_group(
    f: queries.InstrumentFilters, key: str, title: str, counts: dict[str, int]
) -> dict[str, Any]:
    options = [
        {
            "name": choice_label(key, value),
            "count": n,
            "url": url(f, **{key: None if getattr(f, key) == value else value}),
            "current": getattr(f, key) == value,
        }
        for value, n in counts.items()
        if n or getattr(f, key) == value
    ]
    return {"key": key, "title": title, "options": options}


def mode_counts(f: queries.InstrumentFilters) -> dict[str, int]:
    """Instruments offering each service mode, under the other filters (one query)."""
    qs = queries.search(replace(f, mode=None)).order_by()
    # Keys are prefixed: a mode is called "self", which aggregate() would take for its own argument.
    counts = qs.aggregate(
        **{f"n_{m}": Count("id", filter=Q(modes__contains=[m])) for m in ServiceMode.values}
    )
    return {m: counts[f"n_{m}"] for m in ServiceMode.values}


def status_counts(f: queries.InstrumentFilters) -> dict[str, int]:
    """Instruments in each operating status, under the other filters (one query)."""
    rows = queries.search(replace(f, status=None)).order_by().values("status").annotate(n=Count("id"))
    found = {r["status"]: r["n"] for r in rows}
    return {s: found.get(s, 0) for s in Status.values}


def active_filters(f: queries.InstrumentFilters) -> list[dict[str, Any]]:
    """The filters in force, each with its label and the URL without it (also the broader searches)."""
    active = []
    for key in ("q", "category", "region", "platform", "institution", "mode", "status", "share_mode"):
        value = getattr(f, key)
        if value not in (None, ""):
            label = filter_label(key, value)
            active.append({"key": key, "label": label, "remove_url": url(f, **{key: None})})
    if f.min_value is not None or f.max_value is not None:
        label = _("原值 %(low)s – %(high)s 元") % {"low": f.min_value or 0, "high": f.max_value or "∞"}
        active.append({"key": "value", "label": label, "remove_url": url(f, min_value=None, max_value=None)})
    return active


def filter_label(key: str, value: Any) -> str:
    if key == "q":
        return _("“%(q)s”") % {"q": value}
    if key == "category":
        return _name(Category.objects.filter(code=value).values_list("name", "name_en").first(), value)
    if key == "region":
        return _name(Region.objects.filter(code=value).values_list("name", "name_en").first(), value)
    if key == "platform":
        return _name(Platform.objects.filter(code=value).values_list("name", "name_en").first(), value)
    if key == "institution":
        return _name(Institution.objects.filter(pk=value).values_list("name", "name_en").first(), value)
    if key in CHOICE_FILTERS:
        return choice_label(CHOICE_FILTERS[key], value)
    return str(value)


def _name(row: tuple[str, str] | None, fallback: Any) -> str:
    return figures.local_name(*row) if row else str(fallback)


def broader_searches(f: queries.InstrumentFilters) -> list[dict[str, Any]]:
    """For an empty result: searches one step broader that find something, each with its count.

    The search domain's ``broader_suggestions`` decides (a parent class or region before dropping a
    filter); until it exists, each active filter is dropped in turn.
    """
    try:
        from dayi.search.queries import broader_suggestions
    except ImportError:
        return _dropped_filters(f)
    return [_suggestion(f, s) for s in broader_suggestions(f)]


def _suggestion(f: queries.InstrumentFilters, s: dict[str, Any]) -> dict[str, Any]:
    field, value = s["field"], s["value"]
    if value is None:
        text = _("去掉“%(what)s”") % {"what": filter_label(field, getattr(f, field))}
    else:
        text = _("改为“%(what)s”") % {"what": filter_label(field, value)}
    return {"text": text, "url": f"{BASE}?{urlencode(s['params'])}", "count": s["count"]}


def _dropped_filters(f: queries.InstrumentFilters) -> list[dict[str, Any]]:
    suggestions = []
    for item in active_filters(f):
        dropped = {"min_value": None, "max_value": None} if item["key"] == "value" else {item["key"]: None}
        n = queries.search(replace(f, **dropped)).count()
        if n:
            text = _("去掉“%(what)s”") % {"what": item["label"]}
            suggestions.append({"text": text, "url": item["remove_url"], "count": n})
    return sorted(suggestions, key=lambda s: -s["count"])
