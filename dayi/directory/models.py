"""The instrument directory: the classification, instruments in the national record format, experts."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A class of the national classification of large instruments: "01" → "0102" → "010201"."""

    code = models.CharField(max_length=6, primary_key=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.PositiveSmallIntegerField()  # 1 class, 2 middle class, 3 small class
    name = models.CharField(max_length=64)
    name_en = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "categories"
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{2}([0-9]{2}([0-9]{2})?)?$"), name="category_code_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Status(models.TextChoices):
    NORMAL = "normal", _("正常")
    STANDBY = "standby", _("待机")
    REMOTE = "remote", _("远程服务")
    OCCASIONAL_FAULTS = "occasional_faults", _("偶有故障")
    FREQUENT_FAULTS = "frequent_faults", _("故障频繁")
    AWAITING_REPAIR = "awaiting_repair", _("待修")
    AWAITING_SCRAPPING = "awaiting_scrapping", _("待报废")


WORKING_STATUSES = [Status.NORMAL, Status.STANDBY, Status.REMOTE, Status.OCCASIONAL_FAULTS]


class ShareMode(models.TextChoices):
    INTERNAL = "internal", _("内部共享")
    EXTERNAL = "external", _("对外共享")
    NONE = "none", _("不共享")


class ServiceMode(models.TextChoices):
    SELF = "self", _("占用共享")
    ASSISTED = "assisted", _("技术共享")
    SAMPLE = "sample", _("委托共享（送样检测）")
    REMOTE = "remote", _("远程共享")


class Source(models.TextChoices):
    PURCHASED = "purchased", _("购置")
    SELF_BUILT = "self_built", _("研制")
    DONATED = "donated", _("捐赠")
    OTHER = "other", _("其他")


class Purpose(models.TextChoices):
    GENERAL = "general", _("通用")
    SPECIAL = "special", _("专用")


class Instrument(models.Model):
    """A large instrument, after the national reporting format (see DOMAIN.md, "The records")."""

    institution = models.ForeignKey(
        "network.Institution", on_delete=models.PROTECT, related_name="instruments"
    )
    inventory_no = models.CharField(max_length=64)  # the holder's internal id, unique in the holder
    name = models.CharField(max_length=128)
    name_en = models.CharField(max_length=256, blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="instruments")
    original_value = models.DecimalField(max_digits=14, decimal_places=2)  # yuan
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.NORMAL)
    share_mode = models.CharField(max_length=16, choices=ShareMode.choices, default=ShareMode.EXTERNAL)
    modes = ArrayField(models.CharField(max_length=16, choices=ServiceMode.choices), default=list, blank=True)
    model = models.CharField(max_length=128, blank=True)
    manufacturer = models.CharField(max_length=128, blank=True)
    country = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, blank=True)
    purpose = models.CharField(max_length=16, choices=Purpose.choices, blank=True)
    in_service_date = models.DateField(null=True, blank=True)
    specs = models.TextField(blank=True)  # main technical indicators
    functions = models.TextField(blank=True)  # main functions
    disciplines = ArrayField(models.CharField(max_length=64), default=list, blank=True, size=4)
    services = models.TextField(blank=True)  # services offered
    results = models.TextField(blank=True)  # typical results
    opening_rules = models.TextField(blank=True)
    location = models.CharField(max_length=256, blank=True)  # address
    region = models.ForeignKey("network.Region", on_delete=models.PROTECT, related_name="instruments")
    contact = models.CharField(max_length=256, blank=True)
    fees_note = models.TextField(blank=True)  # the published reference fee
    booking_url = models.URLField(blank=True)
    unit = models.CharField(max_length=128, blank=True)  # instrument centre, large facility or service unit
    timezone = models.CharField(max_length=64, default="Asia/Shanghai")
    booking_policy = models.JSONField(default=dict, blank=True)
    retired = models.DateTimeField(null=True, blank=True)  # retired instruments leave the directory
    # Segmented words of the name, English name, model, maker, category, specs and functions (jieba),
    # written by every write path through dayi.search.segment.instrument_words; the search index reads it.
    search_words = models.TextField(blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "inventory_no"], name="instrument_inventory_no_unique"
            ),
            models.CheckConstraint(condition=Q(original_value__gte=0), name="instrument_value_not_negative"),
            models.CheckConstraint(
                condition=Q(modes__contained_by=[m.value for m in ServiceMode]), name="instrument_modes_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]), name="instrument_status_known"
            ),
            models.CheckConstraint(
                condition=Q(share_mode__in=[s.value for s in ShareMode]), name="instrument_share_mode_known"
            ),
        ]
        indexes = [
            # Region and category filters are prefix matches on the codes (`region_id LIKE '33%'`); the
            # foreign keys' own indexes serve equality, these serve LIKE whatever the collation.
            models.Index(fields=["region"], name="instrument_region_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(
                fields=["category"], name="instrument_category_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["original_value"], name="instrument_value_idx"),
            models.Index(fields=["updated"], name="instrument_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Expert(models.Model):
    """An expert a platform lists (the capital platform lists 13,601)."""

    name = models.CharField(max_length=64)
    institution = models.ForeignKey(
        "network.Institution", null=True, blank=True, on_delete=models.SET_NULL, related_name="experts"
    )
    title = models.CharField(max_length=64, blank=True)
    fields_of_expertise = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    contact = models.CharField(max_length=128, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    # Retired: no longer listed or matched; the record stays (a retired expert's past reviews name them).
    retired = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
