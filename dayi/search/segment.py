"""Chinese-aware segmentation of instrument records into the words the full-text index holds."""

from __future__ import annotations

import logging
from typing import Any

import jieba

jieba.setLogLevel(logging.WARNING)

INDEXED_FIELDS = ("name", "name_en", "model", "manufacturer", "specs", "functions")


def words(text: str) -> str:
    """Space-separated search words of ``text`` (jieba's search-engine mode: long words and their parts)."""
    return " ".join(w.strip().lower() for w in jieba.cut_for_search(text or "") if w.strip())


def instrument_words(instrument: Any) -> str:
    """The words one instrument is found by."""
    parts = [str(getattr(instrument, f, "") or "") for f in INDEXED_FIELDS]
    category = getattr(instrument, "category", None)
    if category is not None:
        parts.append(category.name)
    return words(" ".join(parts))
