"""Forms of the memberships-and-delegations page (/manage/network/)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dayi.network.models import POWERS

POWER_LABELS = {
    "instruments": _("仪器"),
    "bookings": _("预约"),
    "orders": _("订单"),
    "users": _("用户与角色"),
}


class JoinRequestForm(forms.Form):
    """A platform admin asks an institution (named by its credit code) to join one of their platforms."""

    platform = forms.ChoiceField(label=_("平台"))
    credit_code = forms.CharField(label=_("单位统一社会信用代码"), min_length=18, max_length=18)
    reason = forms.CharField(
        label=_("理由（超出平台地区时由上级平台管理员填写）"), required=False, max_length=2000
    )

    def __init__(self, *args: object, platforms: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's own signature
        self.fields["platform"].choices = platforms


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

    def __init__(self, *args: object, platforms: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's own signature
        self.fields["platform"].choices = platforms
