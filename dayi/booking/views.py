"""The booking pages: an instrument's calendar, "my bookings", and the managers' queue.

Thin views. Reads go through ``dayi.booking.queries`` (free time, occupied ranges, visible bookings) and
every write through ``dayi.booking.services`` — the same functions the API calls, so a page cannot book
what the API would refuse. A ``DayiError`` a service raises is shown beside the form or row it concerns,
or on the message page (``dayi.core.pages``), with its status; nothing is changed (the service's
transaction rolled back).
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dayi.accounts.access import Actor, actor_for
from dayi.accounts.access.bookings import (
    access_booking,
    access_managed_usage,
    access_usage,
    managed_filter,
    manages_any_instruments,
    visible_bookings,
)
from dayi.accounts.access.directory import manages_instrument
from dayi.accounts.access.money import chargeable_accounts
from dayi.accounts.access.sharing import sharing_refusal
from dayi.booking import ical, queries, services, timeline
from dayi.booking.api_feeds import ics_response
from dayi.booking.forms import (
    BookingForm,
    OptionalReasonForm,
    ReasonForm,
    ShortenForm,
    UsageConfirmForm,
    UsageCorrectionForm,
)
from dayi.booking.models import HOLDING, Booking, BookingStatus, UsageRecord, UsageSource
from dayi.booking.policy import BookingPolicy, PolicyInvalid, clock, parse_policy, weekday_name
from dayi.core.errors import DayiError, ValidationFailed
from dayi.core.pages import is_htmx, shown_in_place
from dayi.directory.models import Instrument, ServiceMode
from dayi.directory.services import get_instrument
from dayi.notify import services as feeds

PAGE_SIZE = 30
FREE_LIST_DAYS = 7  # the calendar's text list of free time (for screen readers and no JavaScript)
USAGE_DAYS = 14  # usage records a manager may correct from the queue page
UPCOMING = 100  # confirmed bookings after today the queue lists (to shorten or cancel them with a reason)
MY_USAGE = 50  # the booker's latest usage records on "my bookings"


# --- shared helpers --------------------------------------------------------------------------------------


def _policy(instrument: Instrument) -> BookingPolicy | None:
    try:
        return parse_policy(instrument.booking_policy)
    except PolicyInvalid:
        return None


def _local(moment: dt.datetime | None, zone: zoneinfo.ZoneInfo) -> dt.datetime | None:
    return moment.astimezone(zone) if moment else None


# --- the calendar ----------------------------------------------------------------------------------------


def _today_window(zone: zoneinfo.ZoneInfo, days: int) -> tuple[dt.datetime, dt.datetime]:
    today = timezone.now().astimezone(zone).date()
    start = timeline.local_midnight(today, zone)
    return start, timeline.local_midnight(today + dt.timedelta(days=days), zone)


def _free_list(
    instrument: Instrument, zone: zoneinfo.ZoneInfo, now: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime]]:
    start, end = _today_window(zone, FREE_LIST_DAYS)
    start = max(start, now)
    return [
        (a.astimezone(zone), b.astimezone(zone))
        for a, b in queries.free_intervals(instrument, start, end, now=now)
    ]


def _refusal(request: HttpRequest, instrument: Instrument) -> str:
    """Why this viewer may not book the instrument at all (its share mode), or ""."""
    if not request.user.is_authenticated:
        return ""
    return sharing_refusal(actor_for(request.user), instrument) or ""


def _shown_date(request: HttpRequest, form: BookingForm) -> str:
    """The day the calendar opens on: the one asked for, or after a refused booking the week the user was
    looking at (the form carries it) or else the day they tried to book."""
    for raw in (request.POST.get("date", ""), request.GET.get("date", "")):
        try:
            return dt.date.fromisoformat(raw[:10]).isoformat()
        except ValueError:
            continue
    start = form.cleaned_data.get("start") if hasattr(form, "cleaned_data") else None
    return start.date().isoformat() if start else ""


def _closures_ahead(
    policy: BookingPolicy | None, zone: zoneinfo.ZoneInfo, now: dt.datetime
) -> list[dict[str, Any]]:
    """The closures that have not ended, with their reasons, for the rules box."""
    if policy is None:
        return []
    rows = []
    for c in policy.closures:
        start = c.start if c.start.tzinfo else c.start.replace(tzinfo=zone)
        end = c.end if c.end.tzinfo else c.end.replace(tzinfo=zone)
        if end > now:
            rows.append({"start": start.astimezone(zone), "end": end.astimezone(zone), "reason": c.reason})
    return sorted(rows, key=lambda r: r["start"])


def _calendar_page(
    request: HttpRequest, instrument: Instrument, form: BookingForm, *, status: int = 200, error: str = ""
) -> HttpResponse:
    zone = timeline.zone_of(instrument)
    policy = _policy(instrument)
    now = timezone.now()
    refusal = _refusal(request, instrument)
    context = {
        "i": instrument,
        "zone": str(zone),
        "policy": policy,
        "opening": _opening_rows(policy),
        "closures": _closures_ahead(policy, zone, now),
        "bookable": policy is not None and queries.bookable(instrument) and not refusal,
        "refusal": refusal,
        "free": _free_list(instrument, zone, now) if policy and not refusal else [],
        "form": form,
        "error": error,
        "slot_minutes": policy.slot_minutes if policy else 30,
        "snap_minutes": _snap_minutes(policy),
        **_visible_hours(policy),
        "initial_date": _shown_date(request, form),
        "initial_view": "dayGridMonth" if request.GET.get("view") == "month" else "timeGridWeek",
        "may_manage": manages_instrument(actor_for(request.user), instrument),  # the rules editor's link
    }
    return render(request, "booking/calendar.html", context, status=status)


def _visible_hours(policy: BookingPolicy | None) -> dict[str, str]:
    """The earliest opening and latest closing of the week, so the week view shows no dead night rows."""
    if policy is None or not policy.opening_hours:
        return {"opens_at": "", "closes_at": ""}
    first = min(w.start for w in policy.opening_hours)
    last = max(w.end for w in policy.opening_hours)
    return {"opens_at": f"{clock(first)}:00", "closes_at": f"{clock(last)}:00"}


def _snap_minutes(policy: BookingPolicy | None) -> int:
    """The grid's snap: the slot when every window opens on the grid's slot lines (the usual case), else the
    step that reaches every day's slot boundaries (the page then snaps a selection out to whole slots)."""
    if policy is None or not policy.opening_hours:
        return 30
    first = min(w.start for w in policy.opening_hours)
    return math.gcd(policy.slot_minutes, *(w.start - first for w in policy.opening_hours))


def _opening_rows(policy: BookingPolicy | None) -> list[str]:
    if policy is None:
        return []
    rows = []
    for w in policy.opening_hours:
        rows.append(
            _("%(day)s %(start)s–%(end)s")
            % {"day": weekday_name(w.weekday), "start": clock(w.start), "end": clock(w.end)}
        )
    return rows


def _booking_form(
    instrument: Instrument, data: Any = None, *, user: Any = None, **kwargs: Any
) -> BookingForm:
    accounts = (
        [(a.pk, a.name) for a in chargeable_accounts(actor_for(user)).order_by("name")]
        if user is not None and user.is_authenticated
        else []
    )
    return BookingForm(
        data, zone=timeline.zone_of(instrument), modes=list(instrument.modes), accounts=accounts, **kwargs
    )


@require_GET
def calendar(request: HttpRequest, instrument_id: int) -> HttpResponse:
    instrument = get_instrument(instrument_id)
    return _calendar_page(request, instrument, _booking_form(instrument, user=request.user))


@login_required
@require_POST
def book(request: HttpRequest, instrument_id: int) -> HttpResponse:
    """Book through ``create_booking``: the page obeys every rule the API does."""
    instrument = get_instrument(instrument_id)
    form = _booking_form(instrument, request.POST, user=request.user)
    if not form.is_valid():
        return _calendar_page(request, instrument, form, status=422, error=_("请检查预约信息。"))
    data = form.cleaned_data
    try:
        booking = services.create_booking(
            actor_for(request.user),
            instrument_id=instrument.pk,
            start=data["start"],
            end=data["end"],
            mode=data["mode"],
            purpose=data["purpose"],
            account_id=data.get("account"),
            now=timezone.now(),
        )
    except DayiError as exc:
        form.add_service_error(exc)
        return _calendar_page(request, instrument, form, status=exc.status, error=exc.message)
    messages.success(request, _booked_message(booking, timeline.zone_of(instrument)))
    day = booking.start.astimezone(timeline.zone_of(instrument)).date().isoformat()
    return redirect(reverse("booking:calendar", args=[instrument.pk]) + f"?date={day}")


def _booked_message(booking: Booking, zone: zoneinfo.ZoneInfo) -> str:
    when = f"{booking.start.astimezone(zone):%Y-%m-%d %H:%M}–{booking.end.astimezone(zone):%H:%M}"
    if booking.status == BookingStatus.PENDING:
        return _("已提交预约 %(when)s，等待仪器管理员审批；审批前该时段为您保留。") % {"when": when}
    return _("预约成功：%(when)s。") % {"when": when}


def _window(request: HttpRequest, zone: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """FullCalendar's ``start``/``end``: the instrument's wall clock (no offset), or with an offset."""
    values = []
    for key in ("start", "end"):
        try:
            value = dt.datetime.fromisoformat(request.GET.get(key, "").strip().replace(" ", "+"))
        except ValueError:
            raise ValidationFailed(fields={key: [gettext("应为 ISO 8601 时间")]}) from None
        values.append(value if value.tzinfo else value.replace(tzinfo=zone))
    queries.check_window(values[0], values[1])
    return values[0], values[1]


def _wall(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    """The instrument's wall-clock time without offset: FullCalendar shows a named zone this way."""
    return moment.astimezone(zone).replace(tzinfo=None).isoformat(timespec="minutes")


STATUS_LABELS = dict(BookingStatus.choices)
MODE_LABELS = dict(ServiceMode.choices)


@require_GET
def calendar_events(request: HttpRequest, instrument_id: int) -> JsonResponse:
    """The calendar's feed: bookable time (what the booking service would accept from this viewer),
    greyed time they may not book (past, within the notice, beyond the horizon, closures with their
    reason), occupied time ("occupied", no names), and the bookings the viewer may see (their own; all of
    them for the instrument's managers), marked."""
    now = timezone.now()
    try:
        instrument = get_instrument(instrument_id)
        zone = timeline.zone_of(instrument)
        start, end = _window(request, zone)
        free = queries.free_intervals(instrument, start, end, now=now)
    except DayiError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    actor = actor_for(request.user)
    if request.user.is_authenticated and sharing_refusal(actor, instrument):
        free = []  # shared inside its institution only (or not at all): nothing here for this viewer
    visible = _visible_bookings(actor, instrument, start, end)
    mine = {(b.occupied.lower, b.occupied.upper) for b in visible}
    occupied = queries.occupied_ranges([instrument.pk], start, end).get(instrument.pk, [])
    events = [_background(a, b, zone, "free") for a, b in free]
    events += _greyed(instrument, zone, start, end, now)
    events += [
        {"start": _wall(a, zone), "end": _wall(b, zone), "title": _("已占用"), "classNames": ["occupied"]}
        for a, b in occupied
        if (a, b) not in mine
    ]
    events += [_booking_event(b, actor, zone) for b in visible]
    return JsonResponse(events, safe=False)


def _background(
    a: dt.datetime, b: dt.datetime, zone: zoneinfo.ZoneInfo, kind: str, title: str = ""
) -> dict[str, Any]:
    event = {"start": _wall(a, zone), "end": _wall(b, zone), "display": "background", "classNames": [kind]}
    if kind == "free":
        event["groupId"] = "free"  # the selection's constraint
    if title:
        event["title"] = title
    return event


def _greyed(
    instrument: Instrument, zone: zoneinfo.ZoneInfo, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> list[dict[str, Any]]:
    """Time the viewer may not book though it may be open: past and within the notice, beyond the horizon,
    and the closures (titled with their reason)."""
    policy = _policy(instrument)
    if policy is None:
        return []
    events = []
    notice = now + dt.timedelta(minutes=policy.min_notice_minutes)
    if start < notice:
        events.append(_background(start, min(notice, end), zone, "unavailable", _("已过或不足提前预约时间")))
    horizon = now + dt.timedelta(days=policy.max_advance_days)
    if horizon < end:
        events.append(_background(max(horizon, start), end, zone, "unavailable", _("超出可预约范围")))
    for c in _closures_ahead(policy, zone, start):
        if c["start"] < end:
            title = _("停用：%(reason)s") % {"reason": c["reason"]} if c["reason"] else _("停用")
            events.append(_background(max(c["start"], start), min(c["end"], end), zone, "closed", title))
    return events


def _visible_bookings(
    actor: Actor, instrument: Instrument, start: dt.datetime, end: dt.datetime
) -> list[Booking]:
    if not actor.is_authenticated:
        return []
    f = queries.BookingFilters(instrument=instrument.pk, start=start, end=end, status=",".join(HOLDING))
    return list(queries.bookings(actor, f))


def _booking_event(b: Booking, actor: Actor, zone: zoneinfo.ZoneInfo) -> dict[str, Any]:
    own = b.user_id == actor.user.pk
    status = str(STATUS_LABELS.get(b.status, b.status))
    who = _("我的预约") if own else (b.user.display_name or b.user.username)
    return {
        "id": str(b.pk),
        "start": _wall(b.start, zone),
        "end": _wall(b.end, zone),
        "title": f"{who} · {status}",
        "classNames": ["booking", "own" if own else "other", f"status-{b.status}"],
        "url": reverse("booking:mine") + f"#booking-{b.pk}" if own else reverse("booking:queue"),
    }


# --- my bookings -----------------------------------------------------------------------------------------


def _my_bookings(actor: Actor, which: str) -> QuerySet[Booking]:
    qs = (
        visible_bookings(actor)
        .filter(user=actor.user)
        .select_related("instrument", "instrument__institution")
    )
    now = timezone.now()
    if which == "past":
        return qs.filter(end__lte=now).order_by("-start", "-id")
    return qs.filter(end__gt=now).order_by("start", "id")


@login_required
@require_GET
def my_bookings(request: HttpRequest) -> HttpResponse:
    which = "past" if request.GET.get("show") == "past" else "upcoming"
    actor = actor_for(request.user)
    page = Paginator(_my_bookings(actor, which), PAGE_SIZE).get_page(request.GET.get("page"))
    mine = queries.usage_records(actor, queries.UsageFilters(current=True)).filter(user=actor.user)
    context = {
        "page_obj": page,
        "rows": [_row(b) for b in page.object_list],
        "usage": [_usage_row(u, correctable=False) for u in mine[:MY_USAGE]],
        "which": which,
        "feed": feeds.feed_of(request.user),
        "feed_url": request.session.pop("dayi_new_feed_url", ""),
    }
    return render(request, "booking/my_bookings.html", context)


def _row(b: Booking, *, message: str = "", error: str = "") -> dict[str, Any]:
    """A booking as one row of a page, in its instrument's zone, with the actions its state allows.
    Whether an action is allowed at this moment is still the service's decision."""
    zone = timeline.zone_of(b.instrument)
    return {
        "b": b,
        "start": _local(b.start, zone),
        "end": _local(b.end, zone),
        "zone": str(zone),
        # The labels are lazy: shown in the reader's language
        "status_label": str(STATUS_LABELS.get(b.status, b.status)),
        "mode_label": str(MODE_LABELS.get(b.mode, b.mode)),
        "can_cancel": b.status in (BookingStatus.PENDING, BookingStatus.CONFIRMED),
        "can_check_in": b.status == BookingStatus.CONFIRMED,
        "can_check_out": b.status == BookingStatus.IN_PROGRESS,
        "message": message,
        "error": error,
    }


ACTIONS: dict[str, Callable[..., Any]] = {
    "cancel": lambda actor, pk, now, reason: services.cancel_booking(actor, pk, reason=reason, now=now),
    "check-in": lambda actor, pk, now, reason: services.check_in(actor, pk, now=now),
    "check-out": lambda actor, pk, now, reason: services.check_out(actor, pk, now=now),
}
DONE = {
    "cancel": gettext_lazy("预约已取消。"),
    "check-in": gettext_lazy("已签到。"),
    "check-out": gettext_lazy("已签退，使用记录已生成。"),
}


@login_required
@require_POST
def booking_action(request: HttpRequest, booking_id: int, action: str) -> HttpResponse:
    """The booker's buttons (cancel, check in, check out), through the same services as the API."""
    if action not in ACTIONS:
        raise Http404("no such action")
    form = OptionalReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(
        request,
        booking_id,
        lambda actor, now: ACTIONS[action](actor, booking_id, now, reason),
        done=str(DONE[action]),
        template="booking/_my_row.html",
        back=reverse("booking:mine"),
    )


def _act(
    request: HttpRequest,
    booking_id: int,
    call: Callable[[Actor, dt.datetime], Any],
    *,
    done: str,
    template: str,
    back: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """Run one service call for a booking and answer: the row again for htmx, a redirect otherwise."""
    actor = actor_for(request.user)
    try:
        call(actor, timezone.now())
    except DayiError as exc:
        if not shown_in_place(exc):
            raise  # the message page (dayi.core.pages): nothing of the booking is shown
        if not is_htmx(request):
            messages.error(request, exc.message)
            return redirect(back)
        booking = access_booking(actor, booking_id)
        context = {"row": _row(booking, error=exc.message), **(extra or {})}
        return render(request, template, context, status=exc.status)
    if not is_htmx(request):
        messages.success(request, done)
        return redirect(back)
    booking = access_booking(actor, booking_id)  # as the service left it, read again through access
    return render(request, template, {"row": _row(booking, message=done), **(extra or {})})


# --- the private calendar feed ---------------------------------------------------------------------------


@login_required
@require_POST
def feed(request: HttpRequest) -> HttpResponse:
    """Create or regenerate (``action=issue``) or revoke (``action=revoke``) the private feed URL."""
    actor = actor_for(request.user)
    if request.POST.get("action") == "revoke":
        feeds.revoke_calendar_feed(actor, now=timezone.now())
        messages.success(request, _("日历订阅地址已停用。"))
    else:
        token = feeds.issue_calendar_feed(actor, now=timezone.now())
        # Shown once, on the next page: only its hash is stored.
        url = request.build_absolute_uri(reverse("booking:private_feed", args=[token]))
        request.session["dayi_new_feed_url"] = url
        messages.success(request, _("已生成新的日历订阅地址，旧地址已失效。"))
    return redirect(reverse("booking:mine") + "#calendar-feed")


@require_GET
def private_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = feeds.user_for_feed_token(token, now=timezone.now())
    if user is None:
        raise Http404("no such feed")
    body = ical.user_feed(user, now=timezone.now())
    return ics_response(body, filename="dayi-bookings.ics", cache="private, max-age=300")


# --- the managers' queue ---------------------------------------------------------------------------------


def _managed(actor: Actor) -> Q:
    return managed_filter(actor)


def _manages_any(actor: Actor) -> bool:
    return manages_any_instruments(actor)


def _queue(actor: Actor) -> dict[str, Any]:
    """What the managers of the actor's instruments have to do: approve, and run today's sessions."""
    managed = _managed(actor)
    base = queries.bookings(actor, queries.BookingFilters()).filter(managed)
    now = timezone.now()
    zone = zoneinfo.ZoneInfo(timezone.get_current_timezone_name())
    day_start = timeline.local_midnight(now.astimezone(zone).date(), zone)
    day_end = day_start + dt.timedelta(days=1)
    pending = base.filter(status=BookingStatus.PENDING, end__gt=now)
    today = base.filter(
        status__in=[BookingStatus.CONFIRMED, BookingStatus.IN_PROGRESS], start__lt=day_end, end__gt=day_start
    )
    overdue = base.filter(status=BookingStatus.IN_PROGRESS, end__lte=day_start)  # never checked out
    # Confirmed bookings from tomorrow on: where a manager finds a long hold to shorten or cancel.
    upcoming = base.filter(status=BookingStatus.CONFIRMED, start__gte=day_end)[:UPCOMING]
    current = queries.usage_records(actor, queries.UsageFilters(current=True)).filter(managed)
    # Self-reported hours waiting for a manager, whatever their age (they do not count until confirmed).
    unconfirmed = current.filter(confirmed=False).order_by("start", "id")[:100]
    usage = current.filter(confirmed=True, start__gte=now - dt.timedelta(days=USAGE_DAYS))[:100]
    return {
        "pending": [_row(b) for b in pending],
        "today": [_row(b) for b in [*overdue, *today]],
        "upcoming": [_row(b) for b in upcoming],
        "unconfirmed": [_usage_row(u) for u in unconfirmed],
        "usage": [_usage_row(u) for u in usage],
    }


SOURCE_LABELS = dict(UsageSource.choices)


def _usage_row(
    u: UsageRecord, *, form: UsageCorrectionForm | None = None, error: str = "", correctable: bool = True
) -> dict[str, Any]:
    zone = timeline.zone_of(u.instrument)
    initial = {
        "start": u.start.astimezone(zone).replace(tzinfo=None),
        "end": u.end.astimezone(zone).replace(tzinfo=None),
    }
    return {
        "u": u,
        "start": _local(u.start, zone),
        "end": _local(u.end, zone),
        "claimed_end": _local(u.claimed_end, zone),
        "zone": str(zone),
        "source_label": str(SOURCE_LABELS.get(u.source, u.source)),  # lazy: in the reader's language
        "correctable": correctable,
        "form": (form or UsageCorrectionForm(initial=initial, zone=zone, prefix=f"u{u.pk}"))
        if correctable
        else None,
        "confirm_form": UsageConfirmForm(prefix=f"c{u.pk}") if correctable and not u.confirmed else None,
        "error": error,
    }


@login_required
@require_GET
def manage_queue(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    if not _manages_any(actor):
        return render(request, "booking/manage_none.html", status=403)
    return render(request, "booking/manage_queue.html", {**_queue(actor), "reject_form": ReasonForm()})


def _manager_cancel(actor: Actor, pk: int, now: dt.datetime, reason: str) -> Any:
    return services.cancel_booking(actor, pk, reason=reason, now=now)


MANAGER_ACTIONS: dict[str, tuple[Callable[..., Any], Any]] = {
    "approve": (
        lambda actor, pk, now, reason: services.approve_booking(actor, pk, now=now),
        gettext_lazy("已批准。"),
    ),
    "reject": (
        lambda actor, pk, now, reason: services.reject_booking(actor, pk, reason=reason, now=now),
        gettext_lazy("已拒绝，时段已释放。"),
    ),
    "check-in": (
        lambda actor, pk, now, reason: services.check_in(actor, pk, now=now),
        gettext_lazy("已签到。"),
    ),
    "check-out": (
        lambda actor, pk, now, reason: services.check_out(actor, pk, now=now),
        gettext_lazy("已签退，使用记录已生成。"),
    ),
    "no-show": (
        lambda actor, pk, now, reason: services.mark_no_show(actor, pk, now=now),
        gettext_lazy("已记为爽约，剩余时段已释放。"),
    ),
    "cancel": (_manager_cancel, gettext_lazy("预约已取消，已通知预约人。")),
}


@login_required
@require_POST
def manage_action(request: HttpRequest, booking_id: int, action: str) -> HttpResponse:
    """A manager's buttons. The services check that the actor manages this booking's instrument: another
    institution's manager gets 404 (the booking is not visible to them) and nothing changes."""
    if action not in MANAGER_ACTIONS:
        raise Http404("no such action")
    call, done = MANAGER_ACTIONS[action]
    reason = request.POST.get("reason", "")
    return _act(
        request,
        booking_id,
        lambda actor, now: call(actor, booking_id, now, reason),
        done=str(done),
        template="booking/_manage_row.html",
        back=reverse("booking:queue"),
        extra={"reject_form": ReasonForm(), "section": request.POST.get("section", "today")},
    )


@login_required
@require_http_methods(["POST"])
def correct_usage(request: HttpRequest, record_id: int) -> HttpResponse:
    """Correct a usage record's times, with the reason audited (``correct_usage``: managers only)."""
    actor = actor_for(request.user)
    # Through the access layer before anything else: a record the actor may not correct is neither read
    # into a form nor shown back (issue 11, hole 2).
    record = access_managed_usage(actor, record_id)
    zone = timeline.zone_of(record.instrument)
    form = UsageCorrectionForm(request.POST, zone=zone, prefix=f"u{record.pk}")
    try:
        if not form.is_valid():
            raise ValidationFailed(_("请检查更正内容。"))
        data = form.cleaned_data
        new = services.correct_usage(
            actor, record.pk, start=data["start"], end=data["end"], reason=data["reason"], now=timezone.now()
        )
    except DayiError as exc:
        if not shown_in_place(exc):
            raise  # the service decides who may correct: nothing of the record is shown
        form.add_service_error(exc)
        if not is_htmx(request):
            messages.error(request, exc.message)
            return redirect(reverse("booking:queue") + "#usage")
        row = _usage_row(record, form=form, error=exc.message)
        return render(request, "booking/_usage_row.html", {"row": row}, status=exc.status)
    done = _("使用记录已更正：%(hours)s 小时。") % {"hours": new.hours}
    return _usage_done(request, actor, new.pk, done)


def _usage_done(request: HttpRequest, actor: Actor, record_id: int, done: str) -> HttpResponse:
    if not is_htmx(request):
        messages.success(request, done)
        return redirect(reverse("booking:queue") + "#usage")
    row = _usage_row(access_usage(actor, record_id))
    row["message"] = done
    return render(request, "booking/_usage_row.html", {"row": row})


@login_required
@require_POST
def confirm_usage(request: HttpRequest, record_id: int) -> HttpResponse:
    """A manager confirms self-reported hours, so they count (``confirm_usage``: managers only)."""
    actor = actor_for(request.user)
    record = access_managed_usage(actor, record_id)  # first: nothing of others' records is read
    form = UsageConfirmForm(request.POST, prefix=f"c{record.pk}")
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        usage = services.confirm_usage(actor, record.pk, reason=reason, now=timezone.now())
    except DayiError as exc:
        if not shown_in_place(exc):
            raise
        if not is_htmx(request):
            messages.error(request, exc.message)
            return redirect(reverse("booking:queue") + "#unconfirmed")
        row = _usage_row(record, error=exc.message)
        return render(request, "booking/_usage_row.html", {"row": row}, status=exc.status)
    done = _("已确认：%(hours)s 小时计入统计。") % {"hours": usage.hours}
    return _usage_done(request, actor, usage.pk, done)


@login_required
@require_POST
def shorten_booking(request: HttpRequest, booking_id: int) -> HttpResponse:
    """A manager moves a booking's end earlier, with a reason; the booker is e-mailed."""
    actor = actor_for(request.user)
    booking = access_booking(actor, booking_id)  # first: another's booking is not found
    form = ShortenForm(request.POST, zone=timeline.zone_of(booking.instrument), prefix=f"s{booking.pk}")
    if not form.is_valid():
        messages.error(request, _("请检查新的结束时间和原因。"))
        return redirect(reverse("booking:queue"))
    data = form.cleaned_data
    return _act(
        request,
        booking_id,
        lambda actor, now: services.shorten_booking(
            actor, booking_id, end=data["end"], reason=data["reason"], now=now
        ),
        done=_("预约已缩短，已通知预约人。"),
        template="booking/_manage_row.html",
        back=reverse("booking:queue"),
        extra={"reject_form": ReasonForm(), "section": request.POST.get("section", "today")},
    )
