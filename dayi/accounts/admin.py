"""User accounts in the admin: the one thing a superuser manages here rather than only inspects.

Django's ``UserAdmin`` hashes passwords (argon2, see settings) and never shows them. Every change made here
still writes an audit row in the admin's transaction, like the services do: ``user.create``,
``user.update``, ``user.set_password``, ``rolegrant.create`` / ``.update`` / ``.delete``. Users are
deactivated, not deleted, so their history (audit rows, bookings) keeps its author.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.db import transaction
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from dayi.accounts.models import ApiToken, RoleGrant, User
from dayi.core import audit
from dayi.core.admin import ReadOnlyInline


class DayiUserCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "institution", "display_name", "email")


class DayiUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0
    fields = ("role", "platform", "institution", "scheme")
    autocomplete_fields = ("platform", "institution")
    verbose_name = "角色授权"
    verbose_name_plural = "角色授权（平台管理员填平台；单位管理员、仪器管理员填单位；创新券经办人填券种代码）"


class ApiTokenInline(ReadOnlyInline):
    model = ApiToken
    fields = ("prefix", "name", "created", "expires", "last_used", "revoked")
    readonly_fields = fields  # the digest stays out of sight
    verbose_name_plural = "API 令牌（只读；撤销请用 API）"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = DayiUserChangeForm
    add_form = DayiUserCreationForm
    inlines = [RoleGrantInline, ApiTokenInline]
    list_display = ("username", "display_name", "institution", "email", "is_active", "is_superuser")
    list_filter = ("is_active", "is_superuser", "grants__role")
    search_fields = ("username", "display_name", "email", "institution__name")
    list_select_related = ("institution",)
    autocomplete_fields = ("institution",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("display_name", "email", "phone", "institution")}),
        (
            "状态",
            {
                "fields": ("is_active", "is_superuser", "is_staff"),
                "description": "停用账号请取消“is_active”；账号不可删除，以保留其审计记录。",
            },
        ),
        ("时间", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "institution", "display_name", "email", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        before = audit.snapshot(User.objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        b, a = audit.changes(before, audit.snapshot(obj))
        if change and not a:
            return
        audit.record(
            "user.update" if change else "user.create",
            obj,
            actor=request.user,
            before=b if change else None,
            after=a,
            institution_id=obj.institution_id,
            reason="admin",
            now=timezone.now(),
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: BaseInlineFormSet, change: bool) -> None:
        if formset.model is not RoleGrant:
            super().save_formset(request, form, formset, change)
            return
        # Snapshots before the save: a deleted grant loses its pk, a changed one its old values.
        gone = RoleGrant.objects.filter(
            pk__in=[f.instance.pk for f in formset.deleted_forms if f.instance.pk]
        )
        doomed = [(g, audit.snapshot(g)) for g in gone]
        old = RoleGrant.objects.filter(
            pk__in=[f.instance.pk for f in formset.initial_forms if f.has_changed()]
        )
        changed = {g.pk: audit.snapshot(g) for g in old}
        super().save_formset(request, form, formset, change)
        self._audit_grants(request, formset, doomed, changed)

    def _audit_grants(
        self,
        request: HttpRequest,
        formset: BaseInlineFormSet,
        doomed: list[tuple[RoleGrant, dict[str, Any]]],
        changed: dict[int, dict[str, Any]],
    ) -> None:
        now = timezone.now()
        common: dict[str, Any] = {"actor": request.user, "reason": "admin", "now": now}
        for grant in formset.new_objects:
            audit.record(
                "rolegrant.create",
                grant,
                after=audit.snapshot(grant),
                institution_id=grant.institution_id,
                **common,
            )
        for grant, _fields in formset.changed_objects:
            b, a = audit.changes(changed.get(grant.pk, {}), audit.snapshot(grant))
            audit.record(
                "rolegrant.update", grant, before=b, after=a, institution_id=grant.institution_id, **common
            )
        for grant, snap in doomed:
            ev = audit.event(
                "rolegrant.delete", grant, before=snap, institution_id=snap["institution_id"], **common
            )
            ev.object_id = str(snap["id"])  # the row is gone; its id survives in the trail
            ev.save()

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = self.get_object(request, unquote(id))
                assert user is not None  # the password was just saved on it
                audit.record(
                    "user.set_password", user, actor=request.user, reason="admin", now=timezone.now()
                )
        return response
