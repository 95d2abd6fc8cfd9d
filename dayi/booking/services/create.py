"""Making a booking: every rule of the instrument's policy, checked under the instrument lock.

The rules the database cannot state are checked here, inside one transaction that holds the lock on the
instrument row; the exclusion constraint ``booking_no_overlap`` is the final guard against overlaps.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from dayi.accounts.access import Actor, require_signed_in
from dayi.accounts.access.sharing import sharing_refusal
from dayi.booking import events, timeline
from dayi.booking.errors import BookingConflict, DuplicateRequest, broken
from dayi.booking.models import HOLDING, Booking, BookingStatus, Qualification, on_instrument
from dayi.booking.policy import BookingPolicy
from dayi.booking.services.common import lock_instrument, manages, policy_of, record
from dayi.core.errors import ValidationFailed
from dayi.directory.models import WORKING_STATUSES, Instrument, ServiceMode

MINUTE = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Request:
    """What is being asked, with the instrument's policy and zone."""

    actor: Actor
    instrument: Instrument
    policy: BookingPolicy
    zone: zoneinfo.ZoneInfo
    start: dt.datetime
    end: dt.datetime
    mode: str
    now: dt.datetime


def _fmt(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat(timespec="minutes")


def _check_input(start: dt.datetime, end: dt.datetime, mode: str) -> None:
    errors: dict[str, list[str]] = {}
    for key, value in (("start", start), ("end", end)):
        if value.tzinfo is None:
            errors[key] = [gettext("须带时区偏移，如 +08:00")]
    if not errors and end <= start:
        errors["end"] = [gettext("结束须晚于开始")]
    if mode not in ServiceMode.values:
        errors["mode"] = [gettext("应为 %(choices)s 之一") % {"choices": ", ".join(ServiceMode.values)}]
    if errors:
        raise ValidationFailed(gettext("预约信息有误"), fields=errors)


def _check_offered(r: Request) -> None:
    inst = r.instrument
    if inst.status not in WORKING_STATUSES:
        raise broken(
            "instrument_unavailable",
            gettext("仪器当前状态为 %(value)s，暂停预约") % {"value": inst.get_status_display()},
        )
    refusal = sharing_refusal(r.actor, inst)  # the one share-mode rule, also asked by sample orders
    if refusal is not None:
        raise broken("instrument_unavailable", refusal)
    if r.mode not in inst.modes:
        raise broken("mode_not_offered", gettext("该仪器不提供 %(mode)s 服务方式") % {"mode": r.mode})


def _check_shape(r: Request) -> None:
    p, minutes = r.policy, (r.end - r.start).total_seconds() / 60
    if not (timeline.aligned(r.start, r.zone, p) and timeline.aligned(r.end, r.zone, p)):
        raise _misaligned(r)
    if minutes < p.min_minutes:
        raise broken("too_short", gettext("至少预约 %(min_minutes)s 分钟") % {"min_minutes": p.min_minutes})
    if p.max_minutes is not None and minutes > p.max_minutes:
        raise broken("too_long", gettext("最多预约 %(max_minutes)s 分钟") % {"max_minutes": p.max_minutes})
    if r.start < r.now + p.min_notice_minutes * MINUTE:
        raise broken(
            "notice_too_short",
            gettext("须提前 %(min_notice_minutes)s 分钟预约") % {"min_notice_minutes": p.min_notice_minutes},
        )
    if r.start > r.now + dt.timedelta(days=p.max_advance_days):
        raise broken(
            "too_far_ahead",
            gettext("最多提前 %(max_advance_days)s 天预约") % {"max_advance_days": p.max_advance_days},
        )


def _misaligned(r: Request) -> Exception:
    """Slots start at each opening: say so, with the nearest slot boundary as an example."""
    wrong = r.start if not timeline.aligned(r.start, r.zone, r.policy) else r.end
    near = timeline.align_up(wrong, r.zone, r.policy)
    example = near.astimezone(r.zone).strftime("%H:%M") if near else ""
    return broken(
        "slot_alignment",
        _("起止须对齐自开放时间起的 %(n)s 分钟时段（例如 %(example)s）")
        % {"n": r.policy.slot_minutes, "example": example},
    )


def _opening_around(
    r: Request, start: dt.datetime
) -> tuple[list[timeline.Interval], list[timeline.Interval]]:
    """Opening hours and closures near [start, end) (a day either side is plenty for any warm-up)."""
    lo, hi = start - dt.timedelta(days=1), r.end + dt.timedelta(days=1)
    return timeline.opening(r.policy, r.zone, lo, hi), timeline.closures(r.policy, r.zone, lo, hi)


def _check_open(r: Request, opening: list[timeline.Interval], closed: list[timeline.Interval]) -> None:
    if timeline.containing(opening, r.start, r.end) is None:
        raise broken("outside_opening_hours", gettext("预约时间超出开放时间"))
    clash = timeline.overlapping(closed, r.start, r.end)
    if clash:
        raise broken(
            "closed",
            gettext("仪器在 %(value)s 至 %(value2)s 停用")
            % {"value": _fmt(clash[0], r.zone), "value2": _fmt(clash[1], r.zone)},
        )


def _check_warmup(
    r: Request, warmup: int, opening: list[timeline.Interval], closed: list[timeline.Interval]
) -> None:
    if not warmup:
        return
    begin = r.start - warmup * MINUTE
    if timeline.containing(opening, begin, r.end) is None:
        raise broken(
            "warmup_outside_opening_hours",
            gettext("须预热 %(warmup)s 分钟，预热时间 %(begin)s 起超出开放时间")
            % {"warmup": warmup, "begin": _fmt(begin, r.zone)},
        )
    clash = timeline.overlapping(closed, begin, r.start)
    if clash:
        raise broken("closed", gettext("预热时间与停用时段冲突") % {"value": _fmt(clash[0], r.zone)})


def _neighbours(r: Request) -> list[timeline.Interval]:
    """Occupied ranges that touch [start − warm-up, end + turnaround): one query on the exclusion index."""
    p = r.policy
    window = DateTimeTZRange(r.start - p.warmup_minutes * MINUTE, r.end + p.turnaround_minutes * MINUTE, "[]")
    ranges = (
        Booking.objects.filter(on_instrument(r.instrument.pk), status__in=HOLDING, occupied__overlap=window)
        .order_by()
        .values_list("occupied", flat=True)
    )
    return sorted((o.lower, o.upper) for o in ranges)


def _warmup_needed(r: Request, neighbours: list[timeline.Interval]) -> int:
    """API.md: no warm-up when the booking starts exactly where the previous occupied time ends."""
    if any(upper == r.start for _, upper in neighbours):
        return 0
    return r.policy.warmup_minutes


def _check_free(r: Request, occupied: timeline.Interval, neighbours: list[timeline.Interval]) -> None:
    clash = timeline.overlapping(neighbours, *occupied)
    if clash:
        raise conflict(clash, r.zone)


def conflict(clash: timeline.Interval, zone: zoneinfo.ZoneInfo) -> BookingConflict:
    a, b = _fmt(clash[0], zone), _fmt(clash[1], zone)
    return BookingConflict(
        gettext("与已占用时间 %(a)s 至 %(b)s 冲突") % {"a": a, "b": b},
        fields={"start": [gettext("与 %(a)s 至 %(b)s 冲突") % {"a": a, "b": b}]},
        clash={"start": a, "end": b},
    )


def _check_qualified(r: Request) -> None:
    if r.mode != ServiceMode.SELF or not r.policy.self_requires_qualification:
        return
    day = r.end.astimezone(r.zone).date()
    qualification = Qualification.objects.filter(user=r.actor.user, instrument=r.instrument).first()
    if qualification is None:
        raise broken("not_qualified", gettext("自主上机须先通过培训考核"))
    if qualification.revoked is not None:
        raise broken("not_qualified", _("您在该仪器上的上机资格已被撤销。"))
    if qualification.expires is not None and qualification.expires < day:
        raise broken(
            "not_qualified", gettext("上机资格已于 %(expires)s 到期") % {"expires": qualification.expires}
        )


def _check_quota(r: Request) -> None:
    """The user's booked minutes per calendar week (instrument's zone) on this instrument, with this one."""
    quota = r.policy.weekly_quota_minutes
    if quota is None:
        return
    weeks = timeline.weeks(r.start, r.end, r.zone)
    # Safe from races: every booking of this instrument is made under the instrument lock we hold.
    booked = list(
        Booking.objects.filter(
            instrument=r.instrument,
            user=r.actor.user,
            status__in=HOLDING,
            start__lt=weeks[-1][1],
            end__gt=weeks[0][0],
        ).values_list("start", "end")
    )
    for week in weeks:
        used = sum(timeline.minutes_in(week, b) for b in booked) + timeline.minutes_in(week, (r.start, r.end))
        if used > quota:
            raise broken(
                "quota_exceeded",
                gettext("本周已预约 %(used)s 分钟，每周限 %(quota)s 分钟")
                % {"used": f"{used - timeline.minutes_in(week, (r.start, r.end)):.0f}", "quota": quota},
            )


# What counts as holding the instrument's future: bookings not yet decided or not yet used up.
FUTURE = [BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.IN_PROGRESS]


def _check_future(r: Request) -> None:
    """The policy's limits on how much of the instrument's future one user holds (bookings that have not
    ended: their count, and their minutes from now on), with this one. Managers are not limited."""
    p = r.policy
    if (p.max_future_bookings is None and p.max_future_minutes is None) or manages(r.actor, r.instrument):
        return
    # Safe from races: every booking of this instrument is made under the instrument lock we hold, so
    # sixteen requests of one user at once are counted one after another (tests/booking: the race test).
    held = list(
        Booking.objects.filter(
            on_instrument(r.instrument.pk), user=r.actor.user, status__in=FUTURE, end__gt=r.now
        ).values_list("start", "end")
    )
    if p.max_future_bookings is not None and len(held) + 1 > p.max_future_bookings:
        raise broken(
            "future_bookings_exceeded",
            gettext("您在该仪器上已有 %(held)s 个未结束的预约，最多 %(limit)s 个")
            % {"held": len(held), "limit": p.max_future_bookings},
        )
    if p.max_future_minutes is not None:
        used = sum((end - max(start, r.now)).total_seconds() / 60 for start, end in held)
        wanted = (r.end - max(r.start, r.now)).total_seconds() / 60
        if used + wanted > p.max_future_minutes:
            raise broken(
                "future_hours_exceeded",
                gettext("您在该仪器上已预约 %(used)s 小时未来机时，最多 %(limit)s 小时")
                % {"used": f"{used / 60:.1f}", "limit": f"{p.max_future_minutes / 60:.1f}"},
            )


def _status(r: Request) -> str:
    approval = r.policy.approval
    if manages(r.actor, r.instrument) or approval == "never":
        return BookingStatus.CONFIRMED
    if approval == "external" and r.actor.institution_id == r.instrument.institution_id:
        return BookingStatus.CONFIRMED
    return BookingStatus.PENDING


def _refused_insert(
    exc: IntegrityError, instrument_id: int, occupied: timeline.Interval, zone: Any
) -> Exception:
    """The domain error for a constraint the insert broke (read after the transaction rolled back)."""
    constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", "")
    if constraint == "booking_request_key_unique":
        return DuplicateRequest(gettext("该 Idempotency-Key 已用于另一请求"))
    if constraint != "booking_no_overlap":
        return exc
    clash = (
        Booking.objects.filter(
            on_instrument(instrument_id),
            status__in=HOLDING,
            occupied__overlap=DateTimeTZRange(*occupied, "[)"),
        )
        .values_list("occupied", flat=True)
        .first()
    )
    return conflict((clash.lower, clash.upper) if clash else occupied, zone)


def _replay(
    existing: Booking, instrument_id: int, start: dt.datetime, end: dt.datetime, mode: str
) -> Booking:
    same = (existing.instrument_id, existing.start, existing.end, existing.mode) == (
        instrument_id,
        start,
        end,
        mode,
    )
    if not same:
        raise DuplicateRequest(gettext("该 Idempotency-Key 已用于另一请求"))
    return existing


def create_booking(
    actor: Actor,
    *,
    instrument_id: int,
    start: dt.datetime,
    end: dt.datetime,
    mode: str,
    purpose: str = "",
    request_key: str = "",
    account_id: int | None = None,
    now: dt.datetime,
) -> Booking:
    """Book [start, end) on the instrument, or raise the rule it breaks (422), or the clash (409)."""
    require_signed_in(actor.user)
    _check_input(start, end, mode)
    attempt: dict[str, Any] = {}
    try:
        with transaction.atomic():
            return _create(
                actor, instrument_id, start, end, mode, purpose, request_key, now, attempt, account_id
            )
    except IntegrityError as exc:
        # The exclusion constraint is the last guard: reached only by a write that skipped the instrument
        # lock. The transaction has rolled back (no savepoint on the hot path), so the clash can be read.
        raise _refused_insert(exc, instrument_id, attempt["occupied"], attempt["zone"]) from None


def _create(
    actor: Actor,
    instrument_id: int,
    start: dt.datetime,
    end: dt.datetime,
    mode: str,
    purpose: str,
    request_key: str,
    now: dt.datetime,
    attempt: dict[str, Any],
    account_id: int | None = None,
) -> Booking:
    instrument = lock_instrument(instrument_id)
    if request_key:
        existing = Booking.objects.filter(user=actor.user, request_key=request_key).first()
        if existing is not None:
            return _replay(existing, instrument_id, start, end, mode)
    r = Request(actor, instrument, policy_of(instrument), timeline.zone_of(instrument), start, end, mode, now)
    _check_offered(r)
    _check_shape(r)
    opening, closed = _opening_around(r, start - r.policy.warmup_minutes * MINUTE)
    _check_open(r, opening, closed)
    neighbours = _neighbours(r)
    warmup = _warmup_needed(r, neighbours)
    _check_warmup(r, warmup, opening, closed)
    occupied = (start - warmup * MINUTE, end + r.policy.turnaround_minutes * MINUTE)
    _check_free(r, occupied, neighbours)
    _check_qualified(r)
    _check_quota(r)
    _check_future(r)
    # The apps above booking refuse what they cannot serve (orders: no price for this user and mode).
    events.vet(events.BookingAsked(actor, instrument, start, end, mode, now))
    attempt.update(occupied=occupied, zone=r.zone)
    return _save(r, occupied, warmup, purpose=purpose, request_key=request_key, account_id=account_id)


def _save(
    r: Request,
    occupied: timeline.Interval,
    warmup: int,
    *,
    purpose: str,
    request_key: str,
    account_id: int | None = None,
) -> Booking:
    booking = Booking(
        instrument=r.instrument,
        user=r.actor.user,
        customer_id=r.actor.institution_id,
        mode=r.mode,
        purpose=purpose,
        start=r.start,
        end=r.end,
        occupied=DateTimeTZRange(*occupied, "[)"),
        warmup_minutes_applied=warmup,
        status=_status(r),
        request_key=request_key,
        created=r.now,
        updated=r.now,
    )
    booking.save()
    record("booking.create", booking, r.actor.user, now=r.now)
    # Every booking has an order: dayi.orders makes it on this change, charged to the account named, if any.
    events.publish(events.BookingChanged("created", booking, r.actor, r.now, account_id=account_id))
    emit: Any = (
        events.booking_confirmed if booking.status == BookingStatus.CONFIRMED else events.booking_requested
    )
    transaction.on_commit(lambda: emit(booking.pk))
    return booking
