"""The manager's day: booking for someone, moving a booking, recording walk-up use.

Each reuses the booking engine: booking for someone is ``create_booking`` as that user (their rules,
quota and qualification), confirmed by the manager; moving keeps the booking's length and lets the
exclusion constraint ``booking_no_overlap`` be the last word on overlaps; walk-up use is ``record_usage``.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils.translation import gettext as _

from dayi.accounts.access import Actor, actor_for
from dayi.accounts.access.bookings import access_booking, check_booking_manager
from dayi.accounts.access.desk import access_booking_instrument
from dayi.accounts.access.directory import access_instrument
from dayi.accounts.models import User
from dayi.booking import events, timeline
from dayi.booking.errors import InvalidState, broken
from dayi.booking.models import HOLDING, Booking, BookingStatus, UsageRecord, on_instrument
from dayi.booking.services.common import give_back_warmup, lock_instrument, policy_of, record, state
from dayi.booking.services.create import conflict, create_booking
from dayi.booking.services.transitions import approve_booking
from dayi.booking.services.usage import record_usage
from dayi.core import audit
from dayi.core.errors import ValidationFailed

MINUTE = dt.timedelta(minutes=1)
MOVABLE = [BookingStatus.PENDING, BookingStatus.CONFIRMED]


def find_user(identifier: str) -> User:
    """An active user by username or e-mail (case-insensitive); a field error naming ``user`` otherwise."""
    identifier = (identifier or "").strip()
    lookup = {"email__iexact": identifier} if "@" in identifier else {"username__iexact": identifier}
    found = list(User.objects.filter(is_active=True, **lookup).order_by("pk")[:2]) if identifier else []
    if not found:
        raise ValidationFailed(_("找不到该用户。"), fields={"user": [_("找不到该用户名或邮箱对应的用户。")]})
    if len(found) > 1:
        raise ValidationFailed(
            _("多个用户使用该邮箱。"), fields={"user": [_("多个用户使用该邮箱，请填写用户名。")]}
        )
    return found[0]


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请说明原因。"), fields={"reason": [_("请说明原因。")]})
    if len(reason) > 2000:
        raise ValidationFailed(_("原因过长。"), fields={"reason": [_("不超过2000字。")]})
    return reason


@transaction.atomic
def book_for_user(
    actor: Actor,
    *,
    instrument_id: int,
    user: str,
    start: dt.datetime,
    end: dt.datetime,
    mode: str,
    purpose: str = "",
    now: dt.datetime,
) -> Booking:
    """A manager books for a user (found by username or e-mail): the booking is the user's, made under
    the user's rules (share mode, qualification, quota), and confirmed by the manager if it would wait
    for approval. The booker is e-mailed as for any booking; the audit names the manager."""
    instrument = access_booking_instrument(actor, instrument_id)  # first: outsiders learn nothing of users
    booker = find_user(user)
    booking = create_booking(
        actor_for(booker),
        instrument_id=instrument.pk,
        start=start,
        end=end,
        mode=mode,
        purpose=purpose,
        now=now,
    )
    if booking.status == BookingStatus.PENDING:
        booking = approve_booking(actor, booking.pk, now=now)
    audit.record(
        "booking.book_for_user",
        booking,
        actor=actor.user,
        after={"booker": booker.pk, "status": booking.status},
        institution_id=instrument.institution_id,
        now=now,
    )
    return booking


def _check_move(booking: Booking, start: dt.datetime, now: dt.datetime) -> None:
    if start.tzinfo is None:
        raise ValidationFailed(_("请检查新的开始时间。"), fields={"start": [_("须带时区偏移。")]})
    if start < now:
        raise ValidationFailed(_("请检查新的开始时间。"), fields={"start": [_("新的开始时间不能早于现在。")]})
    if booking.status not in MOVABLE or booking.start < now:
        raise InvalidState(_("只能移动尚未开始的待审批或已确认预约。"))


@transaction.atomic
def move_booking(
    actor: Actor, booking_id: int, *, start: dt.datetime, reason: str, now: dt.datetime
) -> Booking:
    """A manager moves a booking that has not started to ``start``, keeping its length (so its quote
    holds), with a reason the booker is e-mailed. Not into a closure; overlaps are refused by the
    exclusion constraint (a 409 naming the clash), under the instrument lock as every booking write."""
    booking = access_booking(actor, booking_id)
    check_booking_manager(actor, booking)
    reason = _reason(reason)
    instrument = lock_instrument(booking.instrument_id)
    booking.refresh_from_db(fields=["start", "end", "occupied", "status", "warmup_minutes_applied"])
    _check_move(booking, start, now)
    policy, zone = policy_of(instrument), timeline.zone_of(instrument)
    end = start + (booking.end - booking.start)
    occupied = (start - policy.warmup_minutes * MINUTE, end + policy.turnaround_minutes * MINUTE)
    window = (occupied[0] - dt.timedelta(days=1), occupied[1] + dt.timedelta(days=1))
    closed = timeline.overlapping(timeline.closures(policy, zone, *window), *occupied)
    if closed:
        raise broken("closed", _("新时段与仪器停用时段冲突。"))
    freed, before = (booking.occupied.lower, booking.occupied.upper), state(booking)
    try:
        with transaction.atomic():
            moved = Booking.objects.filter(pk=booking.pk, status__in=MOVABLE).update(
                start=start,
                end=end,
                occupied=DateTimeTZRange(*occupied, "[)"),
                warmup_minutes_applied=policy.warmup_minutes,
                reason=reason,
                updated=now,
            )
    except IntegrityError:  # booking_no_overlap: the new time is taken
        raise _clash(instrument.pk, booking.pk, occupied, zone) from None
    if not moved:
        raise InvalidState(_("只能移动尚未开始的待审批或已确认预约。"))
    booking.refresh_from_db()
    give_back_warmup(instrument, policy, freed, actor=actor.user, now=now)
    record("booking.move", booking, actor.user, now=now, before=before, reason=reason)
    transaction.on_commit(lambda: events.booking_moved(booking.pk))
    return booking


def _clash(instrument_id: int, booking_id: int, occupied: timeline.Interval, zone: object) -> Exception:
    other = (
        Booking.objects.filter(
            on_instrument(instrument_id),
            status__in=HOLDING,
            occupied__overlap=DateTimeTZRange(*occupied, "[)"),
        )
        .exclude(pk=booking_id)
        .values_list("occupied", flat=True)
        .first()
    )
    return conflict((other.lower, other.upper) if other else occupied, zone)  # type: ignore[arg-type]


@transaction.atomic
def record_walk_up(
    actor: Actor,
    *,
    instrument_id: int,
    user: str,
    start: dt.datetime,
    end: dt.datetime,
    reason: str,
    now: dt.datetime,
) -> UsageRecord:
    """A user used the instrument without a booking: a manager records the hours for them (confirmed)."""
    instrument = access_instrument(actor, instrument_id)  # first: outsiders learn nothing of users
    booker = find_user(user)
    return record_usage(
        actor, instrument_id=instrument.pk, user_id=booker.pk, start=start, end=end, reason=reason, now=now
    )
