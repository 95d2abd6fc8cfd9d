"""What the booking services share: fetching with authorisation, the instrument lock, audit state."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import Q, QuerySet

from dayi.accounts.access import Actor, managed_institution_ids, manages_instruments_of, require_signed_in
from dayi.booking import events
from dayi.booking.errors import broken
from dayi.booking.models import Booking, BookingStatus
from dayi.booking.policy import BookingPolicy, PolicyInvalid, parse_policy
from dayi.core import audit
from dayi.core.errors import Forbidden, NotFound
from dayi.directory.models import Instrument

logger = logging.getLogger(__name__)


def lock_instrument(instrument_id: int) -> Instrument:
    """The instrument, its row locked until the transaction ends; NotFound if missing or retired.

    Every write that decides from an instrument's other bookings takes this lock first (and before any
    booking row: one order, so no deadlocks). Without it two requests could both see the same free time,
    both decide a booking starting at 10:20 is back-to-back and needs no warm-up, or both count a user's
    week as under quota, and both commit. ``no_key`` (FOR NO KEY UPDATE) still serialises bookers but lets
    other tables insert rows that reference the instrument meanwhile.
    """
    instrument = (
        Instrument.objects.select_for_update(no_key=True)
        .filter(pk=instrument_id, retired__isnull=True)
        .first()
    )
    if instrument is None:
        raise NotFound("仪器不存在 (no such instrument)")
    return instrument


def policy_of(instrument: Instrument) -> BookingPolicy:
    try:
        return parse_policy(instrument.booking_policy)
    except PolicyInvalid:
        # Policies are validated when written; one broken behind our back makes the instrument unbookable.
        logger.error("instrument %s has an invalid booking policy", instrument.pk)
        raise broken(
            "instrument_unavailable", "该仪器的预约规则有误，暂不可预约 (its booking policy is broken)"
        ) from None


def manages(actor: Actor, instrument: Instrument) -> bool:
    return manages_instruments_of(actor, instrument.institution_id)


def visible_bookings(actor: Actor) -> QuerySet[Booking]:
    """Bookings the actor may read: their own, and every booking of the instruments they manage."""
    if not actor.is_authenticated:
        return Booking.objects.none()
    institutions = managed_institution_ids(actor)
    if institutions is None:
        return Booking.objects.all()
    return Booking.objects.filter(Q(user=actor.user) | Q(instrument__institution_id__in=institutions))


def access_booking(actor: Actor, booking_id: int) -> Booking:
    """The booking if the actor may see it (its booker or the instrument's managers); NotFound otherwise."""
    require_signed_in(actor.user)
    booking = visible_bookings(actor).select_related("instrument").filter(pk=booking_id).first()
    if booking is None:
        raise NotFound("预约不存在 (no such booking)")
    return booking


def check_manager(actor: Actor, booking: Booking) -> None:
    if not manages(actor, booking.instrument):
        raise Forbidden("只有该仪器的管理员可以这样做 (only the instrument's managers may do this)")


def check_booker_or_manager(actor: Actor, booking: Booking) -> None:
    if booking.user_id != actor.user.pk and not manages(actor, booking.instrument):
        raise Forbidden("只有预约人或仪器管理员可以这样做 (only the booker or the instrument's managers)")


def state(booking: Booking) -> dict[str, Any]:
    """The audited state of a booking (JSON)."""
    occ = booking.occupied
    return {
        "instrument": booking.instrument_id,
        "user": booking.user_id,
        "mode": booking.mode,
        "start": booking.start.isoformat(),
        "end": booking.end.isoformat(),
        "occupied": [occ.lower.isoformat(), occ.upper.isoformat()] if occ else None,
        "warmup_minutes_applied": booking.warmup_minutes_applied,
        "status": booking.status,
        "late_cancellation": booking.late_cancellation,
    }


def record(
    action: str, booking: Booking, actor: Any, *, now: dt.datetime, before: Any = None, reason: str = ""
) -> None:
    audit.record(
        action,
        booking,
        actor=actor,
        before=before,
        after=state(booking),
        institution_id=booking.instrument.institution_id,
        reason=reason,
        now=now,
    )


def give_back_warmup(
    instrument: Instrument,
    policy: BookingPolicy,
    freed: tuple[dt.datetime, dt.datetime],
    *,
    actor: Any,
    now: dt.datetime,
) -> None:
    """The booking that started right where ``freed`` ends (back-to-back, so without warm-up) lost the
    session before it: it takes its warm-up back from the freed time. Call under the instrument lock.
    """
    if not policy.warmup_minutes:
        return
    successor = (
        Booking.objects.select_for_update()
        .filter(
            instrument=instrument,
            status__in=[BookingStatus.PENDING, BookingStatus.CONFIRMED],
            occupied__startswith=freed[1],
            warmup_minutes_applied__lt=policy.warmup_minutes,
            start__gt=now,
        )
        .first()
    )
    if successor is None:
        return
    lower = max(successor.start - dt.timedelta(minutes=policy.warmup_minutes), freed[0])
    if lower >= successor.occupied.lower:
        return
    before = state(successor)
    successor.occupied = DateTimeTZRange(lower, successor.occupied.upper, "[)")
    successor.warmup_minutes_applied = int((successor.start - lower).total_seconds() // 60)
    successor.updated = now
    try:
        with transaction.atomic():
            successor.save(update_fields=["occupied", "warmup_minutes_applied", "updated"])
    except IntegrityError:  # the freed time was taken after all (a write that skipped the lock): keep as is
        logger.warning("booking %s could not take its warm-up back", successor.pk)
        return
    successor.instrument = instrument
    record(
        "booking.warmup_restored",
        successor,
        actor,
        now=now,
        before=before,
        reason="前一时段已释放，恢复预热时间 (the session before it went away)",
    )
    transaction.on_commit(lambda: events.warmup_restored(successor.pk))
