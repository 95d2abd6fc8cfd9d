"""The manager's desk pages (issue 12): training and qualifications, the manager's day, problem reports.

Thin views over ``dayi.booking.services.training``, ``.desk`` and ``.problems`` — the same services as the
API. Reads start in the access layer (``dayi.accounts.access.desk`` and ``.bookings``). A refusal the user
can mend (a field, a clash, a rule) redraws the page with what they typed and the message, with the
error's status; a refusal of access goes to the one page error path (``dayi.core.pages``).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dayi.accounts.access import Actor, actor_for
from dayi.accounts.access.bookings import (
    access_booking,
    check_booking_manager,
    managed_filter,
    visible_bookings,
)
from dayi.accounts.access.desk import (
    access_managed_problem,
    access_managed_qualification,
    access_managed_training,
    day_instruments,
    managed_problems,
    managed_qualifications,
    managed_training,
    manages_some_instruments,
    own_qualifications,
    own_training,
)
from dayi.accounts.access.directory import get_listed_instrument
from dayi.booking import desk_forms as f
from dayi.booking import services, timeline
from dayi.booking.models import OPEN_TRAINING, BookingStatus, ProblemStatus
from dayi.booking.services import desk, problems, training
from dayi.core.errors import DayiError
from dayi.core.pages import PageForm, shown_in_place
from dayi.directory.models import Instrument

SHANGHAI = zoneinfo.ZoneInfo(timeline.DEFAULT_ZONE)
EXPIRING_DAYS = training.REMINDER_DAYS
LIST_LIMIT = 200
DAY_STATUSES = [BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.IN_PROGRESS]


def _attempt(form: PageForm, call: Callable[[], Any], message: str) -> tuple[Any, str]:
    """Run ``call`` if the form is valid: (its result, "") or (None, the message to show). A refusal of
    access is not shown in place: it reaches the one page error path. The refusal's status is kept on
    the form (``refusal_status``) for the redrawn page."""
    form.refusal_status = 422  # type: ignore[attr-defined]
    if not form.is_valid():
        return None, message
    try:
        return call(), ""
    except DayiError as exc:
        if not shown_in_place(exc):
            raise
        form.add_service_error(exc)
        form.refusal_status = exc.status  # type: ignore[attr-defined]
        return None, exc.message


def _refused(form: PageForm) -> int:
    return int(getattr(form, "refusal_status", 422))


# --- a user asks for training, reports a fault ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def ask_training(request: HttpRequest, instrument_id: int) -> HttpResponse:
    """Ask for training on an instrument (from its calendar or public page)."""
    instrument = get_listed_instrument(instrument_id)
    actor = actor_for(request.user)
    form = f.TrainingAskForm(request.POST or None)
    error = ""
    if request.method == "POST":
        done, error = _attempt(
            form,
            lambda: training.request_training(
                actor, instrument_id=instrument.pk, note=form.cleaned_data["note"], now=timezone.now()
            ),
            _("请检查填写的内容。"),
        )
        if done:
            messages.success(request, _("培训申请已提交，仪器管理员安排后会通知您。"))
            return redirect("booking:my_training")
    context = {"i": instrument, "form": form, "error": error}
    return render(request, "booking/desk_ask_training.html", context, status=_refused(form) if error else 200)


@login_required
@require_GET
def my_training(request: HttpRequest) -> HttpResponse:
    """The user's training requests and qualifications."""
    actor = actor_for(request.user)
    requests = own_training(actor).select_related("instrument")[:LIST_LIMIT]
    qualifications = own_qualifications(actor).select_related("instrument").order_by("instrument__name")
    context = {
        "requests": [_training_row(t) for t in requests],
        "qualifications": list(qualifications),
        "today": timezone.localdate(),
    }
    return render(request, "booking/desk_my_training.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report_problem(request: HttpRequest, instrument_id: int) -> HttpResponse:
    """Any signed-in user reports a fault on an instrument (from its public page)."""
    instrument = get_listed_instrument(instrument_id)
    actor = actor_for(request.user)
    form = f.ProblemForm(request.POST or None)
    error = ""
    if request.method == "POST":
        done, error = _attempt(
            form,
            lambda: problems.report_problem(
                actor,
                instrument_id=instrument.pk,
                description=form.cleaned_data["description"],
                now=timezone.now(),
            ),
            _("请描述故障。"),
        )
        if done:
            messages.success(request, _("故障报告已提交，仪器管理员会尽快处理。谢谢！"))
            return redirect("portal:instrument", instrument.pk)
    context = {"i": instrument, "form": form, "error": error}
    return render(
        request, "booking/desk_report_problem.html", context, status=_refused(form) if error else 200
    )


# --- training and qualifications: the manager's lists ------------------------------------------------------


def _local(moment: dt.datetime | None, instrument: Instrument) -> dt.datetime | None:
    return moment.astimezone(timeline.zone_of(instrument)) if moment else None


def _training_row(t: Any, **forms: Any) -> dict[str, Any]:
    zone = timeline.zone_of(t.instrument)
    at = _local(t.scheduled_at, t.instrument)
    return {
        "t": t,
        "at": at,
        "zone": str(zone),
        "schedule": forms.get("schedule")
        or f.ScheduleForm(prefix=f"s{t.pk}", initial={"at": at.replace(tzinfo=None) if at else None}),
        "result": forms.get("result") or f.ResultForm(prefix=f"r{t.pk}"),
        "error": forms.get("error", ""),
    }


def _training_page(request: HttpRequest, actor: Actor, *, status: int = 200, **redraw: Any) -> HttpResponse:
    today = timezone.localdate()
    open_requests = (
        managed_training(actor).filter(status__in=OPEN_TRAINING).select_related("instrument", "user")
    )
    quals = managed_qualifications(actor).select_related("instrument", "user", "revoked_by")
    live = quals.filter(revoked__isnull=True).order_by("instrument__name", "user__username")
    rows = []
    for t in open_requests.order_by("created", "id")[:LIST_LIMIT]:
        rows.append(_training_row(t, **redraw) if redraw.get("pk") == t.pk else _training_row(t))
    revoke = redraw.get("revoke")
    context = {
        "requests": rows,
        "qualified": [
            {"q": q, "form": revoke if revoke is not None and redraw.get("qpk") == q.pk else None}
            for q in live.exclude(expires__lt=today)[:LIST_LIMIT]
        ],
        "expiring": live.filter(expires__gte=today, expires__lte=today + dt.timedelta(days=EXPIRING_DAYS)),
        "revoked": quals.filter(revoked__isnull=False).order_by("-revoked")[:LIST_LIMIT],
        "expiring_days": EXPIRING_DAYS,
        "revoke_form": f.RevokeForm(),
        "error": redraw.get("error", "") if redraw.get("qpk") else "",
    }
    return render(request, "booking/desk_training.html", context, status=status)


@login_required
@require_GET
def manage_training(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    if not manages_some_instruments(actor):
        return render(request, "booking/manage_none.html", status=403)
    return _training_page(request, actor)


@login_required
@require_POST
def schedule_training(request: HttpRequest, request_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    t = access_managed_training(actor, request_id)  # first: another's is not found
    form = f.ScheduleForm(request.POST, prefix=f"s{t.pk}")
    zone = timeline.zone_of(t.instrument)
    done, error = _attempt(
        form,
        lambda: training.schedule_training(
            actor,
            t.pk,
            at=f.wall(form.cleaned_data["at"], zone),  # type: ignore[arg-type]
            note=form.cleaned_data["note"],
            now=timezone.now(),
        ),
        _("请检查培训时间。"),
    )
    if done:
        messages.success(request, _("培训已安排，已通知申请人。"))
        return redirect(reverse("booking:manage_training") + f"#training-{t.pk}")
    return _training_page(request, actor, status=_refused(form), pk=t.pk, schedule=form, error=error)


@login_required
@require_POST
def record_result(request: HttpRequest, request_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    t = access_managed_training(actor, request_id)  # first: another's is not found
    form = f.ResultForm(request.POST, prefix=f"r{t.pk}")
    done, error = _attempt(
        form,
        lambda: training.record_training_result(
            actor,
            t.pk,
            passed=form.cleaned_data["result"] == "passed",
            expires=form.cleaned_data["expires"],
            note=form.cleaned_data["note"],
            now=timezone.now(),
        ),
        _("请检查考核结果。"),
    )
    if done:
        passed = done.status == "passed"
        messages.success(request, _("已记录：通过，上机资格已授予。") if passed else _("已记录：未通过。"))
        return redirect("booking:manage_training")
    return _training_page(request, actor, status=_refused(form), pk=t.pk, result=form, error=error)


@login_required
@require_POST
def revoke_qualification(request: HttpRequest, qualification_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    q = access_managed_qualification(actor, qualification_id)  # first: others' are not found
    form = f.RevokeForm(request.POST, prefix=f"q{q.pk}")
    done, error = _attempt(
        form,
        lambda: training.revoke_qualification(
            actor, q.pk, reason=form.cleaned_data["reason"], now=timezone.now()
        ),
        _("请说明撤销原因。"),
    )
    if done:
        messages.success(request, _("上机资格已撤销，已通知持有人。"))
        return redirect(reverse("booking:manage_training") + "#revoked")
    return _training_page(request, actor, status=_refused(form), qpk=q.pk, revoke=form, error=error)


# --- the manager's day ------------------------------------------------------------------------------------


def _day_window(which: str) -> tuple[dt.datetime, dt.datetime, dt.date]:
    today = timezone.now().astimezone(SHANGHAI).date()
    start = timeline.local_midnight(today, SHANGHAI)
    days = 7 if which == "week" else 1
    return start, timeline.local_midnight(today + dt.timedelta(days=days), SHANGHAI), today


def _booking_row(b: Any, redraw: dict[str, Any]) -> dict[str, Any]:
    zone = timeline.zone_of(b.instrument)
    start, end = b.start.astimezone(zone), b.end.astimezone(zone)
    mine = redraw.get("pk") == b.pk
    return {
        "b": b,
        "start": start,
        "end": end,
        "zone": str(zone),
        "status_label": BookingStatus(b.status).label,
        "move": redraw["move"]
        if mine and "move" in redraw
        else f.MoveForm(prefix=f"m{b.pk}", initial={"start": start.replace(tzinfo=None)}),
        "cancel": redraw["cancel"] if mine and "cancel" in redraw else f.CancelForm(prefix=f"c{b.pk}"),
        "error": redraw.get("error", "") if mine else "",
        "movable": b.status in desk.MOVABLE,
    }


def _instrument_choices(actor: Actor) -> list[tuple[int, str]]:
    return list(day_instruments(actor).order_by("name", "id").values_list("pk", "name"))


def _day_page(request: HttpRequest, actor: Actor, *, status: int = 200, **redraw: Any) -> HttpResponse:
    which = request.GET.get("range", "") or request.POST.get("range", "")
    which = "week" if which == "week" else "today"
    start, end, today = _day_window(which)
    bookings = (
        visible_bookings(actor)
        .filter(managed_filter(actor), status__in=DAY_STATUSES, start__lt=end, end__gt=start)
        .select_related("instrument", "user")
        .order_by("start", "id")[:LIST_LIMIT]
    )
    days: dict[dt.date, list[dict[str, Any]]] = {}
    for b in bookings:
        row = _booking_row(b, redraw)
        days.setdefault(max(row["start"].date(), today), []).append(row)
    choices = _instrument_choices(actor)
    context = {
        "range": which,
        "days": sorted(days.items()),
        "book_form": redraw.get("book") or f.OnBehalfForm(instruments=choices, prefix="book"),
        "walk_form": redraw.get("walk") or f.WalkUpForm(instruments=choices, prefix="walk"),
        "book_error": redraw.get("book_error", ""),
        "walk_error": redraw.get("walk_error", ""),
    }
    return render(request, "booking/desk_day.html", context, status=status)


def _day_url(request: HttpRequest, anchor: str = "") -> str:
    which = request.POST.get("range", "")
    return reverse("booking:day") + ("?range=week" if which == "week" else "") + anchor


@login_required
@require_GET
def day(request: HttpRequest) -> HttpResponse:
    """Today's (or the next 7 days') pending, confirmed and running bookings of every instrument the
    manager operates, with booking for someone, walk-up use, moving and cancelling."""
    actor = actor_for(request.user)
    if not day_instruments(actor).exists():
        return render(request, "booking/manage_none.html", status=403)
    return _day_page(request, actor)


def _zone_of_choice(actor: Actor, instrument_id: int | None) -> zoneinfo.ZoneInfo:
    instrument = day_instruments(actor).filter(pk=instrument_id).first() if instrument_id else None
    return timeline.zone_of(instrument) if instrument else SHANGHAI


def _post_for_user(
    request: HttpRequest,
    form_class: type[f.OnBehalfForm] | type[f.WalkUpForm],
    key: str,
    service: Callable[..., Any],
    message: str,
    said: Callable[[Any], str],
) -> HttpResponse:
    """A day-page form that acts for a user on one of the manager's instruments (its fields are the
    service's arguments); the times are read on that instrument's wall clock."""
    actor = actor_for(request.user)
    choices = _instrument_choices(actor)
    if not choices:  # operates no instrument's bookings: refused before the form is read
        return render(request, "booking/manage_none.html", status=403)
    form = form_class(request.POST, instruments=choices, prefix=key)

    def call() -> Any:
        data = dict(form.cleaned_data)
        zone = _zone_of_choice(actor, data["instrument"])
        data["instrument_id"] = data.pop("instrument")
        data["start"], data["end"] = f.wall(data["start"], zone), f.wall(data["end"], zone)
        return service(actor, now=timezone.now(), **data)

    done, error = _attempt(form, call, message)
    if done:
        messages.success(request, said(done))
        return redirect(_day_url(request))
    return _day_page(request, actor, status=_refused(form), **{key: form, f"{key}_error": error})


@login_required
@require_POST
def book_for_user(request: HttpRequest) -> HttpResponse:
    """Book for a user found by username or e-mail (``desk.book_for_user``)."""
    return _post_for_user(
        request,
        f.OnBehalfForm,
        "book",
        desk.book_for_user,
        _("请检查预约信息。"),
        lambda b: _("已为 %(user)s 预约，已通知预约人。") % {"user": b.user.username},
    )


@login_required
@require_POST
def walk_up(request: HttpRequest) -> HttpResponse:
    """Record use without a booking for a user (``desk.record_walk_up``)."""
    return _post_for_user(
        request,
        f.WalkUpForm,
        "walk",
        desk.record_walk_up,
        _("请检查使用记录。"),
        lambda u: _("已记录 %(hours)s 小时机时。") % {"hours": u.hours},
    )


@login_required
@require_POST
def move_booking(request: HttpRequest, booking_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    booking = access_booking(actor, booking_id)  # first: another's booking is not found
    form = f.MoveForm(request.POST, prefix=f"m{booking.pk}")
    zone = timeline.zone_of(booking.instrument)
    done, error = _attempt(
        form,
        lambda: desk.move_booking(
            actor,
            booking.pk,
            start=f.wall(form.cleaned_data["start"], zone),  # type: ignore[arg-type]
            reason=form.cleaned_data["reason"],
            now=timezone.now(),
        ),
        _("请检查新的开始时间和原因。"),
    )
    if done:
        messages.success(request, _("预约已移动，已通知预约人。"))
        return redirect(_day_url(request, f"#day-{booking.pk}"))
    return _day_page(request, actor, status=_refused(form), pk=booking.pk, move=form, error=error)


@login_required
@require_POST
def cancel_booking(request: HttpRequest, booking_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    booking = access_booking(actor, booking_id)
    form = f.CancelForm(request.POST, prefix=f"c{booking.pk}")
    done, error = _attempt(
        form,
        lambda: _manager_cancel(actor, booking.pk, form.cleaned_data["reason"]),
        _("请说明取消原因。"),
    )
    if done:
        messages.success(request, _("预约已取消，已通知预约人。"))
        return redirect(_day_url(request))
    return _day_page(request, actor, status=_refused(form), pk=booking.pk, cancel=form, error=error)


def _manager_cancel(actor: Actor, booking_id: int, reason: str) -> Any:
    """The engine's cancel, by a manager only here (the day page is theirs): the booker is told why."""
    check_booking_manager(actor, access_booking(actor, booking_id))
    return services.cancel_booking(actor, booking_id, reason=reason, now=timezone.now())


# --- problem reports --------------------------------------------------------------------------------------


def _problem_row(p: Any, redraw: dict[str, Any]) -> dict[str, Any]:
    mine = redraw.get("pk") == p.pk
    return {
        "p": p,
        "handle": redraw["handle"]
        if mine and "handle" in redraw
        else f.HandleForm(prefix=f"h{p.pk}", initial={"status": p.instrument.status}),
        "resolve": redraw["resolve"] if mine and "resolve" in redraw else f.ResolveForm(prefix=f"r{p.pk}"),
        "error": redraw.get("error", "") if mine else "",
    }


def _problems_page(request: HttpRequest, actor: Actor, *, status: int = 200, **redraw: Any) -> HttpResponse:
    reports = managed_problems(actor).select_related("instrument", "reporter", "resolved_by")
    context = {
        "open": [
            _problem_row(p, redraw)
            for p in reports.filter(status=ProblemStatus.OPEN).order_by("created", "id")[:LIST_LIMIT]
        ],
        "resolved": reports.filter(status=ProblemStatus.RESOLVED).order_by("-resolved_at")[:50],
    }
    return render(request, "booking/desk_problems.html", context, status=status)


@login_required
@require_GET
def manage_problems(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    if not manages_some_instruments(actor):
        return render(request, "booking/manage_none.html", status=403)
    return _problems_page(request, actor)


@login_required
@require_POST
def handle_problem(request: HttpRequest, report_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    report = access_managed_problem(actor, report_id)
    form = f.HandleForm(request.POST, prefix=f"h{report.pk}")
    zone = timeline.zone_of(report.instrument)
    done, error = _attempt(
        form,
        lambda: problems.handle_problem(
            actor,
            report.pk,
            status=form.cleaned_data["status"],
            downtime_start=f.wall(form.cleaned_data["downtime_start"], zone),
            downtime_end=f.wall(form.cleaned_data["downtime_end"], zone),
            reason=form.cleaned_data["reason"],
            now=timezone.now(),
        ),
        _("请检查仪器状态与停机时段。"),
    )
    if done:
        affected = len(done[1])
        messages.success(
            request, _("已更新仪器状态；受影响的预约 %(n)s 个，已通知预约人。") % {"n": affected}
        )
        return redirect(reverse("booking:problems") + f"#problem-{report.pk}")
    return _problems_page(request, actor, status=_refused(form), pk=report.pk, handle=form, error=error)


@login_required
@require_POST
def resolve_problem(request: HttpRequest, report_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    report = access_managed_problem(actor, report_id)
    form = f.ResolveForm(request.POST, prefix=f"r{report.pk}")
    done, error = _attempt(
        form,
        lambda: problems.resolve_problem(
            actor,
            report.pk,
            resolution=form.cleaned_data["resolution"],
            status=form.cleaned_data["status"],
            now=timezone.now(),
        ),
        _("请填写处理结果。"),
    )
    if done:
        messages.success(request, _("故障报告已解决。"))
        return redirect("booking:problems")
    return _problems_page(request, actor, status=_refused(form), pk=report.pk, resolve=form, error=error)
