"""Forms of the memberships-and-delegations page (/manage/network/)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dayi.network.models import POWERS


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
