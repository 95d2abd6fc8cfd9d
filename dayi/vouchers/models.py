"""Innovation vouchers (科技创新券): schemes, applications, vouchers and the scheme ledger.

The database states the money invariants itself: a scheme's ``reserved + spent`` never exceeds its budget,
and a voucher's balance never goes below zero. The services make the same checks with conditional
updates, so a race loses with a domain error rather than an IntegrityError.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q

from dayi.orders.models import money


class VoucherScheme(models.Model):
    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=128)
    funder = models.ForeignKey(
        "network.Institution", on_delete=models.PROTECT, related_name="voucher_schemes"
    )
    region = models.ForeignKey("network.Region", on_delete=models.PROTECT, related_name="voucher_schemes")
    budget = money()
    subsidy_ratio = models.DecimalField(max_digits=4, decimal_places=3)
    cap_per_company = money()
    period_start = models.DateField()
    period_end = models.DateField()
    use_days = models.PositiveIntegerField(default=365)
    redemption_days = models.PositiveIntegerField(default=90)
    eligible_regions = ArrayField(models.CharField(max_length=6), default=list, blank=True)
    sme_only = models.BooleanField(default=False)
    reserved = money(default=0)  # approved and not yet spent
    spent = money(default=0)  # applied to orders
    settled = money(default=0)  # paid out to providers or companies
    created = models.DateTimeField()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="scheme_budget_not_negative"),
            models.CheckConstraint(
                condition=Q(subsidy_ratio__gt=0, subsidy_ratio__lte=1), name="scheme_ratio_0_to_1"
            ),
            models.CheckConstraint(condition=Q(cap_per_company__gt=0), name="scheme_cap_positive"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="scheme_reserved_not_negative"),
            models.CheckConstraint(condition=Q(spent__gte=0), name="scheme_spent_not_negative"),
            models.CheckConstraint(condition=Q(settled__gte=0), name="scheme_settled_not_negative"),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("budget") - F("spent")), name="scheme_within_budget"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="scheme_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "已提交"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"


class VoucherApplication(models.Model):
    scheme = models.ForeignKey(VoucherScheme, on_delete=models.PROTECT, related_name="applications")
    company = models.ForeignKey(
        "network.Institution", on_delete=models.PROTECT, related_name="voucher_applications"
    )
    amount = money()
    purpose = models.TextField()
    provider = models.ForeignKey(
        "network.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=16, choices=ApplicationStatus.choices)
    reason = models.TextField(blank=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField()

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="vapplication_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values), name="vapplication_status_known"
            ),
        ]
        indexes = [models.Index(fields=["scheme", "status"], name="vapplication_scheme_status_idx")]

    def __str__(self) -> str:
        return f"application {self.pk} ({self.status})"


class VoucherStatus(models.TextChoices):
    ACTIVE = "active", "可用"
    SPENT = "spent", "已用完"


class Voucher(models.Model):
    number = models.CharField(max_length=48, unique=True)
    scheme = models.ForeignKey(VoucherScheme, on_delete=models.PROTECT, related_name="vouchers")
    company = models.ForeignKey("network.Institution", on_delete=models.PROTECT, related_name="vouchers")
    application = models.OneToOneField(VoucherApplication, on_delete=models.PROTECT, related_name="voucher")
    amount = money()
    balance = money()
    use_by = models.DateField()
    redeem_by = models.DateField()
    status = models.CharField(max_length=8, choices=VoucherStatus.choices, default=VoucherStatus.ACTIVE)
    created = models.DateTimeField()

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="voucher_amount_positive"),
            models.CheckConstraint(condition=Q(balance__gte=0), name="voucher_balance_not_negative"),
            models.CheckConstraint(
                condition=Q(balance__lte=F("amount")), name="voucher_balance_within_amount"
            ),
            models.CheckConstraint(condition=Q(status__in=VoucherStatus.values), name="voucher_status_known"),
        ]
        indexes = [models.Index(fields=["scheme", "company"], name="voucher_scheme_company_idx")]

    def __str__(self) -> str:
        return self.number


class VoucherEntryKind(models.TextChoices):
    RESERVE = "reserve", "预留"
    APPLY = "apply", "抵扣"
    RELEASE = "release", "释放"
    CLAIM = "claim", "申请兑付"
    SETTLE = "settle", "结算"
    REJECT = "reject", "驳回"


class VoucherLedgerEntry(models.Model):
    """One movement of a scheme's money; never updated or deleted, a correction is a new entry.

    ``amount`` is positive; the kind says which way it moves: reserve adds to reserved, apply moves from
    reserved to spent, release returns reserved to the remaining budget.
    """

    kind = models.CharField(max_length=8, choices=VoucherEntryKind.choices)
    scheme = models.ForeignKey(VoucherScheme, on_delete=models.PROTECT, related_name="ledger")
    voucher = models.ForeignKey(
        Voucher, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger"
    )
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="voucher_ledger"
    )
    amount = money()
    created = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=VoucherEntryKind.values), name="vledger_kind_known"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="vledger_amount_positive"),
            models.CheckConstraint(
                condition=~Q(kind="apply") | Q(voucher__isnull=False, order__isnull=False),
                name="vledger_apply_names_voucher_and_order",
            ),
        ]
        indexes = [models.Index(fields=["scheme", "kind"], name="vledger_scheme_kind_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class ListingStatus(models.TextChoices):
    PENDING = "pending", "公示中"
    APPROVED = "approved", "已入库"


class VoucherListing(models.Model):
    """A provider listed for a scheme: vouchers of the scheme pay only listed providers. A listing is
    public while pending, and the officer may approve it only after the notice period."""

    scheme = models.ForeignKey(VoucherScheme, on_delete=models.PROTECT, related_name="listings")
    provider = models.ForeignKey(
        "network.Institution", on_delete=models.PROTECT, related_name="voucher_listings"
    )
    status = models.CharField(max_length=8, choices=ListingStatus.choices, default=ListingStatus.PENDING)
    notice_until = models.DateTimeField()
    created = models.DateTimeField()

    class Meta:
        ordering = ["scheme", "created", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "provider"], name="vlisting_one_per_provider"),
            models.CheckConstraint(
                condition=Q(status__in=ListingStatus.values), name="vlisting_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme_id}/{self.provider_id} ({self.status})"
