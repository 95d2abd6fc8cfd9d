"""Qualifications for self-operation, and usage records entered or corrected by managers."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from dayi.accounts.access import Actor, check_instrument_manager, require_signed_in
from dayi.accounts.access.directory import access_instrument
from dayi.accounts.models import User
from dayi.booking.errors import InvalidState
from dayi.booking.models import Qualification, UsageRecord, UsageSource
from dayi.booking.services.transitions import hours_between
from dayi.core import audit
from dayi.core.errors import NotFound, ValidationFailed


def _qualification_state(q: Qualification) -> dict[str, object]:
    return {
        "user": q.user_id,
        "instrument": q.instrument_id,
        "expires": q.expires.isoformat() if q.expires else None,
    }


@transaction.atomic
def grant_qualification(
    actor: Actor, *, instrument_id: int, user_id: int, expires: dt.date | None, now: dt.datetime
) -> tuple[Qualification, bool]:
    """Let a user operate the instrument themselves until ``expires`` (inclusive); renewing moves the date.
    Returns the qualification and whether it is new."""
    instrument = access_instrument(actor, instrument_id)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ValidationFailed(fields={"user": ["用户不存在 (no such user)"]})
    existing = Qualification.objects.select_for_update().filter(user=user, instrument=instrument).first()
    before = _qualification_state(existing) if existing else None
    if existing is None:
        try:
            with transaction.atomic():
                q = Qualification.objects.create(
                    user=user,
                    instrument=instrument,
                    granted_by=actor.user,
                    expires=expires,
                    created=now,
                    updated=now,
                )
        except IntegrityError:  # granted by someone else a moment ago: renew theirs
            q = Qualification.objects.select_for_update().get(user=user, instrument=instrument)
            existing = q
    else:
        q = existing
    if existing is not None:
        q.expires, q.granted_by, q.updated = expires, actor.user, now
        q.save(update_fields=["expires", "granted_by", "updated"])
    audit.record(
        "qualification.grant",
        q,
        actor=actor.user,
        before=before,
        after=_qualification_state(q),
        institution_id=instrument.institution_id,
        now=now,
    )
    return q, existing is None


def _usage_state(u: UsageRecord) -> dict[str, object]:
    return {
        "instrument": u.instrument_id,
        "user": u.user_id,
        "start": u.start.isoformat(),
        "end": u.end.isoformat(),
        "hours": str(u.hours),
        "source": u.source,
    }


def _check_times(start: dt.datetime, end: dt.datetime, reason: str) -> str:
    errors: dict[str, list[str]] = {}
    if start.tzinfo is None or end.tzinfo is None:
        errors["start"] = ["须带时区偏移 (give the offset)"]
    elif end <= start:
        errors["end"] = ["结束须晚于开始 (end must be after start)"]
    if not reason.strip():
        errors["reason"] = ["请说明原因 (give a reason)"]
    if errors:
        raise ValidationFailed("使用记录有误 (invalid usage record)", fields=errors)
    return reason.strip()


@transaction.atomic
def correct_usage(
    actor: Actor, record_id: int, *, start: dt.datetime, end: dt.datetime, reason: str, now: dt.datetime
) -> UsageRecord:
    """Replace a usage record's times with a correction; the old record stays, superseded, and the
    reason is audited. Self-reported hours have been faked in bulk (DOMAIN.md): only managers correct."""
    require_signed_in(actor.user)
    old = UsageRecord.objects.select_related("instrument").filter(pk=record_id).first()
    if old is None:
        raise NotFound("使用记录不存在 (no such usage record)")
    check_instrument_manager(actor, old.instrument.institution_id)
    reason = _check_times(start, end, reason)
    # A conditional update: of two corrections made at once, one wins and the other is told.
    if not UsageRecord.objects.filter(pk=old.pk, superseded=False).update(superseded=True):
        raise InvalidState("该记录已被更正 (this record was already corrected)")
    new = UsageRecord.objects.create(
        booking_id=old.booking_id,
        instrument_id=old.instrument_id,
        user_id=old.user_id,
        operator_id=old.operator_id,
        start=start,
        end=end,
        hours=hours_between(start, end),
        source=UsageSource.CORRECTION,
        corrected_from=old,
        reason=reason,
        created=now,
    )
    audit.record(
        "usage.correct",
        new,
        actor=actor.user,
        before=_usage_state(old),
        after=_usage_state(new),
        institution_id=old.instrument.institution_id,
        reason=reason,
        now=now,
    )
    return new


@transaction.atomic
def record_usage(
    actor: Actor,
    *,
    instrument_id: int,
    user_id: int,
    start: dt.datetime,
    end: dt.datetime,
    reason: str,
    now: dt.datetime,
) -> UsageRecord:
    """A manager enters hours not captured by check-in/out (source ``manual``), with the reason."""
    instrument = access_instrument(actor, instrument_id)
    reason = _check_times(start, end, reason)
    if not User.objects.filter(pk=user_id).exists():
        raise ValidationFailed(fields={"user": ["用户不存在 (no such user)"]})
    usage = UsageRecord.objects.create(
        instrument=instrument,
        user_id=user_id,
        operator=actor.user,
        start=start,
        end=end,
        hours=hours_between(start, end),
        source=UsageSource.MANUAL,
        reason=reason,
        created=now,
    )
    audit.record(
        "usage.record",
        usage,
        actor=actor.user,
        after=_usage_state(usage),
        institution_id=instrument.institution_id,
        reason=reason,
        now=now,
    )
    return usage
