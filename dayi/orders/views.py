"""The orders pages: price list editor, the booking page's quote, sample submission, orders, accounts.

Thin views. Reads go through ``dayi.orders.queries`` and the services' ``access_*`` helpers, every write
through ``dayi.orders.services`` — the functions the API calls. A ``DayiError`` a service raises is shown
beside the form it concerns or on the message page (``dayi.core.pages``), with its status, and nothing
changed (the service's transaction rolled back).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dayi.accounts.access import (
    Actor,
    actor_for,
    check_instrument_manager,
    managed_institution_ids,
    manages_instruments_of,
)
from dayi.accounts.access.money import (
    access_account,
    access_top_up,
    chargeable_accounts,
    confirms_top_ups_of,
    keeps_account,
    keeps_books,
    top_ups_to_decide,
    visible_accounts,
)
from dayi.accounts.models import User
from dayi.booking import timeline
from dayi.core.errors import DayiError, Forbidden, NotFound, ValidationFailed
from dayi.core.models import AuditEvent
from dayi.core.pages import LOCAL_FORMAT, message_of, shown_in_place
from dayi.directory.models import Instrument
from dayi.directory.services import get_instrument
from dayi.network.models import Institution
from dayi.orders import pricing, queries, services
from dayi.orders.forms import (
    MemberForm,
    OpenAccountForm,
    PriceFormSet,
    ProjectForm,
    ReasonForm,
    RefundForm,
    ResultForm,
    SampleForm,
    SharesForm,
    TopUpDecisionForm,
    TopUpForm,
)
from dayi.orders.models import Account, InstrumentCharges, Order, OrderKind, OrderStatus

PAGE_SIZE = 30
S = OrderStatus


# --- the price list editor -------------------------------------------------------------------------------


def _price_initial(instrument: Instrument) -> list[dict[str, Any]]:
    fields = ("unit", "mode", "user_class", "amount", "minimum", "valid_from", "valid_until", "item_name")
    return [{k: getattr(r, k) for k in fields} for r in queries.prices(instrument.pk)]


def _shares_initial(instrument: Instrument) -> dict[str, Any]:
    c = InstrumentCharges.objects.filter(pk=instrument.pk).first() or InstrumentCharges()
    return {
        "late_cancellation_share": c.late_cancellation_share,
        "no_show_share": c.no_show_share,
        "price_on_request": c.price_on_request,
    }


def _prices_page(
    request: HttpRequest,
    instrument: Instrument,
    rows: Any,
    shares: SharesForm,
    *,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    context = {"i": instrument, "rows": rows, "shares": shares, "error": error}
    return render(request, "orders/prices.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def prices(request: HttpRequest, instrument_id: int) -> HttpResponse:
    """The managers' editor; saving replaces the whole list through the same service as PUT /prices."""
    instrument = get_instrument(instrument_id)
    actor = actor_for(request.user)
    check_instrument_manager(actor, instrument.institution_id)
    if request.method == "GET":
        rows = PriceFormSet(initial=_price_initial(instrument), prefix="p")
        return _prices_page(request, instrument, rows, SharesForm(initial=_shares_initial(instrument)))
    rows, shares = PriceFormSet(request.POST, prefix="p"), SharesForm(request.POST)
    if not (rows.is_valid() and shares.is_valid()):
        return _prices_page(request, instrument, rows, shares, status=422, error=_("请检查价目表。"))
    # Blank extra rows have no cleaned data; ticked rows are left out of the new list.
    kept = [f.rule() for f in rows.forms if f.cleaned_data and f not in rows.deleted_forms]
    try:
        services.save_price_list(
            actor,
            instrument.pk,
            kept,
            late_cancellation=shares.cleaned_data["late_cancellation_share"],
            no_show=shares.cleaned_data["no_show_share"],
            price_on_request=shares.cleaned_data["price_on_request"],
            now=timezone.now(),
        )
    except DayiError as exc:
        shares.add_service_error(exc)
        return _prices_page(request, instrument, rows, shares, status=exc.status, error=exc.message)
    messages.success(request, _("价目表已保存。"))
    return redirect("orders:prices", instrument.pk)


# --- the quote on the booking page -----------------------------------------------------------------------


def _local_moment(text: str, instrument: Instrument) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text.strip(), LOCAL_FORMAT).replace(tzinfo=timeline.zone_of(instrument))
    except ValueError:
        return None


@require_GET
def quote(request: HttpRequest, instrument_id: int) -> HttpResponse:
    """The quote for the range and mode the booking form holds (htmx). A quote that cannot be given is a
    message in the fragment, answered 200 so htmx shows it in place of the last quote."""
    instrument = get_instrument(instrument_id)
    actor = actor_for(request.user)
    customer = Institution.objects.filter(pk=actor.institution_id).first() if actor.institution_id else None
    start = _local_moment(request.GET.get("start", ""), instrument)
    end = _local_moment(request.GET.get("end", ""), instrument)
    context: dict[str, Any] = {"q": None, "error": ""}
    if start is None or end is None:
        context["error"] = _("选择时段后显示报价。")
    else:
        try:
            context["q"] = services.price_for(
                instrument,
                institution=customer,
                mode=request.GET.get("mode", ""),
                start=start,
                end=end,
                samples=0,
                now=timezone.now(),
            )
        except DayiError as exc:
            context["error"] = exc.message
    if context["q"] is not None:
        context["readable"] = [pricing.readable(line) for line in context["q"]["lines"]]
    return render(request, "orders/_quote.html", context)


# --- sample submission -----------------------------------------------------------------------------------


def _account_choices(actor: Actor) -> list[tuple[int, str]]:
    """The group accounts the user may charge: led or joined (the service checks membership again)."""
    mine = chargeable_accounts(actor).order_by("name")
    return [(a.pk, f"{a.name}（{a.balance} 元）") for a in mine]


@login_required
@require_http_methods(["GET", "POST"])
def submit_samples(request: HttpRequest, instrument_id: int) -> HttpResponse:
    instrument = get_instrument(instrument_id)
    actor = actor_for(request.user)
    accounts = _account_choices(actor)
    if request.method == "GET":
        form = SampleForm(accounts=accounts)
        return render(request, "orders/submit.html", {"i": instrument, "form": form})
    form = SampleForm(request.POST, accounts=accounts)
    if not form.is_valid():
        context = {"i": instrument, "form": form, "error": _("请检查送样信息。")}
        return render(request, "orders/submit.html", context, status=422)
    try:
        order = services.create_sample_order(
            actor, instrument_id=instrument.pk, now=timezone.now(), **form.service_input()
        )
    except DayiError as exc:
        form.add_service_error(exc)
        context = {"i": instrument, "form": form, "error": exc.message}
        return render(request, "orders/submit.html", context, status=exc.status)
    messages.success(request, _("送样申请已提交，等待服务方受理。"))
    return redirect("orders:detail", order.pk)


# --- orders ----------------------------------------------------------------------------------------------


def _listing(request: HttpRequest, qs: Any) -> dict[str, Any]:
    status = request.GET.get("status", "")
    if status in S.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.select_related("instrument", "customer"), PAGE_SIZE).get_page(request.GET.get("page"))
    return {"page_obj": page, "status": status, "statuses": S.choices}


@login_required
@require_GET
def my_orders(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    qs = queries.orders(actor, queries.OrderFilters(customer=request.user.pk))
    return render(request, "orders/mine.html", _listing(request, qs))


@login_required
@require_GET
def manage_orders(request: HttpRequest) -> HttpResponse:
    """The provider's queue: orders for the instruments of the institutions the actor manages."""
    actor = actor_for(request.user)
    ids = managed_institution_ids(actor)
    if ids is not None and not ids:
        raise Forbidden(_("您不管理任何仪器。"))
    qs = queries.orders(actor, queries.OrderFilters())
    if ids is not None:
        qs = qs.filter(provider_id__in=ids)
    return render(request, "orders/manage.html", _listing(request, qs))


def _buttons(actor: Actor, order: Order) -> list[str]:
    """The transitions this viewer may press now; the services check again on the press."""
    manager = manages_instruments_of(actor, order.provider_id)
    customer = order.customer_id == actor.user.pk
    sample = order.kind == OrderKind.SAMPLE
    # A booking's order is rejected or cancelled through its booking (the booking's own rules).
    closes = sample and (manager or customer)
    awaiting = pricing.awaits_price(order.quote)
    by_status: dict[str, list[tuple[str, bool]]] = {
        S.SUBMITTED: [("accept", manager), ("reject", manager and sample), ("cancel", closes)],
        S.ACCEPTED: [
            ("receive-samples", manager and sample),
            ("start", manager and not sample),
            ("complete", manager and not sample),
            ("cancel", closes),
        ],
        S.SAMPLES_RECEIVED: [("start", manager), ("cancel", closes)],
        S.IN_SERVICE: [("complete", manager)],
        S.COMPLETED: [("charge", manager and not awaiting)],
        S.CHARGED: [("settle", manager)],
        S.SETTLED: [("refund", manager)],
    }
    buttons = [name for name, allowed in by_status.get(order.status, []) if allowed]
    # Work taken "price on request": its managers set the amount before it can be charged.
    if manager and (awaiting or order.quote.get("set_by")) and order.status in services.PRICEABLE:
        buttons.insert(0, "set-price")
    return buttons


def _timeline(order: Order) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type="order", object_id=str(order.pk))
        .select_related("actor")
        .order_by("at", "id")
    )


def order_page(
    request: HttpRequest, actor: Actor, order_id: int, *, status: int = 200, error: str = "", **forms: Any
) -> HttpResponse:
    order = services.access_order(actor, order_id)  # again: an action may have changed it
    context = {
        "o": order,
        "out": queries.order_out(order),
        "events": _timeline(order),
        "buttons": _buttons(actor, order),
        "error": error,
        "reason_form": forms.get("reason_form") or ReasonForm(),
        "result_form": forms.get("result_form") or ResultForm(),
        "refund_form": forms.get("refund_form") or RefundForm(),
        "posted": forms.get("posted") or {},
        "awaiting_price": pricing.awaits_price(order.quote),
        "readable": [pricing.readable(line) for line in order.lines or order.quote.get("lines", [])],
        "money": queries.what_is_owed(order),
        "project_form": forms.get("project_form")
        or ProjectForm(initial={"project": order.project, "funding_source": order.funding_source}),
        "describes": order.customer_id == actor.user.pk and order.status not in services.SETTLED_OR_CLOSED,
    }
    return render(request, "orders/detail.html", context, status=status)


@login_required
@require_GET
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    return order_page(request, actor_for(request.user), order_id)


def _with_reason(call: Callable[..., Any]) -> Callable[..., Any]:
    def run(actor: Actor, pk: int, post: Any, now: dt.datetime) -> Any:
        form = ReasonForm(post)
        return call(actor, pk, reason=form.data.get("reason", ""), now=now)

    return run


ACTIONS: dict[str, Callable[[Actor, int, Any, dt.datetime], Any]] = {
    "accept": lambda a, pk, post, now: services.accept_order(a, pk, now=now),
    "reject": _with_reason(services.reject_order),
    "cancel": _with_reason(services.cancel_order),
    "receive-samples": lambda a, pk, post, now: services.receive_samples(a, pk, now=now),
    "start": lambda a, pk, post, now: services.start_order(a, pk, now=now),
    "complete": lambda a, pk, post, now: services.complete_order(a, pk, now=now, note=post.get("note", "")),
    "charge": lambda a, pk, post, now: services.charge_order(a, pk, now=now),
    "settle": lambda a, pk, post, now: services.settle_order(a, pk, now=now),
    "refund": lambda a, pk, post, now: services.refund_order(
        a, pk, amount=post.get("amount") or "0", note=post.get("note", ""), now=now
    ),
    "project": lambda a, pk, post, now: services.describe_project(
        a, pk, project=post.get("project", ""), funding_source=post.get("funding_source", ""), now=now
    ),
    "set-price": lambda a, pk, post, now: services.set_order_price(
        a, pk, amount=post.get("amount") or "0", note=post.get("note", ""), now=now
    ),
}


@login_required
@require_POST
def order_action(request: HttpRequest, order_id: int, action: str) -> HttpResponse:
    """A transition button. Another institution's manager or a stranger gets 404 and nothing changes."""
    if action not in ACTIONS:
        raise Http404("no such action")
    actor = actor_for(request.user)
    services.access_order(actor, order_id)
    try:
        ACTIONS[action](actor, order_id, request.POST, timezone.now())
    except (DayiError, ValueError) as exc:
        error = exc if isinstance(exc, DayiError) else ValidationFailed(_("金额格式不正确。"))
        forms = {
            "reason_form": ReasonForm(request.POST),
            "refund_form": RefundForm(request.POST),
            "project_form": ProjectForm(request.POST) if action == "project" else None,
            "posted": {"action": action, **request.POST.dict()},
        }
        return order_page(request, actor, order_id, status=error.status, error=error.message, **forms)
    messages.success(request, _("订单已更新。"))
    return redirect("orders:detail", order_id)


# --- accounts --------------------------------------------------------------------------------------------


def _accounts_page(
    request: HttpRequest,
    actor: Actor,
    *,
    form: OpenAccountForm | None = None,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    accounts = visible_accounts(actor).select_related("institution", "pi").order_by("name")
    context = {
        "accounts": accounts,
        "keeps_books": keeps_books(actor),
        "open_form": form or OpenAccountForm(),
        "error": error,
    }
    return render(request, "orders/accounts.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def my_accounts(request: HttpRequest) -> HttpResponse:
    """The accounts the user reads, and opening one (for themselves, or as the institution's admin for a
    PI of it) through ``open_account``, the service of POST /accounts."""
    actor = actor_for(request.user)
    if request.method == "GET":
        return _accounts_page(request, actor)
    form = OpenAccountForm(request.POST)
    if not form.is_valid():
        return _accounts_page(request, actor, form=form, status=422, error=_("请检查开户信息。"))
    username = form.cleaned_data["pi"].strip()
    pi = User.objects.filter(username=username, is_active=True).first() if username else actor.user
    try:
        if pi is None or pi.institution_id is None:
            raise ValidationFailed(fields={"pi": [_("负责人须是某单位的在册用户。")]})
        account = services.open_account(
            actor,
            name=form.cleaned_data["name"],
            institution_id=pi.institution_id,
            pi_id=pi.pk,
            now=timezone.now(),
        )
    except DayiError as exc:
        form.add_service_error(exc)
        return _accounts_page(request, actor, form=form, status=exc.status, error=exc.message)
    messages.success(request, _("课题组账户已开立。"))
    return redirect("orders:account", account.pk)


def _account_page(
    request: HttpRequest, actor: Actor, account: Account, *, status: int = 200, error: str = "", **forms: Any
) -> HttpResponse:
    account.refresh_from_db()
    context = {
        "a": account,
        "members": account.members.order_by("username"),
        "keeper": keeps_account(actor, account),
        "finance": confirms_top_ups_of(actor, account.institution_id),
        "top_ups": account.top_ups.select_related("requested_by", "decided_by")[:50],
        "ledger": account.ledger.order_by("-created", "-id")[:200],  # account: through access_account
        "member_form": forms.get("member_form") or MemberForm(),
        "top_up_form": forms.get("top_up_form") or TopUpForm(),
        "error": error,
    }
    return render(request, "orders/account.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def account_detail(request: HttpRequest, account_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    account = access_account(actor, account_id)
    if request.method == "GET":
        return _account_page(request, actor, account)
    if "username" in request.POST:
        return _add_member(request, actor, account)
    return _top_up(request, actor, account)


def _add_member(request: HttpRequest, actor: Actor, account: Account) -> HttpResponse:
    form = MemberForm(request.POST)
    if not form.is_valid():
        return _account_page(request, actor, account, status=422, member_form=form)
    user = User.objects.filter(username=form.cleaned_data["username"], is_active=True).first()
    try:
        if user is None:
            raise NotFound(_("用户不存在。"))
        services.add_member(actor, account.pk, user_id=user.pk, now=timezone.now())
    except DayiError as exc:
        form.add_service_error(exc)
        return _account_page(request, actor, account, status=exc.status, error=exc.message, member_form=form)
    messages.success(request, _("已添加成员。"))
    return redirect("orders:account", account.pk)


def _top_up(request: HttpRequest, actor: Actor, account: Account) -> HttpResponse:
    if not keeps_account(actor, account):  # a member reads the account but does not ask for money
        raise Forbidden(_("只有课题组负责人或单位管理员可以申请充值。"))
    form = TopUpForm(request.POST)
    if not form.is_valid():
        return _account_page(request, actor, account, status=422, top_up_form=form)
    data = form.cleaned_data
    try:
        services.request_top_up(
            actor,
            account.pk,
            amount=data["amount"],
            method=data["method"],
            reference=data["reference"],
            now=timezone.now(),
        )
    except DayiError as exc:
        form.add_service_error(exc)
        return _account_page(request, actor, account, status=exc.status, error=exc.message, top_up_form=form)
    messages.success(request, _("已提交充值申请，财务确认后到账。"))
    return redirect("orders:account", account.pk)


# --- the finance officer's queue -------------------------------------------------------------------------


@login_required
@require_GET
def top_up_queue(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    if not keeps_books(actor):
        raise NotFound(_("页面不存在。"))
    return _queue_page(request, actor)


def _queue_page(request: HttpRequest, actor: Actor, *, status: int = 200, error: str = "") -> HttpResponse:
    context = {"top_ups": top_ups_to_decide(actor)[:200], "error": error, "form": TopUpDecisionForm()}
    return render(request, "orders/top_ups.html", context, status=status)


DECISIONS: dict[str, Callable[..., Any]] = {
    "confirm": lambda actor, pk, reason, now: services.confirm_top_up(actor, pk, now=now),
    "reject": lambda actor, pk, reason, now: services.reject_top_up(actor, pk, reason=reason, now=now),
    "reverse": lambda actor, pk, reason, now: services.reverse_top_up(actor, pk, reason=reason, now=now),
}


@login_required
@require_POST
def decide_top_up(request: HttpRequest, top_up_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    top_up = access_top_up(actor, top_up_id)
    form = TopUpDecisionForm(request.POST)
    if not form.is_valid():
        return _queue_page(request, actor, status=422, error=_("请选择确认或驳回。"))
    decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
    try:
        DECISIONS[decision](actor, top_up.pk, reason, timezone.now())
    except DayiError as exc:
        if not shown_in_place(exc):
            raise  # may see the top-up but not decide it: the message page
        return _queue_page(request, actor, status=exc.status, error=message_of(exc))
    messages.success(request, _("充值申请已处理。"))
    if decision == "reverse":
        return redirect("orders:account", top_up.account_id)
    return redirect("orders:top_ups")
