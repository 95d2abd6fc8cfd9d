"""The synonym and abbreviation table of the field (TEM → 透射电子显微镜), editable by platform admins."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


class Synonym(models.Model):
    """A short form or variant and the words it stands for (TEM → 透射电子显微镜 | 透射电镜), as written.

    At query time every form of a row (``term`` and each expansion) stands for all of them: a query for
    TEM also finds 透射电子显微镜, and one for 透射电子显微镜 also finds the record that only says 透射电镜.
    """

    term = models.CharField(max_length=64)
    expansions = ArrayField(models.CharField(max_length=128), size=12)
    category = models.ForeignKey(
        "directory.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=256, blank=True)
    created = models.DateTimeField()
    updated = models.DateTimeField()

    class Meta:
        ordering = ["term"]
        constraints = [
            models.UniqueConstraint(Lower("term"), name="synonym_term_unique"),
            models.CheckConstraint(condition=~Q(term=""), name="synonym_term_not_empty"),
            models.CheckConstraint(condition=Q(expansions__len__gte=1), name="synonym_has_expansion"),
        ]

    def __str__(self) -> str:
        return f"{self.term} → {' | '.join(self.expansions)}"
