"""Calendars out: the public feed of an instrument's occupied time, and a user's private feed.

Both must parse as RFC 5545, keep every line within 75 octets, write times in UTC (``…Z``), and the public
feed must name no one.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

import icalendar
import pytest
from django.test import Client
from django.utils import timezone

from dayi.accounts.access import actor_for
from dayi.booking import services
from dayi.booking.models import Booking
from dayi.directory.models import Instrument
from dayi.notify import services as feeds
from tests.booking.conftest import SHANGHAI, make_bet

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def soon(offset: int = 3) -> dt.date:
    return (timezone.now().astimezone(SHANGHAI) + dt.timedelta(days=offset)).date()


def local(d: dt.date, clock: str, zone: dt.tzinfo = SHANGHAI) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{d.isoformat()}T{clock}").replace(tzinfo=zone)


def book(
    people: Any, name: str, instrument: Instrument, start: dt.datetime, end: dt.datetime, **kw: Any
) -> Booking:
    return services.create_booking(
        actor_for(people[name]),
        instrument_id=instrument.pk,
        start=start,
        end=end,
        mode="assisted",
        now=kw.pop("now", timezone.now()),
        **kw,
    )


def with_fields(instrument: Instrument, **fields: Any) -> Instrument:
    for key, value in fields.items():
        setattr(instrument, key, value)
    instrument.save(update_fields=list(fields))
    return instrument


def public_feed(instrument: Instrument) -> Any:
    return Client().get(f"/api/v1/instruments/{instrument.pk}/calendar.ics")


def lines(body: bytes) -> list[bytes]:
    assert body.endswith(b"\r\n")
    return body.split(b"\r\n")[:-1]


def events_of(body: bytes) -> list[Any]:
    return list(icalendar.Calendar.from_ical(body).walk("VEVENT"))


def test_the_public_feed_is_icalendar_with_the_occupied_time_in_utc(people: Any, bet: Instrument) -> None:
    # given eve's booking 09:20–10:20 Shanghai on the analyser that warms up 20 minutes
    d = soon()
    book(people, "eve", bet, local(d, "09:20"), local(d, "10:20"), purpose="秘密课题 X")
    # when anyone reads the feed
    response = public_feed(bet)
    # then it is a calendar whose one event is the occupied time, 09:00–10:20 Shanghai = 01:00–02:20 UTC
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    assert b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" in body
    (event,) = events_of(body)
    assert event.decoded("dtstart") == local(d, "09:00").astimezone(dt.UTC)
    assert event.decoded("dtend") == local(d, "10:20").astimezone(dt.UTC)
    assert f"DTSTART:{d:%Y%m%d}T010000Z".encode() in body
    assert f"DTEND:{d:%Y%m%d}T022000Z".encode() in body
    assert str(event["summary"]) == "已占用 (occupied)"


def test_the_public_feed_names_no_one(people: Any, bet: Instrument) -> None:
    people["eve"].email = "eve@example.org"
    people["eve"].display_name = "伊芙"
    people["eve"].save()
    d = soon()
    booking = book(people, "eve", bet, local(d, "09:20"), local(d, "10:20"), purpose="秘密课题 X")
    body = public_feed(bet).content.decode()
    for secret in ("eve", "伊芙", "example.org", "秘密", f"booking-{booking.pk}", "assisted", "技术共享"):
        assert secret not in body


def test_every_line_is_at_most_75_octets_and_long_text_survives_folding(people: Any, network: Any) -> None:
    # given an instrument whose (Chinese) name alone is well over 75 octets
    long_name = "超高分辨率场发射扫描电子显微镜及能谱仪联用系统（配备低温样品台与电子背散射衍射探头）"
    inst = with_fields(make_bet(network["zju"]), name=long_name)
    d = soon()
    book(people, "eve", inst, local(d, "09:20"), local(d, "10:20"), purpose="长" * 200)
    feeds_bodies = [public_feed(inst).content, Client().get(feed_url(people, "eve")).content]
    for body in feeds_bodies:
        for line in lines(body):
            assert len(line) <= 75, line
            line.decode("utf-8")  # folding never splits a character
    # and the name reads back whole after unfolding
    cal = icalendar.Calendar.from_ical(feeds_bodies[0])
    assert str(cal["x-wr-calname"]).startswith(long_name)
    (private,) = events_of(feeds_bodies[1])
    assert "长" * 200 in str(private["description"])


def test_times_are_utc_in_a_zone_with_daylight_saving(people: Any, network: Any) -> None:
    # given an instrument in New York, open round the clock, booked across the autumn DST change
    # (2026-11-01 02:00 EDT → 01:00 EST): 00:30 EDT to 03:30 EST is four hours
    inst = make_bet(
        network["zju"],
        opening_hours=[{"weekday": w, "start": "00:00", "end": "24:00"} for w in range(1, 8)],
        warmup_minutes=0,
        max_advance_days=1000,
        min_minutes=30,
        max_minutes=None,
    )
    with_fields(inst, timezone="America/New_York")
    start = dt.datetime(2026, 11, 1, 0, 30, tzinfo=NEW_YORK)
    end = dt.datetime(2026, 11, 1, 3, 30, tzinfo=NEW_YORK)
    book(people, "eve", inst, start, end, now=dt.datetime(2026, 10, 20, tzinfo=dt.UTC))
    body = feed_for(inst, now=dt.datetime(2026, 10, 25, tzinfo=dt.UTC))
    assert b"DTSTART:20261101T043000Z" in body  # 00:30 EDT = UTC−4
    assert b"DTEND:20261101T083000Z" in body  # 03:30 EST = UTC−5
    assert b"X-WR-TIMEZONE:America/New_York" in body
    assert b"VTIMEZONE" not in body  # UTC times need none


def feed_for(instrument: Instrument, *, now: dt.datetime) -> bytes:
    from dayi.booking import ical

    return ical.instrument_feed(instrument, now=now)


def test_closures_are_in_the_public_feed(people: Any, network: Any) -> None:
    d = soon()
    closure = {"start": f"{d}T12:00:00", "end": f"{d}T14:00:00", "reason": "液氦补充 helium fill"}
    inst = make_bet(network["zju"], closures=[closure])
    (event,) = events_of(public_feed(inst).content)
    assert str(event["summary"]) == "停用 (closed)"
    assert event.decoded("dtstart") == local(d, "12:00").astimezone(dt.UTC)


def test_the_public_feed_of_a_missing_instrument_is_404_in_the_error_shape(people: Any) -> None:
    response = Client().get("/api/v1/instruments/999999/calendar.ics")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_uid_of_an_occupied_range_is_stable_between_fetches(people: Any, bet: Instrument) -> None:
    d = soon()
    book(people, "eve", bet, local(d, "09:20"), local(d, "10:20"))
    first, second = events_of(public_feed(bet).content), events_of(public_feed(bet).content)
    assert [str(e["uid"]) for e in first] == [str(e["uid"]) for e in second]


# --- the private feed ------------------------------------------------------------------------------------


def feed_url(people: Any, name: str) -> str:
    token = feeds.issue_calendar_feed(actor_for(people[name]), now=timezone.now())
    return f"/bookings/feed/{token}.ics"


def test_the_private_feed_shows_the_users_bookings_with_details(people: Any, bet: Instrument) -> None:
    d = soon()
    booking = book(people, "eve", bet, local(d, "09:20"), local(d, "10:20"), purpose="催化剂孔径分布")
    book(people, "alice", bet, local(d, "13:00"), local(d, "14:00"), purpose="alice 的实验")
    response = Client().get(feed_url(people, "eve"))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private")
    (event,) = events_of(response.content)
    assert str(event["uid"]).startswith(f"booking-{booking.pk}@")
    assert event.decoded("dtstart") == local(d, "09:20").astimezone(dt.UTC)  # the booking, not the warm-up
    assert "催化剂孔径分布" in str(event["description"])
    assert str(event["status"]) == "CONFIRMED"
    assert "alice" not in response.content.decode()


def test_a_cancelled_booking_stays_in_the_private_feed_as_cancelled(people: Any, bet: Instrument) -> None:
    d = soon()
    booking = book(people, "eve", bet, local(d, "09:20"), local(d, "10:20"))
    services.cancel_booking(actor_for(people["eve"]), booking.pk, now=timezone.now())
    (event,) = events_of(Client().get(feed_url(people, "eve")).content)
    assert str(event["status"]) == "CANCELLED"


def test_the_private_feed_needs_its_token(people: Any, bet: Instrument) -> None:
    url = feed_url(people, "eve")
    assert Client().get("/bookings/feed/not-the-token.ics").status_code == 404
    assert Client().get(url.replace(".ics", "x.ics")).status_code == 404
    # a regenerated token retires the old URL
    new_url = feed_url(people, "eve")
    assert Client().get(url).status_code == 404
    assert Client().get(new_url).status_code == 200
    # and a revoked feed answers nothing
    feeds.revoke_calendar_feed(actor_for(people["eve"]), now=timezone.now())
    assert Client().get(new_url).status_code == 404


def test_only_the_tokens_hash_is_stored(people: Any) -> None:
    url = feed_url(people, "eve")
    token = re.search(r"/bookings/feed/(.+)\.ics", url).group(1)  # type: ignore[union-attr]
    stored = people["eve"].calendar_feed
    assert token not in (stored.digest, stored.prefix) and stored.digest == feeds.digest(token)


def test_the_feed_url_is_made_and_shown_once_from_my_bookings(people: Any) -> None:
    client = Client()
    client.force_login(people["eve"])
    response = client.post("/bookings/feed/", {"action": "issue"}, follow=True)
    body = response.content.decode()
    match = re.search(r'class="feed-url">(http[^<]+)</span>', body)
    assert match, body
    url = match.group(1)
    assert Client().get(url.replace("http://testserver", "")).status_code == 200
    assert "feed-url" not in client.get("/bookings/").content.decode()  # shown once
    client.post("/bookings/feed/", {"action": "revoke"})
    assert Client().get(url.replace("http://testserver", "")).status_code == 404
