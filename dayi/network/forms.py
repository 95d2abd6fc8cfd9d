"""Forms of the memberships-and-delegations page (/manage/network/)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dayi.core.pages import PageForm, set_choices
from dayi.network.models import POWERS, InstitutionKind, PlatformLevel


def _set_choices(field: forms.Field, choices: list[tuple[str, str]]) -> None:
    assert isinstance(field, forms.ChoiceField)  # the platform fields below are
    field.choices = choices


POWER_LABELS = {
    "instruments": _("仪器"),
    # A power names the things operated ("Bookings"), not the verb the shared catalogue has for 预约 ("Book").
    "bookings": pgettext_lazy("delegated power", "预约"),
    "orders": pgettext_lazy("delegated power", "订单"),
    "users": _("用户与角色"),
}


class JoinRequestForm(forms.Form):
    """A platform admin asks an institution (named by its credit code) to join one of their platforms."""

    platform = forms.ChoiceField(label=_("平台"))
    credit_code = forms.CharField(label=_("单位统一社会信用代码"), min_length=18, max_length=18)
    reason = forms.CharField(
        label=_("理由（超出平台地区时由上级平台管理员填写）"), required=False, max_length=2000
    )

    def __init__(self, *args: Any, platforms: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["platform"], platforms)


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("拒绝理由"), required=False, max_length=2000)


class DelegationForm(forms.Form):
    platform = forms.ChoiceField(label=_("平台"))
    powers = forms.MultipleChoiceField(
        label=_("授权事项"),
        choices=[(p, POWER_LABELS[p]) for p in POWERS],
        widget=forms.CheckboxSelectMultiple,
    )
    until = forms.DateField(
        label=_("有效期至（可空）"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, platforms: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["platform"], platforms)


# --- platforms and institutions (/manage/network/platforms/, /manage/network/institutions/) -----------------


def split_list(raw: str) -> list[str]:
    """Codes or domains typed with spaces, commas or new lines between them."""
    return [c for c in re.split(r"[\s,，;；、]+", raw) if c]


class PlatformForm(PageForm):
    """Create (with ``code`` and ``parent``) or edit a platform; regions are GB/T 2260 codes."""

    code = forms.CharField(
        label=_("平台代码"), max_length=32, help_text=_("字母、数字、- 和 _，创建后不能修改")
    )
    parent = forms.ChoiceField(label=_("上级平台"))
    name = forms.CharField(label=_("名称"), max_length=128)
    name_en = forms.CharField(label=_("英文名称"), max_length=128, required=False)
    level = forms.ChoiceField(label=_("级别"))
    regions = forms.CharField(
        label=_("地区（行政区划代码）"),
        required=False,
        max_length=4000,
        help_text=_("GB/T 2260 代码，以空格分隔，例如 330000 310117"),
    )
    description = forms.CharField(label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, parents: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "level", [(c.value, c.label) for c in PlatformLevel])
        if parents is None:  # editing: the code and the place in the tree stay
            del self.fields["code"], self.fields["parent"]
        else:
            set_choices(self, "parent", parents)


class InstitutionForm(PageForm):
    name = forms.CharField(label=_("名称"), max_length=128)
    name_en = forms.CharField(label=_("英文名称"), max_length=256, required=False)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=32)
    kind = forms.ChoiceField(label=_("类型"))
    region = forms.CharField(label=_("所在地区（行政区划代码）"), max_length=6, help_text=_("例如 330106"))
    is_sme = forms.BooleanField(label=_("科技型中小企业"), required=False)
    founded = forms.DateField(
        label=_("成立日期"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    department = forms.CharField(label=_("主管部门"), max_length=64, required=False)
    website = forms.URLField(label=_("网站"), required=False, assume_scheme="https")
    email_domains = forms.CharField(
        label=_("邮箱域名"),
        required=False,
        max_length=2000,
        help_text=_("以空格分隔，例如 zju.edu.cn；填写后只能邀请这些域名的邮箱"),
    )
    platforms = forms.MultipleChoiceField(
        label=_("加入的平台"), widget=forms.CheckboxSelectMultiple, required=False
    )
    reason = forms.CharField(
        label=_("理由（超出平台地区时由上级平台管理员填写）"), required=False, max_length=2000
    )

    def __init__(self, *args: Any, platforms: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "kind", [(c.value, c.label) for c in InstitutionKind])
        if platforms is None:  # editing: memberships are requests, decided on /manage/network/
            del self.fields["platforms"], self.fields["reason"]
        else:
            set_choices(self, "platforms", platforms)

    def data_for_service(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("platforms", "reason")}
        data["email_domains"] = split_list(data.get("email_domains") or "")
        return data
