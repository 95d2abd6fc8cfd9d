"""Free time and the earliest free slot, with warm-up, turnaround, closures and zones."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dayi.booking import queries
from dayi.directory.queries import InstrumentFilters
from tests.booking.conftest import at, book, make_bet

pytestmark = pytest.mark.django_db


def test_bookable_time_is_opening_hours_minus_closures_minus_occupied_less_the_warmup(
    people: Any, network: Any
) -> None:
    inst = make_bet(
        network["zju"], closures=[{"start": "2026-03-03T15:00:00+08:00", "end": "2026-03-03T16:00:00+08:00"}]
    )
    book(people["eve"], inst, "2026-03-03 10:00", "2026-03-03 11:00")
    free = queries.free_intervals(inst, at("2026-03-03 00:00"), at("2026-03-04 00:00"))
    # The 20-minute warm-up comes first after the opening and after the closure; 11:00 starts
    # back-to-back after the booking, so no warm-up there.
    assert free == [
        (at("2026-03-03 09:20"), at("2026-03-03 09:40")),
        (at("2026-03-03 11:00"), at("2026-03-03 15:00")),
        (at("2026-03-03 16:20"), at("2026-03-03 17:00")),
    ]


def test_an_unbookable_instrument_has_no_free_time(network: Any) -> None:
    inst = make_bet(network["zju"], status="awaiting_repair")
    inst.status = "awaiting_repair"
    inst.save()
    assert queries.free_intervals(inst, at("2026-03-03 00:00"), at("2026-03-04 00:00")) == []


def test_the_earliest_slot_leaves_room_for_the_warmup(network: Any) -> None:
    inst = make_bet(network["zju"])
    slot = queries.earliest_slot(inst, 60, days=3, now=at("2026-03-03 08:00"))
    assert slot == (at("2026-03-03 09:20"), at("2026-03-03 10:20"))


def test_the_earliest_slot_may_start_back_to_back_without_warmup(people: Any, network: Any) -> None:
    inst = make_bet(network["zju"])
    book(people["eve"], inst, "2026-03-03 09:20", "2026-03-03 16:00")
    # 16:00–17:00 starts where the occupied time ends: no warm-up needed, so it fits before closing.
    assert queries.earliest_slot(inst, 60, days=3, now=at("2026-03-03 08:00")) == (
        at("2026-03-03 16:00"),
        at("2026-03-03 17:00"),
    )
    # Two hours do not fit that day; the next morning they do.
    assert queries.earliest_slot(inst, 120, days=3, now=at("2026-03-03 08:00")) == (
        at("2026-03-04 09:20"),
        at("2026-03-04 11:20"),
    )


def test_the_earliest_slot_respects_turnaround_before_the_next_booking(people: Any, network: Any) -> None:
    inst = make_bet(network["zju"], warmup_minutes=0, turnaround_minutes=30)
    book(people["eve"], inst, "2026-03-03 10:00", "2026-03-03 17:00")
    # 09:00–10:00 would need its turnaround until 10:30, inside the next booking.
    slot = queries.earliest_slot(inst, 60, days=3, now=at("2026-03-03 08:00"))
    assert slot == (at("2026-03-04 09:00"), at("2026-03-04 10:00"))


def test_the_earliest_slot_respects_notice_and_horizon(network: Any) -> None:
    inst = make_bet(network["zju"], min_notice_minutes=48 * 60, max_advance_days=1)
    assert queries.earliest_slot(inst, 60, days=7, now=at("2026-03-03 08:00")) is None
    inst = make_bet(network["zju"], "BET-2", min_notice_minutes=24 * 60)
    assert queries.earliest_slot(inst, 60, days=7, now=at("2026-03-03 08:00"))[0] == at("2026-03-04 09:20")


def test_earliest_across_a_search_orders_by_start(people: Any, network: Any) -> None:
    first = make_bet(network["zju"], "BET-1")
    second = make_bet(network["zju"], "BET-2")
    book(people["eve"], first, "2026-03-03 09:20", "2026-03-03 12:00", now=at("2026-03-03 08:00"))
    found = queries.earliest_across(
        InstrumentFilters(institution=network["zju"].pk), 60, days=3, now=at("2026-03-03 08:00")
    )
    assert [(i.pk, slot[0]) for i, slot in found] == [
        (second.pk, at("2026-03-03 09:20")),
        (first.pk, at("2026-03-03 12:00")),
    ]


def test_free_time_in_another_zone_follows_its_clock(network: Any) -> None:
    inst = make_bet(network["zju"])
    inst.timezone = "Europe/London"
    inst.save()
    london = dt.UTC  # 2026-01-15 is winter: London is UTC
    free = queries.free_intervals(inst, at("2026-01-15 00:00", london), at("2026-01-16 00:00", london))
    assert free == [(at("2026-01-15 09:20", london), at("2026-01-15 17:00", london))]
