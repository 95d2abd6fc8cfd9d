"""Forms of the management pages. They only parse what the browser sent into the service's input.

The rules (required fields, known codes, value ranges, unique inventory numbers) are checked once, by
``dayi.directory.records.clean_instrument`` inside the services, so a page and the API accept and refuse
the same things. Errors the service raises are put back on the form's fields by ``add_service_errors``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dayi.core.errors import DayiError
from dayi.core.pages import PageForm, set_choices
from dayi.directory.models import Category, Instrument, Purpose, ServiceMode, ShareMode, Source, Status
from dayi.network.models import Institution

# Text fields copied into the service's input as they are (the service trims and checks lengths).
TEXT_FIELDS = (
    "inventory_no",
    "name",
    "name_en",
    "model",
    "manufacturer",
    "country",
    "specs",
    "functions",
    "services",
    "results",
    "opening_rules",
    "location",
    "contact",
    "fees_note",
    "booking_url",
    "unit",
)
StrOrPromise = str | Promise  # a label, translated when shown
# Refused before the file is read into memory; the import service holds the same limit.
MAX_IMPORT_BYTES = int(getattr(settings, "DAYI_IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def institution_choices(institutions: Iterable[Institution]) -> list[tuple[str, str]]:
    return [(str(i.pk), i.name) for i in institutions]


def category_choices() -> list[tuple[str, Any]]:
    """The classification as option groups: each class with itself and its middle classes."""
    groups: dict[str, list[tuple[str, str]]] = {}
    labels: dict[str, str] = {}
    for code, name in Category.objects.order_by("code").values_list("code", "name"):
        top = code[:2]
        if len(code) == 2:
            labels[top] = f"{code} {name}"
        groups.setdefault(top, []).append((code, f"{code} {name}"))
    return [("", "—")] + [(labels.get(top, top), options) for top, options in groups.items()]


def _blank(choices: Iterable[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


class InstrumentForm(PageForm):
    """One instrument record. ``institution`` is offered on create only (an instrument never moves)."""

    institution = forms.TypedChoiceField(label=_("管理单位"), coerce=int)
    inventory_no = forms.CharField(
        label=_("资产编号"), max_length=64, help_text=_("本单位内部的仪器编号，单位内唯一")
    )
    name = forms.CharField(label=_("仪器名称"), max_length=128)
    name_en = forms.CharField(label=_("英文名称"), max_length=256, required=False)
    category = forms.ChoiceField(label=_("分类"), help_text=_("国家大型科研仪器分类代码"))
    original_value = forms.CharField(
        label=_("原值（元）"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("进口仪器按入账日汇率折算为人民币"),
    )
    status = forms.ChoiceField(label=_("运行状态"), choices=Status.choices, initial=Status.NORMAL)
    share_mode = forms.ChoiceField(label=_("共享方式"), choices=ShareMode.choices, initial=ShareMode.EXTERNAL)
    modes = forms.MultipleChoiceField(
        label=_("服务方式"),
        choices=ServiceMode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    model = forms.CharField(label=_("规格型号"), max_length=128, required=False)
    manufacturer = forms.CharField(
        label=_("生产厂商"), max_length=128, required=False, help_text=_("制造商，不是代理商")
    )
    country = forms.CharField(label=_("产地国别"), max_length=64, required=False)
    source = forms.ChoiceField(label=_("仪器来源"), choices=_blank(Source.choices), required=False)
    purpose = forms.ChoiceField(label=_("仪器用途"), choices=_blank(Purpose.choices), required=False)
    in_service_date = forms.DateField(
        label=_("启用日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    specs = forms.CharField(label=_("主要技术指标"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    functions = forms.CharField(label=_("主要功能"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    disciplines = forms.CharField(
        label=_("主要学科领域"), required=False, help_text=_("最多四个，用分号分隔")
    )
    services = forms.CharField(label=_("服务内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    results = forms.CharField(label=_("典型成果"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    opening_rules = forms.CharField(
        label=_("开放共享规定"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    fees_note = forms.CharField(
        label=_("参考收费标准"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    booking_url = forms.CharField(label=_("预约链接"), max_length=200, required=False, widget=forms.URLInput)
    contact = forms.CharField(label=_("联系人及电话"), max_length=256, required=False)
    region = forms.CharField(
        label=_("所在地区代码"),
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{6}"}),
        help_text=_("六位行政区划代码；留空则为管理单位所在地"),
    )
    location = forms.CharField(label=_("安放地址"), max_length=256, required=False)
    unit = forms.CharField(
        label=_("所属单元"), max_length=128, required=False, help_text=_("仪器中心、大型设施或服务单元")
    )
    timezone = forms.CharField(label=_("时区"), max_length=64, initial="Asia/Shanghai", required=False)

    # The page shows the fields in these groups, each under its own heading.
    GROUPS = (
        (
            _("基本信息"),
            (
                "institution",
                "inventory_no",
                "name",
                "name_en",
                "category",
                "original_value",
                "model",
                "manufacturer",
                "country",
                "source",
                "purpose",
                "in_service_date",
            ),
        ),
        (
            _("共享与服务"),
            (
                "status",
                "share_mode",
                "modes",
                "services",
                "fees_note",
                "opening_rules",
                "booking_url",
                "contact",
            ),
        ),
        (_("技术指标与成果"), ("specs", "functions", "disciplines", "results")),
        (_("位置"), ("region", "location", "unit", "timezone")),
    )

    def __init__(
        self, *args: Any, institutions: Iterable[Institution] = (), editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "category", category_choices())
        if editing:
            del self.fields["institution"]
        else:
            set_choices(self, "institution", institution_choices(institutions))

    def groups(self) -> list[tuple[StrOrPromise, list[forms.BoundField]]]:
        return [(title, [self[n] for n in names if n in self.fields]) for title, names in self.GROUPS]

    def service_data(self) -> dict[str, Any]:
        """The parsed form as the service's input (call after ``is_valid``)."""
        d = self.cleaned_data
        data: dict[str, Any] = {key: d.get(key, "") for key in TEXT_FIELDS}
        data.update(
            category=d["category"],
            original_value=d["original_value"],
            status=d["status"],
            share_mode=d["share_mode"],
            modes=list(d.get("modes") or []),
            source=d.get("source", ""),
            purpose=d.get("purpose", ""),
            in_service_date=d.get("in_service_date"),
            disciplines=d.get("disciplines", ""),
            region=d.get("region", ""),
            timezone=d.get("timezone") or "Asia/Shanghai",
        )
        if "institution" in self.fields:
            data["institution"] = d["institution"]
        return data


def initial_from(instrument: Instrument) -> dict[str, Any]:
    """The edit form's starting values."""
    data: dict[str, Any] = {key: getattr(instrument, key) for key in TEXT_FIELDS}
    data.update(
        category=instrument.category_id,
        original_value=str(instrument.original_value),
        status=instrument.status,
        share_mode=instrument.share_mode,
        modes=instrument.modes,
        source=instrument.source,
        purpose=instrument.purpose,
        in_service_date=instrument.in_service_date,
        disciplines="; ".join(instrument.disciplines),
        region=instrument.region_id,
        timezone=instrument.timezone,
    )
    return data


def add_service_errors(form: forms.Form, exc: DayiError) -> None:
    """Put a service's per-field errors on the form's fields; the rest become the form's own errors."""
    for key, messages in exc.fields.items():
        for message in messages:
            form.add_error(key if key in form.fields else None, message)
    if not exc.fields:
        form.add_error(None, exc.message)


class RetireForm(PageForm):
    reason = forms.CharField(
        label=_("退役原因"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("写入审计记录，例如：已报废、已调拨"),
    )


class ImportForm(PageForm):
    institution = forms.TypedChoiceField(label=_("导入到单位"), coerce=int)
    file = forms.FileField(
        label=_("仪器清单文件"),
        help_text=_("CSV 或 XLSX，列名为国家报送表的中文表头或 API 字段名"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    fmt = forms.ChoiceField(
        label=_("文件格式"),
        required=False,
        choices=[
            ("", _("自动识别（CSV 或 XLSX）")),
            ("csv", "CSV"),
            ("xlsx", "XLSX"),
            ("uniquip", _("uniquip（英国设备共享格式）")),
        ],
    )
    default_category = forms.ChoiceField(
        label=_("默认分类"), required=False, help_text=_("仅用于 uniquip：该格式没有分类")
    )
    default_value = forms.CharField(
        label=_("默认原值（元）"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("仅用于 uniquip：该格式没有原值"),
    )

    def __init__(self, *args: Any, institutions: Iterable[Institution] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "institution", institution_choices(institutions))
        set_choices(self, "default_category", category_choices())

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("文件不能超过 %(mb)s MB，请拆分后导入") % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)}
            )
        return upload

    def options(self) -> dict[str, str]:
        """The format and the uniquip defaults, kept with a pending upload until it is confirmed."""
        return {key: self.cleaned_data.get(key) or "" for key in ("fmt", "default_category", "default_value")}


def split_fields(text: str) -> list[str]:
    """Fields of expertise as typed: separated by 、，, ; or new lines."""
    for sep in ("、", "，", ",", "；", ";", "\n"):
        text = text.replace(sep, "\n")
    return [f.strip() for f in text.split("\n") if f.strip()]


class ExpertForm(PageForm):
    """An expert. ``institution`` is asked on create only (an expert who moves is listed anew)."""

    institution = forms.TypedChoiceField(label=_("所在单位"), coerce=int, empty_value=None)
    name = forms.CharField(label=_("姓名"), max_length=64)
    title = forms.CharField(label=_("职称"), max_length=64, required=False)
    fields_of_expertise = forms.CharField(
        label=_("研究领域"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("多个领域以顿号、逗号或换行分隔"),
    )
    contact = forms.CharField(label=_("联系方式"), max_length=128, required=False)

    def __init__(self, *args: Any, institutions: list[tuple[Any, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if institutions is None:
            del self.fields["institution"]
        else:
            set_choices(self, "institution", institutions)
            self.fields["institution"].required = bool(institutions and institutions[0][0] != "")

    @staticmethod
    def initial_from(expert: Any) -> dict[str, Any]:
        return {
            "name": expert.name,
            "title": expert.title,
            "fields_of_expertise": "、".join(expert.fields_of_expertise),
            "contact": expert.contact,
        }

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["fields_of_expertise"] = split_fields(data["fields_of_expertise"])
        return data


class ExpertRetireForm(PageForm):
    reason = forms.CharField(
        label=_("退出原因"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("写入审计记录，例如：已退休、已调离"),
    )
