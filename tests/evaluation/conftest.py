"""Evaluation fixtures: a small platform with hand-made figures.

yrd's subtree (yrd ── g60) has three members: 浙江大学 (g60) and 复旦大学 (yrd) hold instruments,
某检测公司 (g60) holds none and is not evaluated; 北京大学 (bj) is outside it. Figures are hand-made ``Fig``
values put in place of the statistics domain's ``institution_figures``; the engine reads only these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from dayi.evaluation import queries
from tests.conftest import make_institution, make_instrument

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
YEAR = 2025
D = Decimal
ZERO = Decimal(0)


@dataclass(frozen=True)
class Fig:
    """The fields of dayi.stats.queries.Figures that the evaluation reads."""

    available_hours: Decimal = ZERO
    effective_hours: Decimal = ZERO
    external_hours: Decimal = ZERO
    samples: int = 0
    income_internal: Decimal = ZERO
    income_external: Decimal = ZERO
    ratings: int = 0
    average_rating: Decimal | None = None


@pytest.fixture
def small(network: dict[str, Any]) -> dict[str, Any]:
    zju, pku = network["zju"], network["pku"]
    fudan = make_institution("复旦大学", "12100000425006117P", "310000", network["yrd"])
    company = make_institution(
        "某检测公司", "91330100MA27XXXX1K", "330100", network["g60"], kind="enterprise"
    )
    # 浙江大学: 4 instruments, 3 shared externally, 10,000,000 yuan in all
    make_instrument(zju, "Z1", original_value="4000000.00", share_mode="external")
    make_instrument(zju, "Z2", original_value="3000000.00", share_mode="external")
    make_instrument(zju, "Z3", original_value="2000000.00", share_mode="external")
    make_instrument(zju, "Z4", original_value="1000000.00", share_mode="internal")
    # 复旦大学: 2 instruments, 1 external, 5,000,000 yuan
    make_instrument(fudan, "F1", original_value="3000000.00", share_mode="external")
    make_instrument(fudan, "F2", original_value="2000000.00", share_mode="none")
    make_instrument(pku, "P1", original_value="9000000.00")
    return {**network, "fudan": fudan, "company": company}


FIGURES = {
    "浙江大学": Fig(
        available_hours=D(8000),
        effective_hours=D(6000),
        external_hours=D(1500),
        samples=300,
        income_internal=D(200000),
        income_external=D(100000),
        ratings=10,
        average_rating=D("4.6"),
    ),
    "复旦大学": Fig(
        available_hours=D(4000),
        effective_hours=D(2000),
        external_hours=D(200),
        income_internal=D(50000),
        income_external=D(0),
    ),
}


@pytest.fixture
def figures(monkeypatch: pytest.MonkeyPatch, small: dict[str, Any]) -> dict[int, Fig]:
    """Hand-made figures in place of the statistics domain's."""
    by_id = {small["zju"].pk: FIGURES["浙江大学"], small["fudan"].pk: FIGURES["复旦大学"]}
    monkeypatch.setattr(queries, "usage_figures", lambda year, ids: {i: by_id[i] for i in ids if i in by_id})
    return by_id
