"""Regions, platforms, institutions and memberships, read-only (see ``dayi.core.admin``)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from dayi.core.admin import ReadOnlyAdmin, ReadOnlyInline
from dayi.network.models import Delegation, Institution, Membership, Platform, Region

API_NOTE = "只读：平台、单位和成员关系通过 /api/v1 修改，以便检查权限并写入审计记录。"


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    read_only_note = "只读：GB/T 2260 行政区划由数据迁移载入。"
    list_display = ("code", "name", "name_en", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name", "name_en", "pinyin")
    list_select_related = ("parent",)


class MembershipInline(ReadOnlyInline):
    model = Membership
    fields = ("platform", "institution", "status", "joined")
    readonly_fields = fields


@admin.register(Platform)
class PlatformAdmin(ReadOnlyAdmin):
    read_only_note = API_NOTE
    list_display = ("code", "name", "level", "path", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name", "name_en")
    list_select_related = ("parent",)
    filter_horizontal = ("regions",)


@admin.register(Institution)
class InstitutionAdmin(ReadOnlyAdmin):
    read_only_note = API_NOTE
    list_display = ("name", "credit_code", "kind", "region", "is_sme")
    list_filter = ("kind", "is_sme")
    search_fields = ("name", "name_en", "credit_code")
    list_select_related = ("region",)
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    read_only_note = API_NOTE
    list_display = ("platform", "institution", "status", "joined", "decided")
    list_filter = ("status", "platform")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return Membership.requests.select_related("platform", "institution")  # requests too, not only members


@admin.register(Delegation)
class DelegationAdmin(ReadOnlyAdmin):
    read_only_note = API_NOTE
    list_display = ("institution", "platform", "powers", "until", "created", "revoked")
    list_filter = ("platform",)
    search_fields = ("institution__name", "platform__code")
    list_select_related = ("platform", "institution")
    search_fields = ("institution__name", "platform__code")
    list_select_related = ("platform", "institution")
