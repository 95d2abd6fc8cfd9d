"""/api/v1/bookings and the booking endpoints of instruments (API.md, "Booking instrument time").

Thin: parse, call a service or a query, serialise. Times are answered in the instrument's zone with its
offset; any offset is accepted in requests.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field, WithJsonSchema

from dayi.accounts.access.bookings import access_booking, access_usage
from dayi.api import SIGNED_IN, moment, page_bounds, signed_in
from dayi.booking import queries, services, timeline
from dayi.booking.models import Booking, Qualification, UsageRecord
from dayi.directory.api import SearchParams, filters_from
from dayi.directory.services import get_instrument

router = Router(tags=["booking"])

# Fields that the apps above booking add to a booking's answer (orders: "order" and "quote"), registered in
# their AppConfig.ready: booking imports none of them.
AnswerFields = Callable[[Booking], dict[str, Any]]
_ANSWER_FIELDS: list[AnswerFields] = []


def add_answer_fields(fields: AnswerFields) -> None:
    if fields not in _ANSWER_FIELDS:
        _ANSWER_FIELDS.append(fields)


# Times out are strings we format ourselves: the instrument's offset, "+00:00" rather than "Z" in London.
LocalTime = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]


class Span(Schema):
    start: LocalTime
    end: LocalTime


class Availability(Schema):
    instrument: int
    timezone: str
    free: list[Span]


class BookingIn(Schema):
    instrument: int
    start: dt.datetime
    end: dt.datetime
    mode: str
    purpose: str = ""
    account: int | None = None  # a research-group account the booker is a member of (dayi.orders)


class BookingOut(Schema):
    id: int
    instrument: int
    user: int
    username: str
    status: str
    start: LocalTime
    end: LocalTime
    mode: str
    purpose: str
    occupied: Span
    warmup_minutes: int
    late_cancellation: bool
    reason: str
    checked_in_at: LocalTime | None
    checked_out_at: LocalTime | None
    created: LocalTime
    quote: dict[str, Any] | None = None  # the price quoted when booked (dayi.orders)
    order: int | None = None  # every booking has an order (dayi.orders)


class BookingList(Schema):
    count: int
    items: list[BookingOut]


class ReasonIn(Schema):
    reason: str = ""


class UsageOut(Schema):
    id: int
    booking: int | None
    instrument: int
    user: int
    start: LocalTime
    end: LocalTime
    hours: str
    source: str  # manager | self | device | import
    confirmed: bool  # self-reported hours count in statistics only once a manager confirmed them
    confirmed_by: int | None
    confirmed_at: LocalTime | None
    supersedes: int | None  # the record this one corrects
    superseded: bool  # a newer record corrects this one: it no longer counts
    claimed_end: LocalTime | None  # a late check-out: when the booker said they stopped (end is capped)
    auto_closed: bool  # nobody checked out: closed by the job at the booking's end plus the grace
    reason: str


class UsageList(Schema):
    count: int
    items: list[UsageOut]


class UsageQuery(Schema):
    instrument: int | None = None
    booking: int | None = None
    from_: str | None = Field(None, alias="from")
    to: str | None = None
    page: int = 1
    page_size: int = 50


class ConfirmIn(Schema):
    end: dt.datetime | None = None  # confirm more (or less) than the record holds: a correction
    reason: str = ""


class ShortenIn(Schema):
    end: dt.datetime
    reason: str


class CheckOutResult(Schema):
    booking: BookingOut
    usage: UsageOut


class QualificationIn(Schema):
    user: int
    expires: dt.date | None = None


class QualificationOut(Schema):
    id: int
    user: int
    instrument: int
    expires: dt.date | None
    granted_by: int | None


class Slot(Schema):
    instrument: int
    name: str
    institution: int
    institution_name: str
    timezone: str
    start: LocalTime
    end: LocalTime


class Earliest(Schema):
    instrument: int
    timezone: str
    slot: Span | None


class SlotList(Schema):
    count: int
    items: list[Slot]


class EarliestSearch(SearchParams):
    minutes: int = 60
    days: int = 14


def _span(start: dt.datetime, end: dt.datetime, zone: zoneinfo.ZoneInfo) -> dict[str, str]:
    return {"start": start.astimezone(zone).isoformat(), "end": end.astimezone(zone).isoformat()}


def booking_out(b: Booking) -> dict[str, Any]:
    zone = timeline.zone_of(b.instrument)

    def local(value: dt.datetime | None) -> str | None:
        return value.astimezone(zone).isoformat() if value else None

    answer = {
        "id": b.pk,
        "instrument": b.instrument_id,
        "user": b.user_id,
        "username": b.user.username,
        "status": b.status,
        "start": local(b.start),
        "end": local(b.end),
        "mode": b.mode,
        "purpose": b.purpose,
        "occupied": _span(b.occupied.lower, b.occupied.upper, zone),
        "warmup_minutes": b.warmup_minutes_applied,
        "late_cancellation": b.late_cancellation,
        "reason": b.reason,
        "checked_in_at": local(b.checked_in_at),
        "checked_out_at": local(b.checked_out_at),
        "created": local(b.created),
    }
    for fields in _ANSWER_FIELDS:
        answer.update(fields(b))
    return answer


def usage_out(u: UsageRecord) -> dict[str, Any]:
    zone = timeline.zone_of(u.instrument)

    def local(value: dt.datetime | None) -> str | None:
        return value.astimezone(zone).isoformat() if value else None

    return {
        "id": u.pk,
        "booking": u.booking_id,
        "instrument": u.instrument_id,
        "user": u.user_id,
        "start": local(u.start),
        "end": local(u.end),
        "hours": str(u.hours),
        "source": u.source,
        "confirmed": u.confirmed,
        "confirmed_by": u.confirmed_by_id,
        "confirmed_at": local(u.confirmed_at),
        "supersedes": u.supersedes_id,
        "superseded": u.superseded,
        "claimed_end": local(u.claimed_end),
        "auto_closed": u.auto_closed,
        "reason": u.reason,
    }


def _fresh(request: HttpRequest, booking_id: int) -> dict[str, Any]:
    """The booking as it is after a service changed it, read again through the access layer."""
    return booking_out(access_booking(signed_in(request), booking_id))


@router.get(
    "/instruments/{instrument_id}/availability",
    response=Availability,
    summary="Bookable time of an instrument",
)
def availability(request: HttpRequest, instrument_id: int, start: str, end: str) -> dict[str, Any]:
    instrument = get_instrument(instrument_id)
    zone = timeline.zone_of(instrument)
    a, b = moment(start, "start", zone), moment(end, "end", zone)
    free = queries.free_intervals(instrument, a, b, now=timezone.now())
    return {"instrument": instrument.pk, "timezone": str(zone), "free": [_span(x, y, zone) for x, y in free]}


@router.get(
    "/instruments/{instrument_id}/earliest",
    response=Earliest,
    summary="The earliest free slot of an instrument",
)
def earliest(request: HttpRequest, instrument_id: int, minutes: int = 60, days: int = 14) -> dict[str, Any]:
    queries.check_earliest(minutes, days)
    instrument = get_instrument(instrument_id)
    zone = timeline.zone_of(instrument)
    slot = queries.earliest_slot(instrument, minutes, days=days, now=timezone.now())
    return {"instrument": instrument.pk, "timezone": str(zone), "slot": _span(*slot, zone) if slot else None}


@router.post(
    "/instruments/{instrument_id}/qualifications",
    auth=SIGNED_IN,
    response={200: QualificationOut, 201: QualificationOut},
    summary="Grant self-operation",
)
def grant_qualification(
    request: HttpRequest, instrument_id: int, body: QualificationIn
) -> Status[dict[str, Any]]:
    q, created = services.grant_qualification(
        signed_in(request),
        instrument_id=instrument_id,
        user_id=body.user,
        expires=body.expires,
        now=timezone.now(),
    )
    return Status(201 if created else 200, _qualification_out(q))


def _qualification_out(q: Qualification) -> dict[str, Any]:
    return {
        "id": q.pk,
        "user": q.user_id,
        "instrument": q.instrument_id,
        "expires": q.expires,
        "granted_by": q.granted_by_id,
    }


@router.post(
    "/bookings", auth=SIGNED_IN, response={200: BookingOut, 201: BookingOut}, summary="Book instrument time"
)
def create_booking(request: HttpRequest, body: BookingIn) -> Status[dict[str, Any]]:
    booking = services.create_booking(
        signed_in(request),
        instrument_id=body.instrument,
        start=body.start,
        end=body.end,
        mode=body.mode,
        purpose=body.purpose,
        request_key=request.headers.get("Idempotency-Key", "")[:64],
        account_id=body.account,
        now=timezone.now(),
    )
    return Status(201, booking_out(booking))  # instrument and user are on it already: no second query


@router.get("/bookings/earliest", response=SlotList, summary="The earliest free slot across a search")
def earliest_across(request: HttpRequest, params: Query[EarliestSearch]) -> dict[str, Any]:
    offset, limit = page_bounds(params.page, params.page_size)
    filters = filters_from(SearchParams(**params.dict(exclude={"minutes", "days"})))
    found = queries.earliest_across(
        filters, params.minutes, days=params.days, now=timezone.now(), limit=offset + limit
    )
    items = []
    for instrument, (start, end) in found[offset:]:
        zone = timeline.zone_of(instrument)
        items.append(
            {
                "instrument": instrument.pk,
                "name": instrument.name,
                "institution": instrument.institution_id,
                "institution_name": instrument.institution.name,
                "timezone": str(zone),
                **_span(start, end, zone),
            }
        )
    return {"count": len(found), "items": items}


@router.get(
    "/bookings", auth=SIGNED_IN, response=BookingList, summary="Bookings: your own, or your instruments'"
)
def list_bookings(
    request: HttpRequest,
    instrument: int | None = None,
    user: int | None = None,
    start: str | None = None,
    end: str | None = None,
    status: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    offset, limit = page_bounds(page, page_size)
    f = queries.BookingFilters(
        instrument=instrument,
        user=user,
        start=moment(start, "start") if start else None,
        end=moment(end, "end") if end else None,
        status=status,
    )
    qs = queries.bookings(signed_in(request), f)
    return {"count": qs.count(), "items": [booking_out(b) for b in qs[offset : offset + limit]]}


@router.get("/bookings/{booking_id}", auth=SIGNED_IN, response=BookingOut, summary="A booking")
def get_booking(request: HttpRequest, booking_id: int) -> dict[str, Any]:
    return booking_out(access_booking(signed_in(request), booking_id))


@router.post("/bookings/{booking_id}/approve", auth=SIGNED_IN, response=BookingOut, summary="Approve")
def approve(request: HttpRequest, booking_id: int) -> dict[str, Any]:
    services.approve_booking(signed_in(request), booking_id, now=timezone.now())
    return _fresh(request, booking_id)


@router.post(
    "/bookings/{booking_id}/reject", auth=SIGNED_IN, response=BookingOut, summary="Reject, with a reason"
)
def reject(request: HttpRequest, booking_id: int, body: ReasonIn) -> dict[str, Any]:
    services.reject_booking(signed_in(request), booking_id, reason=body.reason, now=timezone.now())
    return _fresh(request, booking_id)


@router.post("/bookings/{booking_id}/cancel", auth=SIGNED_IN, response=BookingOut, summary="Cancel")
def cancel(request: HttpRequest, booking_id: int, body: ReasonIn | None = None) -> dict[str, Any]:
    reason = body.reason if body else ""
    services.cancel_booking(signed_in(request), booking_id, reason=reason, now=timezone.now())
    return _fresh(request, booking_id)


@router.post("/bookings/{booking_id}/check-in", auth=SIGNED_IN, response=BookingOut, summary="Check in")
def check_in(request: HttpRequest, booking_id: int) -> dict[str, Any]:
    services.check_in(signed_in(request), booking_id, now=timezone.now())
    return _fresh(request, booking_id)


@router.post("/bookings/{booking_id}/check-out", auth=SIGNED_IN, response=CheckOutResult, summary="Check out")
def check_out(request: HttpRequest, booking_id: int) -> dict[str, Any]:
    usage = services.check_out(signed_in(request), booking_id, now=timezone.now())
    return {"booking": _fresh(request, booking_id), "usage": usage_out(usage)}


@router.post("/bookings/{booking_id}/no-show", auth=SIGNED_IN, response=BookingOut, summary="Mark a no-show")
def no_show(request: HttpRequest, booking_id: int) -> dict[str, Any]:
    services.mark_no_show(signed_in(request), booking_id, now=timezone.now())
    return _fresh(request, booking_id)


@router.post(
    "/bookings/{booking_id}/shorten",
    auth=SIGNED_IN,
    response=BookingOut,
    summary="Shorten a booking (the instrument's managers, with a reason)",
)
def shorten(request: HttpRequest, booking_id: int, body: ShortenIn) -> dict[str, Any]:
    services.shorten_booking(
        signed_in(request), booking_id, end=body.end, reason=body.reason, now=timezone.now()
    )
    return _fresh(request, booking_id)


@router.get(
    "/usage",
    auth=SIGNED_IN,
    response=UsageList,
    summary="Usage records: your own hours, or your instruments'",
)
def list_usage(request: HttpRequest, params: Query[UsageQuery]) -> dict[str, Any]:
    offset, limit = page_bounds(params.page, params.page_size)
    f = queries.UsageFilters(
        instrument=params.instrument,
        booking=params.booking,
        start=moment(params.from_, "from") if params.from_ else None,
        end=moment(params.to, "to") if params.to else None,
    )
    qs = queries.usage_records(signed_in(request), f)
    return {"count": qs.count(), "items": [usage_out(u) for u in qs[offset : offset + limit]]}


@router.post(
    "/usage/{record_id}/confirm",
    auth=SIGNED_IN,
    response=UsageOut,
    summary="Confirm a usage record (the instrument's managers)",
)
def confirm_usage(request: HttpRequest, record_id: int, body: ConfirmIn | None = None) -> dict[str, Any]:
    actor = signed_in(request)
    access_usage(actor, record_id)  # before anything else: someone else's record is not found
    usage = services.confirm_usage(
        actor,
        record_id,
        end=body.end if body else None,
        reason=body.reason if body else "",
        now=timezone.now(),
    )
    return usage_out(usage)
