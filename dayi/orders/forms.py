"""Forms of the orders pages: they parse what the browser sent into the services' input, nothing more.

Prices, samples, transitions and accounts are checked by ``dayi.orders.services``; a form only turns the
posted strings into values and puts the errors a service raises back on its fields.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dayi.core.pages import PageForm
from dayi.directory.models import ServiceMode
from dayi.orders.models import TOP_UP_LIMIT, PriceUnit, TopUpMethod, UserClass

MAX_TEXT = 2000


class PriceRowForm(forms.Form):
    """One rate of the price list; an empty extra row is ignored, a ticked "remove" drops the row."""

    # A blank first choice: an untouched extra row posts nothing and is skipped (with the first unit chosen
    # it counted as changed, so a saved list could not be saved again unchanged).
    unit = forms.ChoiceField(label=_("计价单位"), choices=[("", "—"), *PriceUnit.choices])
    mode = forms.ChoiceField(label=_("服务方式"), choices=[("", "—"), *ServiceMode.choices], required=False)
    user_class = forms.ChoiceField(label=_("用户类别"), choices=[("", "—"), *UserClass.choices])
    amount = forms.DecimalField(label=_("单价（元）"), max_digits=14, decimal_places=2, min_value=0)
    minimum = forms.DecimalField(
        label=_("最低收费（元）"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    valid_from = forms.DateField(label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(
        label=_("失效日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    item_name = forms.CharField(label=_("项目名称"), max_length=128, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def rule(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("DELETE", None)
        data["minimum"] = data.get("minimum") or 0
        return data


PriceFormSet = forms.formset_factory(PriceRowForm, extra=2, can_delete=True)


class SharesForm(PageForm):
    late_cancellation_share = forms.DecimalField(
        label=_("逾期取消收费比例（0–1）"), max_digits=4, decimal_places=3, min_value=0, max_value=1
    )
    no_show_share = forms.DecimalField(
        label=_("爽约收费比例（0–1）"), max_digits=4, decimal_places=3, min_value=0, max_value=1
    )
    price_on_request = forms.BooleanField(
        label=_("价目表未覆盖的服务按申请定价（否则拒绝预约和下单）"), required=False
    )


class SampleForm(PageForm):
    count = forms.IntegerField(label=_("样品数量"), min_value=1, max_value=10000)
    kind = forms.CharField(label=_("样品类型"), max_length=200)
    hazards = forms.CharField(label=_("危险性说明"), max_length=MAX_TEXT, required=False)
    return_or_dispose = forms.ChoiceField(
        label=_("检测后样品"),
        choices=[("dispose", _("由服务方处置")), ("return", _("退回"))],
        initial="dispose",
    )
    items = forms.CharField(
        label=_("检测项目"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一项，须与价目表中的项目名称一致。"),
    )
    description = forms.CharField(
        label=_("检测要求"), max_length=MAX_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    shipping = forms.CharField(
        label=_("寄送方式与地址"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    requested_turnaround_days = forms.IntegerField(
        label=_("期望完成天数"), min_value=1, max_value=365, required=False
    )
    account = forms.TypedChoiceField(label=_("课题组账户"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, accounts: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if accounts:
            field = self.fields["account"]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = [("", _("不使用（自行结算）")), *accounts]
        else:
            del self.fields["account"]

    def service_input(self) -> dict[str, Any]:
        d = self.cleaned_data
        names = [line.strip() for line in d["items"].splitlines() if line.strip()]
        return {
            "samples": {
                "count": d["count"],
                "kind": d["kind"],
                "hazards": d["hazards"],
                "return_or_dispose": d["return_or_dispose"],
            },
            "items": [{"name": name, "quantity": d["count"]} for name in names],
            "description": d["description"],
            "shipping": d["shipping"],
            "requested_turnaround_days": d["requested_turnaround_days"],
            "account_id": d.get("account"),
        }


class ReasonForm(PageForm):
    reason = forms.CharField(label=_("原因"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2}))


class ResultForm(PageForm):
    note = forms.CharField(
        label=_("结果说明"), max_length=MAX_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RefundForm(PageForm):
    amount = forms.DecimalField(label=_("退款金额（元）"), max_digits=14, decimal_places=2, min_value=0)
    note = forms.CharField(label=_("退款原因"), max_length=MAX_TEXT)


class OpenAccountForm(PageForm):
    name = forms.CharField(label=_("账户名称"), max_length=128)
    pi = forms.CharField(
        label=_("负责人用户名"),
        max_length=150,
        required=False,
        help_text=_("留空则由您本人负责；单位管理员可为本单位的课题组负责人开户。"),
    )


class ProjectForm(PageForm):
    project = forms.CharField(label=_("课题名称"), max_length=200, required=False)
    funding_source = forms.CharField(label=_("经费来源"), max_length=100, required=False)


class MemberForm(PageForm):
    username = forms.CharField(label=_("用户名"), max_length=150)


class TopUpForm(PageForm):
    """Asks for a top-up; the balance changes when the institution's finance officer confirms it."""

    amount = forms.DecimalField(
        label=_("充值金额（元）"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=TOP_UP_LIMIT,
    )
    method = forms.ChoiceField(
        label=_("来源"),
        choices=TopUpMethod.choices,  # labels in the reader's language (gettext_lazy in the model)
    )
    reference = forms.CharField(label=_("转账或经费卡号"), max_length=128)


class TopUpDecisionForm(PageForm):
    decision = forms.ChoiceField(
        choices=[("confirm", "confirm"), ("reject", "reject"), ("reverse", "reverse")]
    )
    reason = forms.CharField(label=_("理由"), max_length=MAX_TEXT, required=False)
