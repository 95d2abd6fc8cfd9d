"""Training and qualifications: a user asks, a manager schedules, records the result, grants or revokes.

A pass grants the qualification through ``grant_qualification`` (the same write the API's grant makes);
a revoked qualification no longer lets its holder book self-operation (``create._check_qualified``).
Every write is audited in its transaction; the e-mails go after commit (``dayi.booking.desk_mail``).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from dayi.accounts.access import Actor, require_signed_in
from dayi.accounts.access.desk import access_managed_qualification, access_managed_training
from dayi.accounts.access.directory import get_listed_instrument
from dayi.booking import desk_mail
from dayi.booking.errors import InvalidState
from dayi.booking.models import OPEN_TRAINING, Qualification, TrainingRequest, TrainingStatus
from dayi.booking.services.usage import grant_qualification
from dayi.core import audit
from dayi.core.errors import ValidationFailed

NOTE_LIMIT = 2000
REMINDER_DAYS = 30  # a qualification's holder is told this many days before it expires
REMINDERS_PER_RUN = 1000


def _text(field: str, value: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(_("请填写必填项。"), fields={field: [_("请填写此项。")]})
    if len(value) > NOTE_LIMIT:
        raise ValidationFailed(_("内容过长。"), fields={field: [_("不超过2000字。")]})
    return value


def _state(t: TrainingRequest) -> dict[str, object]:
    return {
        "instrument": t.instrument_id,
        "user": t.user_id,
        "status": t.status,
        "scheduled_at": t.scheduled_at.isoformat() if t.scheduled_at else None,
    }


def _audit(action: str, t: TrainingRequest, actor: Actor, *, now: dt.datetime, before: object = None) -> None:
    audit.record(
        action,
        t,
        actor=actor.user,
        before=before,
        after=_state(t),
        institution_id=t.instrument.institution_id,
        now=now,
    )


def holds_valid_qualification(q: Qualification | None, day: dt.date) -> bool:
    return q is not None and q.revoked is None and (q.expires is None or q.expires >= day)


@transaction.atomic
def request_training(
    actor: Actor, *, instrument_id: int, note: str = "", now: dt.datetime
) -> TrainingRequest:
    """A signed-in user asks to be trained on a listed instrument; its managers are e-mailed."""
    require_signed_in(actor.user)
    instrument = get_listed_instrument(instrument_id)
    note = _text("note", note)
    held = Qualification.objects.filter(user=actor.user, instrument=instrument).first()
    if holds_valid_qualification(held, now.date()):
        raise InvalidState(_("您已具备该仪器的上机资格。"))
    try:
        with transaction.atomic():
            t = TrainingRequest.objects.create(
                instrument=instrument, user=actor.user, note=note, created=now, updated=now
            )
    except IntegrityError:  # training_one_open_request: one open request per user and instrument
        raise InvalidState(_("您已有一项未完成的培训申请。")) from None
    _audit("training.request", t, actor, now=now)
    desk_mail.after_commit("training_requested", t.pk)
    return t


def _open(actor: Actor, request_id: int) -> TrainingRequest:
    t = access_managed_training(actor, request_id, for_update=True)
    if t.status not in OPEN_TRAINING:
        raise InvalidState(_("该培训申请已结束。"))
    return t


@transaction.atomic
def schedule_training(
    actor: Actor, request_id: int, *, at: dt.datetime, note: str = "", now: dt.datetime
) -> TrainingRequest:
    """A manager of the instrument sets (or moves) the training session; the user is e-mailed."""
    t = _open(actor, request_id)
    note = _text("schedule_note", note)
    if at.tzinfo is None:
        raise ValidationFailed(_("请检查培训时间。"), fields={"at": [_("须带时区偏移。")]})
    if at < now:
        raise ValidationFailed(_("请检查培训时间。"), fields={"at": [_("培训时间不能早于现在。")]})
    before = _state(t)
    t.status, t.scheduled_at, t.schedule_note, t.decided_by, t.updated = (
        TrainingStatus.SCHEDULED,
        at,
        note,
        actor.user,
        now,
    )
    t.save(update_fields=["status", "scheduled_at", "schedule_note", "decided_by", "updated"])
    _audit("training.schedule", t, actor, now=now, before=before)
    desk_mail.after_commit("training_scheduled", t.pk)
    return t


@transaction.atomic
def record_training_result(
    actor: Actor,
    request_id: int,
    *,
    passed: bool,
    expires: dt.date | None = None,
    note: str = "",
    now: dt.datetime,
) -> TrainingRequest:
    """A manager records the result; a pass grants the qualification until ``expires`` (None: no expiry)."""
    t = _open(actor, request_id)
    note = _text("result_note", note, required=not passed)
    if passed and expires is not None and expires < now.date():
        raise ValidationFailed(_("请检查有效期。"), fields={"expires": [_("有效期不能早于今天。")]})
    before = _state(t)
    t.status = TrainingStatus.PASSED if passed else TrainingStatus.FAILED
    t.result_note, t.decided_by, t.updated = note, actor.user, now
    t.save(update_fields=["status", "result_note", "decided_by", "updated"])
    _audit("training.result", t, actor, now=now, before=before)
    if passed:
        grant_qualification(actor, instrument_id=t.instrument_id, user_id=t.user_id, expires=expires, now=now)
    desk_mail.after_commit("training_passed" if passed else "training_failed", t.pk)
    return t


@transaction.atomic
def revoke_qualification(
    actor: Actor, qualification_id: int, *, reason: str, now: dt.datetime
) -> Qualification:
    """A manager withdraws a qualification, with the reason (the holder is e-mailed it). Granting again
    restores it."""
    q = access_managed_qualification(actor, qualification_id, for_update=True)
    reason = _text("reason", reason, required=True)
    if q.revoked is not None:
        raise InvalidState(_("该上机资格已被撤销。"))
    q.revoked, q.revoked_by, q.revoke_reason, q.updated = now, actor.user, reason, now
    q.save(update_fields=["revoked", "revoked_by", "revoke_reason", "updated"])
    audit.record(
        "qualification.revoke",
        q,
        actor=actor.user,
        before={"revoked": None},
        after={"revoked": now.isoformat(), "user": q.user_id, "instrument": q.instrument_id},
        institution_id=q.instrument.institution_id,
        reason=reason,
        now=now,
    )
    desk_mail.after_commit("qualification_revoked", q.pk)
    return q


def remind_expiring_qualifications(*, now: dt.datetime, days: int = REMINDER_DAYS) -> list[int]:
    """The job: each live qualification expiring within ``days`` is reminded once per expiry date (the
    conditional update decides, so two runs at once remind once). Returns the reminded ids."""
    today = now.date()
    due = list(
        Qualification.objects.filter(
            revoked__isnull=True, expires__gte=today, expires__lte=today + dt.timedelta(days=days)
        )
        .exclude(reminded_for=F("expires"))
        .order_by("expires", "id")
        .values_list("pk", "expires")[:REMINDERS_PER_RUN]
    )
    reminded: list[int] = []
    for pk, expires in due:
        with transaction.atomic():
            won = (
                Qualification.objects.filter(pk=pk, expires=expires)
                .exclude(reminded_for=expires)
                .update(reminded_for=expires)
            )
            if won:
                desk_mail.after_commit("qualification_expiring", pk)
                reminded.append(pk)
    return reminded
