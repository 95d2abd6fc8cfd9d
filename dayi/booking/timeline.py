"""Time arithmetic of bookings: opening hours in an instrument's zone, closures, intervals, slots, weeks.

Pure functions over aware datetimes; no database. Opening hours are wall-clock times in the instrument's
zone, so 09:00–17:00 is 09:00–17:00 local on both sides of a DST change (the arithmetic is done on the
wall clock, then converted to UTC).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from typing import Any

from dayi.booking.policy import BookingPolicy

Interval = tuple[dt.datetime, dt.datetime]  # [start, end), aware

DEFAULT_ZONE = "Asia/Shanghai"


def zone_of(instrument: Any) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(instrument.timezone or DEFAULT_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(DEFAULT_ZONE)


def local_midnight(day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone)


def wall_clock(day: dt.date, minutes: int, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """``minutes`` after midnight of ``day`` on the local wall clock (1440 is the next midnight)."""
    if minutes >= 24 * 60:
        return local_midnight(day + dt.timedelta(days=1), zone)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=zone)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, with touching and overlapping intervals joined."""
    out: list[Interval] = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def clip(intervals: Iterable[Interval], start: dt.datetime, end: dt.datetime) -> list[Interval]:
    return [(max(a, start), min(b, end)) for a, b in intervals if a < end and b > start]


def subtract(intervals: list[Interval], holes: Iterable[Interval]) -> list[Interval]:
    """``intervals`` (merged, sorted) minus ``holes``, in one walk over both."""
    cut = merge(holes)
    out: list[Interval] = []
    j = 0
    for start, end in intervals:
        while j < len(cut) and cut[j][1] <= start:
            j += 1  # holes that end before this interval cannot touch the later ones either
        cursor, k = start, j
        while k < len(cut) and cut[k][0] < end:
            if cut[k][0] > cursor:
                out.append((cursor, cut[k][0]))
            cursor = max(cursor, cut[k][1])
            k += 1
        if cursor < end:
            out.append((cursor, end))
    return out


def opening(
    policy: BookingPolicy, zone: zoneinfo.ZoneInfo, start: dt.datetime, end: dt.datetime
) -> list[Interval]:
    """The opening hours that fall in [start, end), merged (so Mon 00:00–24:00 + Tue 00:00–… is one)."""
    first = start.astimezone(zone).date() - dt.timedelta(days=1)
    last = end.astimezone(zone).date() + dt.timedelta(days=1)
    by_day: dict[int, list[tuple[int, int]]] = {}
    for w in policy.opening_hours:
        by_day.setdefault(w.weekday, []).append((w.start, w.end))
    found: list[Interval] = []
    day = first
    while day <= last:
        for a, b in by_day.get(day.isoweekday(), ()):
            found.append(
                (wall_clock(day, a, zone).astimezone(dt.UTC), wall_clock(day, b, zone).astimezone(dt.UTC))
            )
        day += dt.timedelta(days=1)
    return clip(merge(found), start, end)


def closures(
    policy: BookingPolicy, zone: zoneinfo.ZoneInfo, start: dt.datetime, end: dt.datetime
) -> list[Interval]:
    """The policy's closures that touch [start, end); naive closure times are the instrument's local time."""
    found = []
    for c in policy.closures:
        a = c.start if c.start.tzinfo else c.start.replace(tzinfo=zone)
        b = c.end if c.end.tzinfo else c.end.replace(tzinfo=zone)
        found.append((a.astimezone(dt.UTC), b.astimezone(dt.UTC)))
    return clip(merge(found), start, end)


def containing(intervals: Iterable[Interval], start: dt.datetime, end: dt.datetime) -> Interval | None:
    """The interval that holds all of [start, end), if one does."""
    for a, b in intervals:
        if a <= start and end <= b:
            return (a, b)
    return None


def overlapping(intervals: Iterable[Interval], start: dt.datetime, end: dt.datetime) -> Interval | None:
    for a, b in intervals:
        if a < end and b > start:
            return (a, b)
    return None


def local_minutes(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> int | None:
    """Minutes after local midnight, or None when the moment has seconds (never on a slot boundary)."""
    local = moment.astimezone(zone)
    if local.second or local.microsecond:
        return None
    return local.hour * 60 + local.minute


def _windows_on(policy: BookingPolicy, day: dt.date) -> list[tuple[int, int]]:
    return [(w.start, w.end) for w in policy.opening_hours if w.weekday == day.isoweekday()]


def aligned(moment: dt.datetime, zone: zoneinfo.ZoneInfo, policy: BookingPolicy) -> bool:
    """Whether ``moment`` is a slot boundary: a whole number of slots after the opening of a window that
    holds it (its end included). Slots start at opening time, as a person expects: open at 08:30 with
    60-minute slots, the slots are 08:30–09:30, 09:30–10:30 … A moment in no window is called aligned:
    the opening-hours rule refuses it with a clearer reason.
    """
    minutes = local_minutes(moment, zone)
    if minutes is None:
        return False
    day = moment.astimezone(zone).date()
    holding = [(a, minutes) for a, b in _windows_on(policy, day) if a <= minutes <= b]
    if minutes == 0:  # midnight is also 24:00, the end of the day before's window that closes then
        holding += [(a, 24 * 60) for a, b in _windows_on(policy, day - dt.timedelta(days=1)) if b == 24 * 60]
    return not holding or any((m - a) % policy.slot_minutes == 0 for a, m in holding)


def _boundaries_after(
    policy: BookingPolicy, zone: zoneinfo.ZoneInfo, moment: dt.datetime, day: dt.date
) -> list[dt.datetime]:
    """The first slot boundary at or after ``moment`` in each window of ``day`` that ends after it."""
    step = dt.timedelta(minutes=policy.slot_minutes)
    found = []
    for a, b in _windows_on(policy, day):
        opens, closes = wall_clock(day, a, zone), wall_clock(day, b, zone)
        if closes < moment:
            continue
        # Count on the wall clock (same tzinfo: Python subtracts wall times), then back to an instant.
        slots = max(0, -(-(moment.astimezone(zone) - opens) // step))
        candidate = (opens + slots * step).astimezone(dt.UTC)
        if candidate < moment:  # only inside a repeated hour when clocks go back: the next slot
            candidate = (opens + (slots + 1) * step).astimezone(dt.UTC)
        if candidate <= closes:
            found.append(candidate)
    return found


def align_up(moment: dt.datetime, zone: zoneinfo.ZoneInfo, policy: BookingPolicy) -> dt.datetime | None:
    """The first slot boundary at or after ``moment`` within the coming week, or None (never open)."""
    day = moment.astimezone(zone).date() - dt.timedelta(days=1)
    for _ in range(9):
        found = _boundaries_after(policy, zone, moment, day)
        if found:
            return min(found)
        day += dt.timedelta(days=1)
    return None


def align_down(moment: dt.datetime, zone: zoneinfo.ZoneInfo, policy: BookingPolicy) -> dt.datetime | None:
    """The last slot boundary at or before ``moment`` of the window that holds it, or None."""
    step = dt.timedelta(minutes=policy.slot_minutes)
    local = moment.astimezone(zone)
    best: dt.datetime | None = None
    for day in (local.date() - dt.timedelta(days=1), local.date()):
        for a, b in _windows_on(policy, day):
            opens, closes = wall_clock(day, a, zone), wall_clock(day, b, zone)
            if not opens <= moment <= closes:
                continue
            candidate = (opens + ((local - opens) // step) * step).astimezone(dt.UTC)
            if candidate > moment:
                candidate = (opens + ((local - opens) // step - 1) * step).astimezone(dt.UTC)
            if best is None or candidate > best:
                best = candidate
    return best


def week_of(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> Interval:
    """The calendar week (Monday 00:00 to the next Monday 00:00, local) that holds ``moment``."""
    local = moment.astimezone(zone).date()
    monday = local - dt.timedelta(days=local.isoweekday() - 1)
    return (
        local_midnight(monday, zone).astimezone(dt.UTC),
        local_midnight(monday + dt.timedelta(days=7), zone).astimezone(dt.UTC),
    )


def weeks(start: dt.datetime, end: dt.datetime, zone: zoneinfo.ZoneInfo) -> list[Interval]:
    """The calendar weeks that [start, end) touches."""
    out = [week_of(start, zone)]
    while out[-1][1] < end:
        out.append(week_of(out[-1][1], zone))
    return out


def minutes_in(a: Interval, b: Interval) -> float:
    """Minutes of overlap between two intervals."""
    start, end = max(a[0], b[0]), min(a[1], b[1])
    return max((end - start).total_seconds() / 60, 0.0)
