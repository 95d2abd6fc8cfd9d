"""Holes 8 and 9a of issue 11 on the orders paths, each found by fuzzing or probing a running demo:
the share mode held for a booking but not for a sample order; a company's own order list answered 500;
huge amounts on corrections and refunds answered 500."""

from __future__ import annotations

from typing import Any

import pytest

from dayi.accounts.access import actor_for
from dayi.core.errors import RuleViolation
from dayi.demands import services as demands
from dayi.directory.models import Instrument
from dayi.orders.models import Order, OrderKind, OrderStatus
from tests.booking.conftest import book
from tests.demands.conftest import market, nmr, offer, post  # noqa: F401
from tests.orders.conftest import NOW, submit


def share(instrument: Instrument, mode: str) -> Instrument:
    Instrument.objects.filter(pk=instrument.pk).update(share_mode=mode)
    instrument.refresh_from_db()
    return instrument


def order_body(instrument: Instrument) -> dict[str, Any]:
    return {"instrument": instrument.pk, "samples": {"count": 2, "kind": "粉末"}}


# --- 9a: one share-mode rule on every path ------------------------------------------------------------------


def test_a_company_cannot_order_samples_on_another_institutions_internal_instrument(
    priced: Instrument, api_as: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    # Given the zju BET shared inside zju only
    share(priced, "internal")
    people.update(outsiders)
    # When frank (a company) and bob (pku) submit samples to it, then both are refused as a booking is
    for who in ("frank", "bob"):
        r = api_as(who).post("/api/v1/orders", order_body(priced))
        assert (r.status_code, r.json()["error"]["rule"]) == (422, "instrument_unavailable"), who
    assert not Order.objects.exists()
    # While a member of zju may
    assert api_as("eve").post("/api/v1/orders", order_body(priced)).status_code == 201


def test_an_unshared_instrument_takes_orders_from_its_managers_only(
    priced: Instrument, people: dict[str, Any]
) -> None:
    share(priced, "none")
    with pytest.raises(RuleViolation):
        submit(people["eve"], priced)
    assert submit(people["alice"], priced).kind == OrderKind.SAMPLE


def test_the_booking_asks_the_same_rule(priced: Instrument, people: dict[str, Any]) -> None:
    share(priced, "internal")
    with pytest.raises(RuleViolation) as refused:
        book(people["bob"], priced, "2026-03-03 10:00", "2026-03-03 11:00")
    assert refused.value.rule == "instrument_unavailable"
    assert book(people["eve"], priced, "2026-03-03 10:00", "2026-03-03 11:00").pk


def test_accepting_a_quote_on_an_internal_instrument_makes_no_order(market: Any) -> None:  # noqa: F811
    # Given frank's demand, answered with the zju BET, which zju then shares internally only
    demand = post(market["frank"])
    quote = offer(market["alice"], demand, market["bet"], "1500")
    share(market["bet"], "internal")
    # When frank accepts, then the order is refused and the demand stays open
    with pytest.raises(RuleViolation):
        demands.accept_quote(actor_for(market["frank"]), quote.pk, now=NOW)
    demand.refresh_from_db()
    assert demand.status == "open" and not Order.objects.exists()


# --- 8: a company's own order list ------------------------------------------------------------------------


def test_a_companys_own_orders_list_even_with_lines_stored_without_unit_or_price(
    priced: Instrument, api_as: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    # Given frank's order whose quote lines carry only a description and an amount (as the demo stored)
    people.update(outsiders)
    order = submit(outsiders["frank"], priced)
    lines = [{"description": "BET", "amount": "320.00"}]
    Order.objects.filter(pk=order.pk).update(quote={"amount": "320.00", "lines": lines})
    frank = api_as("frank")
    # When he lists and reads his orders, then both answer 200 with full lines
    r = frank.get("/api/v1/orders")
    assert r.status_code == 200, r.content
    line = r.json()["items"][0]["lines"][0]
    assert line == {
        "description": "BET",
        "unit": "item",
        "quantity": "1",
        "unit_price": "320.00",
        "amount": "320.00",
    }
    assert frank.get(f"/api/v1/orders/{order.pk}").status_code == 200


# --- 8: huge amounts on corrections and refunds -----------------------------------------------------


def charged_order(priced: Instrument, people: dict[str, Any], api_as: Any) -> int:
    pk: int = api_as("eve").post("/api/v1/orders", order_body(priced)).json()["id"]
    alice = api_as("alice")
    for step in ("accept", "receive-samples", "start", "complete", "charge"):
        assert alice.post(f"/api/v1/orders/{pk}/{step}").status_code == 200, step
    return pk


@pytest.mark.parametrize(
    "amount", ["99999999999999.99", "-99999999999999.99", "1e40", 1e40, "0.001", "NaN", "Infinity"]
)
def test_a_huge_or_malformed_correction_is_422(
    amount: Any, priced: Instrument, people: dict[str, Any], api_as: Any
) -> None:
    pk = charged_order(priced, people, api_as)
    r = api_as("alice").post(f"/api/v1/orders/{pk}/corrections", {"amount": amount, "note": "x"})
    assert r.status_code == (400 if amount in ("NaN", "Infinity") else 422), r.content  # never 500
    assert Order.objects.get(pk=pk).status == OrderStatus.CHARGED


@pytest.mark.parametrize("amount", ["99999999999999.99", "1e40", "-1e40", "0.001"])
def test_a_huge_or_malformed_refund_is_422(
    amount: Any, priced: Instrument, people: dict[str, Any], api_as: Any
) -> None:
    pk = charged_order(priced, people, api_as)
    assert api_as("alice").post(f"/api/v1/orders/{pk}/settle").status_code == 200
    r = api_as("alice").post(f"/api/v1/orders/{pk}/refunds", {"amount": amount, "note": "x"})
    assert r.status_code == 422, r.content
    assert Order.objects.get(pk=pk).status == OrderStatus.SETTLED
