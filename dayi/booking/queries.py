"""Read side of bookings: free time, the earliest free slot, and booking lists.

Free time = opening hours (in the instrument's zone) − closures − occupied ranges. The occupied ranges come
from one query on the exclusion constraint's GiST index (instrument, occupied), for one instrument or for
every instrument of a directory search at once; the interval arithmetic is done in Python on those rows.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import Q, QuerySet
from django.db.models.functions import Extract
from django.utils.translation import gettext

from dayi.accounts.access import Actor
from dayi.accounts.access.bookings import visible_bookings, visible_usage
from dayi.booking import timeline
from dayi.booking.models import HOLDING, Booking, UsageRecord, on_instrument
from dayi.booking.policy import BookingPolicy, PolicyInvalid, parse_policy
from dayi.core.errors import ValidationFailed
from dayi.directory.models import WORKING_STATUSES, Instrument, ShareMode
from dayi.directory.queries import InstrumentFilters, search

MAX_WINDOW = dt.timedelta(days=62)  # a month view and then some; longer asks are refused
MAX_EARLIEST_DAYS = 62
MINUTE = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Gap:
    """A free interval, and whether an occupied range ends where it starts / starts where it ends."""

    start: dt.datetime
    end: dt.datetime
    after_occupied: bool  # a booking may start at ``start`` without warm-up (back-to-back)
    before_occupied: bool  # a booking ending here must leave room for its turnaround


def check_window(start: dt.datetime, end: dt.datetime, limit: dt.timedelta = MAX_WINDOW) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValidationFailed(fields={"start": [gettext("须带时区偏移")]})
    if end <= start:
        raise ValidationFailed(fields={"end": [gettext("结束须晚于开始")]})
    if end - start > limit:
        raise ValidationFailed(fields={"end": [gettext("时间范围不超过 %(days)s 天") % {"days": limit.days}]})


def occupied_ranges(
    instrument_ids: Iterable[int], start: dt.datetime, end: dt.datetime
) -> dict[int, list[timeline.Interval]]:
    """Occupied ranges overlapping [start, end), per instrument: one query for all of them."""
    ids = list(instrument_ids)
    if not ids:
        return {}
    # One instrument: search the GiST index on (instrument, occupied). Many: the index serves the time
    # window alone (GiST cannot search an IN list), which is what a search over many instruments wants.
    which = on_instrument(ids[0]) if len(ids) == 1 else Q(instrument_id__in=ids)
    rows = (
        Booking.objects.filter(which, status__in=HOLDING, occupied__overlap=DateTimeTZRange(start, end, "[]"))
        .order_by()
        # Bounds as epoch seconds: parsing tens of thousands of tstzrange texts cost more than the query.
        .values_list(
            "instrument_id",
            Extract("occupied__startswith", "epoch", tzinfo=dt.UTC),
            Extract("occupied__endswith", "epoch", tzinfo=dt.UTC),
        )
    )
    found: dict[int, list[timeline.Interval]] = defaultdict(list)
    stamp = dt.datetime.fromtimestamp
    # Read through a plain cursor: for tens of thousands of rows the ORM's per-value converters cost
    # more than the query itself.
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for instrument_id, lower, upper in rows:
        found[instrument_id].append((stamp(float(lower), dt.UTC), stamp(float(upper), dt.UTC)))
    return found


def gaps(
    policy: BookingPolicy,
    zone: zoneinfo.ZoneInfo,
    start: dt.datetime,
    end: dt.datetime,
    occupied: list[timeline.Interval],
) -> list[Gap]:
    """Opening hours − closures − occupied time, within [start, end)."""
    return gaps_in(open_time(policy, zone, start, end), occupied)


def open_time(
    policy: BookingPolicy, zone: zoneinfo.ZoneInfo, start: dt.datetime, end: dt.datetime
) -> list[timeline.Interval]:
    """Opening hours − closures, within [start, end)."""
    return timeline.subtract(
        timeline.opening(policy, zone, start, end), timeline.closures(policy, zone, start, end)
    )


def gaps_in(open_intervals: list[timeline.Interval], occupied: list[timeline.Interval]) -> list[Gap]:
    uppers = {b for _, b in occupied}
    lowers = {a for a, _ in occupied}
    return [Gap(a, b, a in uppers, b in lowers) for a, b in timeline.subtract(open_intervals, occupied)]


def _policy(instrument: Instrument) -> BookingPolicy | None:
    try:
        return parse_policy(instrument.booking_policy)
    except PolicyInvalid:
        return None


def free_intervals(
    instrument: Instrument,
    start: dt.datetime,
    end: dt.datetime,
    *,
    now: dt.datetime | None = None,
    policy: BookingPolicy | None = None,
) -> list[timeline.Interval]:
    """The bookable intervals of ``instrument`` in [start, end) (API: GET …/availability).

    What ``create_booking`` accepts, not merely free time: each interval starts and ends on a slot
    boundary (slots start at each opening), leaves room for the warm-up (unless it starts where an
    occupied time ends) and the turnaround, and is at least the shortest booking long. Given ``now``,
    the notice and the horizon cut it too. One approximation remains: after a back-to-back start, a later
    start in the same interval still needs its warm-up (the service says so).
    """
    check_window(start, end)
    policy = policy or _policy(instrument)  # a policy given: the rules editor's preview of one not saved
    if policy is None or not bookable(instrument):
        return []
    zone = timeline.zone_of(instrument)
    occupied = occupied_ranges([instrument.pk], start, end).get(instrument.pk, [])
    found = []
    for gap in gaps(policy, zone, start, end, occupied):
        interval = _bookable_part(gap, policy, zone, now)
        if interval is not None:
            found.append(interval)
    return found


def _bookable_part(
    gap: Gap, policy: BookingPolicy, zone: zoneinfo.ZoneInfo, now: dt.datetime | None
) -> timeline.Interval | None:
    """The part of a free gap a booking may use: from its first bookable start to its last bookable end."""
    earliest = now + policy.min_notice_minutes * MINUTE if now else gap.start
    if gap.after_occupied and gap.start >= earliest and timeline.aligned(gap.start, zone, policy):
        first: dt.datetime | None = gap.start  # back-to-back: no warm-up
    else:
        first = timeline.align_up(max(gap.start + policy.warmup_minutes * MINUTE, earliest), zone, policy)
    tail = policy.turnaround_minutes * MINUTE if gap.before_occupied else dt.timedelta(0)
    last = timeline.align_down(gap.end - tail, zone, policy)
    if now is not None and first is not None and last is not None:
        # No start after the horizon: cut at the first slot boundary after it.
        horizon = now + dt.timedelta(days=policy.max_advance_days)
        if first > horizon:
            return None
        last = min(last, timeline.align_up(horizon, zone, policy) or last)
    if first is None or last is None or (last - first) < policy.min_minutes * MINUTE:
        return None
    return (first, last)


def bookable(instrument: Instrument) -> bool:
    return instrument.status in WORKING_STATUSES and instrument.share_mode != ShareMode.NONE


def _length(policy: BookingPolicy, minutes: int) -> int | None:
    """The booking length to look for: at least the policy's minimum, whole slots, or None if too long."""
    wanted = max(minutes, policy.min_minutes)
    wanted = -(-wanted // policy.slot_minutes) * policy.slot_minutes
    if policy.max_minutes is not None and wanted > policy.max_minutes:
        return None
    return wanted


def _fit(gap: Gap, policy: BookingPolicy, zone: zoneinfo.ZoneInfo, earliest: dt.datetime, length: int) -> Any:
    """The first [start, end) of ``length`` minutes in ``gap`` that the booking rules would accept."""
    span = length * MINUTE
    tail = policy.turnaround_minutes * MINUTE if gap.before_occupied else dt.timedelta(0)
    if gap.after_occupied and gap.start >= earliest and timeline.aligned(gap.start, zone, policy):
        start: dt.datetime | None = gap.start  # back-to-back: no warm-up
    else:
        start = timeline.align_up(max(gap.start + policy.warmup_minutes * MINUTE, earliest), zone, policy)
    if start is not None and start + span + tail <= gap.end:
        return (start, start + span)
    return None


@dataclass(frozen=True)
class _Plan:
    """What an earliest-slot search needs from one policy (shared by instruments with the same policy)."""

    policy: BookingPolicy
    zone: zoneinfo.ZoneInfo
    length: int  # minutes
    earliest: dt.datetime  # notice
    horizon: dt.datetime  # the latest start
    until: dt.datetime  # the end of the window searched
    open_intervals: list[timeline.Interval]


def _plan(
    instrument: Instrument, minutes: int, days: int, now: dt.datetime, cap: dt.datetime | None
) -> _Plan | None:
    policy = _policy(instrument)
    length = _length(policy, minutes) if policy else None
    if policy is None or length is None:
        return None
    zone = timeline.zone_of(instrument)
    horizon = min(now + dt.timedelta(days=days), now + dt.timedelta(days=policy.max_advance_days))
    # Look a little past the horizon: a slot starting before it may end after it.
    until = horizon + length * MINUTE + policy.turnaround_minutes * MINUTE
    if cap is not None:
        until = min(until, cap)  # no further than the occupied ranges the caller fetched
    earliest = now + policy.min_notice_minutes * MINUTE
    return _Plan(policy, zone, length, earliest, horizon, until, open_time(policy, zone, now, until))


def _first_fit(plan: _Plan, occupied: list[timeline.Interval]) -> timeline.Interval | None:
    for gap in gaps_in(plan.open_intervals, occupied):
        if gap.start > plan.horizon:
            break
        found = _fit(gap, plan.policy, plan.zone, plan.earliest, plan.length)
        if found and found[0] <= plan.horizon:
            return found
    return None


def earliest_slot(
    instrument: Instrument, minutes: int, *, days: int, now: dt.datetime
) -> timeline.Interval | None:
    """The earliest [start, end) of ``minutes`` (rounded up to whole slots) bookable within ``days``.

    Opening hours, closures, notice, horizon, slot alignment, warm-up (with the back-to-back exception)
    and turnaround are honoured; the user's quota and qualification are not (they depend on who asks).
    """
    plan = _plan(instrument, minutes, days, now, None) if bookable(instrument) else None
    if plan is None:
        return None
    return _first_fit(plan, occupied_ranges([instrument.pk], now, plan.until).get(instrument.pk, []))


def check_earliest(minutes: int, days: int) -> None:
    errors: dict[str, list[str]] = {}
    if not 1 <= minutes <= 7 * 24 * 60:
        errors["minutes"] = [gettext("应在 1 到 10080 之间")]
    if not 1 <= days <= MAX_EARLIEST_DAYS:
        errors["days"] = [
            gettext("应在 1 到 %(MAX_EARLIEST_DAYS)s 之间") % {"MAX_EARLIEST_DAYS": MAX_EARLIEST_DAYS}
        ]
    if errors:
        raise ValidationFailed(fields=errors)


def earliest_across(
    filters: InstrumentFilters, minutes: int, *, days: int, now: dt.datetime, limit: int = 50
) -> list[tuple[Instrument, timeline.Interval]]:
    """For every instrument a directory search finds, its earliest free slot; soonest first.

    The alternatives a user is offered when the wanted instrument is full. The occupied ranges of all the
    instruments come in one query.
    """
    check_earliest(minutes, days)
    fields = ("name", "institution__name", "timezone", "booking_policy", "status", "share_mode")
    hits = search(filters).select_related(None).select_related("institution").only(*fields)
    instruments = [i for i in hits.filter(status__in=WORKING_STATUSES) if bookable(i)]
    until = now + dt.timedelta(days=days + 2) + minutes * MINUTE
    occupied = occupied_ranges([i.pk for i in instruments], now, until)
    # Many instruments share a policy: parse it and lay out its opening hours once.
    plans: dict[tuple[str, str], _Plan | None] = {}
    found = []
    for instrument in instruments:
        key = (instrument.timezone, json.dumps(instrument.booking_policy, sort_keys=True))
        if key not in plans:
            plans[key] = _plan(instrument, minutes, days, now, until)
        plan = plans[key]
        slot = _first_fit(plan, occupied.get(instrument.pk, [])) if plan else None
        if slot is not None:
            found.append((instrument, slot))
    found.sort(key=lambda pair: (pair[1][0], pair[0].pk))
    return found[:limit]


@dataclass
class BookingFilters:
    instrument: int | None = None
    user: int | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    status: str | None = None


def bookings(actor: Actor, f: BookingFilters) -> QuerySet[Booking]:
    """The bookings ``actor`` may see (their own; all of the instruments they manage), filtered."""
    qs = visible_bookings(actor).select_related("instrument", "user", "order")
    if f.instrument is not None:
        qs = qs.filter(instrument_id=f.instrument)
    if f.user is not None:
        qs = qs.filter(user_id=f.user)
    if f.start is not None:
        qs = qs.filter(end__gt=f.start)
    if f.end is not None:
        qs = qs.filter(start__lt=f.end)
    if f.status:
        qs = qs.filter(status__in=f.status.split(","))
    return qs.order_by("start", "id")


@dataclass
class UsageFilters:
    instrument: int | None = None
    booking: int | None = None
    start: dt.datetime | None = None  # records ending after this
    end: dt.datetime | None = None  # records starting before this
    current: bool = False  # only records not superseded (what counts, or awaits confirmation)
    confirmed: bool | None = None


def usage_records(actor: Actor, f: UsageFilters) -> QuerySet[UsageRecord]:
    """The usage records ``actor`` may see (their own hours; all of the instruments they manage), filtered,
    newest first."""
    qs = visible_usage(actor).select_related("instrument", "user")
    if f.instrument is not None:
        qs = qs.filter(instrument_id=f.instrument)
    if f.booking is not None:
        qs = qs.filter(booking_id=f.booking)
    if f.start is not None:
        qs = qs.filter(end__gt=f.start)
    if f.end is not None:
        qs = qs.filter(start__lt=f.end)
    if f.current:
        qs = qs.filter(superseded=False)
    if f.confirmed is not None:
        qs = qs.filter(confirmed=f.confirmed)
    return qs.order_by("-start", "-id")
