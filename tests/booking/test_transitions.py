"""After a booking is made: approve, reject, cancel (late or not), check in and out, no-show, usage."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dayi.accounts.access import actor_for
from dayi.booking import services
from dayi.booking.errors import InvalidState
from dayi.booking.models import Booking, BookingStatus, UsageRecord
from dayi.core.errors import Forbidden, NotFound, ValidationFailed
from dayi.core.models import AuditEvent
from dayi.network.models import Delegation
from tests.booking.conftest import NOW, at, book, make_bet, occupied

pytestmark = pytest.mark.django_db


def actor(people: Any, name: str) -> Any:
    return actor_for(people[name])


@pytest.fixture
def pending(people: Any, network: Any) -> Booking:
    inst = make_bet(network["zju"], approval="external")
    return book(people["bob"], inst, "2026-03-03 10:00", "2026-03-03 11:00")


def test_a_manager_approves_a_pending_booking(people: Any, pending: Booking) -> None:
    services.approve_booking(actor(people, "alice"), pending.pk, now=NOW)
    pending.refresh_from_db()
    assert pending.status == BookingStatus.CONFIRMED
    assert AuditEvent.objects.filter(action="booking.approve", object_id=str(pending.pk)).count() == 1


def test_approving_twice_is_an_invalid_state(people: Any, pending: Booking) -> None:
    services.approve_booking(actor(people, "alice"), pending.pk, now=NOW)
    with pytest.raises(InvalidState):
        services.approve_booking(actor(people, "alice"), pending.pk, now=NOW)


def test_the_booker_cannot_approve_their_own_booking(people: Any, pending: Booking) -> None:
    with pytest.raises(Forbidden):
        services.approve_booking(actor(people, "bob"), pending.pk, now=NOW)


@pytest.mark.parametrize("name", ["eve", "dave"])
def test_it_refuses_a_user_without_a_say_over_the_instrument(
    people: Any, pending: Booking, name: str
) -> None:
    # eve is of the holder institution but no manager; dave administers another platform.
    with pytest.raises((NotFound, Forbidden)):
        services.approve_booking(actor(people, name), pending.pk, now=NOW)


def test_it_refuses_a_manager_of_another_institution(people: Any, bet: Any) -> None:
    booking = book(people["eve"], bet, "2026-03-03 10:00", "2026-03-03 11:00")
    bob = actor(people, "bob")
    for attempt in (
        lambda: services.approve_booking(bob, booking.pk, now=NOW),
        lambda: services.reject_booking(bob, booking.pk, reason="x", now=NOW),
        lambda: services.cancel_booking(bob, booking.pk, now=NOW),
        lambda: services.check_in(bob, booking.pk, now=at("2026-03-03 10:00")),
        lambda: services.mark_no_show(bob, booking.pk, now=at("2026-03-03 10:30")),
    ):
        with pytest.raises(NotFound):  # another institution's bookings are not even visible
            attempt()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_a_platform_admin_above_the_holder_may_approve_only_when_delegated(
    people: Any, pending: Booking
) -> None:
    with pytest.raises((Forbidden, NotFound)):
        services.approve_booking(actor(people, "carol"), pending.pk, now=NOW)
    zju = pending.instrument.institution
    Delegation.objects.create(
        institution=zju,
        platform=zju.memberships.get().platform,
        powers=["instruments", "bookings"],
        created=NOW,
        created_by=people["amy"],
    )
    carol = type(people["carol"]).objects.get(pk=people["carol"].pk)  # a new request: roles read afresh
    services.approve_booking(actor_for(carol), pending.pk, now=NOW)
    pending.refresh_from_db()
    assert pending.status == BookingStatus.CONFIRMED


def test_a_rejection_needs_a_reason_and_frees_the_time(people: Any, pending: Booking) -> None:
    with pytest.raises(ValidationFailed):
        services.reject_booking(actor(people, "alice"), pending.pk, reason=" ", now=NOW)
    services.reject_booking(actor(people, "alice"), pending.pk, reason="样品不符合要求", now=NOW)
    pending.refresh_from_db()
    assert (pending.status, pending.reason) == (BookingStatus.REJECTED, "样品不符合要求")
    assert book(people["eve"], pending.instrument, "2026-03-03 10:00", "2026-03-03 11:00").pk


def test_only_pending_bookings_are_rejected(people: Any, bet: Any) -> None:
    booking = book(people["eve"], bet, "2026-03-03 10:00", "2026-03-03 11:00")
    with pytest.raises(InvalidState):
        services.reject_booking(actor(people, "alice"), booking.pk, reason="x", now=NOW)


def test_a_cancellation_before_the_deadline_is_not_late(people: Any, bet: Any) -> None:
    booking = book(people["eve"], bet, "2026-03-03 10:00", "2026-03-03 11:00")
    services.cancel_booking(actor(people, "eve"), booking.pk, now=at("2026-03-02 09:59"))
    booking.refresh_from_db()
    assert (booking.status, booking.late_cancellation) == (BookingStatus.CANCELLED, False)


def test_a_cancellation_after_the_deadline_is_late(people: Any, bet: Any) -> None:
    booking = book(people["eve"], bet, "2026-03-03 10:00", "2026-03-03 11:00")
    services.cancel_booking(actor(people, "eve"), booking.pk, reason="生病", now=at("2026-03-02 10:01"))
    booking.refresh_from_db()
    assert (booking.status, booking.late_cancellation) == (BookingStatus.CANCELLED, True)
    assert AuditEvent.objects.get(action="booking.cancel").reason == "生病"


def test_another_customer_cannot_cancel(people: Any, bet: Any) -> None:
    booking = book(people["alice"], bet, "2026-03-03 10:00", "2026-03-03 11:00")
    with pytest.raises(NotFound):
        services.cancel_booking(actor(people, "bob"), booking.pk, now=NOW)


def test_check_in_and_out_record_the_hours_used(people: Any, bet: Any) -> None:
    booking = book(people["eve"], bet, "2026-03-03 10:00", "2026-03-03 11:00", mode="self")
    with pytest.raises(InvalidState):  # before its warm-up starts
        services.check_in(actor(people, "eve"), booking.pk, now=at("2026-03-03 09:30"))
    services.check_in(actor(people, "eve"), booking.pk, now=at("2026-03-03 09:40"))
    usage = services.check_out(actor(people, "eve"), booking.pk, now=at("2026-03-03 11:05"))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
    assert (usage.start, usage.end, usage.hours) == (
        at("2026-03-03 09:40"),
        at("2026-03-03 11:05"),
        Decimal("1.42"),
    )
    assert usage.operator == people["eve"] and usage.source == "self" and not usage.confirmed


def test_check_out_needs_a_check_in(people: Any, bet: Any) -> None:
    booking = book(people["eve"], bet, "2026-03-03 10:00", "2026-03-03 11:00")
    with pytest.raises(InvalidState):
        services.check_out(actor(people, "eve"), booking.pk, now=at("2026-03-03 10:30"))
    assert not UsageRecord.objects.exists()


def test_a_no_show_releases_the_rest_of_the_slot(people: Any, bet: Any) -> None:
    # Given 10:00–12:00 (warming up from 09:40) and 12:00–13:00 after it without warm-up
    booking = book(people["eve"], bet, "2026-03-03 10:00", "2026-03-03 12:00")
    after = book(people["alice"], bet, "2026-03-03 12:00", "2026-03-03 13:00")
    with pytest.raises(InvalidState):  # the policy waits 15 minutes
        services.mark_no_show(actor(people, "alice"), booking.pk, now=at("2026-03-03 10:10"))

    # When eve has not come by 10:20
    services.mark_no_show(actor(people, "alice"), booking.pk, now=at("2026-03-03 10:20"))

    # Then her booking keeps only the time that has passed, someone else may book the rest,
    # and the booking after it warms up again in the freed time
    assert occupied(booking) == (at("2026-03-03 09:40"), at("2026-03-03 10:20"))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.NO_SHOW
    assert occupied(after) == (at("2026-03-03 11:40"), at("2026-03-03 13:00"))
    assert book(people["bob"], bet, "2026-03-03 10:40", "2026-03-03 11:40", now=at("2026-03-03 10:20")).pk


def test_the_job_runner_marks_due_no_shows(people: Any, bet: Any) -> None:
    due = book(people["eve"], bet, "2026-03-03 10:00", "2026-03-03 11:00")
    later = book(people["eve"], bet, "2026-03-03 11:30", "2026-03-03 12:00")
    assert services.mark_due_no_shows(now=at("2026-03-03 11:35")) == [due.pk]
    later.refresh_from_db()
    assert later.status == BookingStatus.CONFIRMED


def test_a_manager_corrects_usage_with_a_reason(people: Any, bet: Any) -> None:
    booking = book(people["eve"], bet, "2026-03-03 10:00", "2026-03-03 11:00")
    services.check_in(actor(people, "eve"), booking.pk, now=at("2026-03-03 10:00"))
    usage = services.check_out(actor(people, "eve"), booking.pk, now=at("2026-03-03 11:00"))
    with pytest.raises(Forbidden):
        services.correct_usage(
            actor(people, "eve"), usage.pk, start=usage.start, end=at("2026-03-03 13:00"), reason="x", now=NOW
        )
    with pytest.raises(ValidationFailed):
        services.correct_usage(
            actor(people, "alice"), usage.pk, start=usage.start, end=usage.end, reason="", now=NOW
        )

    fixed = services.correct_usage(
        actor(people, "alice"),
        usage.pk,
        start=at("2026-03-03 10:00"),
        end=at("2026-03-03 10:30"),
        reason="忘记签退",
        now=NOW,
    )

    usage.refresh_from_db()
    assert usage.superseded and fixed.supersedes == usage and fixed.hours == Decimal("0.50")
    assert AuditEvent.objects.get(action="usage.correct").reason == "忘记签退"
    with pytest.raises(InvalidState):  # the old record was already corrected
        services.correct_usage(
            actor(people, "alice"), usage.pk, start=usage.start, end=usage.end, reason="again", now=NOW
        )


def test_a_manager_of_another_institution_cannot_grant_qualifications(people: Any, bet: Any) -> None:
    with pytest.raises(NotFound):  # someone else's instrument: not found, as if missing
        services.grant_qualification(
            actor(people, "bob"), instrument_id=bet.pk, user_id=people["bob"].pk, expires=None, now=NOW
        )


def test_granting_again_renews(people: Any, bet: Any) -> None:
    alice = actor(people, "alice")
    _, created = services.grant_qualification(
        alice, instrument_id=bet.pk, user_id=people["eve"].pk, expires=dt.date(2026, 6, 1), now=NOW
    )
    q, again = services.grant_qualification(
        alice, instrument_id=bet.pk, user_id=people["eve"].pk, expires=None, now=NOW
    )
    assert (created, again, q.expires) == (True, False, None)
