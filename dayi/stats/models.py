"""Pre-aggregated utilisation figures, kept by ``dayi.stats.refresh`` (SQL only), and the idle-list writes.

Three tables are rebuilt from the booking, order and rating records, never edited by hand:

- ``InstrumentPeriod``: one row per instrument and calendar month (``kind="month"``) or year
  (``kind="year"``), months and years counted in the instrument's own time zone. The additive figures
  (hours, counts, money) of a year row are the sums of its month rows; its distinct counts (users, user
  institutions, companies) are counted over the year, not summed.
- ``Served``: who was served: the distinct (instrument, month, user, user institution) of the usage
  records and sample orders. Distinct counts at any level are counted from it.
- ``ScopeFigures``: the same figures for the levels the dashboards show — the nation, each platform with
  its sub-platforms, each province and city, each institution — per month and per year, and per top class
  of the classification per year. A dashboard reads a handful of rows from here.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def hours(**options: Any) -> models.DecimalField:
    """Hours to the hundredth (usage records are kept to 0.01 h)."""
    return models.DecimalField(max_digits=14, decimal_places=2, default=0, **options)


def money(**options: Any) -> models.DecimalField:
    return models.DecimalField(max_digits=16, decimal_places=2, default=0, **options)


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月")
    YEAR = "year", _("年")


class FigureColumns(models.Model):
    """The figures both aggregate tables hold (see ``dayi.stats.queries.Figures``)."""

    kind = models.CharField(max_length=5, choices=PeriodKind.choices)
    start = models.DateField()  # the first day of the month or year
    instruments = models.IntegerField(default=0)
    original_value = money()
    available_hours = hours()
    booked_hours = hours()
    effective_hours = hours()  # confirmed usage only: what the evaluation counts (issue 11, hole 4)
    external_hours = hours()  # confirmed, by users from outside the holder
    unconfirmed_hours = hours()  # self-reported usage awaiting a manager's confirmation: shown, not counted
    samples = models.IntegerField(default=0)
    users = models.IntegerField(default=0)
    user_institutions = models.IntegerField(default=0)
    companies = models.IntegerField(default=0)
    income_internal = money()
    income_external = money()
    ratings = models.IntegerField(default=0)
    rating_sum = models.IntegerField(default=0)  # the sum of the levels (1–5): the average is exact
    bookings = models.IntegerField(default=0)  # bookings that fell due (confirmed or later)
    no_shows = models.IntegerField(default=0)

    class Meta:
        abstract = True


class InstrumentPeriod(FigureColumns):
    # No foreign keys: the table is rebuilt wholesale by SQL and must never block deleting a record.
    instrument_id = models.BigIntegerField()
    institution_id = models.BigIntegerField()
    region_id = models.CharField(max_length=6)
    category_id = models.CharField(max_length=6)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["instrument_id", "kind", "start"], name="stats_instrument_period_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=PeriodKind.values), name="stats_instrument_kind_known"
            ),
        ]
        indexes = [
            # Top and bottom instruments of a year, and the live fallback's filters.
            models.Index(
                fields=["kind", "start", "effective_hours", "instrument_id"], name="stats_ip_top_idx"
            ),
            models.Index(fields=["institution_id", "kind", "start"], name="stats_ip_institution_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} {self.kind} {self.start}"


class Served(models.Model):
    instrument_id = models.BigIntegerField()
    month = models.DateField()
    user_id = models.BigIntegerField()
    institution_id = models.BigIntegerField(null=True)  # the user's institution at the time (may be none)
    is_company = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["instrument_id", "month"], name="stats_served_instrument_idx")]

    def __str__(self) -> str:
        return f"{self.instrument_id} {self.month} user {self.user_id}"


class ScopeFigures(FigureColumns):
    # "cn" the nation; "p:<platform id>" a platform and its sub-platforms; "r:<prefix>" a province
    # (2 digits) or city (4 digits); "i:<institution id>" an institution.
    scope = models.CharField(max_length=32)
    category = models.CharField(max_length=2, blank=True)  # "" all classes; a top class (year rows only)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "category", "kind", "start"], name="stats_scope_unique"),
        ]
        indexes = [
            # The provinces of a year (scope LIKE 'r:__'): the ~1,500 rows of one period, then the pattern.
            models.Index(fields=["kind", "start", "category"], name="stats_scope_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}/{self.category or '*'} {self.kind} {self.start}"


class RecentHours(models.Model):
    """Each instrument's effective hours in the 12 complete months before ``window_end`` and the 12 before
    those, as of the last refresh: what the idle list filters on."""

    instrument_id = models.BigIntegerField(primary_key=True)
    window_end = models.DateField()  # the first month not counted
    recent = hours()
    previous = hours(null=True)  # None: the instrument has no rows for those months (new)
    institution_id = models.BigIntegerField()
    region_id = models.CharField(max_length=6)
    category_id = models.CharField(max_length=6)
    original_value = money()

    class Meta:
        indexes = [models.Index(fields=["recent"], name="stats_recent_hours_idx")]

    def __str__(self) -> str:
        return f"{self.instrument_id}: {self.recent} h before {self.window_end}"


class RefreshRun(models.Model):
    """One refresh of the aggregates: when, over which months, and how long it took."""

    started = models.DateTimeField()
    finished = models.DateTimeField()
    first_month = models.DateField()
    last_month = models.DateField()
    seconds = models.FloatField()

    class Meta:
        ordering = ["-started"]

    def __str__(self) -> str:
        return f"refresh {self.first_month}–{self.last_month} at {self.started:%Y-%m-%d %H:%M}"


class IdleNotice(models.Model):
    """A platform or institution admin told an idle instrument's holder that it is idle."""

    instrument = models.ForeignKey(
        "directory.Instrument", on_delete=models.CASCADE, related_name="idle_notices"
    )
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    effective_hours = hours()  # in the 12 months before ``created``
    threshold_hours = hours()
    message = models.TextField(blank=True)
    created = models.DateTimeField()

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"idle notice {self.instrument_id} at {self.created:%Y-%m-%d}"


class TransferStatus(models.TextChoices):
    PROPOSED = "proposed", _("已提议")
    WITHDRAWN = "withdrawn", _("已撤回")


class TransferProposal(models.Model):
    """A platform admin proposes that an idle instrument go to another holder (free of charge)."""

    instrument = models.ForeignKey(
        "directory.Instrument", on_delete=models.CASCADE, related_name="transfer_proposals"
    )
    to_institution = models.ForeignKey("network.Institution", on_delete=models.PROTECT, related_name="+")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=TransferStatus.choices, default=TransferStatus.PROPOSED)
    created = models.DateTimeField()

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument"], condition=Q(status="proposed"), name="stats_one_open_transfer"
            ),
            models.CheckConstraint(
                condition=Q(status__in=TransferStatus.values), name="stats_transfer_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"transfer {self.instrument_id} → {self.to_institution_id} ({self.status})"
