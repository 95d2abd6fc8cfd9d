"""The yearly open-sharing evaluation (开放共享评价考核): a platform's indicator configuration per year, the
manual inputs the platform cannot know, frozen evaluation runs with their per-institution results and
per-indicator scores, and the national results of 2018–2024 as history.

Design (see ``engine.py`` for the scoring itself):
- The configuration is data, not code: a JSON document naming metrics from a fixed registry, a scoring
  method with its parameters and a weight for each indicator, the group weights and the grading rule. It is
  cleaned by ``engine.clean_config`` on every write; without a stored one the default of ``engine`` applies.
- A run (``Evaluation``) copies the configuration and every input it used into its own rows, so editing
  the configuration or the inputs later never changes a result that was already computed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Grade(models.TextChoices):
    """The national four grades, best first."""

    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    QUALIFIED = "qualified", _("合格")
    POOR = "poor", _("较差")


GRADE_ORDER = [g.value for g in Grade]


def score_field(**options: Any) -> models.DecimalField:
    """A score out of 100, two places."""
    return models.DecimalField(max_digits=6, decimal_places=2, **options)


class EvaluationConfig(models.Model):
    """A platform's indicator configuration for one evaluation year (edited by the platform's admins)."""

    platform = models.ForeignKey("network.Platform", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    config = models.JSONField()  # engine.clean_config's output: groups, indicators, grading
    updated = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "year"], name="evaluationconfig_one_per_year"),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="evaluationconfig_year_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.platform_id} {self.year}"


class ManualInput(models.Model):
    """What the platform cannot measure about an institution in a year, entered by the platform's admins.

    Blank (None) means "not reported": the indicator scores 0 and its explanation says so.
    """

    platform = models.ForeignKey("network.Platform", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    institution = models.ForeignKey("network.Institution", on_delete=models.CASCADE, related_name="+")
    technical_staff = models.PositiveIntegerField(null=True, blank=True)  # people running the instruments
    rules_published = models.BooleanField(null=True, blank=True)  # opening rules and fees made public
    online_platform = models.BooleanField(null=True, blank=True)  # runs an online booking/service platform
    note = models.CharField(max_length=500, blank=True)
    updated = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "year", "institution"], name="manualinput_one_per_institution_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution_id}@{self.platform_id} {self.year}"


class Evaluation(models.Model):
    """One run of a platform's evaluation for a year, frozen: its configuration is a copy, not a link."""

    platform = models.ForeignKey("network.Platform", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    config = models.JSONField()  # the cleaned configuration as it was when the run started
    institutions = models.PositiveIntegerField(default=0)  # how many were evaluated
    created = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    seconds = models.DecimalField(max_digits=8, decimal_places=3, default=0)  # how long the run took
    published = models.DateTimeField(null=True, blank=True)  # public from then on

    class Meta:
        ordering = ["-year", "-created", "-id"]
        indexes = [models.Index(fields=["platform", "year"], name="evaluation_platform_year_idx")]

    def __str__(self) -> str:
        return f"evaluation {self.pk} of {self.platform_id} for {self.year}"


class EvaluationResult(models.Model):
    """An institution's outcome in one run: group scores, total, grade, rank, and the inputs used."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="results")
    institution = models.ForeignKey("network.Institution", on_delete=models.PROTECT, related_name="+")
    institution_name = models.CharField(max_length=128)  # as it was named when evaluated
    organisation_score = score_field()
    operation_score = score_field()
    service_score = score_field()  # also the tie-breaker of the ranking
    total = score_field()
    grade = models.CharField(max_length=10, choices=Grade.choices)
    rank = models.PositiveIntegerField()  # 1 is best; equal (total, service score) share a rank
    inputs = models.JSONField()  # the figures and manual inputs the scores were computed from

    class Meta:
        ordering = ["rank", "institution_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "institution"], name="evaluationresult_unique"),
            models.CheckConstraint(condition=Q(grade__in=Grade.values), name="evaluationresult_grade_known"),
            models.CheckConstraint(
                condition=Q(total__gte=0, total__lte=100), name="evaluationresult_total_0_to_100"
            ),
        ]
        # The results page reads one run's results by rank.
        indexes = [models.Index(fields=["evaluation", "rank"], name="evaluationresult_rank_idx")]

    def __str__(self) -> str:
        return f"{self.institution_name}: {self.total} ({self.grade})"


class IndicatorScore(models.Model):
    """One indicator of one institution in one run: the value, its score, weight and why."""

    result = models.ForeignKey(EvaluationResult, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField()  # the indicator's place in the frozen configuration
    code = models.CharField(max_length=40)
    group = models.CharField(max_length=16)
    metric = models.CharField(max_length=40)
    value = models.DecimalField(max_digits=16, decimal_places=2, null=True)  # None: no data
    score = score_field()
    weight = models.DecimalField(max_digits=6, decimal_places=2)  # within its group
    explanation = models.TextField()
    explanation_en = models.TextField()

    class Meta:
        ordering = ["result", "position"]
        constraints = [
            models.UniqueConstraint(fields=["result", "code"], name="indicatorscore_unique"),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100), name="indicatorscore_score_0_to_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.score}"


class NationalResult(models.Model):
    """A grade of the national evaluation by MOST and MOF (2018–2024), imported from data/ (PROVENANCE.md).

    Matched to an ``Institution`` by name when one exists; rows that match none keep the name only, and the
    read side also matches by ``name_group`` (the source's key for one entity's names across years).
    """

    year = models.PositiveSmallIntegerField()
    institution_name = models.CharField(max_length=128)
    name_group = models.CharField(max_length=128)
    institution = models.ForeignKey(
        "network.Institution", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    grade = models.CharField(max_length=10, choices=Grade.choices)
    list_order = models.PositiveIntegerField()  # the row number in the published list
    department = models.CharField(max_length=64, blank=True)  # department_filled of the source
    province = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["-year", "list_order"]
        constraints = [
            models.UniqueConstraint(fields=["year", "institution_name"], name="nationalresult_unique"),
            models.CheckConstraint(condition=Q(grade__in=Grade.values), name="nationalresult_grade_known"),
        ]
        indexes = [
            models.Index(fields=["name_group"], name="nationalresult_group_idx"),
            models.Index(fields=["institution_name"], name="nationalresult_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.institution_name} {self.grade}"
