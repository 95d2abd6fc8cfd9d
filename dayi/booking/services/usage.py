"""Qualifications for self-operation, and usage records entered, corrected or confirmed by managers."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from dayi.accounts.access import Actor
from dayi.accounts.access.bookings import access_managed_usage
from dayi.accounts.access.directory import access_instrument
from dayi.accounts.models import User
from dayi.booking.errors import InvalidState
from dayi.booking.models import Qualification, UsageRecord, UsageSource
from dayi.booking.services.common import audit_usage, hours_between, usage_state
from dayi.core import audit
from dayi.core.errors import ValidationFailed


def _qualification_state(q: Qualification) -> dict[str, object]:
    return {
        "user": q.user_id,
        "instrument": q.instrument_id,
        "expires": q.expires.isoformat() if q.expires else None,
        "revoked": q.revoked.isoformat() if q.revoked else None,
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
        raise ValidationFailed(fields={"user": [gettext("用户不存在")]})
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
        # Renewing moves the date; granting a revoked qualification again restores it.
        q.expires, q.granted_by, q.updated = expires, actor.user, now
        q.revoked, q.revoked_by, q.revoke_reason = None, None, ""
        q.save(update_fields=["expires", "granted_by", "updated", "revoked", "revoked_by", "revoke_reason"])
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


def _check_times(start: dt.datetime, end: dt.datetime, reason: str) -> str:
    errors: dict[str, list[str]] = {}
    if start.tzinfo is None or end.tzinfo is None:
        errors["start"] = [gettext("须带时区偏移")]
    elif end <= start:
        errors["end"] = [gettext("结束须晚于开始")]
    if not reason.strip():
        errors["reason"] = [gettext("请说明原因")]
    elif len(reason) > 2000:
        errors["reason"] = [gettext("不超过2000字")]
    if errors:
        raise ValidationFailed(gettext("使用记录有误"), fields=errors)
    return reason.strip()


def _supersede(
    actor: Actor, old: UsageRecord, *, start: dt.datetime, end: dt.datetime, reason: str, now: dt.datetime
) -> UsageRecord:
    """A manager's new record in place of ``old`` (locked by the caller): confirmed as written."""
    if old.superseded:
        raise InvalidState(gettext("该记录已被更正"))
    # The trigger lets exactly this change through (superseded false → true); the row lock taken by the
    # caller serialises two corrections (or a correction and a confirmation) of the same record.
    UsageRecord.objects.filter(pk=old.pk, superseded=False).update(superseded=True)
    new = UsageRecord.objects.create(
        booking_id=old.booking_id,
        instrument=old.instrument,
        user_id=old.user_id,
        operator_id=old.operator_id,
        start=start,
        end=end,
        hours=hours_between(start, end),
        source=UsageSource.MANAGER,
        confirmed=True,
        confirmed_by=actor.user,
        confirmed_at=now,
        supersedes=old,
        reason=reason,
        created=now,
    )
    audit_usage("usage.correct", new, actor.user, now=now, before=usage_state(old), reason=reason)
    return new


@transaction.atomic
def correct_usage(
    actor: Actor, record_id: int, *, start: dt.datetime, end: dt.datetime, reason: str, now: dt.datetime
) -> UsageRecord:
    """Replace a usage record's times with a correction: a NEW record that supersedes the old one (which
    stays, flagged, and is no longer counted); the reason is audited. Only the instrument's managers."""
    old = access_managed_usage(actor, record_id, for_update=True)
    reason = _check_times(start, end, reason)
    return _supersede(actor, old, start=start, end=end, reason=reason, now=now)


@transaction.atomic
def confirm_usage(
    actor: Actor,
    record_id: int,
    *,
    end: dt.datetime | None = None,
    reason: str = "",
    now: dt.datetime,
) -> UsageRecord:
    """A manager of the instrument vouches for a record's hours, so they count in statistics and the
    evaluation. With ``end`` (more than a capped check-out allowed, say up to what the booker claimed) the
    confirmation is a correction: a new, confirmed record superseding this one, with the reason."""
    record = access_managed_usage(actor, record_id, for_update=True)
    if record.superseded:
        raise InvalidState(gettext("该记录已被更正，请确认新记录"))
    if end is not None and end != record.end:
        reason = _check_times(record.start, end, reason or "管理员确认更多机时 (a manager confirmed more)")
        return _supersede(actor, record, start=record.start, end=end, reason=reason, now=now)
    if record.confirmed:
        raise InvalidState(gettext("该记录已确认"))
    before = usage_state(record)
    # The one other change the trigger allows, once: the confirmation, from nothing to all three fields.
    UsageRecord.objects.filter(pk=record.pk, confirmed=False).update(
        confirmed=True, confirmed_by=actor.user, confirmed_at=now
    )
    record.confirmed, record.confirmed_by, record.confirmed_at = True, actor.user, now
    audit_usage("usage.confirm", record, actor.user, now=now, before=before, reason=reason.strip())
    return record


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
    """A manager enters hours not captured by check-in/out (source ``manager``, confirmed), with a reason."""
    instrument = access_instrument(actor, instrument_id)
    reason = _check_times(start, end, reason)
    if not User.objects.filter(pk=user_id).exists():
        raise ValidationFailed(fields={"user": [gettext("用户不存在")]})
    usage = UsageRecord.objects.create(
        instrument=instrument,
        user_id=user_id,
        operator=actor.user,
        start=start,
        end=end,
        hours=hours_between(start, end),
        source=UsageSource.MANAGER,
        confirmed=True,
        confirmed_by=actor.user,
        confirmed_at=now,
        reason=reason,
        created=now,
    )
    audit_usage("usage.record", usage, actor.user, now=now, reason=reason)
    return usage
