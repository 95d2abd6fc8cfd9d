"""The booking rules editor's form: an instrument's (or an institution's default) booking policy as page
fields, and back.

It only parses what the browser sent (times, numbers, closure rows); whether the policy holds together is
``dayi.booking.policy.validate_policy``'s decision, whose errors come back on the fields they name. Keys
the form does not show are kept as they were.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import zoneinfo
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dayi.booking.policy import APPROVALS, BookingPolicy, clock, parse_policy, weekday_name
from dayi.core.pages import LOCAL_FORMAT, PageForm

WEEKDAYS = range(1, 8)
MAX_CLOSURES = 60
BLANK_CLOSURES = 2  # empty rows offered for new closures
SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–—~至到]\s*(\d{1,2}):(\d{2})\s*$")
SEPARATORS = re.compile(r"[,，;；]")

# (policy key, label, may be left empty for "no limit")
NUMBERS: tuple[tuple[str, Any, bool], ...] = (
    ("slot_minutes", _("时段长度（分钟）"), False),
    ("min_minutes", _("最短预约（分钟）"), False),
    ("max_minutes", _("最长预约（分钟，留空不限）"), True),
    ("min_notice_minutes", _("至少提前（分钟）"), False),
    ("max_advance_days", _("最多提前（天）"), False),
    ("warmup_minutes", _("预热（分钟）"), False),
    ("turnaround_minutes", _("使用后间隔（分钟）"), False),
    ("weekly_quota_minutes", _("每人每周限额（分钟，留空不限）"), True),
    ("max_future_bookings", _("每人未结束预约数上限（留空不限）"), True),
    ("max_future_minutes", _("每人未来机时上限（分钟，留空不限）"), True),
    ("cancel_deadline_minutes", _("开始前多少分钟内取消算迟取消"), False),
    ("no_show_minutes", _("开始后多少分钟未签到算爽约"), False),
)
APPROVAL_LABELS = {
    "never": _("无需审批"),
    "external": _("外单位用户需审批"),
    "always": _("所有预约需审批"),
}


class LocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format=LOCAL_FORMAT)


class RulesForm(PageForm):
    approval = forms.ChoiceField(label=_("审批"), choices=[(a, APPROVAL_LABELS[a]) for a in APPROVALS])
    self_requires_qualification = forms.BooleanField(label=_("自主上机须先取得上机资格"), required=False)

    def __init__(self, data: Any = None, *, initial: dict[str, Any] | None = None, rows: int = 0) -> None:
        super().__init__(data, initial=initial)
        for day in WEEKDAYS:
            self.fields[f"hours_{day}"] = forms.CharField(
                label=weekday_name(day),
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs={"placeholder": "08:30-12:00, 13:30-17:30"}),
            )
        for key, label, nullable in NUMBERS:
            self.fields[key] = forms.IntegerField(label=label, required=not nullable)
        if data is not None:
            rows = _posted_rows(data)
        self.closure_rows = rows
        for n in range(rows):
            self.fields[f"closure_start_{n}"] = forms.CharField(
                label=_("停用开始"), required=False, widget=LocalInput()
            )
            self.fields[f"closure_end_{n}"] = forms.CharField(
                label=_("停用结束"), required=False, widget=LocalInput()
            )
            self.fields[f"closure_reason_{n}"] = forms.CharField(
                label=_("原因（向用户显示）"), required=False, max_length=200
            )

    # --- reading the page ---

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for day in WEEKDAYS:
            self._clean_hours(day)
        for n in range(self.closure_rows):
            self._clean_closure(n)
        return data

    def _clean_hours(self, day: int) -> None:
        raw = self.cleaned_data.get(f"hours_{day}", "")
        windows: list[tuple[int, int]] = []
        for part in SEPARATORS.split(raw or ""):
            if not part.strip():
                continue
            match = SPAN.match(part)
            span = _span(match) if match else None
            if span is None:
                self.add_error(
                    f"hours_{day}", gettext("请按 08:30-12:00, 13:30-17:30 的格式填写，留空为不开放")
                )
                return
            windows.append(span)
        windows.sort()
        for (_a, b), (c, _d) in itertools.pairwise(windows):
            if c < b:
                self.add_error(f"hours_{day}", gettext("同一天的开放时段相互重叠"))
                return
        self.cleaned_data[f"windows_{day}"] = windows

    def _clean_closure(self, n: int) -> None:
        start, end = self.cleaned_data.get(f"closure_start_{n}"), self.cleaned_data.get(f"closure_end_{n}")
        reason = self.cleaned_data.get(f"closure_reason_{n}", "")
        if not (start or end or reason):
            return  # an empty row: no closure (clearing a row removes it)
        moments = []
        for key, value in ((f"closure_start_{n}", start), (f"closure_end_{n}", end)):
            try:
                moments.append(dt.datetime.fromisoformat(value or ""))
            except ValueError:
                self.add_error(key, gettext("请填写日期和时间，如 2026-05-01T08:30"))
        if len(moments) == 2 and moments[1] <= moments[0]:
            self.add_error(f"closure_end_{n}", gettext("结束须晚于开始"))

    def policy(self, base: dict[str, Any]) -> dict[str, Any]:
        """``base`` (the policy as stored) with what the form edits replaced (call after ``is_valid``)."""
        d = self.cleaned_data
        policy = dict(base)
        policy["opening_hours"] = [
            {"weekday": day, "start": clock(a), "end": clock(b)}
            for day in WEEKDAYS
            for a, b in d.get(f"windows_{day}", [])
        ]
        policy["closures"] = [
            {
                "start": d[f"closure_start_{n}"],
                "end": d[f"closure_end_{n}"],
                "reason": d.get(f"closure_reason_{n}", ""),
            }
            for n in range(self.closure_rows)
            if d.get(f"closure_start_{n}") or d.get(f"closure_end_{n}")
        ]
        for key, _label, _nullable in NUMBERS:
            policy[key] = d.get(key)
        policy["approval"] = d["approval"]
        policy["self_requires_qualification"] = bool(d.get("self_requires_qualification"))
        return policy

    def add_policy_errors(self, errors: dict[str, list[str]]) -> None:
        """Put ``validate_policy``'s (or the service's ``booking_policy.<key>``) errors on their fields."""
        for key, messages in errors.items():
            name = key.removeprefix("booking_policy.")
            field = name if name in self.fields else None
            for message in messages:
                self.add_error(field, message)

    # --- the page's layout ---

    def hours(self) -> list[forms.BoundField]:
        return [self[f"hours_{day}"] for day in WEEKDAYS]

    def numbers(self) -> list[forms.BoundField]:
        return [self[key] for key, _label, _nullable in NUMBERS]

    def closures(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (self[f"closure_start_{n}"], self[f"closure_end_{n}"], self[f"closure_reason_{n}"])
            for n in range(self.closure_rows)
        ]


def _span(match: re.Match[str]) -> tuple[int, int] | None:
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    a, b = h1 * 60 + m1, h2 * 60 + m2
    if m1 > 59 or m2 > 59 or a >= 24 * 60 or b > 24 * 60 or b <= a:
        return None
    return (a, b)


def _posted_rows(data: Any) -> int:
    try:
        return max(0, min(int(data.get("closure_rows", 0)), MAX_CLOSURES))
    except (TypeError, ValueError):
        return 0


def rules_form(raw: dict[str, Any], zone: zoneinfo.ZoneInfo) -> RulesForm:
    """The form filled from a stored policy (defaults shown explicitly), with blank closure rows."""
    policy = parse_policy(raw)
    closures = [_closure_row(c.start, c.end, c.reason, zone) for c in policy.closures]
    initial: dict[str, Any] = {
        "approval": policy.approval,
        "self_requires_qualification": policy.self_requires_qualification,
        **{key: getattr(policy, key) for key, _label, _nullable in NUMBERS},
        **_hours_initial(policy),
    }
    for n, (start, end, reason) in enumerate(closures):
        initial |= {f"closure_start_{n}": start, f"closure_end_{n}": end, f"closure_reason_{n}": reason}
    return RulesForm(initial=initial, rows=len(closures) + BLANK_CLOSURES)


def _hours_initial(policy: BookingPolicy) -> dict[str, str]:
    rows: dict[str, list[str]] = {}
    for w in policy.opening_hours:
        rows.setdefault(f"hours_{w.weekday}", []).append(f"{clock(w.start)}-{clock(w.end)}")
    return {key: ", ".join(spans) for key, spans in rows.items()}


def _closure_row(
    start: dt.datetime, end: dt.datetime, reason: str, zone: zoneinfo.ZoneInfo
) -> tuple[str, str, str]:
    """A closure on the instrument's wall clock (naive in the policy means that already)."""

    def local(moment: dt.datetime) -> str:
        return (moment.astimezone(zone) if moment.tzinfo else moment).strftime(LOCAL_FORMAT)

    return local(start), local(end), reason
