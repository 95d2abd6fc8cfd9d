"""Read-only admin: configurations, inputs and runs change only through the services."""

from __future__ import annotations

from django.contrib import admin

from dayi.evaluation.models import Evaluation, EvaluationConfig, EvaluationResult, ManualInput, NationalResult
from dayi.orders.admin import ReadOnly


@admin.register(EvaluationConfig)
class EvaluationConfigAdmin(ReadOnly):
    list_display = ("platform", "year", "updated", "updated_by")
    list_filter = ("year",)


@admin.register(ManualInput)
class ManualInputAdmin(ReadOnly):
    list_display = (
        "platform",
        "year",
        "institution",
        "technical_staff",
        "rules_published",
        "online_platform",
    )
    list_filter = ("year",)
    raw_id_fields = ("institution",)


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnly):
    list_display = ("id", "platform", "year", "institutions", "created", "seconds", "published")
    list_filter = ("year",)


@admin.register(EvaluationResult)
class EvaluationResultAdmin(ReadOnly):
    list_display = ("evaluation", "rank", "institution_name", "total", "grade")
    list_filter = ("grade",)
    raw_id_fields = ("evaluation", "institution")


@admin.register(NationalResult)
class NationalResultAdmin(ReadOnly):
    list_display = (
        "year",
        "list_order",
        "institution_name",
        "grade",
        "department",
        "province",
        "institution",
    )
    list_filter = ("year", "grade")
    search_fields = ("institution_name", "name_group")
    raw_id_fields = ("institution",)
