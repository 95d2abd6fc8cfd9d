"""The desk pages: the manager's day, training and qualifications, problem reports (issue 12).

The pages use the real clock, so bookings are placed a couple of days after today and the day page is
read with ``?range=week``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dayi.accounts.access import actor_for
from dayi.booking.models import (
    Booking,
    BookingStatus,
    ProblemReport,
    Qualification,
    TrainingRequest,
    UsageRecord,
)
from dayi.booking.services import problems, training
from dayi.booking.services.usage import grant_qualification
from tests.booking.conftest import SHANGHAI, make_bet
from tests.booking.test_pages import book_now, client_for, day, local, wall

pytestmark = pytest.mark.django_db

ALL_DAY = [{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(1, 8)]


@pytest.fixture
def open_bet(network: Any) -> Any:
    return make_bet(network["zju"], "BET-D", opening_hours=ALL_DAY)


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


# --- the manager's day --------------------------------------------------------------------------------------


def test_the_day_lists_pending_confirmed_and_running_bookings_of_every_instrument_managed(
    people: Any, network: Any, open_bet: Any
) -> None:
    strict = make_bet(network["zju"], "BET-S", opening_hours=ALL_DAY, approval="always")
    elsewhere = make_bet(network["pku"], "BET-P", opening_hours=ALL_DAY)
    d = day(2)
    confirmed = book_now(people, "eve", open_bet, local(d, "10:00"), local(d, "11:00"))
    pending = book_now(people, "eve", strict, local(d, "10:00"), local(d, "11:00"))
    other = book_now(people, "eve", elsewhere, local(d, "10:00"), local(d, "11:00"))
    assert pending.status == BookingStatus.PENDING
    page = client_for(people, "alice").get("/manage/day/?range=week").content.decode()
    assert f'id="day-{confirmed.pk}"' in page and f'id="day-{pending.pk}"' in page
    assert f'id="day-{other.pk}"' not in page  # 北京大学's instrument is not alice's
    # An approved booking stays on the day page (it no longer vanishes from every manager view)
    client_for(people, "alice").post(f"/manage/bookings/{pending.pk}/approve/")
    assert (
        f'id="day-{pending.pk}"'
        in client_for(people, "alice").get("/manage/day/?range=week").content.decode()
    )


def test_the_day_is_for_managers_only(people: Any, open_bet: Any) -> None:
    assert client_for(people, "eve").get("/manage/day/").status_code == 403
    assert client_for(people, None).get("/manage/day/").status_code == 302


def test_booking_for_a_user_from_the_day_page(people: Any, open_bet: Any) -> None:
    d = day(2)
    form = {
        "book-instrument": open_bet.pk,
        "book-user": "eve",
        "book-start": wall(d, "13:00"),
        "book-end": wall(d, "14:00"),
        "book-mode": "assisted",
        "book-purpose": "代约",
        "range": "week",
    }
    res = client_for(people, "alice").post("/manage/day/book/", form)
    assert res.status_code == 302 and res["Location"] == "/manage/day/?range=week"
    b = Booking.objects.get(instrument=open_bet)
    assert (b.user, b.status, b.start) == (people["eve"], BookingStatus.CONFIRMED, local(d, "13:00"))


def test_an_unknown_user_redraws_the_form_with_what_was_typed(people: Any, open_bet: Any) -> None:
    d = day(2)
    form = {
        "book-instrument": open_bet.pk,
        "book-user": "nobody",
        "book-start": wall(d, "13:00"),
        "book-end": wall(d, "14:00"),
        "book-mode": "assisted",
        "book-purpose": "写了很久的用途",
    }
    res = client_for(people, "alice").post("/manage/day/book/", form)
    page = res.content.decode()
    assert res.status_code == 422
    assert "写了很久的用途" in page and f'value="{wall(d, "13:00")}"' in page
    assert not Booking.objects.exists()


def test_moving_and_cancelling_from_the_day_page(people: Any, open_bet: Any) -> None:
    d = day(2)
    b = book_now(people, "eve", open_bet, local(d, "10:00"), local(d, "11:00"))
    alice = client_for(people, "alice")
    res = alice.post(
        f"/manage/day/{b.pk}/move/", {f"m{b.pk}-start": wall(d, "15:00"), f"m{b.pk}-reason": "维护"}
    )
    assert res.status_code == 302
    b.refresh_from_db()
    assert (b.start, b.end) == (local(d, "15:00"), local(d, "16:00"))
    # A cancel without a reason is redrawn, nothing changes
    assert alice.post(f"/manage/day/{b.pk}/cancel/", {f"c{b.pk}-reason": ""}).status_code == 422
    b.refresh_from_db()
    assert b.status == BookingStatus.CONFIRMED
    alice.post(f"/manage/day/{b.pk}/cancel/", {f"c{b.pk}-reason": "仪器维修"})
    b.refresh_from_db()
    assert (b.status, b.reason) == (BookingStatus.CANCELLED, "仪器维修")


def test_moving_onto_another_booking_answers_409_with_the_typed_reason(people: Any, open_bet: Any) -> None:
    d = day(2)
    b = book_now(people, "eve", open_bet, local(d, "10:00"), local(d, "11:00"))
    book_now(people, "amy", open_bet, local(d, "15:00"), local(d, "16:00"))
    res = client_for(people, "alice").post(
        f"/manage/day/{b.pk}/move/?range=week",
        {f"m{b.pk}-start": wall(d, "15:30"), f"m{b.pk}-reason": "改到下午"},
    )
    assert res.status_code == 409 and "改到下午" in res.content.decode()


def test_another_institutions_manager_cannot_move_or_cancel(people: Any, open_bet: Any) -> None:
    d = day(2)
    b = book_now(people, "eve", open_bet, local(d, "10:00"), local(d, "11:00"))
    bob = client_for(people, "bob")
    assert (
        bob.post(
            f"/manage/day/{b.pk}/move/", {f"m{b.pk}-start": wall(d, "15:00"), f"m{b.pk}-reason": "x"}
        ).status_code
        == 404
    )
    assert bob.post(f"/manage/day/{b.pk}/cancel/", {f"c{b.pk}-reason": "x"}).status_code == 404
    b.refresh_from_db()
    assert b.status == BookingStatus.CONFIRMED and b.start == local(d, "10:00")


def test_walk_up_use_from_the_day_page(people: Any, open_bet: Any) -> None:
    today = timezone.now().astimezone(SHANGHAI).date() - dt.timedelta(days=1)
    form = {
        "walk-instrument": open_bet.pk,
        "walk-user": "eve",
        "walk-start": wall(today, "09:00"),
        "walk-end": wall(today, "11:00"),
        "walk-reason": "未预约临时上机",
    }
    assert client_for(people, "alice").post("/manage/day/walk-up/", form).status_code == 302
    u = UsageRecord.objects.get()
    assert (u.user, str(u.hours), u.confirmed) == (people["eve"], "2.00", True)


# --- training and qualifications ----------------------------------------------------------------------------


def test_a_user_asks_for_training_from_the_page_and_sees_it(people: Any, open_bet: Any) -> None:
    eve = client_for(people, "eve")
    assert eve.get(f"/instruments/{open_bet.pk}/training/").status_code == 200
    res = eve.post(f"/instruments/{open_bet.pk}/training/", {"note": "测孔径分布"})
    assert res.status_code == 302 and res["Location"] == "/training/"
    assert TrainingRequest.objects.get().note == "测孔径分布"
    assert open_bet.name in eve.get("/training/").content.decode()
    # A second one is refused in place, with the note kept
    again = eve.post(f"/instruments/{open_bet.pk}/training/", {"note": "再问一次"})
    assert again.status_code == 409 and "再问一次" in again.content.decode()


def test_the_manager_schedules_passes_and_revokes_from_the_training_page(people: Any, open_bet: Any) -> None:
    t = training.request_training(actor_for(people["eve"]), instrument_id=open_bet.pk, now=timezone.now())
    alice = client_for(people, "alice")
    assert f'id="training-{t.pk}"' in alice.get("/manage/training/").content.decode()
    d = day(2)
    assert (
        alice.post(
            f"/manage/training/{t.pk}/schedule/", {f"s{t.pk}-at": wall(d, "14:00"), f"s{t.pk}-note": "B203"}
        ).status_code
        == 302
    )
    t.refresh_from_db()
    assert t.scheduled_at == local(d, "14:00")
    expires = (d + dt.timedelta(days=20)).isoformat()
    res = alice.post(
        f"/manage/training/{t.pk}/result/", {f"r{t.pk}-result": "passed", f"r{t.pk}-expires": expires}
    )
    assert res.status_code == 302
    q = Qualification.objects.get(user=people["eve"], instrument=open_bet)
    assert q.expires.isoformat() == expires
    page = alice.get("/manage/training/").content.decode()
    assert 'id="expiring"' in page and f'id="qualification-{q.pk}"' in page
    assert (
        alice.post(f"/manage/qualifications/{q.pk}/revoke/", {f"q{q.pk}-reason": "违规"}).status_code == 302
    )
    q.refresh_from_db()
    assert q.revoke_reason == "违规"
    assert "违规" in alice.get("/manage/training/").content.decode()


def test_a_failed_result_without_a_note_is_redrawn(people: Any, open_bet: Any) -> None:
    t = training.request_training(actor_for(people["eve"]), instrument_id=open_bet.pk, now=timezone.now())
    res = client_for(people, "alice").post(f"/manage/training/{t.pk}/result/", {f"r{t.pk}-result": "failed"})
    assert res.status_code == 422
    t.refresh_from_db()
    assert t.status == "requested"


def test_another_institutions_manager_gets_not_found_on_training(people: Any, open_bet: Any) -> None:
    t = training.request_training(actor_for(people["eve"]), instrument_id=open_bet.pk, now=timezone.now())
    q, _ = grant_qualification(
        actor_for(people["alice"]),
        instrument_id=open_bet.pk,
        user_id=people["amy"].pk,
        expires=None,
        now=timezone.now(),
    )
    bob = client_for(people, "bob")
    assert f"training-{t.pk}" not in bob.get("/manage/training/").content.decode()
    assert (
        bob.post(f"/manage/training/{t.pk}/schedule/", {f"s{t.pk}-at": wall(day(2), "14:00")}).status_code
        == 404
    )
    assert bob.post(f"/manage/qualifications/{q.pk}/revoke/", {f"q{q.pk}-reason": "x"}).status_code == 404
    q.refresh_from_db()
    assert q.revoked is None


# --- problem reports ----------------------------------------------------------------------------------------


def test_a_user_reports_a_fault_from_the_instrument_page(people: Any, open_bet: Any) -> None:
    eve = client_for(people, "eve")
    assert (
        f"/instruments/{open_bet.pk}/report-problem/"
        in eve.get(f"/instruments/{open_bet.pk}/").content.decode()
    )
    assert eve.post(f"/instruments/{open_bet.pk}/report-problem/", {"description": ""}).status_code == 422
    res = eve.post(f"/instruments/{open_bet.pk}/report-problem/", {"description": "真空泵异响"})
    assert res.status_code == 302 and ProblemReport.objects.get().description == "真空泵异响"


def test_the_manager_sets_a_downtime_and_resolves_from_the_page(people: Any, open_bet: Any) -> None:
    d = day(2)
    b = book_now(people, "eve", open_bet, local(d, "10:00"), local(d, "11:00"))
    p = problems.report_problem(
        actor_for(people["eve"]), instrument_id=open_bet.pk, description="漏气", now=timezone.now()
    )
    alice = client_for(people, "alice")
    assert f'id="problem-{p.pk}"' in alice.get("/manage/problems/").content.decode()
    res = alice.post(
        f"/manage/problems/{p.pk}/handle/",
        {
            f"h{p.pk}-status": "awaiting_repair",
            f"h{p.pk}-downtime_start": wall(d, "00:00"),
            f"h{p.pk}-downtime_end": wall(d + dt.timedelta(days=1), "00:00"),
            f"h{p.pk}-reason": "更换真空泵",
        },
    )
    assert res.status_code == 302
    open_bet.refresh_from_db()
    assert open_bet.status == "awaiting_repair"
    assert open_bet.booking_policy["closures"][-1]["reason"] == "更换真空泵"
    assert Booking.objects.get(pk=b.pk).status == BookingStatus.CONFIRMED  # kept, its booker told
    alice.post(
        f"/manage/problems/{p.pk}/resolve/", {f"r{p.pk}-resolution": "已修好", f"r{p.pk}-status": "normal"}
    )
    p.refresh_from_db()
    open_bet.refresh_from_db()
    assert (p.status, open_bet.status) == ("resolved", "normal")


def test_another_institutions_manager_gets_not_found_on_reports(people: Any, open_bet: Any) -> None:
    p = problems.report_problem(
        actor_for(people["eve"]), instrument_id=open_bet.pk, description="漏气", now=timezone.now()
    )
    bob = client_for(people, "bob")
    assert f"problem-{p.pk}" not in bob.get("/manage/problems/").content.decode()
    assert bob.post(f"/manage/problems/{p.pk}/resolve/", {f"r{p.pk}-resolution": "x"}).status_code == 404
    assert bob.post(f"/manage/problems/{p.pk}/handle/", {f"h{p.pk}-status": "normal"}).status_code == 404
    p.refresh_from_db()
    assert p.status == "open"


@pytest.mark.parametrize("path", ["/manage/day/", "/manage/training/", "/manage/problems/"])
def test_the_desk_pages_speak_english(people: Any, open_bet: Any, path: str) -> None:
    page = english(client_for(people, "alice")).get(path).content.decode()
    for chinese in ("今日安排", "培训与上机资格", "故障报告", "代用户预约"):
        assert chinese not in page


@pytest.mark.parametrize("path", ["/manage/day/book/", "/manage/day/walk-up/"])
def test_a_customer_is_refused_before_the_form_is_read(people: Any, open_bet: Any, path: str) -> None:
    res = client_for(people, "eve").post(
        path, {"book-instrument": open_bet.pk, "walk-instrument": open_bet.pk}
    )
    assert res.status_code == 403
    assert not Booking.objects.exists() and not UsageRecord.objects.exists()
