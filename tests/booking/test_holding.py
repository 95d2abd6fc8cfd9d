"""Issue 11, hole 5: one user cannot hold an instrument for months. Pending bookings expire, the policy
limits a user's future bookings, and a manager can shorten or cancel any booking with a reason."""

from __future__ import annotations

from typing import Any

import pytest

from dayi.accounts.access import actor_for
from dayi.booking import events, services
from dayi.booking.errors import InvalidState
from dayi.booking.models import Booking, BookingStatus
from dayi.core.errors import NotFound, RuleViolation, ValidationFailed
from dayi.core.models import AuditEvent
from dayi.orders.models import Order, OrderStatus
from tests.booking.conftest import NOW, at, book, make_bet, occupied

pytestmark = pytest.mark.django_db


def actor(people: Any, name: str) -> Any:
    return actor_for(people[name])


# --- pending bookings expire ------------------------------------------------------------------------------


@pytest.fixture
def approved_only(network: Any) -> Any:
    return make_bet(network["zju"], "BET-APPROVE", approval="always", approval_window_minutes=24 * 60)


def test_a_pending_booking_expires_after_the_approval_window(
    people: Any, approved_only: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Given eve's request made at NOW (Monday 08:00) for Friday, and a one-day approval window
    booking = book(people["eve"], approved_only, "2026-03-06 10:00", "2026-03-06 11:00")
    assert booking.status == BookingStatus.PENDING
    assert services.expire_due_pending(now=at("2026-03-03 07:59")) == []

    # When nobody decided within the day
    with django_capture_on_commit_callbacks(execute=True):
        assert services.expire_due_pending(now=at("2026-03-03 08:00")) == [booking.pk]

    # Then it expired (audited, the booker told), its order too, and the time is free again
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED
    assert AuditEvent.objects.filter(action="booking.expire", object_id=str(booking.pk)).count() == 1
    assert events.Event("expired", booking.pk) in events.RECENT
    assert Order.objects.get(booking=booking).status == OrderStatus.REJECTED
    assert book(
        people["bob"], approved_only, "2026-03-06 10:00", "2026-03-06 11:00", now=at("2026-03-03 08:00")
    )


def test_a_pending_booking_whose_start_came_expires(people: Any, network: Any) -> None:
    inst = make_bet(network["zju"], "BET-LONG", approval="always", approval_window_minutes=30 * 24 * 60)
    booking = book(people["eve"], inst, "2026-03-03 10:00", "2026-03-03 11:00")
    assert services.expire_due_pending(now=at("2026-03-03 10:00")) == [booking.pk]


def test_an_approved_booking_never_expires(people: Any, approved_only: Any) -> None:
    booking = book(people["eve"], approved_only, "2026-03-06 10:00", "2026-03-06 11:00")
    services.approve_booking(actor(people, "alice"), booking.pk, now=NOW)
    assert services.expire_due_pending(now=at("2026-03-05 08:00")) == []


# --- a user's future bookings are limited -----------------------------------------------------------------


def test_the_policy_limits_how_many_future_bookings_a_user_holds(people: Any, network: Any) -> None:
    inst = make_bet(network["zju"], "BET-COUNT", max_future_bookings=2)
    book(people["eve"], inst, "2026-03-03 10:00", "2026-03-03 11:00")
    book(people["eve"], inst, "2026-03-04 10:00", "2026-03-04 11:00")
    with pytest.raises(RuleViolation) as refused:
        book(people["eve"], inst, "2026-03-05 10:00", "2026-03-05 11:00")
    assert refused.value.rule == "future_bookings_exceeded"
    # Another user, and the instrument's own manager, are not held back by eve's bookings
    assert book(people["bob"], inst, "2026-03-05 10:00", "2026-03-05 11:00")
    assert book(people["alice"], inst, "2026-03-06 10:00", "2026-03-06 11:00")
    # Once one of eve's bookings is over it no longer counts
    assert book(people["eve"], inst, "2026-03-07 10:00", "2026-03-07 11:00", now=at("2026-03-03 11:00"))


def test_the_policy_limits_a_users_future_hours(people: Any, network: Any) -> None:
    inst = make_bet(network["zju"], "BET-HOURS", max_future_minutes=180)
    book(people["eve"], inst, "2026-03-03 10:00", "2026-03-03 12:00")
    with pytest.raises(RuleViolation) as refused:
        book(people["eve"], inst, "2026-03-04 10:00", "2026-03-04 11:10")
    assert refused.value.rule == "future_hours_exceeded"
    assert book(people["eve"], inst, "2026-03-04 10:00", "2026-03-04 11:00")


def test_the_limits_are_validated_policy_fields() -> None:
    from dayi.booking.policy import validate_policy

    assert "max_future_bookings" in validate_policy({"max_future_bookings": 0})
    assert validate_policy({"max_future_bookings": None, "max_future_minutes": 600}) == {}


# --- a manager shortens or cancels, with a reason ---------------------------------------------------------


@pytest.fixture
def long_booking(people: Any, bet: Any) -> Booking:
    return book(people["eve"], bet, "2026-03-03 09:20", "2026-03-03 17:00")


def test_a_manager_shortens_a_booking_and_the_booker_is_told(
    people: Any, bet: Any, long_booking: Booking, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.shorten_booking(
            actor(people, "alice"), long_booking.pk, end=at("2026-03-03 12:00"), reason="设备维护", now=NOW
        )
    long_booking.refresh_from_db()
    assert (long_booking.end, long_booking.reason) == (at("2026-03-03 12:00"), "设备维护")
    assert occupied(long_booking)[1] == at("2026-03-03 12:00")
    assert AuditEvent.objects.get(action="booking.shorten").reason == "设备维护"
    assert events.Event("shortened", long_booking.pk) in events.RECENT
    # The freed afternoon can be booked by someone else
    assert book(people["bob"], bet, "2026-03-03 12:00", "2026-03-03 13:00")


def test_shortening_needs_a_reason_and_an_earlier_end(people: Any, long_booking: Booking) -> None:
    alice = actor(people, "alice")
    with pytest.raises(ValidationFailed):
        services.shorten_booking(alice, long_booking.pk, end=at("2026-03-03 12:00"), reason="", now=NOW)
    with pytest.raises(ValidationFailed):
        services.shorten_booking(alice, long_booking.pk, end=at("2026-03-03 18:00"), reason="x", now=NOW)


@pytest.mark.parametrize(("name", "refused"), [("eve", "Forbidden"), ("bob", "NotFound")])
def test_only_the_instruments_managers_shorten(
    people: Any, long_booking: Booking, name: str, refused: str
) -> None:
    with pytest.raises((NotFound, Exception)) as exc:
        services.shorten_booking(
            actor(people, name), long_booking.pk, end=at("2026-03-03 12:00"), reason="x", now=NOW
        )
    assert type(exc.value).__name__ == refused
    long_booking.refresh_from_db()
    assert long_booking.end == at("2026-03-03 17:00")


def test_a_manager_cancelling_someone_elses_booking_gives_a_reason(
    people: Any, long_booking: Booking
) -> None:
    with pytest.raises(ValidationFailed):
        services.cancel_booking(actor(people, "alice"), long_booking.pk, reason="", now=NOW)
    services.cancel_booking(actor(people, "alice"), long_booking.pk, reason="仪器故障", now=NOW)
    long_booking.refresh_from_db()
    assert (long_booking.status, long_booking.reason) == (BookingStatus.CANCELLED, "仪器故障")


def test_the_booker_still_cancels_without_a_reason(people: Any, long_booking: Booking) -> None:
    services.cancel_booking(actor(people, "eve"), long_booking.pk, now=NOW)
    long_booking.refresh_from_db()
    assert long_booking.status == BookingStatus.CANCELLED


def test_an_expired_booking_cannot_be_approved(people: Any, network: Any) -> None:
    inst = make_bet(network["zju"], "BET-EXP", approval="always", approval_window_minutes=60)
    booking = book(people["eve"], inst, "2026-03-06 10:00", "2026-03-06 11:00")
    services.expire_due_pending(now=at("2026-03-02 09:00"))
    with pytest.raises(InvalidState):
        services.approve_booking(actor(people, "alice"), booking.pk, now=at("2026-03-02 09:01"))
