"""Forms of the manager's desk pages (training, the manager's day, problem reports).

Times are typed on a wall clock (``datetime-local``, ISO in every language); the view gives them the
instrument's zone (``wall``), because which instrument is meant is known only once the form is read.
Every rule is the services' job: a form only parses.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dayi.booking.forms import LocalDateTimeInput
from dayi.core.pages import LOCAL_FORMAT, PageForm, set_choices
from dayi.directory.models import ServiceMode, Status

TEXT = 2000


def wall(value: dt.datetime | None, zone: zoneinfo.ZoneInfo) -> dt.datetime | None:
    """The wall-clock time the user typed, in ``zone`` (Django made it aware in the site's zone)."""
    return value.replace(tzinfo=None).replace(tzinfo=zone) if value else None


def _moment(label: Any, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=required, widget=LocalDateTimeInput(), input_formats=[LOCAL_FORMAT]
    )


def _text(label: Any, *, required: bool = True, rows: int = 2, limit: int = TEXT) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=limit, widget=forms.Textarea(attrs={"rows": rows})
    )


def statuses() -> list[tuple[str, Any]]:
    """The directory's statuses, labelled in the active language (their Chinese labels are msgids)."""
    return list(Status.choices)


def modes() -> list[tuple[str, Any]]:
    return list(ServiceMode.choices)


class TrainingAskForm(PageForm):
    note = _text(_("培训需求说明（可选）"), required=False, rows=3)


class ScheduleForm(PageForm):
    at = _moment(_("培训时间"))
    note = _text(_("地点与说明（将通知申请人）"), required=False)


class ResultForm(PageForm):
    result = forms.ChoiceField(label=_("考核结果"), choices=[("passed", _("通过")), ("failed", _("未通过"))])
    expires = forms.DateField(
        label=_("资格有效期至（留空为长期有效）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )
    note = _text(_("说明（未通过时必填）"), required=False)


class RevokeForm(PageForm):
    reason = _text(_("撤销原因（将通知持有人）"))


class _ForUser(PageForm):
    instrument = forms.TypedChoiceField(label=_("仪器"), coerce=int)
    user = forms.CharField(label=_("用户名或邮箱"), max_length=254)

    def __init__(self, *args: Any, instruments: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "instrument", instruments)


class OnBehalfForm(_ForUser):
    start = _moment(_("开始"))
    end = _moment(_("结束"))
    mode = forms.ChoiceField(label=_("服务方式"), choices=modes)
    purpose = _text(_("用途（可选）"), required=False)


class WalkUpForm(_ForUser):
    start = _moment(_("开始"))
    end = _moment(_("结束"))
    reason = _text(_("说明（如：未预约临时上机）"))


class MoveForm(PageForm):
    start = _moment(_("新的开始时间"))
    reason = _text(_("原因（将通知预约人）"), rows=1)


class CancelForm(PageForm):
    reason = _text(_("取消原因（将通知预约人）"), rows=1)


class ProblemForm(PageForm):
    description = _text(_("故障描述"), rows=4)


class HandleForm(PageForm):
    status = forms.ChoiceField(label=_("仪器状态"), choices=statuses)
    downtime_start = _moment(_("停机开始（可选）"), required=False)
    downtime_end = _moment(_("停机结束（可选）"), required=False)
    reason = _text(_("停机原因（预约人可见）"), required=False, rows=1, limit=200)


class ResolveForm(PageForm):
    resolution = _text(_("处理结果"))
    status = forms.ChoiceField(label=_("将仪器状态设为（可选）"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "status", [("", _("不变")), *statuses()])
