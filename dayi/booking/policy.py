"""An instrument's booking policy (API.md, "Booking instrument time"): parsing, defaults and validation.

The policy is stored as JSON on the instrument (``Instrument.booking_policy``). ``validate_policy`` names
every problem per key, so the directory refuses a bad policy when it is written; ``parse_policy`` turns a
valid one into a frozen ``BookingPolicy`` with the defaults below filled in.

Messages are Chinese msgids through gettext; the English is in ``dayi/booking/locale``.

Slots start at each window's opening (open 08:30 with 60-minute slots: 08:30, 09:30 …), so every opening
window must hold a whole number of slots.

Defaults are chosen so that a policy which says nothing restricts little: open around the clock, 30-minute
slots (the common size, DOMAIN.md), no warm-up, no quota, no approval, a 24-hour cancellation deadline, a
no-show after 15 minutes, and self-operation only for qualified users (training first, DOMAIN.md).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

APPROVALS = ("never", "external", "always")
MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True)
class OpeningWindow:
    """Open on ``weekday`` (1 Monday … 7 Sunday) from ``start`` to ``end`` minutes after local midnight."""

    weekday: int
    start: int  # minutes after local midnight
    end: int  # minutes after local midnight; 1440 is "24:00"


@dataclass(frozen=True)
class Closure:
    start: dt.datetime  # aware, or naive meaning the instrument's local time
    end: dt.datetime
    reason: str = ""


ALL_WEEK = tuple(OpeningWindow(day, 0, MINUTES_PER_DAY) for day in range(1, 8))


@dataclass(frozen=True)
class BookingPolicy:
    opening_hours: tuple[OpeningWindow, ...] = ALL_WEEK
    closures: tuple[Closure, ...] = ()
    slot_minutes: int = 30
    min_minutes: int = 30
    max_minutes: int | None = None  # None: no limit
    min_notice_minutes: int = 0
    max_advance_days: int = 90
    warmup_minutes: int = 0
    turnaround_minutes: int = 0
    weekly_quota_minutes: int | None = None  # None: no quota
    approval: str = "never"
    self_requires_qualification: bool = True
    cancel_deadline_minutes: int = 24 * 60
    no_show_minutes: int = 15
    # Issue 11: the booker's check-out counts up to the booking's end plus this grace (a manager may
    # confirm more); sessions still open then are closed there by the ``booking.close_open_sessions`` job.
    checkout_grace_minutes: int = 30
    # A pending booking nobody approved within this many minutes of its request (or by its start) expires.
    approval_window_minutes: int = 3 * MINUTES_PER_DAY
    # How much of the instrument's future one user may hold at once (pending and confirmed bookings that
    # have not ended): None means no limit. Managers of the instrument are not limited.
    max_future_bookings: int | None = None
    max_future_minutes: int | None = None


# key → (smallest, largest, may be null)
_INTEGERS: dict[str, tuple[int, int, bool]] = {
    "slot_minutes": (1, MINUTES_PER_DAY, False),
    "min_minutes": (1, 366 * MINUTES_PER_DAY, False),
    "max_minutes": (1, 366 * MINUTES_PER_DAY, True),
    "min_notice_minutes": (0, 366 * MINUTES_PER_DAY, False),
    "max_advance_days": (1, 3 * 366, False),
    "warmup_minutes": (0, MINUTES_PER_DAY, False),
    "turnaround_minutes": (0, MINUTES_PER_DAY, False),
    "weekly_quota_minutes": (0, 7 * MINUTES_PER_DAY, True),
    "cancel_deadline_minutes": (0, 366 * MINUTES_PER_DAY, False),
    "no_show_minutes": (1, MINUTES_PER_DAY, False),
    "checkout_grace_minutes": (0, MINUTES_PER_DAY, False),
    "approval_window_minutes": (1, 30 * MINUTES_PER_DAY, False),
    "max_future_bookings": (1, 1000, True),
    "max_future_minutes": (1, 366 * MINUTES_PER_DAY, True),
}
KNOWN_KEYS = {*_INTEGERS, "opening_hours", "closures", "approval", "self_requires_qualification"}


class PolicyInvalid(ValueError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(f"invalid booking policy: {errors}")
        self.errors = errors


def _clock(raw: Any) -> int | None:
    """Minutes after midnight for "HH:MM" ("24:00" allowed), or None."""
    if not isinstance(raw, str) or len(raw) != 5 or raw[2] != ":":
        return None
    hours, minutes = raw[:2], raw[3:]
    if not (hours.isdigit() and minutes.isdigit()):
        return None
    value = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or value > MINUTES_PER_DAY:
        return None
    return value


def _moment(raw: Any) -> dt.datetime | None:
    """An ISO 8601 date-time (or a date, meaning its midnight); naive means the instrument's local time."""
    if not isinstance(raw, str):
        return None
    try:
        return dt.datetime.fromisoformat(raw)
    except ValueError:
        return None


def _windows(raw: Any, fail: Any) -> tuple[OpeningWindow, ...]:
    if not isinstance(raw, list):
        fail("opening_hours", _("应为列表（每项含 weekday、start、end）"))
        return ()
    windows: list[OpeningWindow] = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            fail("opening_hours", _("第 %(n)s 项应为对象") % {"n": i + 1})
            continue
        day, start, end = item.get("weekday"), _clock(item.get("start")), _clock(item.get("end"))
        if not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= 7:
            fail("opening_hours", _("第 %(n)s 项：weekday 应为 1（周一）到 7（周日）") % {"n": i + 1})
        elif start is None or end is None:
            fail("opening_hours", _("第 %(n)s 项：时间格式应为 HH:MM，如 09:00") % {"n": i + 1})
        elif end <= start:
            fail("opening_hours", _("第 %(n)s 项：结束须晚于开始") % {"n": i + 1})
        else:
            windows.append(OpeningWindow(day, start, end))
    return tuple(sorted(windows, key=lambda w: (w.weekday, w.start)))


def _closures(raw: Any, fail: Any) -> tuple[Closure, ...]:
    if not isinstance(raw, list):
        fail("closures", _("应为列表（每项含 start、end、reason）"))
        return ()
    closures: list[Closure] = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            fail("closures", _("第 %(n)s 项应为对象") % {"n": i + 1})
            continue
        start, end = _moment(item.get("start")), _moment(item.get("end"))
        reason = item.get("reason", "")
        if start is None or end is None:
            fail("closures", _("第 %(n)s 项：起止时间应为 ISO 8601，如 2026-05-01T08:30") % {"n": i + 1})
        elif (start.tzinfo is None) != (end.tzinfo is None):
            fail("closures", _("第 %(n)s 项：起止须同时带或同时不带时区偏移") % {"n": i + 1})
        elif end <= start:
            fail("closures", _("第 %(n)s 项：结束须晚于开始") % {"n": i + 1})
        elif not isinstance(reason, str) or len(reason) > 200:
            fail("closures", _("第 %(n)s 项：原因不超过 200 字") % {"n": i + 1})
        else:
            closures.append(Closure(start, end, reason))
    return tuple(closures)


def _integer(key: str, raw: Any, fail: Any) -> int | None:
    low, high, nullable = _INTEGERS[key]
    if raw is None and nullable:
        return None
    if not isinstance(raw, int) or isinstance(raw, bool) or not low <= raw <= high:
        if nullable:
            message = _("应为 %(low)s 到 %(high)s 之间的整数，或留空")
        else:
            message = _("应为 %(low)s 到 %(high)s 之间的整数")
        fail(key, message % {"low": low, "high": high})
        return None
    return raw


def _read(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}

    def fail(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    values: dict[str, Any] = {}
    for key in sorted(set(raw) - KNOWN_KEYS):
        fail(key, _("未知的预约规则项"))
    if "opening_hours" in raw:
        values["opening_hours"] = _windows(raw["opening_hours"], fail)
    if "closures" in raw:
        values["closures"] = _closures(raw["closures"], fail)
    for key in _INTEGERS:
        if key in raw:
            values[key] = _integer(key, raw[key], fail)
    if "approval" in raw:
        if raw["approval"] not in APPROVALS:
            fail("approval", _("应为 %(choices)s 之一") % {"choices": ", ".join(APPROVALS)})
        values["approval"] = raw["approval"]
    if "self_requires_qualification" in raw:
        if not isinstance(raw["self_requires_qualification"], bool):
            fail("self_requires_qualification", _("应为 true 或 false"))
        values["self_requires_qualification"] = raw["self_requires_qualification"]
    _cross_checks(values, fail, errors)
    return values, errors


def _cross_checks(values: dict[str, Any], fail: Any, errors: dict[str, list[str]]) -> None:
    slot = values.get("slot_minutes", BookingPolicy.slot_minutes)
    # Broken opening hours are named on their own; the slot must then at least tile a whole day.
    windows = values.get("opening_hours") or ALL_WEEK
    if "slot_minutes" not in errors and slot:
        _check_tiling(windows, slot, fail)
    low, high = values.get("min_minutes"), values.get("max_minutes")
    if isinstance(low, int) and isinstance(high, int) and high < low:
        fail("max_minutes", _("不能小于最短预约时长（min_minutes）"))


def _check_tiling(windows: tuple[OpeningWindow, ...], slot: int, fail: Any) -> None:
    """Slots start at each opening, so each window must hold whole slots (and windows of a day must not
    overlap, or two slot grids would disagree)."""
    for before, after in itertools.pairwise(windows):
        if before.weekday == after.weekday and after.start < before.end:
            fail("opening_hours", _("%(day)s 的开放时段相互重叠") % {"day": weekday_name(after.weekday)})
    for w in windows:
        if (w.end - w.start) % slot:
            message = _(
                "每段开放时间须是整数个时段：%(day)s %(start)s–%(end)s 共 %(length)s 分钟，不被 %(slot)s 整除"
            )
            values = {"start": clock(w.start), "end": clock(w.end), "length": w.end - w.start, "slot": slot}
            fail("slot_minutes", message % {"day": weekday_name(w.weekday), **values})
            return


WEEKDAY_NAMES = (
    gettext_lazy("周一"),
    gettext_lazy("周二"),
    gettext_lazy("周三"),
    gettext_lazy("周四"),
    gettext_lazy("周五"),
    gettext_lazy("周六"),
    gettext_lazy("周日"),
)


def weekday_name(weekday: int) -> str:
    """周一 … 周日 (1 … 7) in the active language."""
    return str(WEEKDAY_NAMES[weekday - 1])


def clock(minutes: int) -> str:
    """ "HH:MM" for minutes after midnight (1440 is "24:00")."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def validate_policy(raw: Any) -> dict[str, list[str]]:
    """Problems per policy key (empty when the policy is valid)."""
    if not isinstance(raw, dict):
        return {"": [_("应为对象")]}
    return _read(raw)[1]


def parse_policy(raw: Any) -> BookingPolicy:
    """The policy with defaults filled in; PolicyInvalid if it breaks a rule above."""
    if not raw:
        return BookingPolicy()
    if not isinstance(raw, dict):
        raise PolicyInvalid({"": [_("应为对象")]})
    values, errors = _read(raw)
    if errors:
        raise PolicyInvalid(errors)
    if "min_minutes" not in values:
        # One slot is the natural shortest booking when only the slot size is given.
        values["min_minutes"] = values.get("slot_minutes", BookingPolicy.slot_minutes)
    return BookingPolicy(**values)


# What a new instrument starts from when its institution has not written its own default (issue 12): a
# working week rather than "open 24×7", which no instrument room keeps. Institution admins edit their own
# on the default rules page; ``Institution.default_booking_policy`` empty means this one.
WORKING_WEEK: dict[str, Any] = {
    "opening_hours": [{"weekday": d, "start": "08:30", "end": "17:30"} for d in range(1, 6)],
    "slot_minutes": 30,
    "min_minutes": 30,
    "min_notice_minutes": 60,
    "max_advance_days": 30,
    "approval": "external",
    "self_requires_qualification": True,
    "cancel_deadline_minutes": 24 * 60,
    "no_show_minutes": 15,
}


def starting_policy(institution_default: dict[str, Any] | None) -> dict[str, Any]:
    """The booking policy a new instrument of an institution starts with (a copy: the caller may keep it)."""
    return dict(institution_default or WORKING_WEEK)
