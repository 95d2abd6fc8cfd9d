"""The stats pages: the dashboard of a level (/stats/), the idle list (/stats/idle/) and the duplicate-
purchase check (/stats/duplicate-check/). Thin: the same queries and services as /api/v1/stats; a refusal
is shown on the message page (``dayi.core.pages``)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dayi.accounts.access import (
    Actor,
    actor_for,
    administered_platforms,
    is_national_admin,
    is_platform_admin,
)
from dayi.accounts.access.stats import own_institution_ids, platform_overseen_ids
from dayi.core.errors import DayiError
from dayi.directory.queries import category_tree
from dayi.network.models import Institution, Platform, Region
from dayi.stats import dashboard, idle, services
from dayi.stats.queries import Scope, years_available

IDLE_PAGE = 50


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def _scope(request: HttpRequest) -> Scope:
    scope = Scope(
        platform=request.GET.get("platform") or None,
        region=request.GET.get("region") or None,
        category=request.GET.get("category") or None,
        institution=_int(request.GET.get("institution")),
    )
    scope.validate()
    return scope


def _choices() -> dict[str, Any]:
    return {
        "platforms": list(Platform.objects.order_by("path").values("code", "name", "level")),
        "provinces": list(Region.objects.filter(level="province").order_by("code").values("code", "name")),
        "classes": category_tree(),
    }


def _charts(data: dict[str, Any]) -> dict[str, Any]:
    """The series the ECharts script draws (see static/stats/dashboard.js)."""
    average = data["national_average"]
    return {
        "months": [
            {
                "period": m["period"],
                "effective": float(m["figures"].effective_hours),
                "external": float(m["figures"].external_hours),
                "utilisation": float(m["figures"].utilisation or 0) * 100,
            }
            for m in data["months"]
        ],
        "years": [
            {
                "period": y["period"],
                "per_instrument": float(y["figures"].hours_per_instrument or 0),
                "external_per_instrument": float(y["figures"].external_per_instrument or 0),
                "national": float(dashboard.queries.national_average(int(y["period"]))["effective_hours"]),
                "national_external": float(
                    dashboard.queries.national_average(int(y["period"]))["external_hours"]
                ),
            }
            for y in data["years"]
        ],
        "classes": [
            {
                "name": r["name"],
                "hours": float(r["figures"].effective_hours),
                "utilisation": float(r["figures"].utilisation or 0) * 100,
            }
            for r in data["by_category"]
        ],
        "regions": [
            {
                "name": r["name"],
                "lon": r["lon"],
                "lat": r["lat"],
                "utilisation": round(float(r["figures"].utilisation or 0) * 100, 1),
                "hours": float(r["figures"].effective_hours),
            }
            for r in data["by_region"]
            if r["lon"] is not None
        ],
        "share": {
            "internal": float(data["figures"].effective_hours - data["figures"].external_hours),
            "external": float(data["figures"].external_hours),
        },
        "average": {
            "effective": float(average["effective_hours"]),
            "external": float(average["external_hours"]),
        },
        "labels": {
            "effective": _("有效机时"),
            "external": _("对外服务机时"),
            "utilisation": _("利用率 %"),
            "per_instrument": _("台均有效机时"),
            "national": _("全国平均"),
            "external_per_instrument": _("台均对外服务机时"),
            "national_external": _("全国平均（对外）"),
            "hours": _("小时"),
            "hours_per_instrument": _("小时/台"),
            "internal": _("校内（本单位）"),
            "external_service": _("对外服务"),
            "longitude": _("经度"),
            "latitude": _("纬度"),
            "high": _("高"),
            "low": _("低"),
        },
    }


def board(request: HttpRequest) -> HttpResponse:
    """A level's dashboard: the nation by default; ?platform=, ?region=, ?institution=, ?category=."""
    scope = _scope(request)
    years = years_available()
    year = _int(request.GET.get("year")) or (years[-1] if years else timezone.now().year)
    month = _int(request.GET.get("month"))
    if month is not None and not 1 <= month <= 12:
        month = None
    data = dashboard.utilisation(scope, year, month)
    context = {
        "data": data,
        "scope": scope,
        "year": year,
        "month": month,
        "years": years or [year],
        "months_range": range(1, 13),
        "charts": _charts(data),
        "voucher_flows": _voucher_flows(scope),
        **_choices(),
    }
    return render(request, "stats/dashboard.html", context)


def _voucher_flows(scope: Scope, *, limit: int = 8) -> list[dict[str, Any]]:
    """The largest voucher flows between provinces, those touching the scope's province when it has one
    (the whole flow chart is /vouchers/flows/)."""
    from dayi.vouchers.queries import region_flows

    flows = region_flows()
    if scope.region:
        province = scope.region[:2]
        flows = [f for f in flows if province in (f["from_code"][:2], f["to_code"][:2])]
    return flows[:limit]


def _default_idle_scope(actor: Actor) -> Scope:
    """Without parameters: the whole network for superusers and national admins; else one's first platform
    or institution."""
    if is_national_admin(actor):
        return Scope()
    platform = administered_platforms(actor).order_by("path").first()
    if platform is not None:
        return Scope(platform=platform.code)
    institutions = own_institution_ids(actor)
    return Scope(institution=institutions[0]) if institutions else Scope()


@login_required
def idle_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    given = {k for k in ("platform", "region", "category", "institution") if request.GET.get(k)}
    scope = _scope(request) if given else _default_idle_scope(actor)
    idle.check_idle_scope(actor, scope)
    try:
        threshold = Decimal(request.GET["threshold"]) if request.GET.get("threshold") else None
    except InvalidOperation:
        threshold = None
    page = max(_int(request.GET.get("page")) or 1, 1)
    now = timezone.now()
    count, items, threshold = idle.idle_instruments(
        scope, now=now, threshold=threshold, offset=(page - 1) * IDLE_PAGE, limit=IDLE_PAGE
    )
    first, end = idle.window(now)
    targets = Institution.objects.none()
    if is_platform_admin(actor):
        ids = platform_overseen_ids(actor)
        targets = Institution.objects.order_by("name")
        targets = targets if ids is None else targets.filter(pk__in=ids)
    context = {
        "scope": scope,
        "scope_name": dashboard.scope_name(scope),
        "count": count,
        "items": items,
        "threshold": threshold,
        "window_start": first,
        "window_end": end,
        "page": page,
        "pages": max(1, (count + IDLE_PAGE - 1) // IDLE_PAGE),
        "targets": list(targets.values("id", "name")[:500]),
        "proposes": is_platform_admin(actor),
    }
    return render(request, "stats/idle.html", context)


@login_required
@require_POST
def notice(request: HttpRequest, instrument_id: int) -> HttpResponse:
    services.notify_idle(
        actor_for(request.user), instrument_id, message=request.POST.get("message", ""), now=timezone.now()
    )
    messages.success(request, _("已向管理单位发送闲置提醒"))
    return redirect("stats:idle")


@login_required
@require_POST
def transfer(request: HttpRequest, instrument_id: int) -> HttpResponse:
    services.propose_transfer(
        actor_for(request.user),
        instrument_id,
        to_institution=_int(request.POST.get("to_institution")) or 0,
        reason=request.POST.get("reason", ""),
        now=timezone.now(),
    )
    messages.success(request, _("已提出调剂建议"))
    return redirect("stats:idle")


@require_http_methods(["GET", "POST"])
def duplicate_check(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {**_choices(), "form": request.POST or {}}
    status = 200
    if request.method == "POST":
        try:
            value = Decimal(request.POST.get("value") or "-1")
        except InvalidOperation:
            value = Decimal(-1)
        try:
            context["result"] = idle.duplicate_check(
                request.POST.get("category", "").strip(),
                request.POST.get("region", "").strip(),
                value,
                now=timezone.now(),
            )
        except DayiError as exc:
            context["error"] = exc
            status = exc.status
    return render(request, "stats/duplicate_check.html", context, status=status)
