"""What the result pages and the API show around a search: why a record matched, and broader searches.

The ranking itself lives in ``dayi.search.ranking`` and is applied by ``dayi.directory.queries.search``.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from dayi.directory.models import Instrument
from dayi.directory.queries import InstrumentFilters, filter_q, listed
from dayi.network.models import Region
from dayi.search.highlight import highlight, query_terms, snippet, spans

# The fields a result can match in, in the order a page shows them; long ones are cut to a snippet.
SHORT_FIELDS = ("name", "name_en", "model", "manufacturer")
LONG_FIELDS = ("specs", "functions")


def _field_text(instrument: Instrument, field: str) -> str:
    return str(getattr(instrument, field, "") or "")


def matched_fields(
    instrument: Instrument, q: str | None, *, terms: tuple[str, ...] | None = None
) -> list[str]:
    """The fields of ``instrument`` in which the query's words (or their synonyms) appear."""
    terms = query_terms(q) if terms is None else terms
    if not terms:
        return []
    return [f for f in (*SHORT_FIELDS, *LONG_FIELDS) if spans(_field_text(instrument, f), terms)]


def highlights(
    instrument: Instrument, q: str | None, *, terms: tuple[str, ...] | None = None
) -> dict[str, str]:
    """Field → HTML with <mark>: whole short fields, a snippet of long ones; only the fields that matched.

    For a page of results pass ``terms=query_terms(q)``, so the query is parsed once, not per record.
    """
    terms = query_terms(q) if terms is None else terms
    out: dict[str, str] = {}
    for field in matched_fields(instrument, q, terms=terms):
        text = _field_text(instrument, field)
        marked = snippet(text, q, terms=terms) if field in LONG_FIELDS else highlight(text, q, terms=terms)
        out[field] = str(marked)
    return out


# --- broader searches for an empty result --------------------------------------------------------------

BROADENING_ORDER = (
    "q",
    "category",
    "region",
    "platform",
    "institution",
    "min_value",
    "max_value",
    "mode",
    "status",
    "share_mode",
)


def _ancestors(code: str) -> list[str]:
    """The region's parent, grandparent … (330402 → 330400 → 330000)."""
    chain: list[str] = []
    parent = Region.objects.filter(code=code).values_list("parent_id", flat=True).first()
    while parent and len(chain) < 3:
        chain.append(parent)
        parent = Region.objects.filter(code=parent).values_list("parent_id", flat=True).first()
    return chain


def _relaxed_values(f: InstrumentFilters, name: str) -> list[Any]:
    """Values to try instead of the current one, nearest first: parent classes or regions, then none."""
    value = getattr(f, name)
    if name == "category":
        return [value[:n] for n in (4, 2) if n < len(value)] + [None]
    if name == "region":
        return [*_ancestors(value), None]
    return [None]


def params_of(f: InstrumentFilters) -> dict[str, str]:
    """The filters as URL parameters (empty ones and the default sort left out)."""
    out: dict[str, str] = {}
    for field in fields(f):
        value = getattr(f, field.name)
        if value in (None, "") or (field.name == "sort" and value == "relevance"):
            continue
        out[field.name] = str(value)
    return out


def broader_suggestions(f: InstrumentFilters, *, limit: int = 6) -> list[dict[str, Any]]:
    """Searches one step broader than ``f`` that find something: each relaxes one filter.

    Each suggestion: ``field`` (the filter relaxed), ``value`` (its new value; None = dropped), ``count``,
    ``params`` (the whole search as URL parameters). Run it only for an empty result: one count per try.
    """
    suggestions: list[dict[str, Any]] = []
    for name in BROADENING_ORDER:
        if getattr(f, name) in (None, ""):
            continue
        for value in _relaxed_values(f, name):
            broader = replace(f, **{name: value})
            count = listed().filter(filter_q(broader)).count()
            if count:
                suggestions.append(
                    {"field": name, "value": value, "count": count, "params": params_of(broader)}
                )
                break
        if len(suggestions) >= limit:
            break
    return suggestions
