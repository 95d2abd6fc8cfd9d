"""Forms of the voucher pages: they parse what the browser sent into the services' input, nothing more.

Eligibility, budgets, caps, listings and claims are decided by ``dayi.vouchers.services``; a form only turns
the posted strings into values and puts the field errors a service raises back on its fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dayi.core.pages import PageForm, set_choices

MAX_TEXT = 2000


class ApplyForm(PageForm):
    scheme = forms.ChoiceField(label=_("券种"))
    amount = forms.DecimalField(label=_("申请金额（元）"), max_digits=14, decimal_places=2, min_value=0)
    purpose = forms.CharField(
        label=_("用途（检测项目与服务内容）"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    provider = forms.TypedChoiceField(
        label=_("意向服务机构（可选）"), coerce=int, required=False, empty_value=None
    )

    def __init__(
        self, *args: Any, schemes: list[tuple[str, str]], providers: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "scheme", schemes)
        set_choices(self, "provider", [("", _("暂不指定")), *providers])


class UseForm(PageForm):
    """Pay part of a completed order with a voucher."""

    order = forms.TypedChoiceField(label=_("订单"), coerce=int)
    voucher = forms.ChoiceField(label=_("创新券"))

    def __init__(
        self, *args: Any, orders: list[tuple[int, str]], vouchers: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "order", orders)
        set_choices(self, "voucher", vouchers)


class ReasonForm(PageForm):
    reason = forms.CharField(label=_("理由"), max_length=MAX_TEXT)


class MonthForm(PageForm):
    month = forms.CharField(
        label=_("月份"), widget=forms.TextInput(attrs={"type": "month", "pattern": r"\d{4}-\d{2}"})
    )

    def clean_month(self) -> dt.date:
        text = self.cleaned_data["month"].strip()
        try:
            return dt.date.fromisoformat(f"{text}-01")
        except ValueError:
            raise forms.ValidationError(_("请填写月份，如 2026-03")) from None


class ListingForm(PageForm):
    provider = forms.TypedChoiceField(label=_("服务机构"), coerce=int)

    def __init__(self, *args: Any, providers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "provider", providers)
