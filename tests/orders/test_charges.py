"""Charges at completion of a booking's order: booked time, overtime, no-show and late cancellation."""

from __future__ import annotations

from typing import Any

import pytest

from dayi.accounts.access import actor_for
from dayi.booking import services as booking_services
from dayi.orders import services
from dayi.orders.models import Order, OrderStatus
from tests.orders.conftest import NOW, PRICE_LIST, at, book, rule


@pytest.fixture
def booked(priced: Any, people: dict[str, Any]) -> Any:
    """eve (internal, 100 yuan an hour) books 10:00–12:00 on Tuesday: quoted 200.00."""
    return book(people["eve"], priced, "2026-03-03 10:00", "2026-03-03 12:00")


def complete(people: dict[str, Any], booking: Any) -> Order:
    alice = actor_for(people["alice"])
    order = Order.objects.get(booking=booking)
    return services.complete_order(alice, order.pk, now=at("2026-03-03 13:00"))


def session(people: dict[str, Any], booking: Any, check_in: str, check_out: str) -> None:
    eve = actor_for(people["eve"])
    booking_services.check_in(eve, booking.pk, now=at(check_in))
    booking_services.check_out(eve, booking.pk, now=at(check_out))


def test_every_booking_gets_an_order_with_its_quote(booked: Any, people: dict[str, Any]) -> None:
    order = Order.objects.get(booking=booked)
    assert (order.kind, order.status, order.customer_id, order.provider_id) == (
        "booking",
        OrderStatus.ACCEPTED,
        people["eve"].pk,
        booked.instrument.institution_id,
    )
    assert (order.quote["amount"], order.quote["user_class"], order.quote["hours"]) == (
        "200.00",
        "internal",
        "2.00",
    )


def test_booked_time_is_charged_when_the_user_came_late(booked: Any, people: dict[str, Any]) -> None:
    session(people, booked, "2026-03-03 10:30", "2026-03-03 12:00")
    order = complete(people, booked)
    assert (order.status, order.amount) == (OrderStatus.COMPLETED, 200)
    assert order.lines[0]["quantity"] == "2.00"


def test_actual_time_is_charged_when_longer(booked: Any, people: dict[str, Any]) -> None:
    session(people, booked, "2026-03-03 10:00", "2026-03-03 12:30")
    order = complete(people, booked)
    assert str(order.amount) == "250.00"
    assert order.lines[0]["quantity"] == "2.50"


def test_a_corrected_usage_record_replaces_the_one_it_supersedes(booked: Any, people: dict[str, Any]) -> None:
    session(people, booked, "2026-03-03 10:00", "2026-03-03 12:30")
    usage = booked.usage_records.get()
    booking_services.correct_usage(
        actor_for(people["alice"]),
        usage.pk,
        start=at("2026-03-03 10:00"),
        end=at("2026-03-03 13:00"),
        reason="签退漏记 (forgot to check out)",
        now=at("2026-03-03 13:00"),
    )
    assert str(complete(people, booked).amount) == "300.00"


def test_a_no_show_costs_the_no_show_share(booked: Any, people: dict[str, Any]) -> None:
    booking_services.mark_no_show(actor_for(people["alice"]), booked.pk, now=at("2026-03-03 10:30"))
    order = complete(people, booked)
    assert str(order.amount) == "200.00"  # a share of 1
    assert order.lines[0]["description"].startswith("爽约")


def test_a_late_cancellation_costs_the_late_share(booked: Any, people: dict[str, Any]) -> None:
    booking_services.cancel_booking(actor_for(people["eve"]), booked.pk, now=at("2026-03-03 08:00"))
    assert str(complete(people, booked).amount) == "100.00"  # half of 200


def test_a_timely_cancellation_costs_nothing(booked: Any, people: dict[str, Any]) -> None:
    booking_services.cancel_booking(actor_for(people["eve"]), booked.pk, now=NOW)
    # The booking's cancellation cancelled its order too: nothing to complete, nothing in the ledger.
    order = Order.objects.get(booking=booked)
    assert (order.status, str(order.amount), order.ledger.count()) == (OrderStatus.CANCELLED, "0.00", 0)


def test_a_price_change_never_alters_the_quote_already_given(booked: Any, people: dict[str, Any]) -> None:
    # Given the price doubles after the booking was made
    doubled = [rule("hour", "internal", "200"), *PRICE_LIST[1:]]
    services.replace_prices(actor_for(people["alice"]), booked.instrument_id, doubled, now=NOW)
    session(people, booked, "2026-03-03 10:00", "2026-03-03 12:00")
    # Then the order is charged at the quoted rate
    assert str(complete(people, booked).amount) == "200.00"


def test_the_minimum_applies_to_the_charge_too(bet: Any, people: dict[str, Any]) -> None:
    services.replace_prices(
        actor_for(people["alice"]), bet.pk, [rule("hour", "internal", "100", minimum="150")], now=NOW
    )
    booking = book(people["eve"], bet, "2026-03-03 10:00", "2026-03-03 11:00")
    session(people, booking, "2026-03-03 10:00", "2026-03-03 11:00")
    assert str(complete(people, booking).amount) == "150.00"


def test_a_rejected_booking_costs_nothing(priced: Any, people: dict[str, Any]) -> None:
    booking = book(people["eve"], priced, "2026-03-03 10:00", "2026-03-03 12:00")
    Order.objects.filter(booking=booking).update(status=OrderStatus.ACCEPTED)
    booking.__class__.objects.filter(pk=booking.pk).update(status="rejected")
    assert str(complete(people, booking).amount) == "0.00"


def test_a_booking_order_is_cancelled_only_after_its_booking(booked: Any, people: dict[str, Any]) -> None:
    from dayi.orders.errors import InvalidState

    eve = actor_for(people["eve"])
    order = Order.objects.get(booking=booked)
    with pytest.raises(InvalidState):
        services.cancel_order(eve, order.pk, reason="不去了", now=NOW)
    booking_services.cancel_booking(eve, booked.pk, now=NOW)  # which cancels its order in its transaction
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
