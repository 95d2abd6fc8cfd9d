"""The booking policy: defaults, parsing and the errors it names per key."""

from __future__ import annotations

import datetime as dt

import pytest

from dayi.booking.policy import BookingPolicy, OpeningWindow, PolicyInvalid, parse_policy, validate_policy


def test_an_empty_policy_has_the_defaults() -> None:
    policy = parse_policy({})
    assert policy == BookingPolicy()
    assert len(policy.opening_hours) == 7 and policy.opening_hours[0] == OpeningWindow(1, 0, 1440)
    assert (policy.slot_minutes, policy.approval, policy.self_requires_qualification) == (30, "never", True)


def test_it_parses_every_key() -> None:
    policy = parse_policy(
        {
            "opening_hours": [
                {"weekday": 1, "start": "09:00", "end": "17:00"},
                {"weekday": 7, "start": "13:00", "end": "24:00"},
            ],
            "closures": [
                {"start": "2026-05-01T00:00:00+08:00", "end": "2026-05-06T00:00:00+08:00", "reason": "劳动节"}
            ],
            "slot_minutes": 15,
            "max_minutes": 240,
            "min_notice_minutes": 4320,
            "max_advance_days": 28,
            "warmup_minutes": 20,
            "turnaround_minutes": 10,
            "weekly_quota_minutes": 1440,
            "approval": "external",
            "self_requires_qualification": False,
            "cancel_deadline_minutes": 1440,
            "no_show_minutes": 30,
        }
    )
    assert policy.opening_hours == (OpeningWindow(1, 540, 1020), OpeningWindow(7, 780, 1440))
    assert policy.closures[0].start == dt.datetime.fromisoformat("2026-05-01T00:00:00+08:00")
    assert (policy.slot_minutes, policy.min_minutes) == (15, 15)  # the shortest booking defaults to one slot
    assert (policy.weekly_quota_minutes, policy.approval, policy.no_show_minutes) == (1440, "external", 30)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"opening_hours": [{"weekday": 0, "start": "09:00", "end": "17:00"}]}, "opening_hours"),
        ({"opening_hours": [{"weekday": 1, "start": "17:00", "end": "09:00"}]}, "opening_hours"),
        ({"opening_hours": [{"weekday": 1, "start": "9am", "end": "17:00"}]}, "opening_hours"),
        ({"opening_hours": "weekdays"}, "opening_hours"),
        ({"closures": [{"start": "2026-05-01", "end": "2026-04-01"}]}, "closures"),
        ({"closures": [{"start": "May Day", "end": "2026-05-02"}]}, "closures"),
        ({"slot_minutes": 7}, "slot_minutes"),
        ({"slot_minutes": 0}, "slot_minutes"),
        ({"min_minutes": 60, "max_minutes": 30}, "max_minutes"),
        ({"warmup_minutes": -5}, "warmup_minutes"),
        ({"weekly_quota_minutes": "a lot"}, "weekly_quota_minutes"),
        ({"approval": "sometimes"}, "approval"),
        ({"self_requires_qualification": "yes"}, "self_requires_qualification"),
        ({"no_show_minutes": True}, "no_show_minutes"),
        ({"warm_up": 20}, "warm_up"),
    ],
)
def test_it_names_the_key_at_fault(raw: dict[str, object], key: str) -> None:
    assert set(validate_policy(raw)) == {key}
    with pytest.raises(PolicyInvalid) as err:
        parse_policy(raw)
    assert set(err.value.errors) == {key}


def test_null_means_no_limit_where_a_limit_is_optional() -> None:
    assert validate_policy({"max_minutes": None, "weekly_quota_minutes": None}) == {}
    assert "slot_minutes" in validate_policy({"slot_minutes": None})
