"""What the notifications and the calendar feeds keep: private feed tokens and sent reminders.

A separate small app, so its migrations never interleave with the booking engine's.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CalendarFeed(models.Model):
    """A user's private iCalendar feed. Only the SHA-256 of its token is stored; the URL is shown once.

    One feed per user: regenerating replaces the digest (the old URL stops working), revoking deletes it.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)  # first characters of the token, to recognise it on the page
    created = models.DateTimeField()
    last_used = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"


class BookingReminder(models.Model):
    """A reminder e-mail sent for a booking. The primary key is the booking: at most one reminder each.

    The sending job inserts this row in the same transaction as it sends, so two workers racing for one
    booking serialise on the primary key and only one of them sends.
    """

    booking = models.OneToOneField(
        "booking.Booking", primary_key=True, on_delete=models.CASCADE, related_name="reminder"
    )
    sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"reminder for booking {self.booking_id} at {self.sent_at:%Y-%m-%d %H:%M}"
