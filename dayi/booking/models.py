"""Bookings of instrument time, qualifications for self-operation, and usage records.

The invariant that matters most — an instrument's occupied times never overlap — is the database's job:
``booking_no_overlap`` is an exclusion constraint over (instrument, occupied) for the statuses that hold
time. Services check the rules it cannot state (warm-up, quota, qualification) under a lock on the
instrument row, and let the constraint be the last word.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.db import models
from django.db.models import BigIntegerField, F, Q, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("已拒绝")
    CANCELLED = "cancelled", _("已取消")
    IN_PROGRESS = "in_progress", _("使用中")
    COMPLETED = "completed", _("已完成")
    NO_SHOW = "no_show", _("爽约")
    EXPIRED = "expired", _("已过期")  # pending past the policy's approval window: nobody decided in time


# Statuses whose ``occupied`` range blocks the instrument. A pending booking holds its time until it is
# rejected (API.md). A no-show keeps only the part before it was marked: the rest of the slot is released.
HOLDING = [
    BookingStatus.PENDING,
    BookingStatus.CONFIRMED,
    BookingStatus.IN_PROGRESS,
    BookingStatus.COMPLETED,
    BookingStatus.NO_SHOW,
]


def on_instrument(instrument_id: int) -> Q:
    """``instrument_id = <id>::bigint``, the form the GiST index of ``booking_no_overlap`` can search.

    btree_gist's int8 class serves only int8 = int8; Django writes the id as a plain integer literal
    (int8 = int4), so without the cast PostgreSQL scans the ranges of every instrument and filters
    (measured on 200,000 bookings: 3.2 ms against 0.36 ms per lookup).
    """
    return Q(instrument_id=Cast(Value(instrument_id), BigIntegerField()))


class Booking(models.Model):
    """A user's booked time on an instrument. ``occupied`` is [start − warm-up, end + turnaround)."""

    instrument = models.ForeignKey("directory.Instrument", on_delete=models.PROTECT, related_name="bookings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings")
    # The booker's institution when booking (the customer, for charges and "external" statistics).
    customer = models.ForeignKey(
        "network.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )
    mode = models.CharField(max_length=16)  # a ServiceMode of the directory
    purpose = models.TextField(blank=True)
    start = models.DateTimeField()
    end = models.DateTimeField()
    occupied = DateTimeRangeField()
    warmup_minutes_applied = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=16, choices=BookingStatus.choices)
    late_cancellation = models.BooleanField(default=False)
    reason = models.TextField(blank=True)  # why rejected or cancelled
    # The client's Idempotency-Key: a retried POST finds the booking it already made.
    request_key = models.CharField(max_length=64, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField()
    updated = models.DateTimeField()

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            ExclusionConstraint(
                name="booking_no_overlap",
                expressions=[("instrument", RangeOperators.EQUAL), ("occupied", RangeOperators.OVERLAPS)],
                condition=Q(status__in=HOLDING),
            ),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="booking_end_after_start"),
            models.CheckConstraint(condition=Q(status__in=BookingStatus.values), name="booking_status_known"),
            models.CheckConstraint(condition=~Q(occupied__isempty=True), name="booking_occupied_not_empty"),
            models.UniqueConstraint(
                fields=["user", "request_key"],
                condition=~Q(request_key=""),
                name="booking_request_key_unique",
            ),
        ]
        indexes = [
            # "My bookings" and the weekly quota: a user's bookings by time.
            models.Index(fields=["user", "start"], name="booking_user_start_idx"),
            # The no-show sweep: confirmed bookings whose start has passed.
            models.Index(
                fields=["start"], condition=Q(status="confirmed"), name="booking_confirmed_start_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} {self.start:%Y-%m-%d %H:%M} ({self.status})"


class Qualification(models.Model):
    """A user may operate an instrument themselves (after training and an exam) until ``expires``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qualifications"
    )
    instrument = models.ForeignKey(
        "directory.Instrument", on_delete=models.CASCADE, related_name="qualifications"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires = models.DateField(null=True, blank=True)  # last valid day, in the instrument's zone; None: never
    # Revoked by a manager (misuse, a failed re-check): no longer lets the user operate the instrument
    # alone. Granting again clears it.
    revoked = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.TextField(blank=True)
    # The expiry date the reminder e-mail was sent for: a renewal moves ``expires`` and so re-arms it.
    reminded_for = models.DateField(null=True, blank=True)
    created = models.DateTimeField()
    updated = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "instrument"], name="qualification_unique"),
            models.CheckConstraint(
                condition=Q(revoked__isnull=True) | ~Q(revoke_reason=""),
                name="qualification_revoked_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.instrument_id} until {self.expires or '∞'}"


class UsageSource(models.TextChoices):
    """Who typed the figure in: what it may count for depends on it (issue 11, hole 4)."""

    MANAGER = "manager", _("管理员录入")  # an instrument manager checked out, entered or corrected it
    SELF = "self", _("用户自报")  # the booker checked in and out themselves: counts once a manager confirms
    DEVICE = "device", _("设备采集")  # an instrument's own log (an interlock, a device agent)
    IMPORT = "import", _("导入")  # brought in from another system


class UsageRecord(models.Model):
    """Hours an instrument actually ran for a user: what statistics and charges are built on.

    Append-only (a trigger, migration 0003): a correction is a NEW record that ``supersedes`` the old one,
    which is then flagged ``superseded`` and no longer counted. The trigger lets exactly two changes
    through: ``superseded`` false → true (set by the correction's own transaction) and the confirmation
    (``confirmed`` false → true with ``confirmed_by`` and ``confirmed_at`` set from NULL), each once.

    Self-reported hours count in statistics and the evaluation only once confirmed; a manager's own entry
    is confirmed when written.
    """

    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="usage_records"
    )
    instrument = models.ForeignKey(
        "directory.Instrument", on_delete=models.PROTECT, related_name="usage_records"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="usage_records")
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    hours = models.DecimalField(max_digits=8, decimal_places=2)  # (end − start) in hours, to 0.01
    source = models.CharField(max_length=16, choices=UsageSource.choices)
    confirmed = models.BooleanField(default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    superseded = models.BooleanField(default=False)  # a newer record supersedes it; statistics skip it
    # The booker checked out after the booking's end plus the policy's grace: ``end`` is that cap and
    # this is when they said they stopped (a manager may confirm more by correcting it).
    claimed_end = models.DateTimeField(null=True, blank=True)
    auto_closed = models.BooleanField(default=False)  # nobody checked out: the job closed it at the cap
    reason = models.TextField(blank=True)
    created = models.DateTimeField()

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="usage_end_after_start"),
            models.CheckConstraint(condition=Q(hours__gte=0), name="usage_hours_not_negative"),
            models.CheckConstraint(condition=Q(source__in=UsageSource.values), name="usage_source_known"),
            models.CheckConstraint(
                condition=Q(confirmed=False, confirmed_at__isnull=True)
                | Q(confirmed=True, confirmed_at__isnull=False),
                name="usage_confirmed_has_time",
            ),
        ]
        indexes = [
            # Statistics: an instrument's current hours over a period.
            models.Index(
                fields=["instrument", "start"],
                condition=Q(superseded=False),
                name="usage_instrument_start_idx",
            ),
            # The managers' queue: current records still waiting for a confirmation.
            models.Index(
                fields=["instrument", "start"],
                condition=Q(superseded=False, confirmed=False),
                name="usage_unconfirmed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} {self.start:%Y-%m-%d %H:%M} {self.hours} h"


class TrainingStatus(models.TextChoices):
    REQUESTED = "requested", _("待安排")
    SCHEDULED = "scheduled", _("已安排")
    PASSED = "passed", _("已通过")
    FAILED = "failed", _("未通过")
    CANCELLED = "cancelled", _("已取消")


OPEN_TRAINING = [TrainingStatus.REQUESTED, TrainingStatus.SCHEDULED]


class TrainingRequest(models.Model):
    """A user asks to be trained on an instrument; its managers schedule the session and record the result
    (a pass grants the ``Qualification``). One open request per user and instrument."""

    instrument = models.ForeignKey(
        "directory.Instrument", on_delete=models.CASCADE, related_name="training_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_requests"
    )
    note = models.TextField(blank=True)  # the user's: what they need the instrument for
    status = models.CharField(max_length=16, choices=TrainingStatus.choices, default=TrainingStatus.REQUESTED)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    schedule_note = models.TextField(blank=True)  # the manager's: where to meet, what to bring
    result_note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField()
    updated = models.DateTimeField()

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=TrainingStatus.values), name="training_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(scheduled_at__isnull=False),
                name="training_scheduled_has_time",
            ),
            models.UniqueConstraint(
                fields=["user", "instrument"],
                condition=Q(status__in=OPEN_TRAINING),
                name="training_one_open_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.instrument_id} ({self.status})"


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    RESOLVED = "resolved", _("已解决")


class ProblemReport(models.Model):
    """A fault on an instrument, reported by any signed-in user, handled by its managers.

    Here in booking rather than in the directory: handling a report closes the instrument's calendar (a
    closure in its booking policy) and tells the people whose bookings fall in the downtime — booking's
    concerns; the directory only lends its status field, and booking already depends on the directory.
    """

    instrument = models.ForeignKey(
        "directory.Instrument", on_delete=models.CASCADE, related_name="problem_reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="problem_reports"
    )
    description = models.TextField()
    status = models.CharField(max_length=16, choices=ProblemStatus.choices, default=ProblemStatus.OPEN)
    resolution = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField()
    updated = models.DateTimeField()

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ProblemStatus.values), name="problem_status_known"),
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True)
                | Q(status="resolved", resolved_at__isnull=False),
                name="problem_resolved_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["instrument", "status"], name="problem_instrument_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id}: {self.description[:30]} ({self.status})"
