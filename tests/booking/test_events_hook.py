"""Booking's one hook (dayi.booking.events): the apps above it follow bookings without booking importing
them, inside the booking's transaction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dayi.booking import events
from dayi.booking.models import Booking
from dayi.orders.models import Order
from dayi.orders.subscriptions import follow_booking_change
from tests.booking.conftest import book

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribed() -> Iterator[list[events.BookingSubscriber]]:
    added: list[events.BookingSubscriber] = []
    yield added
    for subscriber in added:
        events._subscribers.remove(subscriber)


def test_orders_subscribe_to_bookings_when_the_apps_are_ready() -> None:
    assert follow_booking_change in events._subscribers


def test_a_subscriber_sees_the_new_booking_saved_and_who_made_it(
    people: Any, bet: Any, subscribed: Any
) -> None:
    seen: list[tuple[str, bool, str]] = []

    def spy(change: events.BookingChanged) -> None:
        exists = Booking.objects.filter(pk=change.booking.pk).exists()
        seen.append((change.change, exists, change.actor.user.username))

    events.subscribe(spy)
    subscribed.append(spy)

    book(people["eve"], bet, "2026-03-03 10:00", "2026-03-03 11:00")

    assert seen == [("created", True, "eve")]


def test_a_subscriber_that_fails_rolls_the_booking_and_its_order_back(
    people: Any, bet: Any, subscribed: Any
) -> None:
    def refuse(change: events.BookingChanged) -> None:
        raise RuntimeError("the subscriber failed")

    events.subscribe(refuse)
    subscribed.append(refuse)

    with pytest.raises(RuntimeError):
        book(people["eve"], bet, "2026-03-03 10:00", "2026-03-03 11:00")

    assert not Booking.objects.exists()
    assert not Order.objects.exists()


def test_subscribing_twice_calls_once(people: Any, bet: Any, subscribed: Any) -> None:
    calls: list[str] = []

    def count(change: events.BookingChanged) -> None:
        calls.append(change.change)

    events.subscribe(count)
    events.subscribe(count)
    subscribed.append(count)

    book(people["eve"], bet, "2026-03-03 10:00", "2026-03-03 11:00")

    assert calls == ["created"]
