"""Calendars out (RFC 5545): an instrument's public occupied times, and a user's private bookings.

Every time is written in UTC with the ``Z`` suffix (``DTSTART:20260303T012000Z``). That form is correct in
every zone — Asia/Shanghai with no DST, or a zone with DST — and needs no VTIMEZONE block; calendar clients
show it in their own zone. ``X-WR-TIMEZONE`` hints the instrument's zone to clients that care. The
icalendar library escapes text and folds lines at 75 octets without splitting a UTF-8 character.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from collections.abc import Iterable
from typing import Any

import icalendar
from django.conf import settings

from dayi.booking import queries, timeline
from dayi.booking.models import Booking, BookingStatus
from dayi.booking.policy import PolicyInvalid, parse_policy
from dayi.directory.models import Instrument, ServiceMode

PRODID = "-//Dayi//Dayi instrument booking//ZH"
PUBLIC_PAST = dt.timedelta(days=30)
PUBLIC_FUTURE = dt.timedelta(days=180)
PRIVATE_PAST = dt.timedelta(days=90)
PRIVATE_LIMIT = 1000
# How often clients should poll (RFC 7986 REFRESH-INTERVAL, and the older X-PUBLISHED-TTL).
REFRESH = dt.timedelta(minutes=30)

STATUS_TEXT: dict[str, str] = {
    BookingStatus.PENDING: "待审批 pending",
    BookingStatus.CONFIRMED: "已确认 confirmed",
    BookingStatus.IN_PROGRESS: "使用中 in progress",
    BookingStatus.COMPLETED: "已完成 completed",
    BookingStatus.NO_SHOW: "爽约 no-show",
    BookingStatus.REJECTED: "已拒绝 rejected",
    BookingStatus.CANCELLED: "已取消 cancelled",
}
# RFC 5545 STATUS of a VEVENT; rejected and cancelled bookings stay in the feed as CANCELLED so that
# subscribed clients remove the event they already have.
ICAL_STATUS: dict[str, str] = {
    BookingStatus.PENDING: "TENTATIVE",
    BookingStatus.REJECTED: "CANCELLED",
    BookingStatus.CANCELLED: "CANCELLED",
}


def utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def _calendar(name: str, zone: str, *, now: dt.datetime) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", zone)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", REFRESH)
    return cal


def _event(
    uid: str, start: dt.datetime, end: dt.datetime, summary: str, *, now: dt.datetime
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", utc(now))
    event.add("dtstart", utc(start))
    event.add("dtend", utc(end))
    event.add("summary", summary)
    return event


def _host() -> str:
    return settings.DAYI_SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "dayi"


def _range_uid(instrument_id: int, kind: str, start: dt.datetime, end: dt.datetime) -> str:
    """A stable UID for a time range with no booking id in it (the public feed names no booking)."""
    key = f"{instrument_id}:{kind}:{utc(start).isoformat()}:{utc(end).isoformat()}"
    return f"{kind}-{hashlib.sha256(key.encode()).hexdigest()[:24]}@{_host()}"


def instrument_feed(instrument: Instrument, *, now: dt.datetime) -> bytes:
    """The instrument's occupied times (bookings of every status that holds time, with warm-up and
    turnaround) and its closures, from 30 days back to 180 days ahead. No person, purpose or status."""
    start, end = now - PUBLIC_PAST, now + PUBLIC_FUTURE
    zone = timeline.zone_of(instrument)
    cal = _calendar(f"{instrument.name} · 占用时间", str(zone), now=now)
    occupied = queries.occupied_ranges([instrument.pk], start, end).get(instrument.pk, [])
    for a, b in timeline.merge(occupied):
        event = _event(_range_uid(instrument.pk, "occupied", a, b), a, b, "已占用 (occupied)", now=now)
        event.add("transp", "OPAQUE")
        event.add("class", "PUBLIC")
        cal.add_component(event)
    for a, b in _closures(instrument, zone, start, end):
        event = _event(_range_uid(instrument.pk, "closed", a, b), a, b, "停用 (closed)", now=now)
        event.add("transp", "OPAQUE")
        event.add("class", "PUBLIC")
        cal.add_component(event)
    return cal.to_ical()


def _closures(
    instrument: Instrument, zone: zoneinfo.ZoneInfo, start: dt.datetime, end: dt.datetime
) -> list[timeline.Interval]:
    try:
        policy = parse_policy(instrument.booking_policy)
    except PolicyInvalid:
        return []
    return timeline.closures(policy, zone, start, end)


def user_bookings(user: Any, *, now: dt.datetime) -> Iterable[Booking]:
    return (
        Booking.objects.filter(user=user, end__gte=now - PRIVATE_PAST)
        .select_related("instrument", "instrument__institution")
        .order_by("start", "id")[:PRIVATE_LIMIT]
    )


def user_feed(user: Any, *, now: dt.datetime) -> bytes:
    """The user's own bookings (the private feed behind a secret URL): instrument, place, mode, purpose."""
    cal = _calendar("大仪 · 我的预约 (my bookings)", settings.TIME_ZONE, now=now)
    for b in user_bookings(user, now=now):
        cal.add_component(_booking_event(b, now=now))
    return cal.to_ical()


def _booking_event(b: Booking, *, now: dt.datetime) -> icalendar.Event:
    inst = b.instrument
    event = _event(
        f"booking-{b.pk}@{_host()}", b.start, b.end, f"{inst.name}（{STATUS_TEXT[b.status]}）", now=now
    )
    event.add("status", ICAL_STATUS.get(b.status, "CONFIRMED"))
    # SEQUENCE grows with each change so clients replace their copy (seconds since creation).
    event.add("sequence", max(int((b.updated - b.created).total_seconds()), 0))
    event.add("last-modified", utc(b.updated))
    event.add("class", "PRIVATE")
    if inst.location:
        event.add("location", inst.location)
    lines = [
        f"{inst.institution.name} · {inst.name}",
        f"服务方式 mode: {ServiceMode(b.mode).label if b.mode in ServiceMode.values else b.mode}",
        f"状态 status: {STATUS_TEXT[b.status]}",
    ]
    if b.purpose:
        lines.append(f"用途 purpose: {b.purpose}")
    if b.reason:
        lines.append(f"原因 reason: {b.reason}")
    event.add("description", "\n".join(lines))
    event.add("url", f"{settings.DAYI_SITE_URL}/bookings/")
    return event
