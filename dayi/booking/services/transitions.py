"""A booking's life after it is made: approve, reject, cancel, check in, check out, no-show.

Each transition is a conditional update (``filter(status=…).update(…)``) whose row count says whether the
booking was still in the state it needs, so two managers pressing "approve" and "reject" at once cannot both
win. Transitions that release time (reject, cancel, no-show) also take the instrument lock first, because the
booking after the released time may take its warm-up back.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

from dayi.accounts.access import Actor
from dayi.booking import events
from dayi.booking.errors import InvalidState
from dayi.booking.models import Booking, BookingStatus, UsageRecord, UsageSource
from dayi.booking.services.common import (
    access_booking,
    check_booker_or_manager,
    check_manager,
    give_back_warmup,
    lock_instrument,
    manages,
    policy_of,
    record,
    state,
)
from dayi.core.errors import ValidationFailed
from dayi.directory.models import ServiceMode

MINUTE = dt.timedelta(minutes=1)


def _move(booking: Booking, allowed: list[str], **changes: Any) -> Booking:
    """Apply ``changes`` if the booking is still in one of ``allowed``; InvalidState otherwise."""
    won = Booking.objects.filter(pk=booking.pk, status__in=allowed).update(**changes)
    if not won:
        current = Booking.objects.filter(pk=booking.pk).values_list("status", flat=True).first()
        raise InvalidState(f"预约当前状态为 {current}，不能这样做 (the booking is {current})")
    for key, value in changes.items():
        setattr(booking, key, value)
    return booking


def _reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationFailed(fields={"reason": ["请说明原因 (give a reason)"]})
    if len(reason) > 2000:
        raise ValidationFailed(fields={"reason": ["不超过2000字 (at most 2000 characters)"]})
    return reason


@transaction.atomic
def approve_booking(actor: Actor, booking_id: int, *, now: dt.datetime) -> Booking:
    booking = access_booking(actor, booking_id)
    check_manager(actor, booking)
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
    check_manager(actor, booking)
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
    cancelled after the policy's deadline is marked late (the charges may bill it)."""
    booking = access_booking(actor, booking_id)
    check_booker_or_manager(actor, booking)
    reason = _reason(reason, required=False)
    if now >= booking.end:
        raise InvalidState("预约已结束，不能取消 (the booking is over)")
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
def check_in(actor: Actor, booking_id: int, *, now: dt.datetime) -> Booking:
    """From the start of its warm-up (preparation counts as use) until its end."""
    booking = access_booking(actor, booking_id)
    check_booker_or_manager(actor, booking)
    if not booking.occupied.lower <= now < booking.end:
        raise InvalidState("不在可签到时间内 (check in between the warm-up start and the end)")
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


def hours_between(start: dt.datetime, end: dt.datetime) -> Decimal:
    """Hours to 0.01, half up."""
    return (Decimal((end - start).total_seconds()) / Decimal(3600)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@transaction.atomic
def check_out(actor: Actor, booking_id: int, *, now: dt.datetime) -> UsageRecord:
    """End the session and record the hours actually used (check-in to check-out)."""
    booking = access_booking(actor, booking_id)
    check_booker_or_manager(actor, booking)
    before = state(booking)
    _move(
        booking, [BookingStatus.IN_PROGRESS], status=BookingStatus.COMPLETED, checked_out_at=now, updated=now
    )
    # Read after the update won: the check-in may have happened after this request read the booking.
    started = Booking.objects.values_list("checked_in_at", flat=True).get(pk=booking.pk) or booking.start
    if now <= started:
        raise InvalidState("签退时间须晚于签到时间 (check out after checking in)")
    booking.checked_in_at = started
    usage = UsageRecord.objects.create(
        booking=booking,
        instrument_id=booking.instrument_id,
        user_id=booking.user_id,
        operator=_operator(actor, booking),
        start=started,
        end=now,
        hours=hours_between(started, now),
        source=UsageSource.CHECK_IN_OUT,
        created=now,
    )
    record("booking.check_out", booking, actor.user, now=now, before=before)
    transaction.on_commit(lambda: events.booking_checked_out(booking.pk))
    return usage


def _no_show(booking: Booking, *, actor_user: Any, now: dt.datetime) -> Booking:
    """Mark the no-show and release the rest of the slot: occupied shrinks to end now."""
    policy = policy_of(booking.instrument)
    if now < booking.start + policy.no_show_minutes * MINUTE:
        raise InvalidState(f"开始后 {policy.no_show_minutes} 分钟未签到才算爽约 (too early for a no-show)")
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
    check_manager(actor, booking)
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
