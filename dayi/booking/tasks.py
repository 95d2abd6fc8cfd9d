"""Jobs of the booking domain, run by procrastinate's worker (``dayi worker``) from PostgreSQL.

- ``send_booking_email``: one job per booking event (deferred by ``dayi.booking.events`` after commit),
  retried with back-off when the mail server fails.
- ``remind_upcoming`` (every 5 minutes): confirmed bookings starting within ``DAYI_REMINDER_HOURS`` with no
  reminder yet get a ``send_reminder`` job. The reminder row is written in the same transaction as the
  mail goes out, so a booking is reminded once even with several workers.
- ``mark_no_shows`` (every minute): the engine's ``mark_due_no_shows`` for confirmed bookings past their
  no-show window.
- ``expire_pending`` (every minute): pending bookings past the policy's approval window expire.
- ``close_open_sessions`` (every 5 minutes): sessions never checked out end at the booking's end plus the
  policy's grace, as unconfirmed hours marked ``auto_closed``.

Periodic jobs take their ``now`` from the tick procrastinate schedules them for (``timestamp``), so a tick
run late still answers for its own time, and tests can run a tick for any moment.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app
from procrastinate.exceptions import AlreadyEnqueued

from dayi.booking import desk_mail, notifications, services
from dayi.booking.models import Booking, BookingStatus
from dayi.booking.services import training
from dayi.notify.models import BookingReminder

logger = logging.getLogger(__name__)

MAIL_QUEUE = "mail"
PERIODIC_QUEUE = "periodic"
# A mail server that is down for a while: 5 attempts over about 40 minutes (30 s, 90 s, 270 s, ...).
MAIL_RETRY = RetryStrategy(max_attempts=5, exponential_wait=3, wait=30)
REMINDERS_PER_TICK = 1000


def tick_time(timestamp: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC)


@app.task(name="booking.send_email", queue=MAIL_QUEUE, retry=MAIL_RETRY)
def send_booking_email(booking_id: int, kind: str) -> int:
    """Send the e-mails of one booking event; returns how many went out."""
    booking = notifications.load(booking_id)
    if booking is None:
        logger.warning("booking %s is gone; no %s e-mail", booking_id, kind)
        return 0
    messages = notifications.messages_for(booking, kind)
    if messages:
        get_connection().send_messages(messages)
    return len(messages)


@app.task(name="booking.send_reminder", queue=MAIL_QUEUE, retry=MAIL_RETRY)
def send_reminder(booking_id: int) -> bool:
    """Remind the booker once. The reminder row and the mail share a transaction: if sending fails, the
    row is rolled back and the retry tries again; a second worker waits on the row's key and then skips."""
    booking = notifications.load(booking_id)
    now = dt.datetime.now(dt.UTC)
    # Cancelled meanwhile, or the worker was down until after the start: a reminder would only confuse.
    if booking is None or booking.status != BookingStatus.CONFIRMED or booking.start <= now:
        return False
    with transaction.atomic():
        _, created = BookingReminder.objects.get_or_create(booking_id=booking_id, defaults={"sent_at": now})
        if not created:
            return False
        messages = notifications.messages_for(booking, "reminder")
        if messages:
            get_connection().send_messages(messages)
    return True


def due_reminders(now: dt.datetime) -> list[int]:
    """Confirmed bookings starting in (now, now + DAYI_REMINDER_HOURS] that have not been reminded."""
    horizon = now + dt.timedelta(hours=settings.DAYI_REMINDER_HOURS)
    return list(
        Booking.objects.filter(
            status=BookingStatus.CONFIRMED, start__gt=now, start__lte=horizon, reminder__isnull=True
        )
        .order_by("start")
        .values_list("pk", flat=True)[:REMINDERS_PER_TICK]
    )


@app.periodic(cron="*/5 * * * *", periodic_id="booking_reminders")
@app.task(name="booking.remind_upcoming", queue=PERIODIC_QUEUE, queueing_lock="booking.remind_upcoming")
def remind_upcoming(timestamp: int) -> int:
    deferred = 0
    for booking_id in due_reminders(tick_time(timestamp)):
        try:
            # One waiting job per booking, however many ticks see it before a worker sends it.
            send_reminder.configure(queueing_lock=f"booking.reminder.{booking_id}").defer(
                booking_id=booking_id
            )
            deferred += 1
        except AlreadyEnqueued:
            continue
    return deferred


@app.periodic(cron="* * * * *", periodic_id="booking_no_shows")
@app.task(name="booking.mark_no_shows", queue=PERIODIC_QUEUE, queueing_lock="booking.mark_no_shows")
def mark_no_shows(timestamp: int) -> list[int]:
    """Confirmed bookings nobody checked in to within the policy's no-show minutes (the engine decides)."""
    marked = services.mark_due_no_shows(now=tick_time(timestamp))
    if marked:
        logger.info("marked %d bookings as no-shows: %s", len(marked), marked)
    return marked


@app.periodic(cron="* * * * *", periodic_id="booking_expire_pending")
@app.task(name="booking.expire_pending", queue=PERIODIC_QUEUE, queueing_lock="booking.expire_pending")
def expire_pending(timestamp: int) -> list[int]:
    """Pending bookings nobody approved within the policy's approval window (or by their start)."""
    expired = services.expire_due_pending(now=tick_time(timestamp))
    if expired:
        logger.info("expired %d pending bookings: %s", len(expired), expired)
    return expired


@app.periodic(cron="*/5 * * * *", periodic_id="booking_close_open_sessions")
@app.task(
    name="booking.close_open_sessions", queue=PERIODIC_QUEUE, queueing_lock="booking.close_open_sessions"
)
def close_open_sessions(timestamp: int) -> list[int]:
    """Sessions left open past the booking's end plus the grace: closed at that cap, marked so."""
    closed = services.close_open_sessions(now=tick_time(timestamp))
    if closed:
        logger.info("closed %d open sessions: %s", len(closed), closed)
    return closed


# --- the manager's desk: training, qualifications, problem reports (dayi.booking.desk_mail) -------------


@app.task(name="booking.send_desk_email", queue=MAIL_QUEUE, retry=MAIL_RETRY)
def send_desk_email(kind: str, object_id: int, note: str = "") -> int:
    """Send the e-mails of one desk event (a training request, a revocation, a downtime …)."""
    messages = desk_mail.messages_for(kind, object_id, note)
    if messages:
        get_connection().send_messages(messages)
    return len(messages)


@app.periodic(cron="17 1 * * *", periodic_id="booking_qualification_reminders")
@app.task(
    name="booking.remind_expiring_qualifications",
    queue=PERIODIC_QUEUE,
    queueing_lock="booking.remind_expiring_qualifications",
)
def remind_expiring_qualifications(timestamp: int) -> list[int]:
    """Once a day (09:17 in Shanghai): holders of qualifications expiring within 30 days are told, once per
    expiry date."""
    reminded = training.remind_expiring_qualifications(now=tick_time(timestamp))
    if reminded:
        logger.info("reminded %d qualification holders: %s", len(reminded), reminded)
    return reminded
