"""What the booking services share: the instrument lock, the policy, audit state.

Fetching with authorisation lives in the access layer (``dayi.accounts.access.bookings``).
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils.translation import gettext

from dayi.accounts.access import Actor, manages_instruments_of
from dayi.booking import events
from dayi.booking.errors import broken
from dayi.booking.models import Booking, BookingStatus, UsageRecord, UsageSource
from dayi.booking.policy import BookingPolicy, PolicyInvalid, parse_policy
from dayi.core import audit
from dayi.core.errors import NotFound
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
        raise NotFound(gettext("仪器不存在"))
    return instrument


def policy_of(instrument: Instrument) -> BookingPolicy:
    try:
        return parse_policy(instrument.booking_policy)
    except PolicyInvalid:
        # Policies are validated when written; one broken behind our back makes the instrument unbookable.
        logger.error("instrument %s has an invalid booking policy", instrument.pk)
        raise broken("instrument_unavailable", gettext("该仪器的预约规则有误，暂不可预约")) from None


def manages(actor: Actor, instrument: Instrument) -> bool:
    return manages_instruments_of(actor, instrument.institution_id)


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


# --- usage records ---------------------------------------------------------------------------------------


def hours_between(start: dt.datetime, end: dt.datetime) -> Decimal:
    """Hours to 0.01, half up."""
    return (Decimal((end - start).total_seconds()) / Decimal(3600)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def new_usage(
    booking: Booking,
    start: dt.datetime,
    end: dt.datetime,
    *,
    operator: Any,
    confirmer: Any,
    claimed_end: dt.datetime | None = None,
    auto_closed: bool = False,
    reason: str = "",
    now: dt.datetime,
) -> UsageRecord:
    """The usage record of a session: a manager's (``confirmer``) is confirmed as written; otherwise it is
    the booker's own report, counted once a manager confirms it."""
    return UsageRecord.objects.create(
        booking=booking,
        instrument=booking.instrument,
        user_id=booking.user_id,
        operator=operator,
        start=start,
        end=end,
        hours=hours_between(start, end),
        source=UsageSource.MANAGER if confirmer else UsageSource.SELF,
        confirmed=confirmer is not None,
        confirmed_by=confirmer,
        confirmed_at=now if confirmer else None,
        claimed_end=claimed_end,
        auto_closed=auto_closed,
        reason=reason,
        created=now,
    )


def usage_state(u: UsageRecord) -> dict[str, Any]:
    """The audited state of a usage record (JSON)."""
    return {
        "instrument": u.instrument_id,
        "user": u.user_id,
        "booking": u.booking_id,
        "start": u.start.isoformat(),
        "end": u.end.isoformat(),
        "hours": str(u.hours),
        "source": u.source,
        "confirmed": u.confirmed,
        "confirmed_by": u.confirmed_by_id,
        "supersedes": u.supersedes_id,
        "claimed_end": u.claimed_end.isoformat() if u.claimed_end else None,
        "auto_closed": u.auto_closed,
    }


def audit_usage(
    action: str, usage: UsageRecord, actor: Any, *, now: dt.datetime, before: Any = None, reason: str = ""
) -> None:
    audit.record(
        action,
        usage,
        actor=actor,
        before=before,
        after=usage_state(usage),
        institution_id=usage.instrument.institution_id,
        reason=reason or usage.reason,
        now=now,
    )
