"""The booking pages: the calendar and its feed, booking through the page, "my bookings", the managers'
queue. Pages call the same services as the API, so a booking the rules refuse is refused here too.

The pages use the real clock, so the bookings here are placed a few days after today.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dayi.accounts.access import actor_for
from dayi.booking import services
from dayi.booking.models import Booking, BookingStatus, UsageRecord
from dayi.directory.models import Instrument
from tests.booking.conftest import SHANGHAI, make_bet

pytestmark = pytest.mark.django_db

ALL_DAY = [{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(1, 8)]


def day(offset: int = 3) -> dt.date:
    return (timezone.now().astimezone(SHANGHAI) + dt.timedelta(days=offset)).date()


def wall(d: dt.date, clock: str) -> str:
    """The form's datetime-local value: ``2026-11-25T09:20``."""
    return f"{d.isoformat()}T{clock}"


def local(d: dt.date, clock: str) -> dt.datetime:
    return dt.datetime.fromisoformat(wall(d, clock)).replace(tzinfo=SHANGHAI)


def client_for(people: Any, name: str | None) -> Client:
    client = Client()
    if name:
        client.force_login(people[name])
    return client


def book_now(
    people: Any, name: str, instrument: Instrument, start: dt.datetime, end: dt.datetime, **kw: Any
) -> Booking:
    return services.create_booking(
        actor_for(people[name]),
        instrument_id=instrument.pk,
        start=start,
        end=end,
        mode=kw.pop("mode", "assisted"),
        now=kw.pop("now", timezone.now()),
        **kw,
    )


def htmx(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {}, HTTP_HX_REQUEST="true")


# --- the calendar ----------------------------------------------------------------------------------------


def test_the_calendar_renders_for_a_visitor_with_a_sign_in_link(people: Any, bet: Instrument) -> None:
    response = client_for(people, None).get(f"/instruments/{bet.pk}/calendar/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "vendor/fullcalendar/index.global.min.js" in body
    assert 'data-time-zone="Asia/Shanghai"' in body
    assert "登录后预约" in body
    assert 'id="booking-form"' not in body
    assert "09:00–17:00" in body  # the opening hours, in words


def test_the_calendar_offers_a_signed_in_user_the_modes_of_the_instrument(
    people: Any, bet: Instrument
) -> None:
    body = client_for(people, "eve").get(f"/instruments/{bet.pk}/calendar/").content.decode()
    assert 'id="booking-form"' in body
    assert 'value="assisted"' in body and 'value="remote"' not in body
    assert '<label for="id_start" class="required">' in body


def test_the_calendar_of_a_missing_instrument_is_404(people: Any) -> None:
    assert client_for(people, None).get("/instruments/999999/calendar/").status_code == 404


def events(client: Client, instrument: Instrument, d: dt.date) -> list[dict[str, Any]]:
    response = client.get(
        f"/instruments/{instrument.pk}/calendar/events/",
        {"start": f"{d.isoformat()}T00:00:00", "end": f"{(d + dt.timedelta(days=1)).isoformat()}T00:00:00"},
    )
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_feed_shows_a_visitor_free_and_occupied_time_without_names(people: Any, bet: Instrument) -> None:
    # given eve's booking 10:20–11:00 (warm-up from 10:00)
    d = day()
    book_now(people, "eve", bet, local(d, "10:20"), local(d, "11:00"), purpose="秘密课题 X")
    # when a visitor reads the day
    found = events(client_for(people, None), bet, d)
    # then the time is "occupied" from the warm-up on, with no name or purpose, and the rest is bookable
    # (the day's first 20 minutes are the warm-up of a booking starting at 09:20)
    occupied = [e for e in found if "occupied" in e.get("classNames", [])]
    assert occupied == [
        {"start": wall(d, "10:00"), "end": wall(d, "11:00"), "title": "已占用", "classNames": ["occupied"]}
    ]
    free = [(e["start"], e["end"]) for e in found if e.get("groupId") == "free"]
    assert free == [(wall(d, "09:20"), wall(d, "10:00")), (wall(d, "11:00"), wall(d, "17:00"))]
    assert "eve" not in json.dumps(found) and "秘密" not in json.dumps(found, ensure_ascii=False)


def test_the_feed_marks_the_users_own_pending_booking(people: Any, network: Any) -> None:
    inst = make_bet(network["zju"], approval="always")
    d = day()
    booking = book_now(people, "eve", inst, local(d, "10:20"), local(d, "11:00"))
    found = events(client_for(people, "eve"), inst, d)
    mine = [e for e in found if e.get("id") == str(booking.pk)]
    assert len(mine) == 1
    assert mine[0]["title"] == "我的预约 · 待审批"
    assert {"own", "status-pending"} <= set(mine[0]["classNames"])
    assert not [e for e in found if "occupied" in e.get("classNames", [])]  # not drawn twice


def test_the_feed_names_the_booker_to_the_instruments_manager_only(people: Any, bet: Instrument) -> None:
    d = day()
    book_now(people, "eve", bet, local(d, "10:20"), local(d, "11:00"))
    assert "eve" in json.dumps(events(client_for(people, "alice"), bet, d))
    assert "eve" not in json.dumps(events(client_for(people, "bob"), bet, d))


def test_the_feed_refuses_a_window_longer_than_the_engine_allows(people: Any, bet: Instrument) -> None:
    response = client_for(people, None).get(
        f"/instruments/{bet.pk}/calendar/events/",
        {"start": "2026-01-01T00:00:00", "end": "2026-06-01T00:00:00"},
    )
    assert response.status_code == 422
    assert json.loads(response.content)["error"]["code"] == "validation_error"


# --- booking through the page ----------------------------------------------------------------------------


def post_booking(
    client: Client, instrument: Instrument, d: dt.date, start: str, end: str, **extra: Any
) -> Any:
    data = {
        "start": wall(d, start),
        "end": wall(d, end),
        "mode": "assisted",
        "purpose": "BET 比表面积测试",
        **extra,
    }
    return client.post(f"/instruments/{instrument.pk}/calendar/book/", data)


def test_a_user_books_through_the_page(people: Any, bet: Instrument) -> None:
    d = day()
    response = post_booking(client_for(people, "eve"), bet, d, "09:20", "10:20")
    assert response.status_code == 302
    assert response["Location"] == f"/instruments/{bet.pk}/calendar/?date={d.isoformat()}"
    booking = Booking.objects.get()
    assert (booking.user, booking.status, booking.purpose) == (
        people["eve"],
        BookingStatus.CONFIRMED,
        "BET 比表面积测试",
    )
    assert booking.start == local(d, "09:20")  # the form's wall clock is the instrument's zone


def test_a_booking_the_rules_refuse_shows_the_rule_and_stores_nothing(people: Any, bet: Instrument) -> None:
    # 09:00–10:00 needs a warm-up from 08:40, before the analyser opens
    response = post_booking(client_for(people, "eve"), bet, day(), "09:00", "10:00")
    assert response.status_code == 422
    body = response.content.decode()
    assert 'role="alert"' in body and "未能预约，未做任何更改" in body
    assert "预热时间" in body and "超出开放时间" in body
    assert f'value="{wall(day(), "09:00")}"' in body  # the form keeps what was typed
    assert not Booking.objects.exists()


def test_a_conflicting_booking_names_the_clash_and_stores_nothing(people: Any, bet: Instrument) -> None:
    d = day()
    book_now(people, "alice", bet, local(d, "09:20"), local(d, "10:20"))
    response = post_booking(client_for(people, "eve"), bet, d, "10:00", "11:00")
    assert response.status_code == 409
    assert "冲突" in response.content.decode()
    assert Booking.objects.count() == 1


def test_a_malformed_form_is_422_with_the_field_marked(people: Any, bet: Instrument) -> None:
    response = client_for(people, "eve").post(
        f"/instruments/{bet.pk}/calendar/book/", {"start": "soon", "end": "", "mode": "assisted"}
    )
    assert response.status_code == 422
    assert 'class="field has-error"' in response.content.decode()
    assert not Booking.objects.exists()


def test_a_visitor_must_sign_in_to_book(people: Any, bet: Instrument) -> None:
    response = post_booking(client_for(people, None), bet, day(), "09:20", "10:20")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not Booking.objects.exists()


# --- my bookings -----------------------------------------------------------------------------------------


def test_my_bookings_lists_only_mine(people: Any, bet: Instrument) -> None:
    d = day()
    mine = book_now(people, "eve", bet, local(d, "09:20"), local(d, "10:20"))
    theirs = book_now(people, "alice", bet, local(d, "13:00"), local(d, "14:00"))
    body = client_for(people, "eve").get("/bookings/").content.decode()
    assert f'id="booking-{mine.pk}"' in body and f'id="booking-{theirs.pk}"' not in body
    assert "09:20" in body and "技术共享" in body


def test_cancelling_from_my_bookings_with_htmx_answers_the_row(people: Any, bet: Instrument) -> None:
    d = day()
    booking = book_now(people, "eve", bet, local(d, "09:20"), local(d, "10:20"))
    response = htmx(client_for(people, "eve"), f"/bookings/{booking.pk}/cancel/")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.strip().startswith(f'<tr id="booking-{booking.pk}">') and "已取消" in body
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_checking_in_too_early_says_why_and_changes_nothing(people: Any, bet: Instrument) -> None:
    d = day()
    booking = book_now(people, "eve", bet, local(d, "09:20"), local(d, "10:20"))
    response = htmx(client_for(people, "eve"), f"/bookings/{booking.pk}/check-in/")
    assert response.status_code == 409
    assert "不在可签到时间内" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_the_booker_checks_in_and_out_and_a_usage_record_is_made(people: Any, network: Any) -> None:
    # given a booking running now (an instrument open round the clock, booked yesterday)
    inst = make_bet(network["zju"], opening_hours=ALL_DAY, warmup_minutes=0)
    now = timezone.now().astimezone(SHANGHAI)
    start = now.replace(minute=now.minute - now.minute % 10, second=0, microsecond=0)
    booking = book_now(
        people, "eve", inst, start, start + dt.timedelta(hours=2), now=now - dt.timedelta(days=1)
    )
    client = client_for(people, "eve")
    # when eve checks in and then out without htmx
    assert client.post(f"/bookings/{booking.pk}/check-in/")["Location"] == "/bookings/"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.IN_PROGRESS
    assert client.post(f"/bookings/{booking.pk}/check-out/").status_code == 302
    # then the booking is completed with a usage record
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
    assert UsageRecord.objects.filter(booking=booking).count() == 1


def test_nobody_else_can_cancel_my_booking(people: Any, bet: Instrument) -> None:
    d = day()
    booking = book_now(people, "eve", bet, local(d, "09:20"), local(d, "10:20"))
    response = client_for(people, "bob").post(f"/bookings/{booking.pk}/cancel/")
    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_an_unknown_action_is_404(people: Any, bet: Instrument) -> None:
    booking = book_now(people, "eve", bet, local(day(), "09:20"), local(day(), "10:20"))
    assert client_for(people, "eve").post(f"/bookings/{booking.pk}/delete/").status_code == 404


# --- the managers' queue ---------------------------------------------------------------------------------


@pytest.fixture
def pending(people: Any, network: Any) -> Booking:
    inst = make_bet(network["zju"], approval="always")
    d = day()
    return book_now(people, "eve", inst, local(d, "10:20"), local(d, "11:00"), purpose="催化剂孔径分布")


def test_the_manager_sees_the_pending_booking_in_the_queue(people: Any, pending: Booking) -> None:
    body = client_for(people, "alice").get("/manage/bookings/").content.decode()
    assert f'id="manage-{pending.pk}"' in body and "催化剂孔径分布" in body and "eve" in body


def test_another_institutions_manager_does_not_see_it(people: Any, pending: Booking) -> None:
    response = client_for(people, "bob").get("/manage/bookings/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="manage-{pending.pk}"' not in body and "催化剂孔径分布" not in body


def test_a_user_who_manages_nothing_gets_403(people: Any, pending: Booking) -> None:
    assert client_for(people, "eve").get("/manage/bookings/").status_code == 403


@pytest.mark.parametrize("action", ["approve", "reject", "check-in", "no-show"])
def test_another_institutions_manager_cannot_act(people: Any, pending: Booking, action: str) -> None:
    response = htmx(client_for(people, "bob"), f"/manage/bookings/{pending.pk}/{action}/", {"reason": "x"})
    assert response.status_code == 404
    assert "催化剂" not in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == BookingStatus.PENDING


def test_the_booker_cannot_approve_from_the_queue(people: Any, pending: Booking) -> None:
    response = htmx(client_for(people, "eve"), f"/manage/bookings/{pending.pk}/approve/")
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == BookingStatus.PENDING


def test_the_manager_approves_with_htmx(people: Any, pending: Booking) -> None:
    response = htmx(client_for(people, "alice"), f"/manage/bookings/{pending.pk}/approve/")
    assert response.status_code == 200
    assert "已批准" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == BookingStatus.CONFIRMED


def test_a_rejection_needs_a_reason(people: Any, pending: Booking) -> None:
    client = client_for(people, "alice")
    response = htmx(client, f"/manage/bookings/{pending.pk}/reject/", {"reason": "  "})
    assert response.status_code == 422
    pending.refresh_from_db()
    assert pending.status == BookingStatus.PENDING
    response = htmx(client, f"/manage/bookings/{pending.pk}/reject/", {"reason": "仪器检修"})
    assert response.status_code == 200
    pending.refresh_from_db()
    assert (pending.status, pending.reason) == (BookingStatus.REJECTED, "仪器检修")


def test_todays_sessions_are_in_the_queue(people: Any, network: Any) -> None:
    inst = make_bet(network["zju"], opening_hours=ALL_DAY, warmup_minutes=0)
    now = timezone.now().astimezone(SHANGHAI)
    start = now.replace(minute=now.minute - now.minute % 10, second=0, microsecond=0)
    booking = book_now(
        people, "eve", inst, start, start + dt.timedelta(minutes=30), now=now - dt.timedelta(days=1)
    )
    body = client_for(people, "alice").get("/manage/bookings/").content.decode()
    today = body.split('id="today-title"')[1].split('id="usage-title"')[0]
    assert f'id="manage-{booking.pk}"' in today and "签到" in today


# --- usage corrections -----------------------------------------------------------------------------------


@pytest.fixture
def usage(people: Any, network: Any) -> UsageRecord:
    inst = make_bet(network["zju"])
    return services.record_usage(
        actor_for(people["alice"]),
        instrument_id=inst.pk,
        user_id=people["eve"].pk,
        start=local(day(-1), "09:00"),
        end=local(day(-1), "11:00"),
        reason="补录",
        now=timezone.now(),
    )


def correction(record: UsageRecord, start: str, end: str, reason: str) -> dict[str, str]:
    d = day(-1)
    return {
        f"u{record.pk}-start": wall(d, start),
        f"u{record.pk}-end": wall(d, end),
        f"u{record.pk}-reason": reason,
    }


def test_the_manager_corrects_a_usage_record_with_a_reason(people: Any, usage: UsageRecord) -> None:
    response = htmx(
        client_for(people, "alice"),
        f"/manage/bookings/usage/{usage.pk}/correct/",
        correction(usage, "09:00", "10:30", "实际 10:30 结束"),
    )
    assert response.status_code == 200
    assert "1.50" in response.content.decode()
    usage.refresh_from_db()
    assert usage.superseded
    new = UsageRecord.objects.get(supersedes=usage)
    assert (new.hours, new.reason) == (pytest.approx(1.5), "实际 10:30 结束")


def test_a_correction_without_a_reason_is_refused(people: Any, usage: UsageRecord) -> None:
    response = htmx(
        client_for(people, "alice"),
        f"/manage/bookings/usage/{usage.pk}/correct/",
        correction(usage, "09:00", "10:30", ""),
    )
    assert response.status_code == 422
    usage.refresh_from_db()
    assert not usage.superseded


def test_another_institutions_manager_cannot_correct(people: Any, usage: UsageRecord) -> None:
    response = htmx(
        client_for(people, "bob"),
        f"/manage/bookings/usage/{usage.pk}/correct/",
        correction(usage, "09:00", "09:30", "x"),
    )
    assert response.status_code in (403, 404)
    assert "补录" not in response.content.decode()
    usage.refresh_from_db()
    assert not usage.superseded


def test_the_queue_lists_recent_usage_for_correction(people: Any, usage: UsageRecord) -> None:
    body = client_for(people, "alice").get("/manage/bookings/").content.decode()
    assert f'id="usage-{usage.pk}"' in body
    assert f'name="u{usage.pk}-reason"' in body
    assert re.search(r"2\.00 h", body)
