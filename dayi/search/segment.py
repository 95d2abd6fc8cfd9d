"""Chinese-aware segmentation of instrument records into the words the full-text index holds.

Records and queries go through the same two steps, so a word typed in a query is the word stored:

1. ``normalize``: NFKC (full-width ＴＥＭ → tem), lower case, control characters out, and the hyphen between
   two Chinese characters dropped (液相色谱-质谱联用仪 and 液相色谱质谱联用仪 are one word).
2. ``tokens``: jieba's precise cut without the HMM (so every Chinese token of two or more characters is a
   dictionary word, never a guess that depends on the neighbouring text), with the instrument terms of
   ``data/userdict.txt``; tokens are split at punctuation, single characters are dropped, and English
   plurals lose their ``s``.

A record's words (``words``) add every dictionary word inside a long token (场发射透射电子显微镜 also holds
透射电子显微镜, 电子显微镜, 显微镜, 透射 …), so a query token is found wherever the record contains it.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import jieba

jieba.setLogLevel(logging.WARNING)

DATA_DIR = Path(__file__).resolve().parent / "data"
USERDICT = DATA_DIR / "userdict.txt"

INDEXED_FIELDS = ("name", "name_en", "model", "manufacturer", "specs", "functions")

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff"
# A dash, slash or dot between two Chinese characters joins them (液相色谱-质谱联用仪).
_HAN_JOINER = re.compile(rf"(?<=[{_HAN}])\s*[-‐‑‒–—―~·・/]+\s*(?=[{_HAN}])")
_PIECE = re.compile(r"[^\W_]+")
_HAN_CHAR = re.compile(rf"[{_HAN}]")
_LATIN_WORD = re.compile(r"[a-z]+")
_SCRIPT_RUN = re.compile(rf"[{_HAN}]+|[a-z0-9]+")
_HAN_RUN = re.compile(rf"[{_HAN}]+")


def normalize(text: str) -> str:
    """The canonical form of a record's or a query's text (see the module's docstring)."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _CONTROL.sub(" ", text).lower()
    return _HAN_JOINER.sub("", text)


def _load_userdict() -> None:
    """Add the instrument terms, normalized like the text they will be found in (x射线衍射仪, not X射线…)."""
    for line in USERDICT.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        jieba.add_word(normalize(parts[0]), freq=freq)
    from dayi.search.makers import chinese_words  # plain data: no Django models are imported

    for name in chinese_words():
        jieba.add_word(normalize(name), freq=3000)


_load_userdict()


def _stem(piece: str) -> str:
    """Drop an English plural ending (microscopes → microscope); applied to records and queries alike."""
    if not _LATIN_WORD.fullmatch(piece) or len(piece) <= 4:
        return piece
    if piece.endswith("ies"):
        return piece[:-3] + "y"
    if piece.endswith("s") and not piece.endswith(("ss", "us", "is")):
        return piece[:-1]
    return piece


def _pieces(token: str) -> Iterator[str]:
    for piece in _PIECE.findall(token):
        if len(piece) >= 2:
            yield _stem(piece)


def tokens(text: str) -> list[str]:
    """The precise words of ``text``: what a query must find."""
    cut = jieba.cut(normalize(text), HMM=False)
    return [p for token in cut for p in _pieces(token)]


def _bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def query_tokens(text: str) -> list[str]:
    """``tokens``, and for Chinese characters the dictionary does not join (感耦 → 感 + 耦) their
    two-character pairs, which records index too (see ``words``)."""
    out: list[str] = []
    run = ""
    for token in jieba.cut(normalize(text), HMM=False):
        if len(token) == 1 and _HAN_CHAR.match(token):
            run += token
            continue
        out.extend(_bigrams(run))
        run = ""
        out.extend(_pieces(token))
    out.extend(_bigrams(run))
    return out


def is_dictionary_word(word: str) -> bool:
    return bool(jieba.dt.FREQ.get(word))


@lru_cache(maxsize=20000)
def subwords(token: str) -> tuple[str, ...]:
    """Dictionary words of two or more characters inside a Chinese token, longest first."""
    if len(token) < 3 or not _HAN_CHAR.search(token):
        return ()
    found = {
        token[i:j]
        for i in range(len(token))
        for j in range(i + 2, len(token) + 1)
        if (i, j) != (0, len(token)) and is_dictionary_word(token[i:j])
    }
    return tuple(sorted(found, key=lambda w: (-len(w), token.index(w))))


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _script_runs(token: str) -> list[str]:
    """A token mixing Chinese and Latin split by script (显微ct → 显微, ct), so either half is found."""
    runs = _SCRIPT_RUN.findall(token)
    return [r for r in runs if len(r) >= 2] if len(runs) > 1 else []


def words(text: str) -> str:
    """Space-separated search words of ``text``: its tokens, the dictionary words inside them, and the
    pairs of adjacent Chinese characters within a token or a run of single characters (so a two-character
    query the dictionary does not know, 感耦 in 电感耦合…, is still a word lookup). Each word depends on
    its own token only, so a record's words are its fields' words in turn (see WordCache in importing).
    """
    out: list[str] = []
    run = ""
    for token in jieba.cut(normalize(text), HMM=False):
        if len(token) == 1 and _HAN_CHAR.match(token):
            run += token
            continue
        out.extend(_bigrams(run))
        run = ""
        for piece in _pieces(token):
            out.append(piece)
            runs = _script_runs(piece)
            for part in [piece, *runs]:
                out.extend(subwords(part))
            out.extend(runs)
            for han in _HAN_RUN.findall(piece):
                out.extend(_bigrams(han))
    out.extend(_bigrams(run))
    return " ".join(_unique(out))


@lru_cache(maxsize=512)
def _category_names(code: str) -> tuple[str, ...]:
    """The names of a class and its parents (0101 电子光学仪器, 01 分析仪器): static data, read once."""
    from dayi.directory.models import Category

    names: list[str] = []
    for length in (2, 4, 6):
        if len(code) >= length:
            category = Category.objects.filter(code=code[:length]).only("name", "name_en").first()
            if category is not None:
                names.extend([category.name, category.name_en])
    return tuple(names)


def instrument_words(instrument: Any) -> str:
    """The words one instrument is found by: its names, model, maker, classes, specs and functions."""
    parts = [str(getattr(instrument, f, "") or "") for f in INDEXED_FIELDS]
    code = getattr(instrument, "category_id", None)
    if code:
        parts.extend(_category_names(str(code)))
    # Field by field, so a record's words are exactly its fields' words in turn: the bulk writers (import,
    # demo) segment each distinct field text once and get the same answer.
    found: list[str] = []
    for text in parts:
        found.extend(words(text).split())
    return " ".join(_unique(found))
