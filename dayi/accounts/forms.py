"""Forms of the people pages (/manage/people/) and of accepting an invitation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dayi.accounts.models import Role
from dayi.core.pages import PageForm

# The roles held over an institution, as the people page offers them.
INSTITUTION_ROLES = [
    (Role.INSTRUMENT_MANAGER.value, _("仪器管理员")),
    (Role.FINANCE_OFFICER.value, _("财务人员")),
    (Role.INSTITUTION_ADMIN.value, _("单位管理员")),
]
ROLE_LABELS = {**dict(INSTITUTION_ROLES), Role.PLATFORM_ADMIN.value: _("平台管理员")}


class InviteForm(PageForm):
    email = forms.EmailField(label=_("邮箱"), max_length=254)
    display_name = forms.CharField(label=_("姓名（可空）"), required=False, max_length=64)


class GrantForm(PageForm):
    role = forms.ChoiceField(label=_("角色"), choices=INSTITUTION_ROLES)


class PlatformAdminForm(PageForm):
    platform = forms.ChoiceField(label=_("平台"))
    username = forms.CharField(label=_("用户名"), max_length=150)


class DeactivateForm(PageForm):
    reason = forms.CharField(label=_("停用理由"), required=False, max_length=2000)


class AcceptForm(PageForm):
    username = forms.CharField(label=_("用户名"), max_length=150)
    display_name = forms.CharField(label=_("姓名"), required=False, max_length=64)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput, max_length=1024)
    password_again = forms.CharField(label=_("再次输入密码"), widget=forms.PasswordInput, max_length=1024)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("两次输入的密码不一致"))
        return data
