"""Orders fixtures: the BET analyser of 浙江大学 (tests/booking) with a price list, and order helpers.

Prices (yuan): assisted time per hour — internal 100, academic 200, enterprise 300, member 150; samples —
internal 50, academic 80, enterprise 120; a test item "孔径分布" (pore size) 30 per sample for academics
and 20 for internal users; a consumable "液氮" (liquid nitrogen) 20 per item for academics; minimum
charge 100 for academics' samples.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dayi.accounts.access import actor_for
from dayi.accounts.models import User
from dayi.directory.models import Instrument
from dayi.orders import services
from dayi.orders.models import Order
from tests.booking.conftest import NOW, at, book, fast_passwords, make_bet  # noqa: F401
from tests.conftest import make_institution, make_user

DAY = dt.date(2026, 1, 1)


def rule(unit: str, user_class: str, amount: str, **extra: Any) -> dict[str, Any]:
    mode = extra.pop("mode", "sample" if unit == "sample" else "assisted" if unit == "hour" else "")
    return {
        "unit": unit,
        "mode": mode,
        "user_class": user_class,
        "amount": amount,
        "minimum": "0",
        "valid_from": DAY,
        "valid_until": None,
        **extra,
    }


PRICE_LIST = [
    rule("hour", "internal", "100"),
    rule("hour", "academic", "200"),
    rule("hour", "enterprise", "300"),
    rule("hour", "member", "150"),
    rule("sample", "internal", "50"),
    rule("sample", "academic", "80", minimum="100"),
    rule("sample", "enterprise", "120"),
    rule("sample", "academic", "30", item_name="孔径分布"),
    rule("sample", "internal", "20", item_name="孔径分布"),
    rule("item", "academic", "20", item_name="液氮"),
]


@pytest.fixture
def bet(network: dict[str, Any]) -> Instrument:
    """The analyser without a price list (``priced`` gives it one)."""
    return make_bet(network["zju"], priced=False)


@pytest.fixture
def priced(bet: Instrument, people: dict[str, User]) -> Instrument:
    services.replace_prices(actor_for(people["alice"]), bet.pk, PRICE_LIST, now=NOW)
    services.set_charge_shares(
        actor_for(people["alice"]), bet.pk, late_cancellation="0.5", no_show="1", now=NOW
    )
    return bet


@pytest.fixture
def outsiders(network: dict[str, Any]) -> dict[str, User]:
    """frank at a company; gina at 上海交通大学 (yrd, not g60: academic); hana at 浙江工业大学 (g60, like
    the holder: a member)."""
    acme = make_institution("某某科技有限公司", "91330100MA2XXXXX1A", "330100", kind="enterprise")
    sjtu = make_institution("上海交通大学", "12100000425003226M", "310000", network["yrd"])
    zjut = make_institution("浙江工业大学", "12330000470003257A", "330100", network["g60"])
    return {
        "frank": make_user("frank", acme),
        "gina": make_user("gina", sjtu),
        "hana": make_user("hana", zjut),
    }


def submit(user: User, instrument: Instrument, count: int = 2, **kwargs: Any) -> Order:
    return services.create_sample_order(
        actor_for(user),
        instrument_id=instrument.pk,
        samples={"count": count, "kind": "粉末", "hazards": "", "return_or_dispose": "dispose"},
        now=NOW,
        **kwargs,
    )


def money(text: str) -> Decimal:
    return Decimal(text)
