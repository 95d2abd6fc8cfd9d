"""The price table: each user class, each unit, validity dates, the minimum charge."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dayi.accounts.access import actor_for
from dayi.core.errors import RuleViolation
from dayi.orders import pricing, services
from dayi.orders.models import PriceRule
from tests.orders.conftest import NOW, PRICE_LIST, at, rule


def quote_as(user: Any, instrument: Any, **kwargs: Any) -> dict[str, Any]:
    return services.quote_for(
        instrument,
        institution=user.institution,
        now=NOW,
        **{"samples": 0, "start": None, "end": None, **kwargs},
    )


@pytest.mark.parametrize(
    ("persona", "user_class", "amount"),
    [
        ("eve", "internal", "150.00"),
        ("gina", "academic", "300.00"),
        ("frank", "enterprise", "450.00"),
        ("hana", "member", "225.00"),
        ("bob", "academic", "300.00"),
    ],
)
def test_it_prices_an_hour_and_a_half_of_assisted_time_by_user_class(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any], persona: str, user_class: str, amount: str
) -> None:
    # Given the price list; when each class asks for 1.5 hours
    user = {**people, **outsiders}[persona]
    q = quote_as(user, priced, mode="assisted", start=at("2026-03-03 09:00"), end=at("2026-03-03 10:30"))
    # Then the rate of its class applies
    assert (q["user_class"], q["amount"]) == (user_class, amount)
    assert q["lines"][0]["unit"] == "hour" and q["lines"][0]["quantity"] == "1.50"


def test_a_fellow_platform_member_is_academic_when_there_is_no_member_rate(
    bet: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    services.replace_prices(
        actor_for(people["alice"]), bet.pk, [r for r in PRICE_LIST if r["user_class"] != "member"], now=NOW
    )
    q = quote_as(
        outsiders["hana"], bet, mode="assisted", start=at("2026-03-03 09:00"), end=at("2026-03-03 10:00")
    )
    assert (q["user_class"], q["amount"]) == ("academic", "200.00")


def test_it_prices_samples_test_items_and_consumables(priced: Any, outsiders: dict[str, Any]) -> None:
    # When an academic sends 3 samples with a pore-size test and 2 units of liquid nitrogen
    items = [{"name": "孔径分布"}, {"name": "液氮", "quantity": 2}]
    q = quote_as(outsiders["gina"], priced, mode="sample", samples=3, items=items)
    # Then 3 × 80 + 3 × 30 + 2 × 20
    assert [(line["unit"], line["quantity"], line["amount"]) for line in q["lines"]] == [
        ("sample", "3", "240.00"),
        ("sample", "3", "90.00"),
        ("item", "2", "40.00"),
    ]
    assert q["amount"] == "370.00"


def test_it_applies_the_minimum_charge(priced: Any, outsiders: dict[str, Any]) -> None:
    q = quote_as(outsiders["gina"], priced, mode="sample", samples=1)
    assert q["amount"] == "100.00"
    assert q["lines"][-1] == {
        "description": "最低收费 (minimum charge)",
        "kind": "minimum",
        "unit": "item",
        "quantity": "1",
        "unit_price": "20.00",
        "amount": "20.00",
    }


def test_it_uses_the_rules_valid_on_the_service_day(bet: Any, people: dict[str, Any]) -> None:
    # Given a rate until 2026-03-04 and a new one from then
    old = rule("hour", "internal", "100", valid_until=dt.date(2026, 3, 4))
    new = rule("hour", "internal", "120", valid_from=dt.date(2026, 3, 4))
    services.replace_prices(actor_for(people["alice"]), bet.pk, [old, new], now=NOW)
    # Then the day of the booking picks the rate (valid_until is the first day it no longer applies)
    eve = people["eve"]
    on_3rd = quote_as(eve, bet, mode="assisted", start=at("2026-03-03 09:00"), end=at("2026-03-03 10:00"))
    on_4th = quote_as(eve, bet, mode="assisted", start=at("2026-03-04 09:00"), end=at("2026-03-04 10:00"))
    assert (on_3rd["amount"], on_4th["amount"]) == ("100.00", "120.00")


def test_a_rule_not_yet_valid_is_not_used(bet: Any, people: dict[str, Any]) -> None:
    services.replace_prices(
        actor_for(people["alice"]),
        bet.pk,
        [rule("hour", "internal", "100", valid_from=dt.date(2026, 6, 1))],
        now=NOW,
    )
    with pytest.raises(RuleViolation) as err:
        quote_as(
            people["eve"], bet, mode="assisted", start=at("2026-03-03 09:00"), end=at("2026-03-03 10:00")
        )
    assert err.value.rule == "no_price"


def test_it_refuses_a_price_list_from_a_manager_of_another_institution(
    bet: Any, people: dict[str, Any]
) -> None:
    from dayi.core.errors import NotFound

    with pytest.raises(NotFound):  # someone else's instrument: not found, as if missing
        services.replace_prices(actor_for(people["bob"]), bet.pk, PRICE_LIST, now=NOW)
    assert not PriceRule.objects.filter(instrument=bet).exists()


def test_the_database_refuses_a_negative_rate(bet: Any) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError, match="pricerule_amount_not_negative"), transaction.atomic():
        PriceRule.objects.create(
            instrument=bet, unit="hour", user_class="internal", amount=-1, valid_from=dt.date(2026, 1, 1)
        )


def test_hours_round_to_the_hundredth() -> None:
    assert str(pricing.hours_between(at("2026-03-03 09:00"), at("2026-03-03 09:20"))) == "0.33"
