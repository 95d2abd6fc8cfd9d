"""Regions in English: pinyin and the kind of division, the conventional spellings where they differ."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from dayi.network.models import Region
from dayi.network.regions_en import pinyin_name, region_name_en

DATA = Path(__file__).resolve().parents[2] / "dayi" / "network" / "data" / "china_divisions.csv"


def test_pinyin_syllables_join_with_an_apostrophe_where_they_would_run_together() -> None:
    assert pinyin_name("xi an") == "Xi'an"
    assert pinyin_name("chang zhi") == "Changzhi"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "english"),
    [
        ("330000", "Zhejiang"),
        ("330100", "Hangzhou"),
        ("110108", "Haidian District"),
        ("140400", "Changzhi"),
        ("222400", "Yanbian Korean Autonomous Prefecture"),
        ("150100", "Hohhot"),
        ("310117", "Songjiang District"),
        ("110100", "Beijing"),
    ],
)
def test_the_database_names_regions_in_english(code: str, english: str) -> None:
    assert Region.objects.get(code=code).name_en == english


def test_every_region_has_an_english_name_in_plain_letters() -> None:
    with DATA.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if len(r["code"]) == 6]
    names = {r["code"]: region_name_en(r) for r in rows}
    assert all(names.values())
    assert [n for n in names.values() if any("\u4e00" <= c <= "\u9fff" for c in n)] == []
    assert [n for n in names.values() if n.lower().endswith(("zizhizhou", "zizhixian", "diqu"))] == []
