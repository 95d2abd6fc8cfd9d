"""A company's posted need (需求发布), the instruments Dayi suggested for it, and providers' quotes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DemandStatus(models.TextChoices):
    OPEN = "open", _("征集中")
    AWARDED = "awarded", _("已选定")
    CLOSED = "closed", _("已关闭")
    EXPIRED = "expired", _("已过期")


class QuoteStatus(models.TextChoices):
    OFFERED = "offered", _("已报价")
    ACCEPTED = "accepted", _("已接受")
    DECLINED = "declined", _("未选中")
    WITHDRAWN = "withdrawn", _("已撤回")


class Demand(models.Model):
    company = models.ForeignKey("network.Institution", on_delete=models.PROTECT, related_name="demands")
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="demands")
    title = models.CharField(max_length=200)
    description = models.TextField()  # what to measure
    category = models.ForeignKey(
        "directory.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="demands"
    )
    region = models.ForeignKey(
        "network.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="demands"
    )
    samples = models.CharField(max_length=200, blank=True)  # count and kind, as the company says it
    budget = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)  # yuan
    deadline = models.DateField()
    is_public = models.BooleanField(default=True)
    status = models.CharField(max_length=8, choices=DemandStatus.choices, default=DemandStatus.OPEN)
    created = models.DateTimeField()
    # Who was told about it; their holders may read a private demand and answer it.
    suggested = models.ManyToManyField("directory.Instrument", blank=True, related_name="demands_suggested")
    order = models.OneToOneField(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="demand"
    )

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=DemandStatus.values), name="demand_status_known"),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0), name="demand_budget_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["status", "is_public", "created"], name="demand_board_idx")]

    def __str__(self) -> str:
        return self.title


class DemandQuote(models.Model):
    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="quotes")
    provider = models.ForeignKey(
        "network.Institution", on_delete=models.PROTECT, related_name="demand_quotes"
    )
    instrument = models.ForeignKey(
        "directory.Instrument", null=True, blank=True, on_delete=models.PROTECT, related_name="demand_quotes"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)  # yuan
    note = models.TextField(blank=True)
    valid_until = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=QuoteStatus.choices, default=QuoteStatus.OFFERED)
    created = models.DateTimeField()
    quoted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["amount", "created", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["demand", "provider"],
                condition=Q(status="offered"),
                name="demand_quote_one_offer_per_provider",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="demand_quote_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(status__in=QuoteStatus.values), name="demand_quote_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"quote {self.amount} by {self.provider_id} for demand {self.demand_id}"
