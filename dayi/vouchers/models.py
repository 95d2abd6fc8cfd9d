"""Innovation vouchers (科技创新券): schemes, recognitions, applications, vouchers, their uses on orders,
redemption claims and the scheme ledger.

The database states the money invariants itself: a scheme's ``reserved + spent`` never exceeds its budget,
what it settled never exceeds what it spent, a voucher's balance never goes below zero, and an order has at
most one redemption claim. The services make the same checks with conditional updates, so a race loses
with a domain error rather than an IntegrityError.

How a scheme's figures move (each movement is one ledger entry of that kind, amount > 0):

    reserve  reserved += a          (an application approved; or a recognised voucher paid by this scheme)
    release  reserved -= a          (a voucher expired or cancelled; or its share paid by another scheme)
    apply    reserved -= a, spent += a   (a voucher paid part of an order)
    claim    —                      (a provider or company asked to be paid; the amount awaits a decision)
    settle   settled += a           (a claim paid)
    reject   spent -= a             (a claim refused: the amount goes back to the budget)

so at all times reserved = Σreserve − Σrelease − Σapply, spent = Σapply − Σreject, settled = Σsettle, and
the scheme's own vouchers' balances add up to reserved (``queries.reconcile`` checks all of it).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from dayi.orders.models import money


class RedemptionMode(models.TextChoices):
    """Who is paid. 通兑: the company pays its share, the provider redeems the rest from the scheme.
    通用: the company pays the provider in full and the scheme reimburses the company."""

    TONGDUI = "tongdui", _("通兑")
    TONGYONG = "tongyong", _("通用")


class ProviderRule(models.TextChoices):
    """Which providers a scheme's vouchers may pay."""

    LISTED = "listed", _("入库服务机构")
    PLATFORM = "platform", _("平台成员单位")
    REGION = "region", _("本地区服务机构")


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
    notice_days = models.PositiveSmallIntegerField(default=7)  # a provider's listing is public this long
    eligible_regions = ArrayField(models.CharField(max_length=6), default=list, blank=True)
    sme_only = models.BooleanField(default=False)
    # A company founded more than this many years before it applies may not (None: any age).
    max_company_age_years = models.PositiveSmallIntegerField(null=True, blank=True)
    # Which services count: service modes (empty: all) and category codes, each matching its subtree.
    modes = ArrayField(models.CharField(max_length=16), default=list, blank=True)
    categories = ArrayField(models.CharField(max_length=6), default=list, blank=True)
    provider_rule = models.CharField(max_length=8, choices=ProviderRule.choices, default=ProviderRule.LISTED)
    provider_platform = models.ForeignKey(
        "network.Platform", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mode = models.CharField(max_length=8, choices=RedemptionMode.choices, default=RedemptionMode.TONGDUI)
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
            models.CheckConstraint(condition=Q(settled__lte=F("spent")), name="scheme_settled_within_spent"),
            models.CheckConstraint(condition=Q(mode__in=RedemptionMode.values), name="scheme_mode_known"),
            models.CheckConstraint(
                condition=Q(provider_rule__in=ProviderRule.values), name="scheme_provider_rule_known"
            ),
            models.CheckConstraint(
                condition=~Q(provider_rule="platform") | Q(provider_platform__isnull=False),
                name="scheme_platform_rule_names_platform",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Payer(models.TextChoices):
    ISSUER = "issuer", _("发券方")
    PROVIDER = "provider", _("服务机构所在方")


class Recognition(models.Model):
    """Scheme ``scheme`` accepts that its companies use their vouchers at providers eligible under
    ``accepts`` (the Yangtze River Delta pilot, the G60 nine cities, Beijing–Tianjin–Hebei). ``payer`` says
    which scheme's budget pays (default: the issuing scheme) and ``mode`` who is paid."""

    scheme = models.ForeignKey(VoucherScheme, on_delete=models.PROTECT, related_name="recognitions")
    accepts = models.ForeignKey(VoucherScheme, on_delete=models.PROTECT, related_name="recognised_by")
    payer = models.CharField(max_length=8, choices=Payer.choices, default=Payer.ISSUER)
    mode = models.CharField(max_length=8, choices=RedemptionMode.choices, default=RedemptionMode.TONGDUI)
    created = models.DateTimeField()

    class Meta:
        ordering = ["scheme", "accepts"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "accepts"], name="recognition_once_per_pair"),
            models.CheckConstraint(condition=~Q(scheme=F("accepts")), name="recognition_of_another_scheme"),
            models.CheckConstraint(condition=Q(payer__in=Payer.values), name="recognition_payer_known"),
            models.CheckConstraint(
                condition=Q(mode__in=RedemptionMode.values), name="recognition_mode_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme_id} accepts {self.accepts_id} ({self.payer}, {self.mode})"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


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
    ACTIVE = "active", _("可用")
    SPENT = "spent", _("已用完")
    EXPIRED = "expired", _("已过期")
    CANCELLED = "cancelled", _("已作废")


class Voucher(models.Model):
    number = models.CharField(max_length=48, unique=True)
    scheme = models.ForeignKey(VoucherScheme, on_delete=models.PROTECT, related_name="vouchers")
    company = models.ForeignKey("network.Institution", on_delete=models.PROTECT, related_name="vouchers")
    application = models.OneToOneField(VoucherApplication, on_delete=models.PROTECT, related_name="voucher")
    amount = money()
    balance = money()
    use_by = models.DateField()
    redeem_by = models.DateField()
    status = models.CharField(max_length=10, choices=VoucherStatus.choices, default=VoucherStatus.ACTIVE)
    returned = money(default=0)  # the balance given back to the budget when it expired or was cancelled
    reason = models.TextField(blank=True)  # why cancelled
    created = models.DateTimeField()

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="voucher_amount_positive"),
            # An expired or cancelled voucher gave its balance back to the budget.
            models.CheckConstraint(
                condition=~Q(status__in=["expired", "cancelled"]) | Q(balance=0),
                name="voucher_closed_has_no_balance",
            ),
            models.CheckConstraint(condition=Q(balance__gte=0), name="voucher_balance_not_negative"),
            models.CheckConstraint(
                condition=Q(balance__lte=F("amount")), name="voucher_balance_within_amount"
            ),
            models.CheckConstraint(condition=Q(status__in=VoucherStatus.values), name="voucher_status_known"),
        ]
        indexes = [
            models.Index(fields=["scheme", "company"], name="voucher_scheme_company_idx"),
            # The expiry sweep: active vouchers past their use-by date.
            models.Index(fields=["use_by"], condition=Q(status="active"), name="voucher_active_use_by_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class VoucherUse(models.Model):
    """A voucher paying part of an order: how much, from which scheme's budget, and who will be paid."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="uses")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="voucher_uses")
    payer = models.ForeignKey(VoucherScheme, on_delete=models.PROTECT, related_name="uses_paid")
    mode = models.CharField(max_length=8, choices=RedemptionMode.choices)
    amount = money()
    created = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="voucheruse_amount_positive"),
            models.CheckConstraint(condition=Q(mode__in=RedemptionMode.values), name="voucheruse_mode_known"),
        ]
        indexes = [models.Index(fields=["order"], name="voucheruse_order_idx")]

    def __str__(self) -> str:
        return f"{self.voucher_id} on order {self.order_id}: {self.amount}"


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    SETTLED = "settled", _("已兑付")
    REJECTED = "rejected", _("已驳回")


class RedemptionClaim(models.Model):
    """A claim for what vouchers paid on one completed order, to the scheme that pays (one per order)."""

    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="redemption_claim")
    scheme = models.ForeignKey(VoucherScheme, on_delete=models.PROTECT, related_name="claims")
    claimant = models.ForeignKey(
        "network.Institution", on_delete=models.PROTECT, related_name="voucher_claims"
    )
    mode = models.CharField(max_length=8, choices=RedemptionMode.choices)
    amount = money()
    status = models.CharField(max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED)
    evidence = models.JSONField(default=dict, blank=True)  # the usage records or the result it rests on
    notes = models.JSONField(default=list, blank=True)  # unusual patterns shown to the officer
    reason = models.TextField(blank=True)  # why rejected
    created = models.DateTimeField()
    decided = models.DateTimeField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="vclaim_amount_positive"),
            models.CheckConstraint(condition=Q(status__in=ClaimStatus.values), name="vclaim_status_known"),
            models.CheckConstraint(condition=Q(mode__in=RedemptionMode.values), name="vclaim_mode_known"),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""), name="vclaim_rejection_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["scheme", "status"], name="vclaim_scheme_status_idx")]

    def __str__(self) -> str:
        return f"claim {self.pk} on order {self.order_id} ({self.status})"


class RelatedParties(models.Model):
    """Two institutions declared related (same group, shared owners): vouchers may not pass between them.
    Stored once per pair and scheme, the smaller id first. A scheme's officer declares for that scheme and
    the declaration counts in its checks only; without a scheme (a party's own admin declared) it counts
    in every scheme's."""

    first = models.ForeignKey("network.Institution", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("network.Institution", on_delete=models.CASCADE, related_name="+")
    scheme = models.ForeignKey(
        VoucherScheme, null=True, blank=True, on_delete=models.PROTECT, related_name="related_parties"
    )
    reason = models.TextField()
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["first", "second", "scheme"],
                name="relatedparties_once_per_pair_and_scheme",
                nulls_distinct=False,
            ),
            models.CheckConstraint(condition=Q(first__lt=F("second")), name="relatedparties_ordered_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id}"


class VoucherEntryKind(models.TextChoices):
    RESERVE = "reserve", _("预留")
    APPLY = "apply", _("抵扣")
    RELEASE = "release", _("释放")
    CLAIM = "claim", _("申请兑付")
    SETTLE = "settle", _("结算")
    REJECT = "reject", _("驳回")


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
    claim = models.ForeignKey(
        RedemptionClaim, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger"
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
            models.CheckConstraint(
                condition=~Q(kind__in=["claim", "settle", "reject"]) | Q(claim__isnull=False),
                name="vledger_claim_entries_name_the_claim",
            ),
        ]
        indexes = [models.Index(fields=["scheme", "kind"], name="vledger_scheme_kind_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class ListingStatus(models.TextChoices):
    PENDING = "pending", _("公示中")
    APPROVED = "approved", _("已入库")
    DELISTED = "delisted", _("已移出")


class VoucherListing(models.Model):
    """A provider listed for a scheme: vouchers of the scheme pay only listed providers. A listing is
    public while pending, and the officer may approve it only after the notice period. An officer may
    delist the provider with a reason (collusion, fraud, a failed check): the listing stays, as the public
    record of why, and the provider cannot ask again for the scheme (one listing per provider)."""

    scheme = models.ForeignKey(VoucherScheme, on_delete=models.PROTECT, related_name="listings")
    provider = models.ForeignKey(
        "network.Institution", on_delete=models.PROTECT, related_name="voucher_listings"
    )
    status = models.CharField(max_length=8, choices=ListingStatus.choices, default=ListingStatus.PENDING)
    notice_until = models.DateTimeField()
    created = models.DateTimeField()
    delisted = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)  # why delisted

    class Meta:
        ordering = ["scheme", "created", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "provider"], name="vlisting_one_per_provider"),
            models.CheckConstraint(
                condition=Q(status__in=ListingStatus.values), name="vlisting_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status="delisted") | (Q(delisted__isnull=False) & ~Q(reason="")),
                name="vlisting_delisting_has_time_and_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme_id}/{self.provider_id} ({self.status})"


class CreditEntryKind(models.TextChoices):
    DELISTED = "delisted", _("移出服务机构库")


class ProviderCreditEntry(models.Model):
    """One entry of a provider's credit record (信用记录): a funder's finding against the provider, such as
    being delisted from a scheme for collusion or fraud. Officers of every scheme read the record before
    they approve a listing (providers are listed "after a credit check"). Never updated or deleted (a
    database trigger): a record that could be edited would not be a record."""

    provider = models.ForeignKey(
        "network.Institution", on_delete=models.PROTECT, related_name="voucher_credit_entries"
    )
    scheme = models.ForeignKey(VoucherScheme, on_delete=models.PROTECT, related_name="credit_entries")
    listing = models.ForeignKey(
        VoucherListing, null=True, blank=True, on_delete=models.PROTECT, related_name="credit_entries"
    )
    kind = models.CharField(max_length=16, choices=CreditEntryKind.choices)
    reason = models.TextField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField()

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CreditEntryKind.values), name="vcredit_kind_known"),
            models.CheckConstraint(condition=~Q(reason=""), name="vcredit_entry_has_reason"),
        ]
        # A provider's record, newest first (the officer's credit check).
        indexes = [models.Index(fields=["provider", "-created"], name="vcredit_provider_idx")]

    def __str__(self) -> str:
        return f"{self.provider_id} {self.kind} ({self.scheme_id})"
