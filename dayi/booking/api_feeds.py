"""/api/v1 calendar feeds (API.md: ``GET /api/v1/instruments/{id}/calendar.ics``), mounted in dayi.urls.

The public feed names no one: occupied time and closures only. The private per-user feed lives at a
secret URL among the pages (``/bookings/feed/<token>.ics``), because calendar clients cannot send a bearer
token.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router

from dayi.booking import ical
from dayi.directory.services import get_instrument

router = Router(tags=["booking"])

ICS_TYPE = "text/calendar; charset=utf-8"


def ics_response(body: bytes, *, filename: str, cache: str) -> HttpResponse:
    response = HttpResponse(body, content_type=ICS_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = cache
    return response


@router.get(
    "/instruments/{instrument_id}/calendar.ics",
    summary="The instrument's occupied times as iCalendar",
    response={200: None},
    openapi_extra={"responses": {200: {"description": "text/calendar", "content": {"text/calendar": {}}}}},
)
def instrument_calendar(request: HttpRequest, instrument_id: int) -> HttpResponse:
    instrument = get_instrument(instrument_id)
    body = ical.instrument_feed(instrument, now=timezone.now())
    return ics_response(body, filename=f"instrument-{instrument.pk}.ics", cache="public, max-age=300")
