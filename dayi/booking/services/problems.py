"""Problem reports: any signed-in user reports a fault; the instrument's managers set its status, close
its calendar for a downtime (a closure in its booking policy) and resolve the report.

The status and the closure are written through the directory's ``update_instrument`` (which validates the
policy and audits the change), so a downtime is the same kind of closure the rules editor writes. People
whose bookings fall in the downtime are e-mailed after commit; their bookings stay for the manager to move
or cancel (the manager's day lists them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from dayi.accounts.access import Actor, require_signed_in
from dayi.accounts.access.desk import access_managed_problem
from dayi.accounts.access.directory import access_instrument, get_listed_instrument
from dayi.booking import desk_mail, timeline
from dayi.booking.errors import InvalidState
from dayi.booking.models import Booking, BookingStatus, ProblemReport, ProblemStatus, on_instrument
from dayi.core import audit
from dayi.core.errors import ValidationFailed
from dayi.directory.models import Status
from dayi.directory.services import update_instrument

TEXT_LIMIT = 2000
CLOSURE_REASON_LIMIT = 200  # the booking policy's limit on a closure's reason


def _text(field: str, value: str, limit: int = TEXT_LIMIT) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(_("请填写必填项。"), fields={field: [_("请填写此项。")]})
    if len(value) > limit:
        raise ValidationFailed(_("内容过长。"), fields={field: [_("内容过长。")]})
    return value


def _state(p: ProblemReport) -> dict[str, Any]:
    return {"instrument": p.instrument_id, "status": p.status}


@transaction.atomic
def report_problem(actor: Actor, *, instrument_id: int, description: str, now: dt.datetime) -> ProblemReport:
    """Any signed-in user reports a fault on a listed instrument; its managers are e-mailed."""
    require_signed_in(actor.user)
    instrument = get_listed_instrument(instrument_id)
    description = _text("description", description)
    report = ProblemReport.objects.create(
        instrument=instrument, reporter=actor.user, description=description, created=now, updated=now
    )
    audit.record(
        "problem.report",
        report,
        actor=actor.user,
        after=_state(report),
        institution_id=instrument.institution_id,
        now=now,
    )
    desk_mail.after_commit("problem_reported", report.pk)
    return report


def _downtime(start: dt.datetime | None, end: dt.datetime | None) -> tuple[dt.datetime, dt.datetime] | None:
    if start is None and end is None:
        return None
    if start is None or end is None or start.tzinfo is None or end.tzinfo is None:
        raise ValidationFailed(
            _("请检查停机时段。"), fields={"downtime_end": [_("请同时填写停机的开始和结束时间。")]}
        )
    if end <= start:
        raise ValidationFailed(_("请检查停机时段。"), fields={"downtime_end": [_("结束须晚于开始。")]})
    return start, end


def affected_bookings(instrument_id: int, start: dt.datetime, end: dt.datetime) -> list[int]:
    """Pending and confirmed bookings that overlap [start, end)."""
    return list(
        Booking.objects.filter(
            on_instrument(instrument_id),
            status__in=[BookingStatus.PENDING, BookingStatus.CONFIRMED],
            start__lt=end,
            end__gt=start,
        ).values_list("pk", flat=True)
    )


@transaction.atomic
def handle_problem(
    actor: Actor,
    report_id: int,
    *,
    status: str,
    downtime_start: dt.datetime | None = None,
    downtime_end: dt.datetime | None = None,
    reason: str = "",
    now: dt.datetime,
) -> tuple[ProblemReport, list[int]]:
    """A manager sets the instrument's status and, optionally, a downtime that closes its calendar (with
    the reason users see); the bookers whose bookings fall in it are e-mailed. Returns the report and the
    ids of the affected bookings."""
    report = access_managed_problem(actor, report_id, for_update=True)
    if status not in Status.values:
        raise ValidationFailed(_("请选择仪器状态。"), fields={"status": [_("请选择仪器状态。")]})
    downtime = _downtime(downtime_start, downtime_end)
    instrument = access_instrument(actor, report.instrument_id, for_update=True)  # one policy write at a time
    changes: dict[str, Any] = {"status": status}
    affected: list[int] = []
    if downtime is not None:
        reason = _text("reason", reason, CLOSURE_REASON_LIMIT)
        policy = dict(instrument.booking_policy or {})
        closures = list(policy.get("closures") or [])
        closures.append({"start": downtime[0].isoformat(), "end": downtime[1].isoformat(), "reason": reason})
        changes["booking_policy"] = {**policy, "closures": closures}
        affected = affected_bookings(instrument.pk, *downtime)
    update_instrument(actor, instrument.pk, changes, now=now)
    audit.record(
        "problem.handle",
        report,
        actor=actor.user,
        after={
            **_state(report),
            "instrument_status": status,
            "downtime": _iso(downtime),
            "affected": affected,
        },
        institution_id=instrument.institution_id,
        reason=reason,
        now=now,
    )
    if downtime is not None:
        note = _closure_note(instrument, downtime, reason)
        for booking_id in affected:
            desk_mail.after_commit("downtime", booking_id, note)
    return report, affected


def _iso(downtime: tuple[dt.datetime, dt.datetime] | None) -> list[str] | None:
    return [downtime[0].isoformat(), downtime[1].isoformat()] if downtime else None


def _closure_note(instrument: Any, downtime: tuple[dt.datetime, dt.datetime], reason: str) -> str:
    zone = timeline.zone_of(instrument)
    a, b = (moment.astimezone(zone) for moment in downtime)
    return f"{a:%Y-%m-%d %H:%M} – {b:%Y-%m-%d %H:%M} ({zone}): {reason}"


@transaction.atomic
def resolve_problem(
    actor: Actor, report_id: int, *, resolution: str, status: str = "", now: dt.datetime
) -> ProblemReport:
    """A manager closes the report with what was done, and may set the instrument's status back."""
    report = access_managed_problem(actor, report_id, for_update=True)
    resolution = _text("resolution", resolution)
    if status and status not in Status.values:
        raise ValidationFailed(_("请选择仪器状态。"), fields={"status": [_("请选择仪器状态。")]})
    if report.status != ProblemStatus.OPEN:
        raise InvalidState(_("该故障报告已解决。"))
    before = _state(report)
    report.status, report.resolution, report.resolved_by, report.resolved_at, report.updated = (
        ProblemStatus.RESOLVED,
        resolution,
        actor.user,
        now,
        now,
    )
    report.save(update_fields=["status", "resolution", "resolved_by", "resolved_at", "updated"])
    if status:
        update_instrument(actor, report.instrument_id, {"status": status}, now=now)
    audit.record(
        "problem.resolve",
        report,
        actor=actor.user,
        before=before,
        after=_state(report),
        institution_id=report.instrument.institution_id,
        reason=resolution,
        now=now,
    )
    return report
