"""Fixtures of the search tests: holders across China and the labelled catalogue of relevance.py."""

from __future__ import annotations

from typing import Any

import pytest

from dayi.directory.models import Instrument
from dayi.network.models import Institution
from dayi.search.segment import instrument_words
from tests.conftest import make_institution
from tests.search.relevance import instruments

# Holder letter → (name, credit code, region). A and B are the personas' zju and pku.
HOLDERS = {
    "C": ("上海交通大学", "12100000425010708R", "310104"),
    "D": ("嘉兴学院", "12330000470115002W", "330402"),
    "E": ("南京大学", "12100000466006770Q", "320100"),
    "F": ("中国科学技术大学", "12100000485002915K", "340100"),
    "G": ("中山大学", "12100000455415200C", "440100"),
    "H": ("四川大学", "12100000450717451T", "510100"),
    "I": ("兰州大学", "12100000438000424A", "620100"),
}


def add_instrument(institution: Institution, inventory_no: str, **fields: Any) -> Instrument:
    """An instrument written the way every write path writes it: with its search words."""
    data: dict[str, Any] = {
        "name": "仪器",
        "category_id": "0101",
        "original_value": "1000000.00",
        "region_id": institution.region_id,
        "modes": ["sample"],
    }
    data.update(fields)
    instrument = Instrument(institution=institution, inventory_no=inventory_no, **data)
    instrument.search_words = instrument_words(instrument)
    instrument.save()
    return instrument


@pytest.fixture
def holders(network: dict[str, Any]) -> dict[str, Institution]:
    out = {"A": network["zju"], "B": network["pku"]}
    for letter, (name, code, region) in HOLDERS.items():
        out[letter] = make_institution(
            name, code, region, network["yrd"] if region[:2] in "31 32 33 34" else network["cn"]
        )
    return out


@pytest.fixture
def catalogue(holders: dict[str, Institution]) -> dict[str, Instrument]:
    """The 150 labelled instruments, by inventory number."""
    out = {}
    for row in instruments():
        row = dict(row)
        holder, inventory_no = holders[row.pop("holder")], row.pop("inventory_no")
        out[inventory_no] = add_instrument(holder, inventory_no, **row)
    return out
