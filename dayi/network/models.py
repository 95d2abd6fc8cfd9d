"""The network: GB/T 2260 regions, the tree of sharing platforms, and the institutions (legal entities)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("地级")
    COUNTY = "county", _("县级")


class Region(models.Model):
    """A GB/T 2260 division. Codes nest by prefix (31 → 3101 → 310117), which is how subtrees are matched."""

    code = models.CharField(max_length=6, primary_key=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.CharField(max_length=8, choices=RegionLevel.choices)
    name = models.CharField(max_length=64)
    short_name = models.CharField(max_length=32, blank=True)
    name_en = models.CharField(max_length=128, blank=True)
    pinyin = models.CharField(max_length=128, blank=True)
    # City-centre coordinates in GCJ-02 (the Chinese map datum), accurate to a city centre.
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{6}$"), name="region_code_six_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def prefix(self) -> str:
        return region_prefix(self.code)


def region_prefix(code: str) -> str:
    """The code without its trailing pairs of zeros: every region under ``code`` starts with it."""
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


class PlatformLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    REGIONAL = "regional", _("区域联盟")
    PROVINCIAL = "provincial", _("省级")
    MUNICIPAL = "municipal", _("市级")
    INSTITUTIONAL = "institutional", _("单位级")


PLATFORM_LEVEL_ORDER = [c.value for c in PlatformLevel]


class Platform(models.Model):
    """A sharing platform. Platforms form a tree; ``path`` ("/cn/yrd/g60/") makes subtrees a prefix match."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=128)
    name_en = models.CharField(max_length=128, blank=True)
    level = models.CharField(max_length=16, choices=PlatformLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=512, unique=True, editable=False)
    regions = models.ManyToManyField(Region, blank=True, related_name="platforms")
    members: models.ManyToManyField[Institution, Membership] = models.ManyToManyField(
        "Institution", through="Membership", blank=True, related_name="platforms"
    )
    description = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["path"]
        indexes = [
            # Subtree queries are `path LIKE '/cn/yrd/%'`; text_pattern_ops lets the index serve them.
            models.Index(fields=["path"], name="platform_path_like_idx", opclasses=["text_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name


class InstitutionKind(models.TextChoices):
    UNIVERSITY = "university", _("高等院校")
    INSTITUTE = "institute", _("科研院所")
    ENTERPRISE = "enterprise", _("企业")
    GOVERNMENT = "government", _("政府机构")
    OTHER = "other", _("其他")


class Institution(models.Model):
    """A legal entity with a unified social credit code: a holder of instruments, a customer, or both."""

    name = models.CharField(max_length=128)
    name_en = models.CharField(max_length=256, blank=True)
    credit_code = models.CharField(max_length=18, unique=True)
    kind = models.CharField(max_length=16, choices=InstitutionKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="institutions")
    is_sme = models.BooleanField(default=False)
    founded = models.DateField(null=True, blank=True)
    department = models.CharField(max_length=64, blank=True)  # the supervising ministry, e.g. 教育部
    website = models.URLField(blank=True)
    moe_code = models.CharField(max_length=10, blank=True)
    # The institution's own e-mail domains ("zju.edu.cn"): when listed, it invites people at these only.
    email_domains = ArrayField(models.CharField(max_length=253), default=list, blank=True)
    # The booking policy its new instruments start from (dayi.booking.policy); empty: the working week there.
    default_booking_policy = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_code__regex=r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"),
                name="institution_credit_code_charset",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MembershipStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    ACCEPTED = "accepted", _("已加入")
    REFUSED = "refused", _("已拒绝")


class AcceptedMemberships(models.Manager["Membership"]):
    """Membership means belonging: only accepted rows. Requests are read through ``Membership.requests``."""

    def get_queryset(self) -> models.QuerySet[Membership]:
        return super().get_queryset().filter(status=MembershipStatus.ACCEPTED)


class Membership(models.Model):
    """An institution's place in a platform: a request that the institution's admin accepts or refuses.

    Belonging lets the platform's admins *oversee* the institution (read its private figures); it gives no
    power to *operate* it: that takes a ``Delegation``."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="memberships")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField(
        max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.PENDING
    )
    joined = models.DateTimeField(auto_now_add=True)  # when the row was first written (the request)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Why: the request's reason (required to override the region rule) and the refusal's.
    reason = models.TextField(blank=True)
    refusal = models.TextField(blank=True)

    # The default manager counts accepted members only, so every existing reader of memberships (stats,
    # search, evaluation, pricing, voucher checks) keeps meaning "belongs"; requests are explicit.
    objects = AcceptedMemberships()
    requests = models.Manager()  # noqa: DJ012 (a second manager, not a field)

    class Meta:
        base_manager_name = "requests"
        constraints = [
            models.UniqueConstraint(fields=["platform", "institution"], name="membership_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "accepted", "refused"]), name="membership_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution_id}@{self.platform_id} ({self.status})"


POWERS = ("instruments", "bookings", "orders", "users")


class Delegation(models.Model):
    """An institution lets the admins of ``platform`` (and of the platforms above it) operate it.

    Made and revoked only by the institution's own admins; ``powers`` is a subset of ``POWERS``; live while
    not revoked and (if ``until`` is set) until the end of that day (UTC)."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="delegations")
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="delegations")
    powers = ArrayField(models.CharField(max_length=16))
    until = models.DateField(null=True, blank=True)
    created = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revoked = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(powers__contained_by=list(POWERS)) & Q(powers__len__gt=0),
                name="delegation_powers_known",
            ),
            models.CheckConstraint(
                condition=Q(revoked__isnull=True) | Q(revoked_by__isnull=False),
                name="delegation_revoked_by_someone",
            ),
        ]
        indexes = [models.Index(fields=["platform", "institution"], name="delegation_platform_inst_idx")]

    def __str__(self) -> str:
        return f"{self.institution_id}→{self.platform_id} {','.join(self.powers)}"
