"""Prices, orders, the ledger and research-group accounts.

Money is ``Decimal`` yuan to the fen. The ledger is append-only: a trigger (migration 0002) refuses UPDATE
and DELETE on ``orders_ledgerentry``, so a correction can only be a new entry. Sign convention: an entry's
``amount`` is what it adds to the order's payable (charge +, payment −) and, when it names an account, to
that account's balance (top-up +, payment from the account −). So an order's payable is the sum of its
entries, and an account's balance is the sum of the entries that name it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


def money(**options: Any) -> models.DecimalField:
    """Yuan to the fen, up to a trillion."""
    return models.DecimalField(max_digits=14, decimal_places=2, **options)


class PriceUnit(models.TextChoices):
    HOUR = "hour", _("每小时")
    SAMPLE = "sample", _("每样品")
    ITEM = "item", _("每项")


class UserClass(models.TextChoices):
    INTERNAL = "internal", _("校内")
    ACADEMIC = "academic", _("校外科研")
    ENTERPRISE = "enterprise", _("企业")
    MEMBER = "member", _("平台成员")


class PriceRule(models.Model):
    """One rate of an instrument's price list, valid on the days [valid_from, valid_until)."""

    instrument = models.ForeignKey("directory.Instrument", on_delete=models.CASCADE, related_name="prices")
    unit = models.CharField(max_length=8, choices=PriceUnit.choices)
    mode = models.CharField(max_length=16, blank=True)  # a ServiceMode; blank for items
    user_class = models.CharField(max_length=16, choices=UserClass.choices)
    amount = money()
    minimum = money(default=0)  # the least an order priced by this rule costs
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)  # first day it no longer applies; None: open
    item_name = models.CharField(max_length=128, blank=True)  # a test item or consumable

    class Meta:
        ordering = ["instrument", "unit", "mode", "item_name", "user_class", "valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="pricerule_amount_not_negative"),
            models.CheckConstraint(condition=Q(minimum__gte=0), name="pricerule_minimum_not_negative"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="pricerule_valid_until_after_from",
            ),
            models.CheckConstraint(condition=Q(unit__in=PriceUnit.values), name="pricerule_unit_known"),
            models.CheckConstraint(
                condition=Q(user_class__in=UserClass.values), name="pricerule_user_class_known"
            ),
        ]
        indexes = [models.Index(fields=["instrument", "valid_from"], name="pricerule_instrument_idx")]

    def __str__(self) -> str:
        return f"{self.instrument_id} {self.unit}/{self.user_class} {self.amount}"


class InstrumentCharges(models.Model):
    """Per instrument: the shares of the booked amount charged for a late cancellation and a no-show."""

    instrument = models.OneToOneField(
        "directory.Instrument", primary_key=True, on_delete=models.CASCADE, related_name="charges"
    )
    late_cancellation_share = models.DecimalField(max_digits=4, decimal_places=3, default=0)
    no_show_share = models.DecimalField(max_digits=4, decimal_places=3, default=0)
    # The holder prices work its list does not cover case by case: such a booking or order is taken
    # "price on request" (not refused) and cannot be charged until a manager sets its amount.
    price_on_request = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(late_cancellation_share__gte=0, late_cancellation_share__lte=1),
                name="charges_late_share_0_to_1",
            ),
            models.CheckConstraint(
                condition=Q(no_show_share__gte=0, no_show_share__lte=1), name="charges_no_show_share_0_to_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} late {self.late_cancellation_share} no-show {self.no_show_share}"


class Account(models.Model):
    """A research group's prepaid account (课题组账户), opened by its principal investigator."""

    name = models.CharField(max_length=128)
    institution = models.ForeignKey("network.Institution", on_delete=models.PROTECT, related_name="accounts")
    pi = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="accounts_led")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="accounts")
    balance = money(default=0)
    created = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="account_balance_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class OrderKind(models.TextChoices):
    BOOKING = "booking", _("机时预约")
    SAMPLE = "sample", _("送样检测")


class OrderStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已受理")
    SAMPLES_RECEIVED = "samples_received", _("已收样")
    IN_SERVICE = "in_service", _("服务中")
    COMPLETED = "completed", _("已完成")
    CHARGED = "charged", _("已计费")
    SETTLED = "settled", _("已结算")
    REJECTED = "rejected", _("已拒绝")
    CANCELLED = "cancelled", _("已取消")


class Order(models.Model):
    """A service bought from a holder: instrument time (with its booking) or a sample submission."""

    kind = models.CharField(max_length=8, choices=OrderKind.choices)
    status = models.CharField(max_length=16, choices=OrderStatus.choices)
    instrument = models.ForeignKey("directory.Instrument", on_delete=models.PROTECT, related_name="orders")
    mode = models.CharField(max_length=16)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    customer_institution = models.ForeignKey(
        "network.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="orders_placed"
    )
    provider = models.ForeignKey(
        "network.Institution", on_delete=models.PROTECT, related_name="orders_served"
    )
    booking = models.OneToOneField(
        "booking.Booking", null=True, blank=True, on_delete=models.PROTECT, related_name="order"
    )
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    samples = models.JSONField(default=dict, blank=True)  # count, kind, hazards, return_or_dispose
    items = models.JSONField(default=list, blank=True)  # [{"name", "quantity"}]
    description = models.TextField(blank=True)
    shipping = models.TextField(blank=True)
    requested_turnaround_days = models.PositiveSmallIntegerField(null=True, blank=True)
    # The customer's research project and its funding source (e.g. 国家自然科学基金): fields of the
    # national service record that only the customer knows.
    project = models.CharField(max_length=200, blank=True)
    funding_source = models.CharField(max_length=100, blank=True)
    quote = models.JSONField(default=dict)  # the quote as given: a later price change never alters it
    lines = models.JSONField(default=list, blank=True)  # the charge as computed at completion
    amount = money(default=0)  # the sum of its charge and correction entries
    reason = models.TextField(blank=True)  # why rejected or cancelled
    # The client's Idempotency-Key on POST /orders: a retried request finds the order it already made.
    request_key = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField()
    updated = models.DateTimeField()

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="order_status_known"),
            models.CheckConstraint(condition=Q(kind__in=OrderKind.values), name="order_kind_known"),
            models.CheckConstraint(
                condition=Q(kind="booking", booking__isnull=False) | Q(kind="sample", booking__isnull=True),
                name="order_booking_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["customer", "request_key"],
                condition=~Q(request_key=""),
                name="order_request_key_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["provider", "status"], name="order_provider_status_idx"),
            models.Index(fields=["customer", "created"], name="order_customer_created_idx"),
        ]

    def __str__(self) -> str:
        return f"order {self.pk} ({self.kind}, {self.status})"


class EntryKind(models.TextChoices):
    CHARGE = "charge", _("收费")
    CORRECTION = "correction", _("更正")
    PAYMENT = "payment", _("付款")
    TOP_UP = "top_up", _("充值")
    REFUND = "refund", _("退款")
    # An innovation voucher paid part of the order (−, 通兑), or a rejected redemption claim handed that
    # part back to the customer (+).
    VOUCHER = "voucher", _("创新券")
    # A confirmed top-up taken back (−): a new entry, never an edit of the top-up's own.
    TOP_UP_REVERSAL = "top_up_reversal", _("充值冲正")


class LedgerEntry(models.Model):
    """One immutable movement of money. See the module docstring for the signs."""

    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger")
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger"
    )
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    amount = money()
    created = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["created", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EntryKind.values), name="ledger_kind_known"),
            models.CheckConstraint(
                condition=Q(kind="top_up", account__isnull=False, order__isnull=True, amount__gt=0)
                | Q(kind="top_up_reversal", account__isnull=False, order__isnull=True, amount__lt=0)
                | Q(kind="refund", account__isnull=False)
                | Q(kind__in=["charge", "correction", "payment", "voucher"], order__isnull=False),
                name="ledger_entry_names_its_parties",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


# The most one top-up may bring (yuan): far above any group's real need, well inside the column.
TOP_UP_LIMIT = 10_000_000


class TopUpMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("银行转账")
    FUND_CARD = "fund_card", _("经费卡")
    INTERNAL_TRANSFER = "internal_transfer", _("校内转账")


class TopUpStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("已驳回")
    REVERSED = "reversed", _("已冲正")


class TopUp(models.Model):
    """Money an account's keeper says has come (how, with a reference), counted only once a finance
    officer of the account's institution, not the requester, confirms it (four eyes)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="top_ups")
    amount = money()
    method = models.CharField(max_length=24, choices=TopUpMethod.choices)
    reference = models.CharField(max_length=128)  # the transfer's or the fund card's number
    status = models.CharField(max_length=16, choices=TopUpStatus.choices, default=TopUpStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="top_ups_requested"
    )
    requested = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)  # why rejected or reversed
    entry = models.OneToOneField(
        LedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="top_up_confirmed"
    )
    reversal = models.OneToOneField(
        LedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="top_up_reversed"
    )

    class Meta:
        ordering = ["-requested", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0, amount__lte=TOP_UP_LIMIT), name="topup_amount_in_range"
            ),
            models.CheckConstraint(condition=Q(method__in=TopUpMethod.values), name="topup_method_known"),
            models.CheckConstraint(condition=Q(status__in=TopUpStatus.values), name="topup_status_known"),
            # A decision names who made it; money moved names its ledger entry.
            models.CheckConstraint(
                condition=Q(status="pending", decided_by__isnull=True, entry__isnull=True)
                | Q(status="rejected", decided_by__isnull=False, entry__isnull=True)
                | Q(status__in=["confirmed", "reversed"], decided_by__isnull=False, entry__isnull=False),
                name="topup_decision_recorded",
            ),
            models.CheckConstraint(
                condition=Q(status="reversed", reversal__isnull=False)
                | (~Q(status="reversed") & Q(reversal__isnull=True)),
                name="topup_reversal_recorded",
            ),
            # Four eyes, in the database too: the requester never decides their own top-up.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="topup_four_eyes",
            ),
        ]
        indexes = [models.Index(fields=["status", "account"], name="topup_status_account_idx")]

    def __str__(self) -> str:
        return f"top-up {self.pk} {self.amount} ({self.status})"
