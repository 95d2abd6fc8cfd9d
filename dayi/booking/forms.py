"""Forms of the booking pages: they parse what the browser sent into the services' input, nothing more.

Every booking rule (opening hours, slots, warm-up, quota, qualification, conflicts) is the services'
job; a form only turns the instrument's wall-clock times into aware datetimes and puts the errors a
service raises back on its fields.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from dayi.core.pages import LOCAL_FORMAT, PageForm
from dayi.directory.models import ServiceMode

MAX_PURPOSE = 2000
MAX_REASON = 2000


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=LOCAL_FORMAT, **kwargs)


class TimesForm(PageForm):
    """Start and end typed on the instrument's wall clock (``datetime-local`` has no zone)."""

    start = forms.DateTimeField(label=_("开始"), widget=LocalDateTimeInput(), input_formats=[LOCAL_FORMAT])
    end = forms.DateTimeField(label=_("结束"), widget=LocalDateTimeInput(), input_formats=[LOCAL_FORMAT])

    def __init__(self, *args: Any, zone: zoneinfo.ZoneInfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone

    def _local(self, value: dt.datetime | None) -> dt.datetime | None:
        # Django made the value aware in the site's zone; the user meant the instrument's wall clock.
        if value is None:
            return None
        return value.replace(tzinfo=None).replace(tzinfo=self.zone)

    def clean_start(self) -> dt.datetime | None:
        return self._local(self.cleaned_data.get("start"))

    def clean_end(self) -> dt.datetime | None:
        return self._local(self.cleaned_data.get("end"))


class BookingForm(TimesForm):
    mode = forms.ChoiceField(label=_("服务方式"))
    purpose = forms.CharField(
        label=_("用途（实验内容、样品）"),
        required=False,
        max_length=MAX_PURPOSE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, modes: list[str], accounts: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # Only the modes the instrument offers; the service refuses any other (mode_not_offered) anyway.
        offered = [(value, label) for value, label in ServiceMode.choices if value in modes]
        field = cast(forms.ChoiceField, self.fields["mode"])
        field.choices = offered or ServiceMode.choices
        if accounts:  # the research-group accounts the booker may charge (the order's service checks again)
            self.fields["account"] = forms.TypedChoiceField(
                label=_("课题组账户"),
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", _("不使用（自行结算）")), *accounts],
            )


class ReasonForm(PageForm):
    reason = forms.CharField(label=_("原因"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 2}))


class OptionalReasonForm(PageForm):
    reason = forms.CharField(
        label=_("原因（可选）"),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class UsageCorrectionForm(TimesForm):
    reason = forms.CharField(
        label=_("更正原因"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 2})
    )


class UsageConfirmForm(PageForm):
    reason = forms.CharField(
        label=_("备注（可选）"),
        required=False,
        max_length=MAX_REASON,
        widget=forms.TextInput(),
    )


class ShortenForm(PageForm):
    """A manager's new, earlier end for a booking (on the instrument's wall clock) and the reason."""

    end = forms.DateTimeField(
        label=_("新的结束时间"), widget=LocalDateTimeInput(), input_formats=[LOCAL_FORMAT]
    )
    reason = forms.CharField(label=_("原因"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, zone: zoneinfo.ZoneInfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone

    def clean_end(self) -> dt.datetime | None:
        value = self.cleaned_data.get("end")
        return value.replace(tzinfo=None).replace(tzinfo=self.zone) if value else None
