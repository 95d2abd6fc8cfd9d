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
from dayi.directory.models import ServiceMode
from dayi.vouchers.models import Payer, ProviderRule, RedemptionMode, VoucherScheme
from dayi.vouchers.services.schemes import EDITABLE

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


# --- voucher administration: schemes, recognitions, delisting --------------------------------------------

ISO_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # ISO in every language
CODE_LIST_HELP = _("以空格或逗号分隔的代码，留空为不限")


def code_list(text: str) -> list[str]:
    """Codes typed as "310000 330100" or "310000, 330100" (the service checks that they exist)."""
    return [c for c in text.replace("，", " ").replace(",", " ").split() if c]


class SchemeForm(PageForm):
    """A scheme's terms. ``code``, ``funder`` and ``region`` are set when it is made and never change; the
    service checks every term (money, ratio, period, known codes) as it does for the API."""

    code = forms.SlugField(label=_("券种代码"), max_length=32, help_text=_("字母、数字与连字符，如 sh2027"))
    name = forms.CharField(label=_("券种名称"), max_length=128)
    funder = forms.TypedChoiceField(label=_("资助单位"), coerce=int)
    region = forms.ChoiceField(label=_("所属地区"))
    budget = forms.DecimalField(label=_("总预算（元）"), max_digits=14, decimal_places=2)
    subsidy_ratio = forms.DecimalField(
        label=_("补贴比例"), max_digits=4, decimal_places=3, help_text=_("0 到 1 之间的小数，如 0.5 为 50%")
    )
    cap_per_company = forms.DecimalField(label=_("每家企业上限（元）"), max_digits=14, decimal_places=2)
    period_start = forms.DateField(label=_("申领开始日期"), widget=ISO_DATE)
    period_end = forms.DateField(label=_("申领截止日期"), widget=ISO_DATE)
    use_days = forms.IntegerField(label=_("有效期（天）"), min_value=1, initial=365)
    redemption_days = forms.IntegerField(label=_("兑付期限（天）"), min_value=1, initial=90)
    notice_days = forms.IntegerField(label=_("入库公示期（天）"), min_value=1, initial=7)
    eligible_regions = forms.CharField(
        label=_("可申领企业所在地区"), required=False, max_length=MAX_TEXT, help_text=CODE_LIST_HELP
    )
    sme_only = forms.BooleanField(label=_("仅限中小企业"), required=False)
    max_company_age_years = forms.IntegerField(
        label=_("企业成立年限上限（年）"), required=False, min_value=1, help_text=_("留空为不限")
    )
    modes = forms.MultipleChoiceField(
        label=_("支付的服务方式"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选为全部"),
    )
    categories = forms.CharField(
        label=_("支付的仪器分类"), required=False, max_length=MAX_TEXT, help_text=CODE_LIST_HELP
    )
    provider_rule = forms.ChoiceField(label=_("服务机构范围"))
    provider_platform = forms.ChoiceField(label=_("平台（按平台成员时）"), required=False)
    mode = forms.ChoiceField(label=_("兑付方式"))

    FIXED = ("code", "funder", "region")  # set when the scheme is made

    def __init__(
        self,
        *args: Any,
        funders: list[tuple[int, str]] | None = None,
        regions: list[tuple[str, str]] | None = None,
        platforms: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if funders is None:  # editing: what was fixed at creation is not asked again
            for name in self.FIXED:
                del self.fields[name]
        else:
            set_choices(self, "funder", funders)
            set_choices(self, "region", regions or [])
        set_choices(self, "modes", [(m.value, m.label) for m in ServiceMode])
        set_choices(self, "provider_rule", [(r.value, r.label) for r in ProviderRule])
        set_choices(self, "provider_platform", [("", "—"), *platforms])
        set_choices(self, "mode", [(m.value, m.label) for m in RedemptionMode])

    @staticmethod
    def initial_from(scheme: VoucherScheme) -> dict[str, Any]:
        values = {name: getattr(scheme, name) for name in EDITABLE if name != "provider_platform"}
        values["provider_platform"] = scheme.provider_platform.code if scheme.provider_platform else ""
        values["eligible_regions"] = " ".join(scheme.eligible_regions)
        values["categories"] = " ".join(scheme.categories)
        return values

    def service_data(self) -> dict[str, Any]:
        """The terms as the service (and the API) take them."""
        data = dict(self.cleaned_data)
        data["eligible_regions"] = code_list(data["eligible_regions"])
        data["categories"] = code_list(data["categories"])
        data["provider_platform"] = data["provider_platform"] or None
        return data


class RecognitionForm(PageForm):
    scheme = forms.ChoiceField(label=_("互认的券种"))
    payer = forms.ChoiceField(label=_("由哪方预算支付"))
    mode = forms.ChoiceField(label=_("兑付方式"))

    def __init__(self, *args: Any, schemes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "scheme", schemes)
        set_choices(self, "payer", [(p.value, p.label) for p in Payer])
        set_choices(self, "mode", [(m.value, m.label) for m in RedemptionMode])


class BarForm(PageForm):
    """Bar a provider that is not on the list (a scheme paying a region's or a platform's providers by
    rule), named by its unified social credit code."""

    credit_code = forms.CharField(label=_("服务机构统一社会信用代码"), min_length=18, max_length=18)
    reason = forms.CharField(label=_("移出理由"), max_length=MAX_TEXT)

    def clean_credit_code(self) -> str:
        return str(self.cleaned_data["credit_code"]).strip().upper()
