"""A customer's rating of a finished service, on the national five levels, and the holder's reply."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    """The five levels of the national service record (5 is best)."""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    NEUTRAL = 3, _("一般")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("很不满意")


class Rating(models.Model):
    """One rating per order: the constraint is the final guard against a double submit."""

    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="rating")
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    comment = models.TextField(blank=True)
    created = models.DateTimeField()
    reply = models.TextField(blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["order"], name="rating_one_per_order"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="rating_level_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"rating {self.level} of order {self.order_id}"
