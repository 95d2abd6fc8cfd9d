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


def aligned(moment: dt.datetime, zone: zoneinfo.ZoneInfo, slot_minutes: int) -> bool:
    minutes = local_minutes(moment, zone)
    return minutes is not None and minutes % slot_minutes == 0


def align_up(moment: dt.datetime, zone: zoneinfo.ZoneInfo, slot_minutes: int) -> dt.datetime:
    """The first slot boundary at or after ``moment`` (slots tile each local day from midnight)."""
    step = dt.timedelta(minutes=slot_minutes)
    local = moment.astimezone(zone)
    midnight = dt.datetime.combine(local.date(), dt.time(0))
    # Count on the wall clock: a boundary is a whole number of slots after local midnight.
    slots = -(-(local.replace(tzinfo=None) - midnight) // step)  # ceiling division
    candidate = (midnight + slots * step).replace(tzinfo=zone).astimezone(dt.UTC)
    if candidate < moment:  # only inside a repeated hour when clocks go back: try the next slot
        return align_up(moment + step, zone, slot_minutes)
    return candidate


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
