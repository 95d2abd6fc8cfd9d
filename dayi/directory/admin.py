"""The classification, instruments and experts, read-only (see ``dayi.core.admin``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

from dayi.core.admin import ReadOnlyAdmin
from dayi.directory.models import Category, Expert, Instrument

INSTRUMENT_NOTE = (
    "只读：仪器的新增、修改和退役请在“仪器管理”页面（/manage/instruments/）或通过 API 进行，"
    "以便检查管理权限并写入审计记录。"
)


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin):
    read_only_note = "只读：国家大型科研仪器分类由数据迁移载入。"
    list_display = ("code", "name", "name_en", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name", "name_en")


@admin.register(Instrument)
class InstrumentAdmin(ReadOnlyAdmin):
    read_only_note = INSTRUMENT_NOTE
    list_display = ("inventory_no", "name", "institution", "category", "original_value", "status", "retired")
    list_filter = ("status", "share_mode")
    search_fields = ("name", "name_en", "inventory_no", "model", "manufacturer")
    list_select_related = ("institution", "category")
    readonly_fields = ("where_to_edit",)
    show_full_result_count = False  # the directory holds ~10^5 rows; one count per page is enough

    @admin.display(description="如何修改")
    def where_to_edit(self, obj: Instrument) -> Any:
        if obj.retired:
            return gettext("已退役")
        return format_html('<a href="{}">在仪器管理页面编辑</a>', reverse("manage:edit", args=[obj.pk]))


@admin.register(Expert)
class ExpertAdmin(ReadOnlyAdmin):
    read_only_note = "只读：专家通过 /api/v1/experts 录入，以便写入审计记录。"
    list_display = ("name", "title", "institution", "contact")
    search_fields = ("name", "title")
    list_select_related = ("institution",)
