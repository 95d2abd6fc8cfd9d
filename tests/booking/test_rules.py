"""Every rule of a booking policy, each with an accepted and a refused case (API.md rule names)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dayi.accounts.access import actor_for
from dayi.booking import services
from dayi.booking.models import BookingStatus
from dayi.core.errors import RuleViolation, ValidationFailed
from tests.booking.conftest import NOW, SHANGHAI, at, book, make_bet

pytestmark = pytest.mark.django_db


def refused(rule: str, *args: Any, **kwargs: Any) -> None:
    with pytest.raises(RuleViolation) as err:
        book(*args, **kwargs)
    assert err.value.rule == rule
    assert err.value.as_dict()["error"]["rule"] == rule


def test_outside_opening_hours(people: Any, bet: Any) -> None:
    refused("outside_opening_hours", people["eve"], bet, "2026-03-03 16:30", "2026-03-03 17:30")
    assert book(people["eve"], bet, "2026-03-03 16:00", "2026-03-03 17:00").pk


def test_closed(people: Any, network: Any) -> None:
    inst = make_bet(
        network["zju"],
        closures=[
            {"start": "2026-03-03T12:00:00+08:00", "end": "2026-03-03T14:00:00+08:00", "reason": "液氮"}
        ],
    )
    refused("closed", people["eve"], inst, "2026-03-03 12:30", "2026-03-03 13:00")
    # Its warm-up (13:50–14:10) would fall in the closure too.
    refused("closed", people["eve"], inst, "2026-03-03 14:10", "2026-03-03 15:00")
    assert book(people["eve"], inst, "2026-03-03 14:20", "2026-03-03 15:00").pk


def test_closures_in_local_time(people: Any, network: Any) -> None:
    inst = make_bet(
        network["zju"], closures=[{"start": "2026-03-04", "end": "2026-03-05", "reason": "节假日"}]
    )
    refused("closed", people["eve"], inst, "2026-03-04 10:00", "2026-03-04 11:00")
    assert book(people["eve"], inst, "2026-03-05 10:00", "2026-03-05 11:00").pk


def test_slot_alignment(people: Any, network: Any) -> None:
    inst = make_bet(network["zju"], slot_minutes=30, min_minutes=30)
    refused("slot_alignment", people["eve"], inst, "2026-03-03 09:45", "2026-03-03 10:45")
    assert book(people["eve"], inst, "2026-03-03 09:30", "2026-03-03 10:30").pk


def test_too_short(people: Any, network: Any) -> None:
    inst = make_bet(network["zju"], min_minutes=30)
    refused("too_short", people["eve"], inst, "2026-03-03 10:00", "2026-03-03 10:20")
    assert book(people["eve"], inst, "2026-03-03 10:00", "2026-03-03 10:30").pk


def test_too_long(people: Any, network: Any) -> None:
    inst = make_bet(network["zju"], max_minutes=120)
    refused("too_long", people["eve"], inst, "2026-03-03 10:00", "2026-03-03 12:10")
    assert book(people["eve"], inst, "2026-03-03 10:00", "2026-03-03 12:00").pk


def test_notice_too_short(people: Any, network: Any) -> None:
    inst = make_bet(network["zju"], min_notice_minutes=24 * 60)
    refused(
        "notice_too_short",
        people["eve"],
        inst,
        "2026-03-03 09:20",
        "2026-03-03 10:00",
        now=at("2026-03-02 10:00"),
    )
    assert book(people["eve"], inst, "2026-03-03 09:20", "2026-03-03 10:00", now=at("2026-03-02 09:00")).pk


def test_the_past_cannot_be_booked(people: Any, bet: Any) -> None:
    refused(
        "notice_too_short",
        people["eve"],
        bet,
        "2026-03-03 09:20",
        "2026-03-03 10:00",
        now=at("2026-03-03 09:30"),
    )


def test_too_far_ahead(people: Any, network: Any) -> None:
    inst = make_bet(network["zju"], max_advance_days=7)
    refused("too_far_ahead", people["eve"], inst, "2026-03-09 09:20", "2026-03-09 10:00")
    assert book(people["eve"], inst, "2026-03-08 09:20", "2026-03-08 10:00").pk


def test_warmup_outside_opening_hours(people: Any, bet: Any) -> None:
    refused("warmup_outside_opening_hours", people["eve"], bet, "2026-03-03 09:10", "2026-03-03 10:00")
    assert book(people["eve"], bet, "2026-03-03 09:20", "2026-03-03 10:00").pk


def test_quota_exceeded(people: Any, network: Any) -> None:
    inst = make_bet(network["zju"], weekly_quota_minutes=120)
    book(people["eve"], inst, "2026-03-03 10:00", "2026-03-03 11:00")
    book(people["eve"], inst, "2026-03-04 10:00", "2026-03-04 11:00")
    refused("quota_exceeded", people["eve"], inst, "2026-03-05 10:00", "2026-03-05 10:10")
    # Another user has a quota of their own, and next week is a new week.
    assert book(people["alice"], inst, "2026-03-05 10:00", "2026-03-05 11:00").pk
    assert book(people["eve"], inst, "2026-03-09 10:00", "2026-03-09 11:00").pk


def test_cancelled_time_does_not_count_against_the_quota(people: Any, network: Any) -> None:
    inst = make_bet(network["zju"], weekly_quota_minutes=60)
    first = book(people["eve"], inst, "2026-03-03 10:00", "2026-03-03 11:00")
    services.cancel_booking(actor_for(people["eve"]), first.pk, now=NOW)
    assert book(people["eve"], inst, "2026-03-04 10:00", "2026-03-04 11:00").pk


def test_the_quota_week_is_the_instruments_calendar_week(people: Any, network: Any) -> None:
    # Open around the clock: Sunday 23:00–24:00 and Monday 00:00–01:00 in Shanghai are the same UTC week
    # (both on Sunday in UTC), but two calendar weeks in the instrument's zone.
    inst = make_bet(network["zju"], opening_hours=[], warmup_minutes=0, weekly_quota_minutes=60)
    inst.booking_policy.pop("opening_hours")
    inst.save()
    book(people["eve"], inst, "2026-03-08 23:00", "2026-03-09 00:00")
    assert book(people["eve"], inst, "2026-03-09 00:00", "2026-03-09 01:00").pk
    refused("quota_exceeded", people["eve"], inst, "2026-03-09 02:00", "2026-03-09 02:10")


def test_not_qualified(people: Any, network: Any) -> None:
    inst = make_bet(network["zju"], self_requires_qualification=True)
    refused("not_qualified", people["eve"], inst, "2026-03-03 10:00", "2026-03-03 11:00", mode="self")
    # Assisted use needs no qualification.
    assert book(people["eve"], inst, "2026-03-03 10:00", "2026-03-03 11:00", mode="assisted").pk


def test_a_qualification_allows_self_operation_until_it_expires(people: Any, network: Any) -> None:
    inst = make_bet(network["zju"], self_requires_qualification=True)
    services.grant_qualification(
        actor_for(people["alice"]),
        instrument_id=inst.pk,
        user_id=people["eve"].pk,
        expires=dt.date(2026, 3, 3),
        now=NOW,
    )
    assert book(people["eve"], inst, "2026-03-03 10:00", "2026-03-03 11:00", mode="self").pk
    refused("not_qualified", people["eve"], inst, "2026-03-04 10:00", "2026-03-04 11:00", mode="self")


def test_mode_not_offered(people: Any, bet: Any) -> None:
    refused("mode_not_offered", people["eve"], bet, "2026-03-03 10:00", "2026-03-03 11:00", mode="remote")
    assert book(people["eve"], bet, "2026-03-03 10:00", "2026-03-03 11:00", mode="sample").pk


def test_instrument_unavailable_when_awaiting_repair(people: Any, bet: Any) -> None:
    bet.status = "awaiting_repair"
    bet.save()
    refused("instrument_unavailable", people["eve"], bet, "2026-03-03 10:00", "2026-03-03 11:00")
    bet.status = "occasional_faults"
    bet.save()
    assert book(people["eve"], bet, "2026-03-03 10:00", "2026-03-03 11:00").pk


def test_an_internal_instrument_is_for_its_institution_only(people: Any, bet: Any) -> None:
    bet.share_mode = "internal"
    bet.save()
    refused("instrument_unavailable", people["bob"], bet, "2026-03-03 10:00", "2026-03-03 11:00")
    assert book(people["eve"], bet, "2026-03-03 10:00", "2026-03-03 11:00").pk


@pytest.mark.parametrize(
    ("approval", "booker", "expected"),
    [
        ("never", "bob", BookingStatus.CONFIRMED),
        ("external", "eve", BookingStatus.CONFIRMED),
        ("external", "bob", BookingStatus.PENDING),
        ("always", "eve", BookingStatus.PENDING),
        ("always", "alice", BookingStatus.CONFIRMED),  # a manager of the holder needs no one's approval
    ],
)
def test_approval(people: Any, network: Any, approval: str, booker: str, expected: str) -> None:
    inst = make_bet(network["zju"], approval=approval)
    assert book(people[booker], inst, "2026-03-03 10:00", "2026-03-03 11:00").status == expected


def test_times_need_an_offset_and_an_order(people: Any, bet: Any) -> None:
    with pytest.raises(ValidationFailed) as err:
        naive = dt.datetime(2026, 3, 3, 10), dt.datetime(2026, 3, 3, 11)  # noqa: DTZ001  # the point of the test
        book(people["eve"], bet, *naive)
    assert set(err.value.fields) == {"start", "end"}
    with pytest.raises(ValidationFailed) as err:
        book(people["eve"], bet, "2026-03-03 11:00", "2026-03-03 10:00")
    assert set(err.value.fields) == {"end"}


def test_an_instrument_in_london_keeps_its_local_opening_hours_across_dst(people: Any, network: Any) -> None:
    # British Summer Time starts on Sunday 2026-03-29: 09:00 London is 09:00Z before and 08:00Z after.
    inst = make_bet(network["zju"], warmup_minutes=0, max_advance_days=60)
    inst.timezone = "Europe/London"
    inst.save()
    london = dt.UTC
    refused(
        "outside_opening_hours",
        people["eve"],
        inst,
        at("2026-03-27 08:00", london),
        at("2026-03-27 09:00", london),
    )
    summer = book(
        people["eve"], inst, at("2026-03-30 08:00", london), at("2026-03-30 09:00", london), mode="sample"
    )
    winter = book(
        people["eve"], inst, at("2026-03-27 09:00", london), at("2026-03-27 10:00", london), mode="sample"
    )
    assert summer.start.astimezone(SHANGHAI).hour == 16 and winter.start.astimezone(SHANGHAI).hour == 17
