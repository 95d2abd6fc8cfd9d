"""The generator: determinism and the shape of what it makes (it reads the classification's names only)."""

from __future__ import annotations

import csv
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from dayi.demo.catalogue import CATALOGUE
from dayi.demo.generate import G60_CITIES, RegionInfo, generate, organisation_code
from dayi.network import credit_code

ROOT = Path(__file__).resolve().parents[2] / "dayi"
# The search words name an instrument's classes, read from the categories table.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def regions() -> dict[str, RegionInfo]:
    with (ROOT / "network" / "data" / "china_divisions.csv").open(encoding="utf-8") as fh:
        return {
            r["code"]: RegionInfo(r["name"], r["short_name"])
            for r in csv.DictReader(fh)
            if len(r["code"]) == 6
        }


@pytest.fixture(scope="module")
def categories() -> dict[str, str]:
    path = ROOT / "directory" / "data" / "cn_large_instrument_classification_2level.csv"
    with path.open(encoding="utf-8") as fh:
        return {r["code"]: r["name_zh"] for r in csv.DictReader(fh) if r["code"]}


def test_the_same_seed_generates_the_same_data(regions: dict, categories: dict) -> None:
    first = generate(5, 500, regions=regions, category_names=categories)
    second = generate(5, 500, regions=regions, category_names=categories)
    assert first.instruments == second.instruments
    assert first.institutions == second.institutions
    assert first.experts == second.experts


def test_another_seed_generates_other_data(regions: dict, categories: dict) -> None:
    first = generate(5, 200, regions=regions, category_names=categories)
    other = generate(6, 200, regions=regions, category_names=categories)
    assert first.instruments != other.instruments
    assert [i.credit_code for i in first.institutions] != [i.credit_code for i in other.institutions]


def test_the_catalogue_has_at_least_sixty_kinds_with_their_categories(categories: dict) -> None:
    assert len(CATALOGUE) >= 60
    assert {k.category for k in CATALOGUE} <= set(categories)
    assert len({k.name for k in CATALOGUE}) == len(CATALOGUE)
    domestic = [m for k in CATALOGUE for m in k.makers if m.country == "中国"]
    assert len(domestic) >= 30


def test_instruments_have_realistic_values_and_unique_inventory_numbers(
    regions: dict, categories: dict
) -> None:
    data = generate(3, 3000, regions=regions, category_names=categories)
    by_name = {k.name: k for k in CATALOGUE}
    for row in data.instruments:
        lo, hi = by_name[row["name"]].value
        assert Decimal(lo * 10_000) - 100 <= row["original_value"] <= Decimal(hi * 10_000)
        assert row["search_words"]
    numbers = Counter((r["institution"], r["inventory_no"]) for r in data.instruments)
    assert max(numbers.values()) == 1


def test_the_surface_area_analyser_warms_up_for_twenty_minutes(regions: dict, categories: dict) -> None:
    data = generate(3, 3000, regions=regions, category_names=categories)
    bet = [r for r in data.instruments if r["name"] == "全自动比表面积及孔隙度分析仪"]
    assert bet
    assert all('"warmup_minutes": 20' in r["booking_policy"] for r in bet)
    assert all('"start": "08:30", "end": "17:30"' in r["booking_policy"] for r in bet)


def test_credit_codes_are_valid_and_name_their_region(regions: dict, categories: dict) -> None:
    data = generate(9, 10, regions=regions, category_names=categories)
    codes = [i.credit_code for i in data.institutions]
    assert len(set(codes)) == len(codes)
    for inst in data.institutions:
        assert credit_code.is_valid(inst.credit_code), inst
        assert inst.credit_code[2:8] == inst.region
        assert inst.credit_code[:2] == ("91" if inst.kind == "enterprise" else "12")


def test_organisation_codes_carry_the_gb_11714_check_character() -> None:
    import random

    code = organisation_code(random.Random(1))
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(c) * w for c, w in zip(code[:8], weights, strict=True)) % 11
    assert code[8] == {10: "X", 11: "0"}.get(check, str(check))


def test_g60_members_are_in_its_nine_cities(regions: dict, categories: dict) -> None:
    data = generate(9, 10, regions=regions, category_names=categories)
    g60 = [data.institutions[i] for code, i in data.memberships if code == "g60"]
    assert g60
    assert all(i.region in G60_CITIES or i.region[:4] + "00" in G60_CITIES for i in g60)
    assert {"310117", "330100", "340100"} <= {i.region for i in g60}
