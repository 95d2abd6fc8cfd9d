"""Places and holders named in a query: 嘉兴, 杭州, Zhejiang, 浙江大学, Zhejiang University.

Instruments are not found by their holder's or their region's name through the full-text index (those
names live in other tables and change on their own); a query that names one is read as a scope instead:
"杭州 电镜" is the electron microscopes whose region lies under 杭州市 (330100: every county of the city),
"浙江大学" the instruments that 浙江大学 holds. A scope is OR-ed with the words themselves, so a record that
only mentions the place in its text is still found, and naming a place never finds less than before.

The names: every province and prefecture (full name, short name, English name: 浙江省, 浙江, zhejiang) and
every institution (Chinese and English name). Counties are left out: their short names collide with
ordinary words too often. A name counts only where the query's segmentation has a word boundary on both
sides, so the 通化 inside 流通化学 is not the city. The longest name wins (浙江大学, not 浙江).

Each process keeps the compiled names and rebuilds them when the institutions change (a cheap fingerprint
per request, as the synonym table does).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import jieba
from django.db import connection
from django.db.models import Q

from dayi.search import memo
from dayi.search.segment import normalize

_LATIN_EDGE = re.compile(r"[a-z0-9]")
SHORTEST = 2  # a one-character name (a county's 县) would be found everywhere


@dataclass(frozen=True)
class Scope:
    """What a place or holder name in a query stands for: regions (code prefixes) and holders (ids)."""

    text: str
    prefixes: tuple[str, ...] = ()
    institutions: tuple[int, ...] = ()

    def q(self) -> Q:
        found = Q(pk__in=[])
        for prefix in self.prefixes:
            found |= Q(region__code__startswith=prefix)
        if self.institutions:
            found |= Q(institution_id__in=self.institutions)
        return found


@dataclass(frozen=True, eq=False)  # hashed by identity: one instance per version of the names
class Gazetteer:
    scopes: dict[str, Scope]
    longest: int = 0

    def find(self, text: str) -> list[tuple[int, int, Scope]]:
        """Non-overlapping (start, end, scope) of names in normalized ``text``, longest first from the left,
        each starting and ending on a word boundary of the segmentation."""
        if not self.scopes or not text:
            return []
        starts, ends = _boundaries(text)
        found: list[tuple[int, int, Scope]] = []
        i = 0
        while i < len(text):
            match = self._longest_at(text, i, ends) if i in starts else None
            if match is None:
                i += 1
                continue
            found.append((i, match[0], match[1]))
            i = match[0]
        return found

    def _longest_at(self, text: str, i: int, ends: set[int]) -> tuple[int, Scope] | None:
        for end in range(min(len(text), i + self.longest), i + SHORTEST - 1, -1):
            scope = self.scopes.get(text[i:end]) if end in ends else None
            if scope is not None and _on_edges(text, i, end):
                return end, scope
        return None


def _boundaries(text: str) -> tuple[set[int], set[int]]:
    starts, ends = set(), set()
    for _word, start, end in jieba.tokenize(text, HMM=False):
        starts.add(start)
        ends.add(end)
    return starts, ends


def _on_edges(text: str, start: int, end: int) -> bool:
    """An English name must not sit inside a longer English word (hangzhouwan is not hangzhou)."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    if _LATIN_EDGE.match(text[start]) and _LATIN_EDGE.match(before):
        return False
    return not (_LATIN_EDGE.match(text[end - 1]) and _LATIN_EDGE.match(after))


def _key(name: str) -> str:
    return " ".join(normalize(name).split())


def build(regions: list[tuple[str, str, str, str]], institutions: list[tuple[int, str, str]]) -> Gazetteer:
    """``regions``: (code, name, short name, English name) of provinces and prefectures; ``institutions``:
    (id, name, English name). A name shared by several (Taizhou: 泰州 and 台州) stands for all of them."""
    from dayi.network.models import region_prefix

    prefixes: dict[str, set[str]] = {}
    holders: dict[str, set[int]] = {}
    for code, *names in regions:
        for name in names:
            if len(_key(name)) >= SHORTEST:
                prefixes.setdefault(_key(name), set()).add(region_prefix(code))
    for pk, *names in institutions:
        for name in names:
            if len(_key(name)) >= SHORTEST:
                holders.setdefault(_key(name), set()).add(pk)
    scopes = {
        key: Scope(key, _outermost(prefixes.get(key, set())), tuple(sorted(holders.get(key, set()))))
        for key in prefixes.keys() | holders.keys()
    }
    return Gazetteer(scopes, max((len(k) for k in scopes), default=0))


def _outermost(prefixes: set[str]) -> tuple[str, ...]:
    """Drop a prefix inside another (北京市 is both the province 11 and its city 1101: 11 is enough)."""
    return tuple(sorted(p for p in prefixes if not any(p != o and p.startswith(o) for o in prefixes)))


_FINGERPRINT_SQL = """
    SELECT (SELECT count(*) || ':' || coalesce(max(updated)::text, '') FROM network_institution)
        || '/' || (SELECT count(*) FROM network_region WHERE level IN ('province', 'city'))
"""

_lock = threading.Lock()
_cache: dict[str, Gazetteer] = {}


def gazetteer() -> Gazetteer:
    """The current names (rebuilt when an institution was added, renamed or removed since the last call)."""
    return memo.remember("place-names", _current)


def _current() -> Gazetteer:
    from dayi.network.models import Institution, Region

    with connection.cursor() as cursor:
        cursor.execute(_FINGERPRINT_SQL)
        key = str(cursor.fetchone()[0])
    cached = _cache.get(key)
    if cached is not None:
        return cached
    regions = Region.objects.filter(level__in=("province", "city")).values_list(
        "code", "name", "short_name", "name_en"
    )
    institutions = Institution.objects.values_list("id", "name", "name_en")
    built = build(list(regions), list(institutions))
    with _lock:
        _cache.clear()  # only the current names are worth keeping
        _cache[key] = built
    return built
