"""Query-time expansion with the synonym table: which forms a query's words stand for.

The table is small (hundreds of rows) and read on every search, so each process keeps the compiled rings
and re-reads them only when the table's fingerprint changes — one tiny aggregate query per request (see
``memo``), and an edit by an admin takes effect at once in every worker, with no cache to invalidate.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from django.db import connection

from dayi.search import memo
from dayi.search.segment import normalize

_LATIN_EDGE = re.compile(r"[a-z0-9]")


@dataclass(frozen=True, eq=False)  # hashed by identity: one instance per table version
class Rings:
    """Every known form → the forms it is interchangeable with (itself first)."""

    ring: dict[str, tuple[str, ...]] = field(default_factory=dict)
    pattern: re.Pattern[str] | None = None

    def find(self, text: str) -> list[re.Match[str]]:
        """Non-overlapping occurrences of known forms in normalized ``text``, longest form first."""
        return list(self.pattern.finditer(text)) if self.pattern else []


def _form_regex(form: str) -> str:
    """A form as a regex; an English form must not sit inside a longer English word (tem ≠ system)."""
    body = re.escape(form)
    head = r"(?<![a-z0-9])" if _LATIN_EDGE.match(form[0]) else ""
    tail = r"(?![a-z0-9])" if _LATIN_EDGE.match(form[-1]) else ""
    return f"{head}{body}{tail}"


def build_rings(rows: list[tuple[str, list[str]]]) -> Rings:
    ring: dict[str, dict[str, None]] = {}
    for term, expansions in rows:
        forms = [f for f in dict.fromkeys(normalize(x).strip() for x in [term, *expansions]) if f]
        for form in forms:
            ring.setdefault(form, {form: None}).update(dict.fromkeys(forms))
    if not ring:
        return Rings()
    alternatives = sorted(ring, key=lambda f: (-len(f), f))
    pattern = re.compile("|".join(_form_regex(f) for f in alternatives))
    return Rings({form: tuple(forms) for form, forms in ring.items()}, pattern)


_FINGERPRINT_SQL = """
    SELECT md5(coalesce(string_agg(id::text || ':' || term || '=' || array_to_string(expansions, '|'),
                                   ';' ORDER BY id), ''))
    FROM search_synonym
"""

_lock = threading.Lock()
_cache: dict[str, Rings] = {}


def _fingerprint() -> str:
    with connection.cursor() as cursor:
        cursor.execute(_FINGERPRINT_SQL)
        return str(cursor.fetchone()[0])


def rings() -> Rings:
    """The current table's rings (rebuilt when a row was added, edited or removed since the last call)."""
    return memo.remember("synonym-rings", _current_rings)


def _current_rings() -> Rings:
    from dayi.search.models import Synonym

    key = _fingerprint()
    cached = _cache.get(key)
    if cached is not None:
        return cached
    rows = [(s.term, list(s.expansions)) for s in Synonym.objects.order_by("id")]
    built = build_rings(rows)
    with _lock:
        _cache.clear()  # only the current table is worth keeping
        _cache[key] = built
    return built
