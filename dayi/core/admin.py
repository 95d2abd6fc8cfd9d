"""The Django admin, for superusers to inspect the data. It does not write domain data.

Every write to a domain model goes through a service, which checks the rules and writes an audit row in
the same transaction; an admin form would do neither. So domain models are registered read-only
(``ReadOnlyAdmin``); only user accounts are managed here (see ``dayi.accounts.admin``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext

from dayi.core.models import AuditEvent

admin.site.site_header = "大仪 Dayi 管理后台"
admin.site.site_title = "大仪 Dayi"
admin.site.index_title = "数据查看（领域数据只读，修改请通过管理页面或 API）"

READ_ONLY_NOTE = "只读：修改请通过仪器管理页面或 API，以便每次修改都经过权限检查并写入审计记录。"


class ReadOnlyAdmin(admin.ModelAdmin):
    """View-only: no add, change or delete, so nothing bypasses the services and their audit rows."""

    read_only_note = READ_ONLY_NOTE
    # The view-only pages still build a form; this keeps Django 6's URL-scheme default (and no warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        return super().changelist_view(request, {"subtitle": self.read_only_note, **(extra_context or {})})

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        context = {"subtitle": self.read_only_note, **(extra_context or {})}
        return super().change_view(request, object_id, form_url, context)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    read_only_note = gettext("审计记录只追加、不可修改")
    list_display = ("at", "action", "object_type", "object_id", "actor", "institution_id")
    list_filter = ("object_type",)
    search_fields = ("action", "object_id", "actor__username")
    list_select_related = ("actor",)
    ordering = ("-at", "-id")
    # Counting a large audit table for every page is the slow part; an estimate-free list is enough.
    show_full_result_count = False
