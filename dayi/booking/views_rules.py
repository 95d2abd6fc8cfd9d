"""The booking rules editor: an instrument's policy (for those who operate its instruments) and an
institution's default policy (for its admins), with a preview of next week's bookable time.

Thin views: the instrument's policy is saved by ``dayi.directory.services.update_instrument`` (validated,
audited), the default by ``dayi.booking.services.rules.set_default_policy``. A refusal redraws the form
with what the user typed and the message beside each field.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dayi.accounts.access import actor_for
from dayi.accounts.access.directory import (
    access_administered_institution,
    access_instrument,
    administered_institutions,
)
from dayi.booking import queries, timeline
from dayi.booking.policy import WORKING_WEEK, PolicyInvalid, parse_policy, validate_policy, weekday_name
from dayi.booking.rules_form import RulesForm, rules_form
from dayi.booking.services.rules import set_default_policy
from dayi.core.errors import ValidationFailed
from dayi.directory.models import Instrument
from dayi.directory.services import update_instrument

PREVIEW_DAYS = 7


def _checked(form: RulesForm, base: dict[str, Any]) -> dict[str, Any] | None:
    """The policy the form describes, or None with the problems put on the form's fields."""
    if not form.is_valid():
        return None
    policy = form.policy(base)
    errors = validate_policy(policy)
    if errors:
        form.add_policy_errors(errors)
        return None
    return policy


def _stored_form(raw: dict[str, Any], zone: Any) -> tuple[RulesForm, str]:
    """The form for a stored policy; a broken one (written behind the editor's back) shows the defaults."""
    try:
        return rules_form(raw, zone), ""
    except PolicyInvalid:
        return rules_form({}, zone), _("已保存的预约规则有误，下面显示的是默认值；保存后生效。")


# --- an instrument's rules -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest, instrument_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    instrument = access_instrument(actor, instrument_id)
    zone = timeline.zone_of(instrument)
    if request.method == "GET":
        form, warning = _stored_form(instrument.booking_policy, zone)
        return _rules_page(request, instrument, form, warning=warning)
    form = RulesForm(request.POST)
    policy = _checked(form, instrument.booking_policy)
    if policy is None:
        return _rules_page(request, instrument, form, status=422)
    try:
        update_instrument(actor, instrument.pk, {"booking_policy": policy}, now=timezone.now())
    except ValidationFailed as exc:
        form.add_policy_errors(exc.fields)
        return _rules_page(request, instrument, form, status=exc.status)
    messages.success(request, _("预约规则已保存。"))
    return redirect("booking:rules", instrument.pk)


def _rules_page(
    request: HttpRequest, instrument: Instrument, form: RulesForm, *, status: int = 200, warning: str = ""
) -> HttpResponse:
    context = {
        "instrument": instrument,
        "form": form,
        "warning": warning,
        "zone": str(timeline.zone_of(instrument)),
        "action": reverse("booking:rules", args=[instrument.pk]),
        "preview_url": reverse("booking:rules_preview", args=[instrument.pk]),
    }
    return render(request, "booking/rules.html", context, status=status)


@login_required
@require_POST
def rules_preview(request: HttpRequest, instrument_id: int) -> HttpResponse:
    """Next week's bookable time under the rules on the form (not saved), for htmx."""
    instrument = access_instrument(actor_for(request.user), instrument_id)
    form = RulesForm(request.POST)
    policy = _checked(form, instrument.booking_policy)
    days = _preview(instrument, policy) if policy is not None else None
    return render(request, "booking/_rules_preview.html", {"days": days})


def _preview(instrument: Instrument, raw: dict[str, Any]) -> list[dict[str, Any]]:
    zone = timeline.zone_of(instrument)
    now = timezone.now()
    today = now.astimezone(zone).date()
    monday = today + dt.timedelta(days=7 - today.weekday())
    start = timeline.local_midnight(monday, zone)
    end = timeline.local_midnight(monday + dt.timedelta(days=PREVIEW_DAYS), zone)
    free = queries.free_intervals(instrument, start, end, now=now, policy=parse_policy(raw))
    days = []
    for n in range(PREVIEW_DAYS):
        day = monday + dt.timedelta(days=n)
        spans = [
            (a.astimezone(zone), b.astimezone(zone)) for a, b in free if a.astimezone(zone).date() == day
        ]
        days.append({"day": day, "name": weekday_name(day.isoweekday()), "spans": spans})
    return days


# --- an institution's default rules ----------------------------------------------------------------------


@login_required
@require_GET
def default_rules_index(request: HttpRequest) -> HttpResponse:
    """The institutions whose default rules the user sets (straight to the one, if one)."""
    institutions = list(administered_institutions(actor_for(request.user)).order_by("name")[:200])
    if len(institutions) == 1:
        return redirect("booking:default_rules", institutions[0].pk)
    return render(request, "booking/default_rules_index.html", {"institutions": institutions})


@login_required
@require_http_methods(["GET", "POST"])
def default_rules(request: HttpRequest, institution_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    institution = access_administered_institution(actor, institution_id)
    zone = zoneinfo.ZoneInfo(timeline.DEFAULT_ZONE)  # an institution's default has no instrument's zone
    stored = institution.default_booking_policy or WORKING_WEEK
    if request.method == "GET":
        form, warning = _stored_form(stored, zone)
        return _default_page(request, institution, form, warning=warning)
    form = RulesForm(request.POST)
    policy = _checked(form, stored)
    if policy is None:
        return _default_page(request, institution, form, status=422)
    try:
        set_default_policy(actor, institution.pk, policy, now=timezone.now())
    except ValidationFailed as exc:
        form.add_policy_errors(exc.fields)
        return _default_page(request, institution, form, status=exc.status)
    messages.success(request, _("默认预约规则已保存；此后新增的仪器以此为准。"))
    return redirect("booking:default_rules", institution.pk)


def _default_page(
    request: HttpRequest, institution: Any, form: RulesForm, *, status: int = 200, warning: str = ""
) -> HttpResponse:
    context = {
        "institution": institution,
        "form": form,
        "warning": warning,
        "zone": timeline.DEFAULT_ZONE,
        "action": reverse("booking:default_rules", args=[institution.pk]),
    }
    return render(request, "booking/default_rules.html", context, status=status)
