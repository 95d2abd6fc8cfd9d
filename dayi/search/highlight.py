"""Show why a result matched: the query's words, and the forms its short forms stand for, marked in a field.

``highlight`` marks a whole field; ``snippet`` cuts a long field (specs, functions) to a window around the
first match. Both return safe HTML: the record's text is escaped, only <mark> is added.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN_EDGE = re.compile(r"[a-z0-9]")
_JOINER = "[-‐‑–—/· ]?"  # a record may write 液相色谱-质谱联用仪 where the query has 液相色谱质谱联用仪
ELLIPSIS = "…"


def _term_regex(term: str) -> str:
    if _HAN.search(term):
        return _JOINER.join(re.escape(c) for c in term)
    body = re.escape(term)
    head = r"(?<![a-z0-9])" if _LATIN_EDGE.match(term[0]) else ""
    # Records and queries drop English plural endings, so microscope marks microscopes.
    tail = r"(?:e?s)?(?![a-z0-9])" if _LATIN_EDGE.match(term[-1]) else ""
    return f"{head}{body}{tail}"


@lru_cache(maxsize=1024)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = [_term_regex(t) for t in sorted(set(terms), key=len, reverse=True) if t.strip()]
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def query_terms(query: str | None) -> tuple[str, ...]:
    """The words to mark for ``query``: its words, their parts, and the forms its short forms stand for."""
    if not query:
        return ()
    from dayi.search.ranking import parse

    return tuple(parse(query).terms())


def spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    pattern = _pattern(tuple(terms))
    if pattern is None or not text:
        return []
    return [m.span() for m in pattern.finditer(text) if m.end() > m.start()]


def _marked(text: str, found: list[tuple[int, int]]) -> SafeString:
    out: list[str] = []
    pos = 0
    for start, end in found:
        out.append(escape(text[pos:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece of the record's text is escaped above


def highlight(text: str, query: str | None, *, terms: tuple[str, ...] | None = None) -> SafeString:
    """``text`` as safe HTML with each query word (and what its short forms stand for) in <mark>.

    Pass ``terms`` (``query_terms(query)``) when marking many fields: parsing reads the synonym table.
    """
    terms = query_terms(query) if terms is None else terms
    return _marked(text or "", spans(text or "", terms))


def snippet(
    text: str, query: str | None, width: int = 80, *, terms: tuple[str, ...] | None = None
) -> SafeString:
    """About ``width`` characters of ``text`` around its first match, highlighted (the start if none)."""
    text = text or ""
    found = spans(text, query_terms(query) if terms is None else terms)
    if len(text) <= width:
        return _marked(text, found)
    first = found[0][0] if found else 0
    start = max(0, min(first - width // 4, len(text) - width))
    end = start + width
    inside = [(max(a, start) - start, min(b, end) - start) for a, b in found if a < end and b > start]
    body = _marked(text[start:end], inside)
    return mark_safe(  # noqa: S308 - body is escaped by _marked
        (ELLIPSIS if start > 0 else "") + body + (ELLIPSIS if end < len(text) else "")
    )
