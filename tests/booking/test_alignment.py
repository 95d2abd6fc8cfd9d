"""Slots start at each opening (issue 12): open at 08:30 with 60-minute slots, 09:30–11:30 is bookable and
what the calendar, the availability and the earliest slot offer is what ``create_booking`` accepts."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from dayi.booking import queries
from dayi.booking.policy import parse_policy, validate_policy
from dayi.core.errors import RuleViolation
from tests.booking.conftest import at, book, make_bet

pytestmark = pytest.mark.django_db

HALF_PAST_EIGHT = [{"weekday": d, "start": "08:30", "end": "17:30"} for d in range(1, 8)]


def hourly(network: Any, **policy: Any) -> Any:
    rules = {"opening_hours": HALF_PAST_EIGHT, "slot_minutes": 60, "min_minutes": 60, "warmup_minutes": 0}
    return make_bet(network["zju"], **{**rules, **policy})


def test_a_booking_aligned_to_the_opening_is_accepted(people: Any, network: Any) -> None:
    # Given an instrument open from 08:30 with 60-minute slots
    inst = hourly(network)
    # When a user books 09:30–11:30 (two slots after the opening)
    booking = book(people["eve"], inst, "2026-03-03 09:30", "2026-03-03 11:30")
    # Then it is booked
    assert (booking.start, booking.end) == (at("2026-03-03 09:30"), at("2026-03-03 11:30"))


def test_a_booking_on_the_hour_is_refused_naming_the_nearest_slot(people: Any, network: Any) -> None:
    inst = hourly(network)
    with translation.override("en"), pytest.raises(RuleViolation) as err:
        book(people["eve"], inst, "2026-03-03 09:00", "2026-03-03 10:00")
    assert err.value.rule == "slot_alignment"
    assert "09:30" in err.value.message and "(" not in err.value.message.replace("(e.g.", "")


def test_windows_of_different_days_have_their_own_slot_grid(people: Any, network: Any) -> None:
    # Tuesday opens at 08:30, Saturday at 09:00
    hours = [*HALF_PAST_EIGHT[:5], {"weekday": 6, "start": "09:00", "end": "12:00"}]
    inst = hourly(network, opening_hours=hours)
    assert book(people["eve"], inst, "2026-03-07 10:00", "2026-03-07 11:00").pk  # a Saturday
    with pytest.raises(RuleViolation):
        book(people["eve"], inst, "2026-03-07 10:30", "2026-03-07 11:30")


def test_bookable_time_starts_at_the_opening_and_keeps_to_whole_slots(people: Any, network: Any) -> None:
    # Given a booking 10:30–11:30 with a 15-minute turnaround (occupied until 11:45)
    inst = hourly(network, turnaround_minutes=15)
    book(people["eve"], inst, "2026-03-03 10:30", "2026-03-03 11:30")
    # When the free time is asked for
    free = queries.free_intervals(inst, at("2026-03-03 00:00"), at("2026-03-04 00:00"))
    # Then it is whole slots from 08:30: up to 09:30 (its turnaround must end before 10:30), and from 12:30
    assert free == [
        (at("2026-03-03 08:30"), at("2026-03-03 09:30")),
        (at("2026-03-03 12:30"), at("2026-03-03 17:30")),
    ]
    # And every interval offered can be booked
    for start, end in free:
        assert book(people["alice"], inst, start, end).pk


def test_a_gap_shorter_than_a_slot_is_not_offered(people: Any, network: Any) -> None:
    # Given slots of 60 minutes, a 10-minute warm-up and a booking at 09:30 (occupied from 09:20)
    inst = hourly(network, warmup_minutes=10)
    book(people["eve"], inst, "2026-03-03 09:30", "2026-03-03 10:30")
    free = queries.free_intervals(inst, at("2026-03-03 08:00"), at("2026-03-03 12:00"))
    # Then 08:30–09:20 is not offered (no whole slot fits); 10:30 starts back-to-back, and the window
    # asked for (until 12:00) holds whole slots until 11:30
    assert free == [(at("2026-03-03 10:30"), at("2026-03-03 11:30"))]


def test_notice_and_horizon_cut_the_bookable_time(network: Any) -> None:
    inst = hourly(network, min_notice_minutes=120, max_advance_days=1)
    now = at("2026-03-03 09:10")
    free = queries.free_intervals(inst, at("2026-03-03 00:00"), at("2026-03-05 00:00"), now=now)
    # The first start 2 h ahead on a slot (11:30); no start after 09:10 the next day (cut at 09:30)
    assert free == [
        (at("2026-03-03 11:30"), at("2026-03-03 17:30")),
        (at("2026-03-04 08:30"), at("2026-03-04 09:30")),
    ]


def test_the_earliest_slot_starts_at_the_opening(network: Any) -> None:
    inst = hourly(network)
    assert queries.earliest_slot(inst, 60, days=3, now=at("2026-03-03 08:00")) == (
        at("2026-03-03 08:30"),
        at("2026-03-03 09:30"),
    )
    assert queries.earliest_slot(inst, 60, days=3, now=at("2026-03-03 08:31"))[0] == at("2026-03-03 09:30")


def test_a_slot_that_does_not_tile_a_window_is_refused_saying_what_is_needed() -> None:
    raw = {"opening_hours": [{"weekday": 1, "start": "08:30", "end": "17:00"}], "slot_minutes": 60}
    with translation.override("en"):
        errors = validate_policy(raw)
    assert set(errors) == {"slot_minutes"}
    assert "510" in errors["slot_minutes"][0] and "Mon" in errors["slot_minutes"][0]


def test_a_slot_need_not_divide_a_day_when_it_tiles_every_window() -> None:
    # Two 270-minute sessions fit 08:30–17:30 though not a day
    raw = {"opening_hours": HALF_PAST_EIGHT, "slot_minutes": 270}
    assert validate_policy(raw) == {}
    assert parse_policy(raw).min_minutes == 270
    # Open round the clock (no hours given), 270 does not divide a day's 1440 minutes
    assert "slot_minutes" in validate_policy({"slot_minutes": 270})


def test_overlapping_windows_of_one_day_are_refused() -> None:
    raw = {
        "opening_hours": [
            {"weekday": 2, "start": "08:00", "end": "12:00"},
            {"weekday": 2, "start": "11:00", "end": "13:00"},
        ],
        "slot_minutes": 60,
    }
    assert set(validate_policy(raw)) == {"opening_hours"}
