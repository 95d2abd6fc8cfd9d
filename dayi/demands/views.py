"""The demand board (/demands/) and a demand's page. Thin: reads through ``dayi.demands.queries``, every
write through ``dayi.demands.services``, the same functions the API calls. A refusal is shown beside the
form it concerns or on the message page (``dayi.core.pages``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dayi.accounts.access import actor_for
from dayi.accounts.access.demands import access_demand, quotable_instruments, speaks_for_company
from dayi.core.errors import DayiError
from dayi.demands import queries, services
from dayi.demands.forms import BoardFilterForm, DemandForm, QuoteForm

PAGE_SIZE = 20


def _board(
    request: HttpRequest, form: DemandForm | None, *, status: int = 200, error: str = ""
) -> HttpResponse:
    filters = BoardFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    f = queries.DemandFilters(**{k: v for k, v in chosen.items() if v})
    page = Paginator(queries.demands(actor_for(request.user), f), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filters": filters, "page_obj": page, "form": form, "error": error}
    return render(request, "demands/board.html", context, status=status)


@require_http_methods(["GET", "POST"])
def board(request: HttpRequest) -> HttpResponse:
    signed_in = request.user.is_authenticated
    if request.method == "GET":
        return _board(request, DemandForm() if signed_in else None)
    if not signed_in:
        return redirect_to_login(request.get_full_path())
    form = DemandForm(request.POST)
    if not form.is_valid():
        return _board(request, form, status=422)
    try:
        demand = services.post_demand(actor_for(request.user), form.cleaned_data, now=timezone.now())
    except DayiError as exc:
        return _board(request, form, status=exc.status, error=exc.message)
    messages.success(request, _("需求已发布，已通知匹配仪器的管理员"))
    return redirect("demands:detail", demand.pk)


def _detail(
    request: HttpRequest,
    demand_id: int,
    *,
    quote_form: QuoteForm | None = None,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    actor = actor_for(request.user)
    demand = access_demand(actor, demand_id)
    instruments = quotable_instruments(actor, demand)
    context: dict[str, Any] = {
        "demand": demand,
        "suggested": demand.suggested.select_related("institution").order_by("name", "id"),
        "quotes": queries.visible_quotes(actor, demand),
        "is_company": speaks_for_company(actor, demand),
        "quote_form": quote_form or (QuoteForm(instruments=instruments) if instruments else None),
        "error": error,
    }
    return render(request, "demands/detail.html", context, status=status)


def detail(request: HttpRequest, demand_id: int) -> HttpResponse:
    return _detail(request, demand_id)


@login_required
@require_POST
def quote(request: HttpRequest, demand_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    demand = access_demand(actor, demand_id)
    form = QuoteForm(request.POST, instruments=quotable_instruments(actor, demand))
    if not form.is_valid():
        return _detail(request, demand_id, quote_form=form, status=422)
    data = form.cleaned_data
    try:
        services.quote_demand(
            actor,
            demand_id,
            instrument_id=data["instrument"],
            amount=data["amount"],
            note=data["note"],
            valid_until=data["valid_until"],
            now=timezone.now(),
        )
    except DayiError as exc:
        return _detail(request, demand_id, quote_form=form, status=exc.status, error=exc.message)
    messages.success(request, _("报价已提交"))
    return redirect("demands:detail", demand_id)


@login_required
@require_POST
def accept(request: HttpRequest, quote_id: int) -> HttpResponse:
    quote, order = services.accept_quote(actor_for(request.user), quote_id, now=timezone.now())
    messages.success(request, _("已接受报价，订单 %(order)s 已生成") % {"order": order.pk})
    return redirect("demands:detail", quote.demand_id)


@login_required
@require_POST
def close(request: HttpRequest, demand_id: int) -> HttpResponse:
    services.close_demand(actor_for(request.user), demand_id, now=timezone.now())
    messages.success(request, _("需求已关闭"))
    return redirect("demands:detail", demand_id)
