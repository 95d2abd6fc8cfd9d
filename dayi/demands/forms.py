"""Forms of the demand pages: they only parse; the services decide (the API calls the same ones)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dayi.core.pages import set_choices
from dayi.demands.models import DemandStatus
from dayi.directory.models import Category
from dayi.network.models import Region

StrOrPromise = str | Promise  # a label, translated lazily or not


def category_choices() -> list[tuple[str, StrOrPromise]]:
    top = Category.objects.filter(level__lte=2).order_by("code").values_list("code", "name")
    return [("", _("全部分类")), *[(code, f"{code} {name}") for code, name in top]]


def region_choices() -> list[tuple[str, StrOrPromise]]:
    provinces = Region.objects.filter(level="province").order_by("code").values_list("code", "name")
    return [("", _("全部地区")), *provinces]


class BoardFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *DemandStatus.choices]
    )
    category = forms.ChoiceField(label=_("仪器分类"), required=False)
    region = forms.ChoiceField(label=_("地区"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "category", category_choices())
        set_choices(self, "region", region_choices())


class DemandForm(forms.Form):
    title = forms.CharField(label=_("需求标题"), max_length=200)
    description = forms.CharField(label=_("检测内容"), widget=forms.Textarea(attrs={"rows": 4}))
    category = forms.ChoiceField(label=_("仪器分类"), required=False)
    region = forms.ChoiceField(label=_("地区"), required=False)
    samples = forms.CharField(label=_("样品（数量与种类）"), max_length=200, required=False)
    budget = forms.DecimalField(label=_("预算（元）"), required=False, min_value=0, decimal_places=2)
    deadline = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))
    is_public = forms.BooleanField(label=_("公开发布"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "category", category_choices())
        set_choices(self, "region", region_choices())


class QuoteForm(forms.Form):
    instrument = forms.TypedChoiceField(label=_("服务仪器"), coerce=int)
    amount = forms.DecimalField(label=_("报价（元）"), min_value=0, decimal_places=2)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    valid_until = forms.DateField(
        label=_("报价有效期至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, instruments: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "instrument", instruments)
