"""E-mails about bookings go out through procrastinate's real worker, after commit, once.

These tests commit for real (``transaction=True``): the worker runs jobs in its own threads and
connections, which cannot see a test transaction. The flush after each transactional test also empties
what the data migrations loaded (regions, categories, synonyms); tests/conftest.py loads them again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections, transaction

from dayi.accounts.access import actor_for
from dayi.booking import services, tasks
from dayi.booking.management.commands.worker import run_worker
from dayi.booking.models import Booking, BookingStatus
from dayi.directory.models import Instrument
from dayi.notify.models import BookingReminder
from tests.booking.conftest import NOW, SHANGHAI, at, book, make_bet

pytestmark = pytest.mark.django_db(transaction=True)

JOB_TABLES = "procrastinate_jobs, procrastinate_periodic_defers, procrastinate_events, procrastinate_workers"


def _clear_jobs() -> None:
    # procrastinate's tables are not Django-managed, so the flush between transactional tests skips them.
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {JOB_TABLES} CASCADE")


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """``work()`` runs the real worker (as ``dayi worker --once``) until the queue is empty.

    Periodic ticks are not scheduled from the wall clock here: a test defers a tick for the moment it
    wants, as the periodic deferrer would, so the clock cannot mark this test's bookings behind its back.
    """
    _clear_jobs()
    monkeypatch.setattr(tasks.app.periodic_registry, "periodic_tasks", {})
    # Jobs run in the worker's threads, each with its own Django connection; close them after each job
    # (the worker's middleware does when they are this old) so none outlives the test database.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    mail.outbox.clear()
    yield lambda: run_worker(once=True)
    _clear_jobs()


def queued(task_name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM procrastinate_jobs WHERE task_name = %s AND status = 'todo'", [task_name]
        )
        return cursor.fetchone()[0]


def tick(task: Any, moment: dt.datetime) -> None:
    task.defer(timestamp=int(moment.timestamp()))


@pytest.fixture
def mailable(people: dict[str, Any]) -> dict[str, Any]:
    for name in ("eve", "alice", "amy", "bob"):
        people[name].email = f"{name}@example.org"
        people[name].save(update_fields=["email"])
    return people


@pytest.fixture
def bet(network: dict[str, Any]) -> Instrument:
    return make_bet(network["zju"])


def subjects_to(address: str) -> list[str]:
    return [m.subject for m in mail.outbox if address in m.to]


def test_a_confirmed_booking_is_mailed_by_the_worker_not_before(
    work: Any, mailable: Any, bet: Instrument
) -> None:
    # given a booking that needs no approval, committed
    booking = book(mailable["eve"], bet, "2026-03-03 09:20", "2026-03-03 10:20")
    assert booking.status == BookingStatus.CONFIRMED
    # then the e-mail waits in the queue until a worker runs
    assert mail.outbox == []
    assert queued("booking.send_email") == 1
    # when the worker runs
    work()
    # then eve has her confirmation, in Chinese and English, with the Shanghai wall-clock time
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["eve@example.org"]
    assert "预约已确认" in message.subject and "Booking confirmed" in message.subject
    assert "2026-03-03 09:20 – 10:20（Asia/Shanghai）" in message.body
    assert "Your booking is confirmed." in message.body
    assert queued("booking.send_email") == 0


def test_a_rolled_back_booking_sends_nothing(work: Any, mailable: Any, bet: Instrument) -> None:
    # given a booking made in a transaction that then fails
    with pytest.raises(RuntimeError), transaction.atomic():
        book(mailable["eve"], bet, "2026-03-03 09:20", "2026-03-03 10:20")
        raise RuntimeError("something later in the same request failed")
    # when the worker runs
    work()
    # then nothing was queued, nothing sent, nothing stored
    assert not Booking.objects.exists()
    assert queued("booking.send_email") == 0
    assert mail.outbox == []


def test_a_refused_booking_sends_nothing(work: Any, mailable: Any, bet: Instrument) -> None:
    # given a booking the rules refuse (its warm-up would start at 08:40, before opening)
    with pytest.raises(Exception, match="预热"):
        book(mailable["eve"], bet, "2026-03-03 09:00", "2026-03-03 10:00")
    work()
    assert mail.outbox == []


def test_a_request_tells_the_booker_and_the_managers_and_approval_tells_the_booker(
    work: Any, mailable: Any, network: Any
) -> None:
    # given an instrument whose bookings all need approval
    bet = make_bet(network["zju"], approval="always")
    booking = book(mailable["eve"], bet, "2026-03-03 09:20", "2026-03-03 10:20")
    assert booking.status == BookingStatus.PENDING
    work()
    # then eve is told it waits, and zju's manager and admin are asked, each in a message of their own
    assert [s for s in subjects_to("eve@example.org") if "等待审批" in s]
    assert [s for s in subjects_to("alice@example.org") if "新的预约待审批" in s]
    assert [s for s in subjects_to("amy@example.org") if "新的预约待审批" in s]
    assert all(len(m.to) == 1 for m in mail.outbox)
    # and pku's manager hears nothing of zju's booking
    assert subjects_to("bob@example.org") == []
    # when alice approves
    mail.outbox.clear()
    services.approve_booking(actor_for(mailable["alice"]), booking.pk, now=NOW)
    work()
    # then eve hears of it
    assert [m.subject for m in mail.outbox] == [
        "[大仪 Dayi] 预约已通过审批 / Booking approved · 全自动比表面积及孔隙度分析仪"
    ]


def test_a_rejection_carries_its_reason(work: Any, mailable: Any, network: Any) -> None:
    bet = make_bet(network["zju"], approval="always")
    booking = book(mailable["eve"], bet, "2026-03-03 09:20", "2026-03-03 10:20")
    services.reject_booking(actor_for(mailable["alice"]), booking.pk, reason="仪器检修 maintenance", now=NOW)
    mail.outbox.clear()
    _clear_jobs_but_the_last(booking)
    work()
    rejected = [m for m in mail.outbox if "预约未通过审批" in m.subject]
    assert len(rejected) == 1
    assert "原因：仪器检修 maintenance" in rejected[0].body


def _clear_jobs_but_the_last(booking: Booking) -> None:
    """Drop the queued 'requested' e-mails so the test reads only the rejection."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs WHERE args->>'kind' = 'requested'")


def test_a_cancellation_is_mailed(work: Any, mailable: Any, bet: Instrument) -> None:
    booking = book(mailable["eve"], bet, "2026-03-03 09:20", "2026-03-03 10:20")
    services.cancel_booking(actor_for(mailable["eve"]), booking.pk, now=NOW)
    work()
    assert [s.split(" · ")[0] for s in subjects_to("eve@example.org")] == [
        "[大仪 Dayi] 预约已确认 / Booking confirmed",
        "[大仪 Dayi] 预约已取消 / Booking cancelled",
    ]


def test_a_booker_without_an_address_is_skipped_quietly(work: Any, people: Any, bet: Instrument) -> None:
    book(people["eve"], bet, "2026-03-03 09:20", "2026-03-03 10:20")  # eve has no e-mail address here
    work()
    assert mail.outbox == []
    assert queued("booking.send_email") == 0


def days_ahead(n: int) -> dt.date:
    """A day after today: reminders are checked against the real clock when they are sent."""
    return (dt.datetime.now(SHANGHAI) + dt.timedelta(days=n)).date()


def test_reminders_go_out_once_for_bookings_within_the_window(
    work: Any, mailable: Any, bet: Instrument, settings: Any
) -> None:
    # given two confirmed bookings, one on day d at 09:20 and one three days later
    settings.DAYI_REMINDER_HOURS = 24
    d, later_day = days_ahead(3), days_ahead(6)
    now = dt.datetime.now(dt.UTC)
    soon = book(mailable["eve"], bet, f"{d} 09:20", f"{d} 10:20", now=now)
    later = book(mailable["eve"], bet, f"{later_day} 09:20", f"{later_day} 10:20", now=now)
    work()
    mail.outbox.clear()
    # when the reminder tick runs the day before at 10:00 (23 h 20 min before the first)
    eve_before = d - dt.timedelta(days=1)
    tick(tasks.remind_upcoming, at(f"{eve_before} 10:00"))
    work()
    # then only the booking within 24 hours is reminded, once
    assert [m.subject.split(" · ")[0] for m in mail.outbox] == [
        "[大仪 Dayi] 机时预约提醒 / Reminder: your instrument booking"
    ]
    assert f"{d} 09:20 – 10:20" in mail.outbox[0].body
    assert BookingReminder.objects.filter(booking=soon).exists()
    assert not BookingReminder.objects.filter(booking=later).exists()
    # when the next tick runs, and a stray duplicate job too
    tick(tasks.remind_upcoming, at(f"{eve_before} 10:05"))
    work()
    tasks.send_reminder.defer(booking_id=soon.pk)
    work()
    # then no second reminder is sent
    assert len(mail.outbox) == 1


def test_a_cancelled_booking_is_not_reminded(work: Any, mailable: Any, bet: Instrument) -> None:
    d, now = days_ahead(3), dt.datetime.now(dt.UTC)
    booking = book(mailable["eve"], bet, f"{d} 09:20", f"{d} 10:20", now=now)
    services.cancel_booking(actor_for(mailable["eve"]), booking.pk, now=now)
    work()
    mail.outbox.clear()
    tick(tasks.remind_upcoming, at(f"{d - dt.timedelta(days=1)} 10:00"))
    work()
    assert mail.outbox == []


def test_a_reminder_that_comes_too_late_is_not_sent(work: Any, mailable: Any, bet: Instrument) -> None:
    # given a booking that has already started by the time a (late) reminder job runs
    booking = book(mailable["eve"], bet, "2026-03-03 09:20", "2026-03-03 10:20")
    work()
    mail.outbox.clear()
    tasks.send_reminder.defer(booking_id=booking.pk)
    work()
    assert mail.outbox == []
    assert not BookingReminder.objects.exists()


def test_the_periodic_job_marks_no_shows_and_releases_the_rest(
    work: Any, mailable: Any, bet: Instrument
) -> None:
    # given a confirmed booking 09:20–10:20 nobody checks in to (no-show after 15 minutes by default)
    booking = book(mailable["eve"], bet, "2026-03-03 09:20", "2026-03-03 10:20")
    work()
    mail.outbox.clear()
    # when the tick at 09:30 runs: too early
    tick(tasks.mark_no_shows, at("2026-03-03 09:30"))
    work()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    # when the tick at 09:40 runs
    tick(tasks.mark_no_shows, at("2026-03-03 09:40"))
    work()
    # then the booking is a no-show, its time from 09:40 is free again, and eve is told
    booking.refresh_from_db()
    assert booking.status == BookingStatus.NO_SHOW
    assert booking.occupied.upper == at("2026-03-03 09:40")
    assert [m.subject.split(" · ")[0] for m in mail.outbox] == [
        "[大仪 Dayi] 预约记为爽约 / Booking marked as a no-show"
    ]


def test_the_worker_command_works_off_the_queue(work: Any, mailable: Any, bet: Instrument) -> None:
    book(mailable["eve"], bet, "2026-03-03 09:20", "2026-03-03 10:20")
    call_command("worker", "--once", "--queue", "mail")
    assert [m.to for m in mail.outbox] == [["eve@example.org"]]


def test_the_periodic_jobs_are_registered_with_their_crons() -> None:
    crons = {key[1]: p.cron for key, p in tasks.app.periodic_registry.periodic_tasks.items()}
    # Other domains register their own jobs; these are the booking engine's and the demand board's.
    assert {
        "booking_reminders": "*/5 * * * *",
        "booking_no_shows": "* * * * *",
        "demands_expire": "7 * * * *",
    }.items() <= crons.items()
