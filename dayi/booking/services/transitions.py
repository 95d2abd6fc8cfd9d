"""A booking's life after it is made: approve, reject, cancel, check in, check out, no-show.

Each transition is a conditional update (``filter(status=…).update(…)``) whose row count says whether the
booking was still in the state it needs, so two managers pressing "approve" and "reject" at once cannot both
win. Transitions that release time (reject, cancel, no-show) also take the instrument lock first, because the
booking after the released time may take its warm-up back.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils.translation import gettext

from dayi.accounts.access import Actor, system_actor
from dayi.accounts.access.bookings import (
    access_booking,
    check_booker_or_manager,
    check_booking_manager,
    is_booker,
)
from dayi.booking import events
from dayi.booking.errors import InvalidState
from dayi.booking.models import Booking, BookingStatus, UsageRecord
from dayi.booking.policy import BookingPolicy
from dayi.booking.services.common import (
    audit_usage,
    give_back_warmup,
    lock_instrument,
    manages,
    new_usage,
    policy_of,
    record,
    state,
)
from dayi.core.errors import RuleViolation, ValidationFailed
from dayi.directory.models import ServiceMode

MINUTE = dt.timedelta(minutes=1)


def _move(booking: Booking, allowed: list[str], **changes: Any) -> Booking:
    """Apply ``changes`` if the booking is still in one of ``allowed``; InvalidState otherwise."""
    won = Booking.objects.filter(pk=booking.pk, status__in=allowed).update(**changes)
    if not won:
        current = Booking.objects.filter(pk=booking.pk).values_list("status", flat=True).first()
        raise InvalidState(gettext("预约当前状态为 %(current)s，不能这样做") % {"current": current})
    for key, value in changes.items():
        setattr(booking, key, value)
    return booking


def _reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationFailed(fields={"reason": [gettext("请说明原因")]})
    if len(reason) > 2000:
        raise ValidationFailed(fields={"reason": [gettext("不超过2000字")]})
    return reason


@transaction.atomic
def approve_booking(actor: Actor, booking_id: int, *, now: dt.datetime) -> Booking:
    booking = access_booking(actor, booking_id)
    check_booking_manager(actor, booking)
    before = state(booking)
    _move(booking, [BookingStatus.PENDING], status=BookingStatus.CONFIRMED, updated=now)
    record("booking.approve", booking, actor.user, now=now, before=before)
    events.publish(events.BookingChanged("approved", booking, actor, now))  # its order is accepted
    transaction.on_commit(lambda: events.booking_approved(booking.pk))
    return booking


def _release(
    actor: Actor, booking: Booking, allowed: list[str], *, now: dt.datetime, **changes: Any
) -> Booking:
    """Move to a status that frees the booking's time, under the instrument lock; the next booking may
    take its warm-up back from the freed time."""
    instrument = lock_instrument(booking.instrument_id)
    booking.refresh_from_db(fields=["occupied"])  # as of the lock: a warm-up may have been given back
    freed = (booking.occupied.lower, booking.occupied.upper)
    _move(booking, allowed, updated=now, **changes)
    give_back_warmup(instrument, policy_of(instrument), freed, actor=actor.user, now=now)
    return booking


@transaction.atomic
def reject_booking(actor: Actor, booking_id: int, *, reason: str, now: dt.datetime) -> Booking:
    booking = access_booking(actor, booking_id)
    check_booking_manager(actor, booking)
    reason = _reason(reason, required=True)
    before = state(booking)
    _release(actor, booking, [BookingStatus.PENDING], now=now, status=BookingStatus.REJECTED, reason=reason)
    record("booking.reject", booking, actor.user, now=now, before=before, reason=reason)
    events.publish(events.BookingChanged("rejected", booking, actor, now))
    transaction.on_commit(lambda: events.booking_rejected(booking.pk))
    return booking


@transaction.atomic
def cancel_booking(actor: Actor, booking_id: int, *, reason: str = "", now: dt.datetime) -> Booking:
    """The booker or a manager cancels a pending or confirmed booking before it ends. A confirmed booking
    cancelled after the policy's deadline is marked late (the charges may bill it). A manager cancelling
    someone else's booking must say why: the booker is e-mailed the reason."""
    booking = access_booking(actor, booking_id)
    check_booker_or_manager(actor, booking)
    reason = _reason(reason, required=not is_booker(actor, booking))
    if now >= booking.end:
        raise InvalidState(gettext("预约已结束，不能取消"))
    deadline = booking.start - policy_of(booking.instrument).cancel_deadline_minutes * MINUTE
    late = booking.status == BookingStatus.CONFIRMED and now > deadline
    before = state(booking)
    _release(
        actor,
        booking,
        [BookingStatus.PENDING, BookingStatus.CONFIRMED],
        now=now,
        status=BookingStatus.CANCELLED,
        late_cancellation=late,
        reason=reason,
    )
    record("booking.cancel", booking, actor.user, now=now, before=before, reason=reason)
    events.publish(events.BookingChanged("cancelled", booking, actor, now))
    transaction.on_commit(lambda: events.booking_cancelled(booking.pk))
    return booking


@transaction.atomic
def shorten_booking(
    actor: Actor, booking_id: int, *, end: dt.datetime, reason: str, now: dt.datetime
) -> Booking:
    """A manager of the instrument moves a booking's end earlier, with a reason (the booker is e-mailed):
    one user cannot hold an instrument for months. The freed time is released at once (and the booking
    after it may take its warm-up back). The new end must lie after the start and after now."""
    booking = access_booking(actor, booking_id)
    check_booking_manager(actor, booking)
    reason = _reason(reason, required=True)
    if end.tzinfo is None:
        raise ValidationFailed(fields={"end": [gettext("须带时区偏移，如 +08:00")]})
    instrument = lock_instrument(booking.instrument_id)
    booking.refresh_from_db(fields=["end", "occupied", "status"])  # as of the lock
    if not max(booking.start, now) < end < booking.end:
        message = gettext("新的结束时间须早于原结束、晚于开始和现在")
        raise ValidationFailed(fields={"end": [message]})
    turnaround = booking.occupied.upper - booking.end
    freed = (end + turnaround, booking.occupied.upper)
    before = state(booking)
    _move(
        booking,
        [BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.IN_PROGRESS],
        end=end,
        occupied=DateTimeTZRange(booking.occupied.lower, freed[0], "[)"),
        reason=reason,
        updated=now,
    )
    give_back_warmup(instrument, policy_of(instrument), freed, actor=actor.user, now=now)
    record("booking.shorten", booking, actor.user, now=now, before=before, reason=reason)
    transaction.on_commit(lambda: events.booking_shortened(booking.pk))
    return booking


# Pending bookings past their instrument's approval window (counted from the request), or whose start has
# come: the window is read from the policy JSON in SQL so one query finds them whatever each policy says.
DUE_PENDING_SQL = """
SELECT b.id FROM booking_booking b JOIN directory_instrument i ON i.id = b.instrument_id
WHERE b.status = 'pending'
  AND (b.start <= %(now)s
       OR b.created + make_interval(mins => CASE
              WHEN jsonb_typeof(i.booking_policy -> 'approval_window_minutes') = 'number'
              THEN (i.booking_policy ->> 'approval_window_minutes')::int ELSE %(default)s END) <= %(now)s)
ORDER BY b.created, b.id
LIMIT %(limit)s
"""


def _expire(booking_id: int, *, now: dt.datetime) -> bool:
    booking = Booking.objects.select_related("instrument").filter(pk=booking_id).first()
    if booking is None or booking.status != BookingStatus.PENDING:
        return False
    instrument = lock_instrument(booking.instrument_id)
    booking.refresh_from_db(fields=["occupied", "status"])
    freed = (booking.occupied.lower, booking.occupied.upper)
    before = state(booking)
    reason = "审批期限内未获处理，已过期 (not decided within the approval window)"
    if not Booking.objects.filter(pk=booking.pk, status=BookingStatus.PENDING).update(
        status=BookingStatus.EXPIRED, reason=reason, updated=now
    ):
        return False  # approved or rejected meanwhile
    booking.status, booking.reason, booking.updated = BookingStatus.EXPIRED, reason, now
    with contextlib.suppress(RuleViolation):  # a broken policy: nothing to give back by it
        give_back_warmup(instrument, policy_of(instrument), freed, actor=None, now=now)
    record("booking.expire", booking, None, now=now, before=before, reason=reason)
    events.publish(events.BookingChanged("expired", booking, system_actor(), now))  # its order is rejected
    transaction.on_commit(lambda: events.booking_expired(booking.pk))
    return True


def expire_due_pending(*, now: dt.datetime, limit: int = 500) -> list[int]:
    """For the job runner: pending bookings nobody decided within the policy's approval window (or by
    their start) expire and release their time; the booker is e-mailed. One transaction each."""
    with connection.cursor() as cursor:
        cursor.execute(
            DUE_PENDING_SQL,
            {"now": now, "default": BookingPolicy.approval_window_minutes, "limit": limit},
        )
        due = [row[0] for row in cursor.fetchall()]
    expired: list[int] = []
    for booking_id in due:
        with transaction.atomic():
            if _expire(booking_id, now=now):
                expired.append(booking_id)
    return expired


@transaction.atomic
def check_in(actor: Actor, booking_id: int, *, now: dt.datetime) -> Booking:
    """From the start of its warm-up (preparation counts as use) until its end."""
    booking = access_booking(actor, booking_id)
    check_booker_or_manager(actor, booking)
    if not booking.occupied.lower <= now < booking.end:
        raise InvalidState(gettext("不在可签到时间内"))
    before = state(booking)
    _move(
        booking, [BookingStatus.CONFIRMED], status=BookingStatus.IN_PROGRESS, checked_in_at=now, updated=now
    )
    record("booking.check_in", booking, actor.user, now=now, before=before)
    transaction.on_commit(lambda: events.booking_checked_in(booking.pk))
    return booking


def _operator(actor: Actor, booking: Booking) -> Any:
    """Who ran the instrument: the booker when self-operated, else the staff member closing the session."""
    if booking.mode == ServiceMode.SELF:
        return booking.user
    return actor.user if manages(actor, booking.instrument) else None


def _grace(booking: Booking) -> dt.timedelta:
    """The policy's check-out grace; the default one if the policy is broken (a session must still end)."""
    try:
        return policy_of(booking.instrument).checkout_grace_minutes * MINUTE
    except RuleViolation:
        return BookingPolicy.checkout_grace_minutes * MINUTE


def checkout_cap(booking: Booking) -> dt.datetime:
    """The latest end a booker's own check-out records: the booking's end plus the policy's grace."""
    return booking.end + _grace(booking)


@transaction.atomic
def check_out(actor: Actor, booking_id: int, *, now: dt.datetime) -> UsageRecord:
    """End the session and record the hours used (check-in to check-out).

    A manager's check-out is confirmed as it is written (source ``manager``). The booker's own is
    self-reported (source ``self``, unconfirmed: it counts once a manager confirms it) and ends at most at
    the booking's end plus the policy's grace; a later check-out keeps the time claimed beside it
    (``claimed_end``), for a manager to confirm more.
    """
    booking = access_booking(actor, booking_id)
    check_booker_or_manager(actor, booking)
    by_manager = manages(actor, booking.instrument)
    before = state(booking)
    _move(
        booking, [BookingStatus.IN_PROGRESS], status=BookingStatus.COMPLETED, checked_out_at=now, updated=now
    )
    # Read after the update won: the check-in may have happened after this request read the booking.
    started = Booking.objects.values_list("checked_in_at", flat=True).get(pk=booking.pk) or booking.start
    if now <= started:
        raise InvalidState(gettext("签退时间须晚于签到时间"))
    booking.checked_in_at = started
    end = now if by_manager else min(now, max(checkout_cap(booking), started + MINUTE))
    usage = new_usage(
        booking,
        started,
        end,
        operator=_operator(actor, booking),
        confirmer=actor.user if by_manager else None,
        claimed_end=now if end < now else None,
        now=now,
    )
    record("booking.check_out", booking, actor.user, now=now, before=before)
    audit_usage("usage.check_out", usage, actor.user, now=now)
    transaction.on_commit(lambda: events.booking_checked_out(booking.pk))
    return usage


def _close_session(booking: Booking, *, now: dt.datetime) -> UsageRecord | None:
    cap = checkout_cap(booking)
    before = state(booking)
    won = Booking.objects.filter(pk=booking.pk, status=BookingStatus.IN_PROGRESS).update(
        status=BookingStatus.COMPLETED, checked_out_at=cap, updated=now
    )
    if not won:
        return None  # checked out meanwhile
    booking.status, booking.checked_out_at, booking.updated = BookingStatus.COMPLETED, cap, now
    started = booking.checked_in_at or booking.start
    operator = booking.user if booking.mode == ServiceMode.SELF else None
    usage = new_usage(
        booking,
        started,
        max(cap, started + MINUTE),
        operator=operator,
        confirmer=None,
        auto_closed=True,
        reason="未签退，按预约结束加宽限时间自动结束 (not checked out: closed at the end plus the grace)",
        now=now,
    )
    record("booking.auto_close", booking, None, now=now, before=before, reason=usage.reason)
    audit_usage("usage.auto_close", usage, None, now=now)
    transaction.on_commit(lambda: events.session_auto_closed(booking.pk))
    return usage


def close_open_sessions(*, now: dt.datetime, limit: int = 500) -> list[int]:
    """For the job runner: sessions checked in and never checked out, past the booking's end plus the
    grace, end at that cap, as self-reported and unconfirmed hours marked ``auto_closed`` (a manager
    confirms or corrects them). One transaction each; returns the bookings closed."""
    candidates = (
        Booking.objects.filter(status=BookingStatus.IN_PROGRESS, end__lt=now)
        .select_related("instrument", "user")
        .order_by("end")[:limit]
    )
    closed: list[int] = []
    for booking in candidates:
        if checkout_cap(booking) > now:
            continue
        with transaction.atomic():
            if _close_session(booking, now=now) is not None:
                closed.append(booking.pk)
    return closed


def _no_show(booking: Booking, *, actor_user: Any, now: dt.datetime) -> Booking:
    """Mark the no-show and release the rest of the slot: occupied shrinks to end now."""
    policy = policy_of(booking.instrument)
    if now < booking.start + policy.no_show_minutes * MINUTE:
        raise InvalidState(
            gettext("开始后 %(no_show_minutes)s 分钟未签到才算爽约")
            % {"no_show_minutes": policy.no_show_minutes}
        )
    instrument = lock_instrument(booking.instrument_id)
    booking.refresh_from_db(fields=["occupied"])  # as of the lock: a warm-up may have been given back
    lower, upper = booking.occupied.lower, booking.occupied.upper
    kept = DateTimeTZRange(lower, min(max(now, lower + MINUTE), upper), "[)")
    before = state(booking)
    _move(booking, [BookingStatus.CONFIRMED], status=BookingStatus.NO_SHOW, occupied=kept, updated=now)
    if kept.upper < upper:
        give_back_warmup(instrument, policy, (kept.upper, upper), actor=actor_user, now=now)
    record("booking.no_show", booking, actor_user, now=now, before=before)
    transaction.on_commit(lambda: events.booking_no_show(booking.pk))
    return booking


@transaction.atomic
def mark_no_show(actor: Actor, booking_id: int, *, now: dt.datetime) -> Booking:
    booking = access_booking(actor, booking_id)
    check_booking_manager(actor, booking)
    return _no_show(booking, actor_user=actor.user, now=now)


def mark_due_no_shows(*, now: dt.datetime, limit: int = 500) -> list[int]:
    """For the job runner: mark every confirmed booking whose no-show time has passed (one transaction
    each, so one failure does not undo the others). Returns the ids marked."""
    candidates = (
        Booking.objects.filter(status=BookingStatus.CONFIRMED, start__lt=now - MINUTE)
        .select_related("instrument")
        .order_by("start")[:limit]
    )
    marked: list[int] = []
    for booking in candidates:
        try:
            with transaction.atomic():
                _no_show(booking, actor_user=None, now=now)
            marked.append(booking.pk)
        except InvalidState:
            continue  # not due yet under its instrument's policy, or checked in meanwhile
    return marked
