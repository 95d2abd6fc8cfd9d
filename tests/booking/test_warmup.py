"""The warm-up rule of API.md, with the issue's example verbatim, and warm-up given back on release."""

from __future__ import annotations

from typing import Any

import pytest

from dayi.accounts.access import actor_for
from dayi.booking import events, services
from dayi.booking.errors import BookingConflict
from dayi.booking.models import BookingStatus
from dayi.core.errors import RuleViolation
from tests.booking.conftest import NOW, at, book, make_bet, occupied

pytestmark = pytest.mark.django_db


def test_the_issue_example_verbatim(people: Any, bet: Any) -> None:
    """BET analyser, warm-up 20 min, open 09:00–17:00, 10-minute slots."""
    eve = people["eve"]

    # 09:00–10:00 is refused: its warm-up would start at 08:40, before opening.
    with pytest.raises(RuleViolation) as refused:
        book(eve, bet, "2026-03-03 09:00", "2026-03-03 10:00")
    assert refused.value.rule == "warmup_outside_opening_hours"

    # 09:20–10:20 is accepted, warming up from 09:00.
    first = book(eve, bet, "2026-03-03 09:20", "2026-03-03 10:20")
    assert occupied(first) == (at("2026-03-03 09:00"), at("2026-03-03 10:20"))
    assert first.warmup_minutes_applied == 20

    # 10:20–11:00 right after it is accepted with no warm-up.
    second = book(eve, bet, "2026-03-03 10:20", "2026-03-03 11:00")
    assert occupied(second) == (at("2026-03-03 10:20"), at("2026-03-03 11:00"))
    assert second.warmup_minutes_applied == 0

    # 11:10–12:00 is refused: its warm-up 10:50–11:10 overlaps the occupied time before it.
    with pytest.raises(BookingConflict) as clash:
        book(eve, bet, "2026-03-03 11:10", "2026-03-03 12:00")
    assert clash.value.extra["clash"] == {"start": "2026-03-03T10:20+08:00", "end": "2026-03-03T11:00+08:00"}

    # 11:20–12:00 is accepted, warming up 11:00–11:20.
    third = book(eve, bet, "2026-03-03 11:20", "2026-03-03 12:00")
    assert occupied(third) == (at("2026-03-03 11:00"), at("2026-03-03 12:00"))


def test_a_cancellation_gives_the_next_booking_its_warmup_back(
    people: Any, bet: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Given 09:20–10:20 and, back-to-back without warm-up, 10:20–11:00
    first = book(people["eve"], bet, "2026-03-03 09:20", "2026-03-03 10:20")
    second = book(people["alice"], bet, "2026-03-03 10:20", "2026-03-03 11:00")
    assert second.warmup_minutes_applied == 0

    # When the first is cancelled
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_booking(actor_for(people["eve"]), first.pk, now=NOW)

    # Then the second takes its 20 minutes of warm-up back from the freed time
    assert occupied(second) == (at("2026-03-03 10:00"), at("2026-03-03 11:00"))
    second.refresh_from_db()
    assert second.warmup_minutes_applied == 20
    assert ("warmup_restored", second.pk) in [(e.name, e.booking_id) for e in events.RECENT]


def test_the_warmup_given_back_is_limited_to_the_freed_time(people: Any, bet: Any) -> None:
    # Given three sessions back to back: 09:20–10:00, a 10-minute one, then 10:10–11:00
    book(people["eve"], bet, "2026-03-03 09:20", "2026-03-03 10:00")
    short = book(people["eve"], bet, "2026-03-03 10:00", "2026-03-03 10:10")
    last = book(people["alice"], bet, "2026-03-03 10:10", "2026-03-03 11:00")

    # When the short middle one is cancelled
    services.cancel_booking(actor_for(people["eve"]), short.pk, now=NOW)

    # Then the last one warms up in the 10 freed minutes only (the session before them still runs)
    assert occupied(last) == (at("2026-03-03 10:00"), at("2026-03-03 11:00"))


def test_a_rejection_also_gives_the_warmup_back(people: Any, network: Any) -> None:
    bet = make_bet(network["zju"], approval="always")
    first = book(people["eve"], bet, "2026-03-03 09:20", "2026-03-03 10:20")
    assert first.status == BookingStatus.PENDING  # pending bookings hold their time
    second = book(people["alice"], bet, "2026-03-03 10:20", "2026-03-03 11:00")

    services.reject_booking(actor_for(people["alice"]), first.pk, reason="维护", now=NOW)

    assert occupied(second) == (at("2026-03-03 10:00"), at("2026-03-03 11:00"))


def test_a_booking_right_after_the_turnaround_needs_no_warmup(people: Any, network: Any) -> None:
    bet = make_bet(network["zju"], turnaround_minutes=10)
    first = book(people["eve"], bet, "2026-03-03 09:20", "2026-03-03 10:00")
    assert occupied(first) == (at("2026-03-03 09:00"), at("2026-03-03 10:10"))

    # 10:00 clashes with the turnaround; 10:10 starts where the occupied time ends: no warm-up.
    with pytest.raises(BookingConflict):
        book(people["eve"], bet, "2026-03-03 10:00", "2026-03-03 10:30")
    second = book(people["eve"], bet, "2026-03-03 10:10", "2026-03-03 10:30")
    assert occupied(second) == (at("2026-03-03 10:10"), at("2026-03-03 10:40"))


def test_the_constraint_answers_409_when_the_checks_miss_a_clash(
    people: Any, bet: Any, monkeypatch: Any
) -> None:
    # Given a first booking, and the service's own overlap check switched off
    book(people["eve"], bet, "2026-03-03 10:00", "2026-03-03 11:00")
    monkeypatch.setattr("dayi.booking.services.create._check_free", lambda *args: None)

    # When an overlapping booking reaches the database
    with pytest.raises(BookingConflict) as clash:
        book(people["alice"], bet, "2026-03-03 10:30", "2026-03-03 11:30")

    # Then the exclusion constraint refuses it, and the error still names the clash
    assert clash.value.extra["clash"] == {"start": "2026-03-03T09:40+08:00", "end": "2026-03-03T11:00+08:00"}
