"""Demands fixtures: frank of 某某科技有限公司 (a company in Hangzhou, tests/orders) posts needs; the
priced BET analyser of 浙江大学 (alice manages it) can answer them; 北京大学 (bob) has an NMR that cannot."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from dayi.accounts.access import actor_for
from dayi.accounts.models import User
from dayi.demands import services
from dayi.demands.models import Demand, DemandQuote
from dayi.directory.models import Instrument
from tests.conftest import make_instrument
from tests.orders.conftest import NOW, bet, fast_passwords, outsiders, priced  # noqa: F401

# After the services' NOW and after today: the API and the pages act at the real time.
DEADLINE = max(dt.date(2026, 4, 30), timezone.localdate() + dt.timedelta(days=60))
AFTER_DEADLINE = dt.datetime.combine(DEADLINE + dt.timedelta(days=1), dt.time(12), tzinfo=dt.UTC)


def demand_data(**extra: Any) -> dict[str, Any]:
    return {
        "title": "比表面积测试",
        "description": "催化剂粉末的BET比表面积与孔径分布",
        "category": None,
        "region": None,
        "samples": "5 个粉末样品",
        "budget": "2000",
        "deadline": DEADLINE,
        "is_public": True,
        **extra,
    }


def post(user: User, **extra: Any) -> Demand:
    return services.post_demand(actor_for(user), demand_data(**extra), now=NOW)


def offer(user: User, demand: Demand, instrument: Instrument, amount: str = "1500") -> DemandQuote:
    return services.quote_demand(
        actor_for(user), demand.pk, instrument_id=instrument.pk, amount=amount, note="一周出报告", now=NOW
    )


@pytest.fixture
def nmr(network: dict[str, Any]) -> Instrument:
    return make_instrument(
        network["pku"],
        "NMR-001",
        name="核磁共振波谱仪",
        name_en="NMR spectrometer",
        category_id="0103",
        modes=["assisted", "sample"],
        model="AVANCE NEO 600",
        manufacturer="Bruker",
    )


@pytest.fixture
def market(priced: Instrument, nmr: Instrument, outsiders: dict[str, User], people: dict[str, User]) -> Any:  # noqa: F811
    """Everyone in one place: the instruments and the personas, with frank the company's user."""
    people.update(outsiders)  # so api_as("frank") finds him
    return {"bet": priced, "nmr": nmr, **people}
