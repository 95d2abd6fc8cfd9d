"""/api/v1 endpoints of the manager's desk (issue 12): training, qualifications, the manager's day,
problem reports. Thin: parse, call the same services as the pages (``dayi.booking.services.desk``,
``.training``, ``.problems``), serialise. Times are answered in the instrument's zone with its offset.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from dayi.accounts.access.bookings import access_booking
from dayi.api import SIGNED_IN, signed_in
from dayi.booking import timeline
from dayi.booking.api import BookingOut, UsageOut, booking_out, usage_out
from dayi.booking.models import ProblemReport, Qualification, TrainingRequest
from dayi.booking.services import desk, problems, training

router = Router(tags=["booking"])


class TrainingRequestIn(Schema):
    note: str = ""


class TrainingScheduleIn(Schema):
    at: dt.datetime
    note: str = ""


class TrainingResultIn(Schema):
    passed: bool
    expires: dt.date | None = None
    note: str = ""


class TrainingOut(Schema):
    id: int
    instrument: int
    user: int
    status: str
    note: str
    scheduled_at: str | None
    schedule_note: str
    result_note: str


class RevokeIn(Schema):
    reason: str


class RevokedOut(Schema):
    id: int
    user: int
    instrument: int
    expires: dt.date | None
    revoked: dt.datetime | None
    revoke_reason: str


class OnBehalfIn(Schema):
    user: str  # a username or an e-mail address
    start: dt.datetime
    end: dt.datetime
    mode: str
    purpose: str = ""


class MoveIn(Schema):
    start: dt.datetime
    reason: str


class WalkUpIn(Schema):
    user: str  # a username or an e-mail address
    start: dt.datetime
    end: dt.datetime
    reason: str


class ProblemIn(Schema):
    description: str


class HandleIn(Schema):
    status: str
    downtime_start: dt.datetime | None = None
    downtime_end: dt.datetime | None = None
    reason: str = ""


class ResolveIn(Schema):
    resolution: str
    status: str = ""


class ProblemOut(Schema):
    id: int
    instrument: int
    reporter: int
    description: str
    status: str
    resolution: str
    affected_bookings: list[int] = []


def _training_out(t: TrainingRequest) -> dict[str, Any]:
    zone = timeline.zone_of(t.instrument)
    return {
        "id": t.pk,
        "instrument": t.instrument_id,
        "user": t.user_id,
        "status": t.status,
        "note": t.note,
        "scheduled_at": t.scheduled_at.astimezone(zone).isoformat() if t.scheduled_at else None,
        "schedule_note": t.schedule_note,
        "result_note": t.result_note,
    }


def _problem_out(p: ProblemReport, affected: list[int] | None = None) -> dict[str, Any]:
    return {
        "id": p.pk,
        "instrument": p.instrument_id,
        "reporter": p.reporter_id,
        "description": p.description,
        "status": p.status,
        "resolution": p.resolution,
        "affected_bookings": affected or [],
    }


def _revoked_out(q: Qualification) -> dict[str, Any]:
    return {
        "id": q.pk,
        "user": q.user_id,
        "instrument": q.instrument_id,
        "expires": q.expires,
        "revoked": q.revoked,
        "revoke_reason": q.revoke_reason,
    }


@router.post(
    "/instruments/{instrument_id}/training-requests",
    auth=SIGNED_IN,
    response={201: TrainingOut},
    summary="Ask for training on an instrument",
)
def request_training(
    request: HttpRequest, instrument_id: int, body: TrainingRequestIn
) -> Status[dict[str, Any]]:
    t = training.request_training(
        signed_in(request), instrument_id=instrument_id, note=body.note, now=timezone.now()
    )
    return Status(201, _training_out(t))


@router.post(
    "/training-requests/{request_id}/schedule",
    auth=SIGNED_IN,
    response=TrainingOut,
    summary="Schedule training",
)
def schedule_training(request: HttpRequest, request_id: int, body: TrainingScheduleIn) -> dict[str, Any]:
    t = training.schedule_training(
        signed_in(request), request_id, at=body.at, note=body.note, now=timezone.now()
    )
    return _training_out(t)


@router.post(
    "/training-requests/{request_id}/result",
    auth=SIGNED_IN,
    response=TrainingOut,
    summary="Record a training's result (a pass grants the qualification)",
)
def record_result(request: HttpRequest, request_id: int, body: TrainingResultIn) -> dict[str, Any]:
    t = training.record_training_result(
        signed_in(request),
        request_id,
        passed=body.passed,
        expires=body.expires,
        note=body.note,
        now=timezone.now(),
    )
    return _training_out(t)


@router.post(
    "/qualifications/{qualification_id}/revoke",
    auth=SIGNED_IN,
    response=RevokedOut,
    summary="Revoke a qualification",
)
def revoke(request: HttpRequest, qualification_id: int, body: RevokeIn) -> dict[str, Any]:
    q = training.revoke_qualification(
        signed_in(request), qualification_id, reason=body.reason, now=timezone.now()
    )
    return _revoked_out(q)


@router.post(
    "/instruments/{instrument_id}/bookings-for-user",
    auth=SIGNED_IN,
    response={201: BookingOut},
    summary="Book for a user (managers)",
)
def book_for_user(request: HttpRequest, instrument_id: int, body: OnBehalfIn) -> Status[dict[str, Any]]:
    actor = signed_in(request)
    b = desk.book_for_user(
        actor,
        instrument_id=instrument_id,
        user=body.user,
        start=body.start,
        end=body.end,
        mode=body.mode,
        purpose=body.purpose,
        now=timezone.now(),
    )
    return Status(201, booking_out(access_booking(actor, b.pk)))


@router.post("/bookings/{booking_id}/move", auth=SIGNED_IN, response=BookingOut, summary="Move a booking")
def move(request: HttpRequest, booking_id: int, body: MoveIn) -> dict[str, Any]:
    actor = signed_in(request)
    desk.move_booking(actor, booking_id, start=body.start, reason=body.reason, now=timezone.now())
    return booking_out(access_booking(actor, booking_id))


@router.post(
    "/instruments/{instrument_id}/walk-up-usage",
    auth=SIGNED_IN,
    response={201: UsageOut},
    summary="Record use without a booking (managers)",
)
def walk_up(request: HttpRequest, instrument_id: int, body: WalkUpIn) -> Status[dict[str, Any]]:
    u = desk.record_walk_up(
        signed_in(request),
        instrument_id=instrument_id,
        user=body.user,
        start=body.start,
        end=body.end,
        reason=body.reason,
        now=timezone.now(),
    )
    return Status(201, usage_out(u))


@router.post(
    "/instruments/{instrument_id}/problem-reports",
    auth=SIGNED_IN,
    response={201: ProblemOut},
    summary="Report a fault on an instrument",
)
def report(request: HttpRequest, instrument_id: int, body: ProblemIn) -> Status[dict[str, Any]]:
    p = problems.report_problem(
        signed_in(request), instrument_id=instrument_id, description=body.description, now=timezone.now()
    )
    return Status(201, _problem_out(p))


@router.post(
    "/problem-reports/{report_id}/handle",
    auth=SIGNED_IN,
    response=ProblemOut,
    summary="Set the instrument's status and a downtime",
)
def handle(request: HttpRequest, report_id: int, body: HandleIn) -> dict[str, Any]:
    p, affected = problems.handle_problem(
        signed_in(request),
        report_id,
        status=body.status,
        downtime_start=body.downtime_start,
        downtime_end=body.downtime_end,
        reason=body.reason,
        now=timezone.now(),
    )
    return _problem_out(p, affected)


@router.post(
    "/problem-reports/{report_id}/resolve", auth=SIGNED_IN, response=ProblemOut, summary="Resolve a report"
)
def resolve(request: HttpRequest, report_id: int, body: ResolveIn) -> dict[str, Any]:
    p = problems.resolve_problem(
        signed_in(request), report_id, resolution=body.resolution, status=body.status, now=timezone.now()
    )
    return _problem_out(p)
