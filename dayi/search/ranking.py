"""Text search over the directory: parse a query, match it through the indexes, rank the matches.

A query becomes groups of alternatives: every word (or known short form) is a group, and a record must
match every group; a group matches when the record holds any of its forms (TEM | 透射电镜 | 透射电子显微镜).
The match runs on the full-text index of ``search_words`` (the GIN index of migration 0003), widened by
trigram-indexed containment on the model (F200 finds Talos F200X) and the name. When the words match
nothing anywhere, the query is taken for a typo and matched by trigram word similarity instead.

Ranking: an exact name or model match first; then working instruments above those out of service; then
where the words were found (the name, then English name / model / maker, then specs, functions and class
names); then the shorter name (the closer match) and the most recently updated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import SearchQueryField, SearchVectorField, TrigramWordSimilarity
from django.db.models import BooleanField, Case, F, FloatField, Func, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Greatest, Length, Lower
from django.db.models.lookups import Contains, Exact, In, Range, Regex

from dayi.directory.models import WORKING_STATUSES, Instrument
from dayi.search import memo, places, synonyms
from dayi.search.places import Scope
from dayi.search.segment import normalize, query_tokens, subwords

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_DIGIT = re.compile(r"[0-9]")
_LATIN_EDGE = re.compile(r"[a-z0-9]")
_LEXEME = re.compile(r"[^\W_]+")
# Characters an exact comparison ignores (液相色谱-质谱联用仪 = 液相色谱质谱联用仪, Talos F200X = talosf200x).
_SQUASHED = " -‐‑–—/·_."
_SQUASH = re.compile("[" + re.escape(_SQUASHED) + "]")

# Tier weights of one query word, by where a record holds it (see the module's docstring).
NAME_TYPED, NAME_SYNONYM, HEAD_TYPED, HEAD_SYNONYM, ELSEWHERE = 3.0, 2.5, 2.0, 1.6, 1.0
HEAD_FIELDS = ("name_en", "model", "manufacturer")


@dataclass(frozen=True)
class Form:
    """One way of saying a query word: the index lexemes it needs (all of them), the text it shows as."""

    text: str
    lexemes: tuple[str, ...]
    typed: bool
    parts: tuple[str, ...]  # what a field must contain for the form to count as found in that field


@dataclass(frozen=True)
class Group:
    forms: tuple[Form, ...]


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # the query without the places and holders it names (those are ``scopes``)
    groups: tuple[Group, ...]
    scopes: tuple[Scope, ...] = ()

    @property
    def blank(self) -> bool:
        """Nothing searchable: only punctuation, symbols, emoji or control characters."""
        return not self.groups and not self.name_like and not self.scopes

    @property
    def only_scopes(self) -> bool:
        """The query names places or holders and nothing else (浙江大学, 嘉兴)."""
        return bool(self.scopes) and not self.groups and not self.name_like and not self.model_like

    @property
    def tsquery(self) -> str:
        """The groups as a tsquery. Every lexeme is letters and digits only, so quoting cannot break out."""
        parts = []
        for group in self.groups:
            alternatives = [
                "(" + " & ".join(f"'{lex}'" for lex in form.lexemes) + ")" for form in group.forms
            ]
            parts.append("(" + " | ".join(alternatives) + ")")
        return " & ".join(parts)

    @property
    def squashed(self) -> str:
        return _SQUASH.sub("", self.text)

    @property
    def name_like(self) -> str:
        """Containment in the name (Chinese text): for a query with no word (镜) or a typo."""
        return self.squashed if _HAN.search(self.squashed) else ""

    @property
    def model_like(self) -> str:
        """Containment in the model: a model-number fragment such as f200 or 7890."""
        compact = self.text.replace(" ", "")
        return compact if len(compact) >= 3 and _DIGIT.search(compact) and not _HAN.search(compact) else ""

    def synonym_texts(self) -> list[str]:
        """A one-word query's other forms (squashed): a name equal to one is an exact synonym match."""
        if len(self.groups) != 1:
            return []
        texts = {_SQUASH.sub("", f.text) for f in self.groups[0].forms if f.parts == (f.text,)}
        return sorted(t for t in texts - {self.squashed} if t)

    def terms(self) -> list[str]:
        """What to mark in a matching record: every form and its parts, longest first."""
        found = {self.text} | {t for g in self.groups for f in g.forms for t in (f.text, *f.parts)}
        return sorted((t for t in found if len(t) >= 2 or _HAN.search(t)), key=len, reverse=True)


def _cover(token: str) -> tuple[str, ...]:
    """A long Chinese token as the dictionary words that cover it (扫描电子显微镜 → 电子显微镜 + 扫描)."""
    chosen: list[tuple[int, int]] = []
    for word in subwords(token):
        start = token.find(word)
        while start >= 0:
            span = (start, start + len(word))
            if all(span[1] <= a or span[0] >= b for a, b in chosen):
                chosen.append(span)
                break
            start = token.find(word, start + 1)
    covered = sum(b - a for a, b in chosen)
    if len(chosen) < 2 or covered < len(token) - 1:
        return ()
    return tuple(token[a:b] for a, b in sorted(chosen))


def _word_group(token: str) -> Group:
    forms = [Form(token, (token,), True, (token,))]
    cover = _cover(token) if _HAN.search(token) and len(token) >= 4 else ()
    if cover:
        forms.append(Form(token, cover, True, cover))
    return Group(tuple(forms))


def _form(text: str, *, typed: bool) -> Form | None:
    lexemes = tuple(dict.fromkeys(query_tokens(text)))
    if not lexemes:
        return None
    return Form(text, lexemes, typed, (text,))


def _groups(text: str, rings: synonyms.Rings) -> list[Group]:
    groups: list[Group] = []
    pos = 0
    for match in rings.find(text):
        groups.extend(_word_group(t) for t in query_tokens(text[pos : match.start()]))
        forms = (_form(f, typed=f == match.group()) for f in rings.ring[match.group()])
        found = tuple(f for f in forms if f is not None)
        if found:
            groups.append(Group(found))
        pos = match.end()
    groups.extend(_word_group(t) for t in query_tokens(text[pos:]))
    return list(dict.fromkeys(groups))


@lru_cache(maxsize=2048)
def _parse(text: str, rings: synonyms.Rings, gazetteer: places.Gazetteer) -> ParsedQuery:
    scopes, rest, pos = [], [], 0
    for start, end, scope in gazetteer.find(text):
        rest.append(text[pos:start])
        scopes.append(scope)
        pos = end
    rest.append(text[pos:])
    words = " ".join(" ".join(rest).split())
    return ParsedQuery(words, tuple(_groups(words, rings)), tuple(dict.fromkeys(scopes)))


def parse(q: str | None) -> ParsedQuery:
    text = " ".join(normalize(q or "").split())
    return _parse(text, synonyms.rings(), places.gazetteer())


# --- the match ---------------------------------------------------------------------------------------


class WordsVector(Func):
    """``dayi_words_vector(search_words)``, to_tsvector('simple', …) with its true cost (migration 0006 of
    search): exactly the expression the GIN index holds."""

    template = "dayi_words_vector(%(expressions)s)"
    output_field = SearchVectorField()


class WordsQuery(Func):
    template = "to_tsquery('simple'::regconfig, %(expressions)s)"
    output_field = SearchQueryField()


class Matches(Func):
    template = "%(expressions)s"
    arg_joiner = " @@ "
    output_field = BooleanField()


def _check_lexemes(p: ParsedQuery) -> None:
    for group in p.groups:
        for form in group.forms:
            for lexeme in form.lexemes:
                if not _LEXEME.fullmatch(lexeme):  # a broken invariant, not bad input
                    raise AssertionError(f"unsafe lexeme {lexeme!r}")


def _words_match(tsquery: str) -> Q:
    return Q(Matches(WordsVector(F("search_words")), WordsQuery(Value(tsquery))))


def scopes_q(p: ParsedQuery) -> Q:
    """Every place or holder the query names: its regions or holders, or a record that says its name.

    The record's text is asked in a subquery, which PostgreSQL runs once through the full-text index and
    hashes; OR-ed inline it would recompute to_tsvector on every row that the other conditions bring.
    """
    q = Q()
    for scope in p.scopes:
        found = scope.q()
        form = _form(scope.text, typed=True)
        if form is not None:
            said = ParsedQuery(scope.text, (Group((form,)),))
            _check_lexemes(said)
            found |= Q(pk__in=Instrument.objects.filter(_words_match(said.tsquery)).values("pk"))
        q &= found
    return q


def strict_q(p: ParsedQuery) -> Q:
    """The words through the full-text index; a model fragment through the model's trigram index; the
    places and holders the query names (``scopes_q``).

    The name's trigram index is left out while there are words: a trigram match is lossy, so PostgreSQL
    rechecks the whole condition on each row it brings, recomputing to_tsvector(search_words) (about
    40 µs a row: 300 ms for a long Chinese name matching 5,000 records).
    """
    if p.only_scopes:
        return scopes_q(p)
    return _strict_words_q(p) & scopes_q(p)


def _strict_words_q(p: ParsedQuery) -> Q:
    q = Q(pk__in=[])
    if p.groups:
        _check_lexemes(p)
        q |= _words_match(p.tsquery)
    if p.model_like:
        q |= Q(Contains(Lower("model"), p.model_like))
    if p.name_like and not p.groups:
        q |= Q(Contains(Lower("name"), p.name_like))
    return q


def fuzzy_q(p: ParsedQuery) -> Q:
    """For words that match nothing: the name containing the text (a record without search words), or
    trigram word similarity on the name, English name and model (typos: 透射电子显微竟, Talso F200X)."""
    # A name of two Chinese characters is already found through its indexed character pairs; below three
    # characters a LIKE cannot use the trigram index and would read the whole table.
    usable = p.name_like and (len(p.name_like) >= 3 or not p.groups)
    q = Q(Contains(Lower("name"), p.name_like)) if usable else Q(pk__in=[])
    if len(p.text) >= 3:
        q |= Q(TrigramWordSimilar(Lower("name"), p.text))
        q |= Q(TrigramWordSimilar(Lower("name_en"), p.text))
        q |= Q(TrigramWordSimilar(Lower("model"), p.text))
    return q & scopes_q(p)


def is_fuzzy(p: ParsedQuery) -> bool:
    """True when the words match no listed instrument at all: then the query is read as a typo.

    The words alone are asked: an electron microscope that no holder in 嘉兴 has is not a typo.
    """
    if p.only_scopes:
        return False
    found = memo.remember(
        ("strict-match", p), Instrument.objects.filter(_strict_words_q(p), retired__isnull=True).exists
    )
    return not found


def text_q(text: str) -> Q:
    """The instruments ``text`` finds (an empty Q when it holds nothing searchable)."""
    p = parse(text)
    if p.blank:
        return Q()
    # Fuzzy only when the strict match found nothing, so the strict part would add nothing but cost:
    # OR-ed with a scan it would recompute to_tsvector on every row.
    return fuzzy_q(p) if is_fuzzy(p) else strict_q(p)


# --- the ranking -------------------------------------------------------------------------------------


# Ranking runs on every matched record (10,000 and more for a two-character query at 100,000
# instruments), so each check is the cheapest that is right: a Chinese form is a LIKE on the lower-cased
# field (0.2 µs a row), English forms of a tier share one regular expression with word edges (tem is
# not in system; PostgreSQL caches the compiled expression), and exact matches are compared only when
# the name's length could match. Measured per 100,000 rows: lower+LIKE 22 ms, regex 40-110 ms,
# translate() 55 ms.
# An English form of up to this many letters is an abbreviation and must end where the word ends
# (tem ≠ temperature); a longer one may take an ending (microscope in microscopes).
ABBREVIATION_LENGTH = 4


def _haystack(fields: tuple[str, ...]) -> Any:
    return Lower(fields[0]) if len(fields) == 1 else Lower(Func(Value(" "), *fields, function="concat_ws"))


def _latin_regex(part: str) -> str:
    head = "(^|[^a-z0-9])" if _LATIN_EDGE.match(part[:1]) else ""
    short = len(part) <= ABBREVIATION_LENGTH
    tail = "([^a-z0-9]|$)" if _LATIN_EDGE.match(part[-1:]) and short else ""
    return head + re.escape(part) + tail


def _holds(haystack: Any, parts: Iterable[str]) -> Q:
    """The haystack holds any of ``parts``."""
    latin = [p for p in parts if _LATIN_EDGE.search(p)]
    q = Q(pk__in=[])
    for part in parts:
        if part not in latin:
            q |= Q(Contains(haystack, part))
    if latin:
        q |= Q(Regex(haystack, "|".join(_latin_regex(p) for p in latin)))
    return q


def _found_in(fields: tuple[str, ...], forms: Iterable[Form]) -> Q:
    """Any of ``forms`` in the fields; a cover form (扫描 + 电子显微镜) needs all its parts."""
    haystack = _haystack(fields)
    single = [f.parts[0] for f in forms if len(f.parts) == 1]
    q = _holds(haystack, single) if single else Q(pk__in=[])
    for form in forms:
        if len(form.parts) > 1:
            every = Q()
            for part in form.parts:
                every &= _holds(haystack, [part])
            q |= every
    return q


def _group_score(group: Group) -> Case:
    typed = [f for f in group.forms if f.typed]
    other = [f for f in group.forms if not f.typed]
    name, head = ("name",), HEAD_FIELDS
    whens = [
        When(_found_in(name, typed), then=Value(NAME_TYPED)),
        When(_found_in(name, other), then=Value(NAME_SYNONYM)),
        When(_found_in(head, typed), then=Value(HEAD_TYPED)),
        When(_found_in(head, other), then=Value(HEAD_SYNONYM)),
    ]
    return Case(*whens, default=Value(ELSEWHERE), output_field=FloatField())


def _name_is(texts: list[str]) -> Q:
    """The name, squashed (no spaces or dashes), is one of ``texts`` — compared only when the length fits."""
    lengths = [len(t) for t in texts]
    fits = Q(Range(Length("name"), (min(lengths), max(lengths) * 2)))
    squashed = Func(Lower("name"), Value(_SQUASHED), Value(""), function="translate")
    return fits & Q(In(squashed, texts))


def _exact(p: ParsedQuery) -> Case:
    """2: the name, English name or model is what was typed; 1: the name is another form of it (TEM)."""
    typed = Q(Exact(Lower("model"), p.text)) | Q(Exact(Lower("name_en"), p.text))
    if p.squashed:
        typed |= _name_is([p.squashed])
    whens = [When(typed, then=Value(2))]
    if p.synonym_texts():
        whens.append(When(_name_is(p.synonym_texts()), then=Value(1)))
    return Case(*whens, default=Value(0), output_field=IntegerField())


def _score(p: ParsedQuery, *, fuzzy: bool) -> Any:
    if fuzzy:
        return Greatest(
            TrigramWordSimilarity(p.text, Lower("name")),
            TrigramWordSimilarity(p.text, Lower("name_en")),
            TrigramWordSimilarity(p.text, Lower("model")),
        )
    score: Any = Value(0.0, output_field=FloatField())
    for group in p.groups:
        score = score + _group_score(group)
    return score


def in_scopes(p: ParsedQuery) -> Case:
    """1: the instrument lies in every place and belongs to every holder the query names (not only says
    the name in its text)."""
    inside = Q()
    for scope in p.scopes:
        inside &= scope.q()
    return Case(When(inside, then=Value(1)), default=Value(0), output_field=IntegerField())


def working() -> Case:
    return Case(
        When(status__in=WORKING_STATUSES, then=Value(1)), default=Value(0), output_field=IntegerField()
    )


def ranked(qs: QuerySet[Instrument], text: str) -> tuple[QuerySet[Instrument], list[Any]]:
    """``qs`` annotated for relevance to ``text``, and the ordering that ranks it."""
    p = parse(text)
    if p.blank:
        return qs, ["-updated", "-id"]
    if p.only_scopes:  # a place or a holder alone: its own instruments, then records that name it
        qs = qs.annotate(rank_in_scope=in_scopes(p), rank_working=working())
        return qs, ["-rank_in_scope", "-rank_working", "-updated", "-id"]
    qs = qs.annotate(rank_exact=_exact(p), rank_working=working(), rank_score=_score(p, fuzzy=is_fuzzy(p)))
    return qs, ["-rank_exact", "-rank_working", "-rank_score", Length("name").asc(), "-updated", "-id"]
