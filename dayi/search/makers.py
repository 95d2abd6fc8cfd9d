"""The reviewed list of instrument makers' names (``data/makers.csv``): a short name, its other forms
(the full Chinese name, English names, common variants) and where each name comes from.

Two uses: each row becomes a synonym ring (蔡司 | 卡尔蔡司 | Carl Zeiss | Zeiss: a query for one finds
records that write another), loaded by migration ``0005_maker_aliases``; and the Chinese forms are words of
the segmenter (``segment``), so 卡尔蔡司 is cut as a maker's name holding 蔡司, not as 卡尔蔡 + 司.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "makers.csv"
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Maker:
    short: str
    forms: tuple[str, ...]
    source: str

    @property
    def note(self) -> str:
        return f"maker: {self.source}"[:256]


def makers() -> Iterator[Maker]:
    with DATA.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            forms = tuple(x.strip() for x in row["forms"].split("|") if x.strip())
            yield Maker(row["short"].strip(), forms, row["source"].strip())


def chinese_words() -> list[str]:
    """The Chinese names that are one word each (卡尔蔡司, 赛默飞世尔): for the segmenter's dictionary."""
    names = (name for m in makers() for name in (m.short, *m.forms))
    return [n for n in dict.fromkeys(names) if _HAN.search(n) and _WORD.fullmatch(n)]
