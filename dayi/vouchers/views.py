"""The innovation-voucher pages (issue 6): the public index, a scheme's page, the company's wallet and apply
form, the officers' queue, the public list of funded services and the flows between provinces.

Thin views. Reads go through ``dayi.vouchers.queries`` and ``dayi.vouchers.pages``, every write through
``dayi.vouchers.services`` — the functions the API calls. A ``DayiError`` a service raises is shown beside
the form or row it concerns or on the message page (``dayi.core.pages``), with its status, and nothing
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
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dayi.accounts.access import Actor, actor_for, acts_for_scheme
from dayi.accounts.access import vouchers as access
from dayi.accounts.access.vouchers import check_officer, check_scheme_admin
from dayi.core.errors import DayiError, Forbidden
from dayi.core.pages import is_htmx, shown_in_place
from dayi.directory.models import Category, ServiceMode
from dayi.network.models import Institution
from dayi.network.queries import institution_by_credit_code
from dayi.orders.views import order_page
from dayi.vouchers import pages, queries, services
from dayi.vouchers.forms import (
    ApplyForm,
    BarForm,
    ListingForm,
    MonthForm,
    ReasonForm,
    RecognitionForm,
    SchemeForm,
    UseForm,
)
from dayi.vouchers.models import ListingStatus, VoucherScheme

PAGE_SIZE = 30


def _said(exc: DayiError) -> str:
    """A service's refusal as one line: its message and what it said of each field (a form that has the
    field shows it there instead, see ``PageForm.add_service_error``)."""
    details = [m for messages_ in exc.fields.values() for m in messages_]
    if not details:
        return exc.message
    if exc.message == (type(exc).__doc__ or ""):  # only the generic "Some fields are not valid."
        return "；".join(details)
    return f"{exc.message}：{'；'.join(details)}"


def _local_today() -> dt.date:
    return timezone.localdate()  # Asia/Shanghai: a voucher's dates are the funder's calendar days


# --- public pages ----------------------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    flows = queries.region_flows()
    context = {
        "schemes": pages.scheme_rows(actor),
        "funded": list(queries.funded_services()[:8]),
        "flows": flows[:8],
        "company": pages.company_of(actor),
        "officer_schemes": pages.officer_schemes(actor),
        "may_set_up": access.may_set_up_schemes(actor),
    }
    return render(request, "vouchers/index.html", context)


def _scheme_page(
    request: HttpRequest,
    scheme: VoucherScheme,
    *,
    listing_form: ListingForm | None = None,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    actor = actor_for(request.user)
    providers = pages.listable_providers(actor, scheme)
    if listing_form is None and providers:
        listing_form = ListingForm(providers=[(p.pk, p.name) for p in providers])
    categories = dict(Category.objects.filter(code__in=scheme.categories).values_list("code", "name"))
    context = {
        "s": scheme,
        "f": pages.figures(scheme),
        "eligible_regions": pages.region_names(scheme.eligible_regions),
        "categories": [(c, categories.get(c, "")) for c in scheme.categories],
        "modes": [str(ServiceMode(m).label) for m in scheme.modes if m in ServiceMode.values],
        "listings": pages.listings(scheme),
        "recognitions": pages.recognitions(scheme),
        "is_officer": acts_for_scheme(actor, scheme.code),
        "administers": access.administers_scheme(actor, scheme),
        "reconciliation": queries.reconcile(scheme) if access.administers_scheme(actor, scheme) else None,
        "listing_form": listing_form,
        "error": error,
    }
    return render(request, "vouchers/scheme.html", context, status=status)


@require_GET
def scheme(request: HttpRequest, code: str) -> HttpResponse:
    return _scheme_page(request, services.get_scheme(code))


@login_required
@require_POST
def request_listing(request: HttpRequest, code: str) -> HttpResponse:
    """A provider's admin asks for the institution to be listed (public for the notice period)."""
    scheme = services.get_scheme(code)
    actor = actor_for(request.user)
    providers = [(p.pk, p.name) for p in pages.listable_providers(actor, scheme)]
    form = ListingForm(request.POST, providers=providers)
    if not form.is_valid():
        error = _("请选择您管理的、尚未申请入库的服务机构。")
        return _scheme_page(request, scheme, listing_form=form, status=422, error=error)
    try:
        listing = services.request_listing(actor, code, form.cleaned_data["provider"], now=timezone.now())
    except DayiError as exc:
        return _scheme_page(request, scheme, listing_form=form, status=exc.status, error=_said(exc))
    until = timezone.localtime(listing.notice_until).strftime("%Y-%m-%d %H:%M")
    messages.success(request, _("入库申请已提交，公示至 %(until)s。") % {"until": until})
    return redirect("vouchers:scheme", code)


@login_required
@require_GET
def ledger(request: HttpRequest, code: str) -> HttpResponse:
    """The scheme's ledger, for its officers (as GET /voucher-schemes/{code}/ledger)."""
    scheme = services.get_scheme(code)
    actor = actor_for(request.user)
    check_officer(actor, scheme)
    entries = access.visible_ledger_entries(actor).filter(scheme=scheme).select_related("voucher", "actor")
    page = Paginator(entries.order_by("-created", "-id"), 50).get_page(request.GET.get("page"))
    context = {"s": scheme, "page_obj": page, "reconciliation": queries.reconcile(scheme)}
    return render(request, "vouchers/ledger.html", context)


@require_GET
def funded(request: HttpRequest) -> HttpResponse:
    """The public list of voucher-funded services (the fraud checks: anyone may look)."""
    page = Paginator(queries.funded_services(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "vouchers/funded.html", {"page_obj": page})


@require_GET
def flows(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("scheme", "")
    chosen = services.get_scheme(code) if code else None
    rows = queries.region_flows(scheme=chosen)
    context = {
        "flows": rows,
        "chart": pages.flow_chart(rows),
        "total": pages.flows_total(rows),
        "chosen": chosen,
        "schemes": access.visible_schemes(actor_for(request.user)).order_by("code"),
    }
    return render(request, "vouchers/flows.html", context)


# --- the company's wallet and apply form -----------------------------------------------------------------


def _use_form(actor: Actor, company: Institution, data: Any = None) -> UseForm | None:
    orders = [
        (o.pk, f"#{o.pk} {o.instrument.name} · {o.provider.name} · {o.amount} 元")
        for o in pages.payable_orders(actor, company)[:200]
    ]
    vouchers = [
        (v.number, f"{v.number}（{v.scheme.name}，{_('余额')} {v.balance} 元）")
        for v in pages.usable_vouchers(actor, company, today=_local_today())
    ]
    if data is None and not (orders and vouchers):
        return None
    return UseForm(data, orders=orders, vouchers=vouchers)


def _wallet_page(
    request: HttpRequest, *, use_form: UseForm | None = None, status: int = 200, error: str = ""
) -> HttpResponse:
    actor = actor_for(request.user)
    company = pages.company_of(actor)
    context: dict[str, Any] = {"company": company, "error": error}
    if company is not None:
        context.update(pages.wallet(actor, company))
        context["use_form"] = use_form or _use_form(actor, company)
    return render(request, "vouchers/wallet.html", context, status=status)


@login_required
@require_GET
def wallet(request: HttpRequest) -> HttpResponse:
    return _wallet_page(request)


@login_required
@require_POST
def use_voucher(request: HttpRequest) -> HttpResponse:
    """Pay part of one of the company's completed orders with one of its vouchers."""
    actor = actor_for(request.user)
    company = pages.company_of(actor)
    if company is None:
        raise Forbidden(_("您的账户未关联企业。"))
    form = _use_form(actor, company, request.POST)
    assert form is not None
    if not form.is_valid():
        return _wallet_page(request, use_form=form, status=422, error=_("请选择订单和创新券。"))
    data = form.cleaned_data
    try:
        result = services.apply_voucher_to_order(actor, data["order"], data["voucher"], now=timezone.now())
    except DayiError as exc:
        return _wallet_page(request, use_form=form, status=exc.status, error=_said(exc))
    done = _("创新券抵扣 %(covered)s 元，订单 %(order)s 应付 %(payable)s 元（%(mode)s）。") % {
        "covered": result["covered"],
        "order": data["order"],
        "payable": result["payable"],
        "mode": _("通兑") if result["mode"] == "tongdui" else _("通用，先全额支付后报销"),
    }
    messages.success(request, done)
    return redirect("vouchers:wallet")


@login_required
@require_POST
def claim(request: HttpRequest) -> HttpResponse:
    """通用: the company claims the subsidy of an order it paid in full (the service checks who may)."""
    try:
        order_id = int(request.POST.get("order", ""))
    except ValueError:
        return _wallet_page(request, status=422, error=_("请选择订单。"))
    try:
        made = services.claim_redemption(actor_for(request.user), order_id, now=timezone.now())
    except DayiError as exc:
        return _wallet_page(request, status=exc.status, error=_said(exc))
    done = _("已就订单 %(order)s 申请兑付 %(amount)s 元，等待经办人员审核。") % {
        "order": order_id,
        "amount": made.amount,
    }
    messages.success(request, done)
    return redirect("vouchers:wallet")


def _apply_form(actor: Actor, data: Any = None, *, initial: dict[str, Any] | None = None) -> ApplyForm:
    schemes = [(s.code, f"{s.name}（{s.code}）") for s in access.visible_schemes(actor).order_by("code")]
    listed = (
        access.visible_listings(actor)
        .filter(status=ListingStatus.APPROVED)
        .values_list("provider_id", "provider__name")
        .distinct()
        .order_by("provider__name")
    )
    return ApplyForm(data, initial=initial, schemes=schemes, providers=list(listed))


def _eligibility(actor: Actor, company: Institution | None) -> list[dict[str, Any]]:
    """Each scheme with why the company may not apply ("" when it may): the check the service makes again."""
    if company is None:
        return []
    today = _local_today()
    rows = access.visible_schemes(actor).select_related("region").order_by("code")
    return [
        {
            "s": s,
            "ratio": pages.figures(s)["ratio"],
            "problem": services.eligibility_problem(s, company, today=today),
        }
        for s in rows
    ]


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    company = pages.company_of(actor)
    if request.method == "GET":
        form = _apply_form(actor, initial={"scheme": request.GET.get("scheme", "")})
        context: dict[str, Any] = {
            "form": form,
            "company": company,
            "eligibility": _eligibility(actor, company),
        }
        return render(request, "vouchers/apply.html", context)
    form = _apply_form(actor, request.POST)
    if company is None:
        error = _("只有企业成员可以申请创新券：您的账户未关联企业。")
        return render(request, "vouchers/apply.html", {"form": form, "error": error}, status=403)
    if not form.is_valid():
        context = {"form": form, "company": company, "error": _("请检查申请内容。")}
        return render(request, "vouchers/apply.html", context, status=422)
    data = form.cleaned_data
    try:
        application = services.apply_for_voucher(
            actor,
            scheme_code=data["scheme"],
            company_id=company.pk,
            amount=data["amount"],
            purpose=data["purpose"],
            provider_id=data["provider"],
            now=timezone.now(),
        )
    except DayiError as exc:
        form.add_service_error(exc)
        context = {"form": form, "company": company, "error": exc.message}
        return render(request, "vouchers/apply.html", context, status=exc.status)
    messages.success(request, _("申请 %(id)s 已提交，等待经办人员审核。") % {"id": application.pk})
    return redirect("vouchers:wallet")


# --- the officers' queue ---------------------------------------------------------------------------------


def _officer_scheme(request: HttpRequest, code: str) -> tuple[Actor, VoucherScheme]:
    """The scheme, for one of its officers; anyone else is refused before anything of the queue is read."""
    scheme = services.get_scheme(code)
    actor = actor_for(request.user)
    check_officer(actor, scheme)
    return actor, scheme


def _queue_page(
    request: HttpRequest,
    scheme: VoucherScheme,
    *,
    month_form: MonthForm | None = None,
    bar_form: BarForm | None = None,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    concentrated = [
        {**row, "percent": f"{row['share'] * 100:.0f}"} for row in queries.concentrated_providers(scheme)
    ]
    context = {
        "s": scheme,
        "f": pages.figures(scheme),
        **pages.queue(actor_for(request.user), scheme),
        "concentrated": concentrated,
        "month_form": month_form or MonthForm(initial={"month": _local_today().strftime("%Y-%m")}),
        "bar_form": bar_form or BarForm(),
        "now": timezone.now(),
        "error": error,
    }
    return render(request, "vouchers/queue.html", context, status=status)


@login_required
@require_GET
def queue(request: HttpRequest, code: str) -> HttpResponse:
    _, scheme = _officer_scheme(request, code)
    return _queue_page(request, scheme)


Row = Callable[..., dict[str, Any]]


def _act(
    request: HttpRequest,
    code: str,
    call: Callable[[Actor, VoucherScheme, dt.datetime], Any],
    *,
    row: Callable[[VoucherScheme], Row],
    template: str,
    done: str,
    anchor: str,
) -> HttpResponse:
    """Run one officer action and answer: the row again for htmx, the queue otherwise. ``row(scheme)``
    fetches the object within the scheme (404 for another scheme's) and returns the row builder."""
    actor, scheme = _officer_scheme(request, code)
    build = row(scheme)
    try:
        call(actor, scheme, timezone.now())
    except DayiError as exc:
        if not shown_in_place(exc):
            raise  # the message page (dayi.core.pages): nothing of the object is shown
        if is_htmx(request):
            context = {"row": build(error=_said(exc)), "s": scheme, "now": timezone.now()}
            return render(request, template, context, status=exc.status)
        return _queue_page(request, scheme, status=exc.status, error=_said(exc))
    if is_htmx(request):
        return render(request, template, {"row": build(message=done), "s": scheme, "now": timezone.now()})
    messages.success(request, done)
    return redirect(reverse("vouchers:queue", args=[code]) + anchor)


def _application_row(application_id: int) -> Callable[[VoucherScheme], Row]:
    def find(scheme: VoucherScheme) -> Row:
        rows = scheme.applications.select_related("company", "company__region", "provider", "applicant")
        if not rows.filter(pk=application_id).exists():
            raise Http404("no such application in this scheme")
        return lambda **extra: {"a": rows.select_related("voucher").get(pk=application_id), **extra}

    return find


def _listing_row(request: HttpRequest, listing_id: int) -> Callable[[VoucherScheme], Row]:
    def find(scheme: VoucherScheme) -> Row:
        rows = pages.listing_rows(actor_for(request.user), scheme)
        if not rows.filter(pk=listing_id).exists():
            raise Http404("no such listing in this scheme")
        return lambda **extra: {"x": rows.get(pk=listing_id), **extra}

    return find


def _claim_row(claim_id: int) -> Callable[[VoucherScheme], Row]:
    def find(scheme: VoucherScheme) -> Row:
        rows = scheme.claims.select_related(
            "claimant", "order__instrument", "order__customer_institution", "order__provider"
        )
        if not rows.filter(pk=claim_id).exists():
            raise Http404("no such claim in this scheme")
        return lambda **extra: pages.claim_row(rows.get(pk=claim_id), **extra)

    return find


def _reason(request: HttpRequest) -> str:
    """The reason as typed (the service refuses a blank one with its own message)."""
    form = ReasonForm(request.POST)
    return form.cleaned_data["reason"] if form.is_valid() else request.POST.get("reason", "")[:2000]


@login_required
@require_POST
def approve_application(request: HttpRequest, code: str, application_id: int) -> HttpResponse:
    return _act(
        request,
        code,
        lambda actor, s, now: services.approve_application(actor, application_id, now=now),
        row=_application_row(application_id),
        template="vouchers/_application_row.html",
        done=_("已批准，创新券已发放。"),
        anchor="#applications",
    )


@login_required
@require_POST
def reject_application(request: HttpRequest, code: str, application_id: int) -> HttpResponse:
    reason = _reason(request)
    return _act(
        request,
        code,
        lambda actor, s, now: services.reject_application(actor, application_id, reason=reason, now=now),
        row=_application_row(application_id),
        template="vouchers/_application_row.html",
        done=_("申请已驳回。"),
        anchor="#applications",
    )


@login_required
@require_POST
def approve_listing(request: HttpRequest, code: str, listing_id: int) -> HttpResponse:
    return _act(
        request,
        code,
        lambda actor, s, now: services.approve_listing(actor, s.code, listing_id, now=now),
        row=_listing_row(request, listing_id),
        template="vouchers/_listing_row.html",
        done=_("服务机构已入库。"),
        anchor="#listings",
    )


@login_required
@require_POST
def settle_claim(request: HttpRequest, code: str, claim_id: int) -> HttpResponse:
    return _act(
        request,
        code,
        lambda actor, s, now: services.settle_claim(actor, claim_id, now=now),
        row=_claim_row(claim_id),
        template="vouchers/_claim_row.html",
        done=_("已兑付。"),
        anchor="#claims",
    )


@login_required
@require_POST
def reject_claim(request: HttpRequest, code: str, claim_id: int) -> HttpResponse:
    reason = _reason(request)
    return _act(
        request,
        code,
        lambda actor, s, now: services.reject_claim(actor, claim_id, reason=reason, now=now),
        row=_claim_row(claim_id),
        template="vouchers/_claim_row.html",
        done=_("兑付申请已驳回，金额退回预算。"),
        anchor="#claims",
    )


@login_required
@require_POST
def settle_month(request: HttpRequest, code: str) -> HttpResponse:
    """The monthly batch: every submitted claim of the month settled at once (all or none)."""
    actor, scheme = _officer_scheme(request, code)
    form = MonthForm(request.POST)
    if not form.is_valid():
        return _queue_page(request, scheme, month_form=form, status=422, error=_("请填写月份，如 2026-03"))
    month = form.cleaned_data["month"]
    try:
        result = services.settle_month(actor, code, month=month, now=timezone.now())
    except DayiError as exc:
        return _queue_page(request, scheme, month_form=form, status=exc.status, error=_said(exc))
    done = _("%(month)s 共结算 %(n)s 笔，合计 %(total)s 元。") % {
        "month": month.strftime("%Y-%m"),
        "n": result["settled"],
        "total": result["total"],
    }
    messages.success(request, done)
    return redirect(reverse("vouchers:queue", args=[code]) + "#claims")


# --- voucher administration: setting up a scheme, its terms, recognitions, delisting ---------------------


def _scheme_form_page(
    request: HttpRequest, form: SchemeForm, *, scheme: VoucherScheme | None = None, status: int = 200
) -> HttpResponse:
    return render(request, "vouchers/scheme_form.html", {"form": form, "s": scheme}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def new_scheme(request: HttpRequest) -> HttpResponse:
    """Set up a scheme: a platform admin over the funder, or an officer of one of the funder's schemes."""
    actor = actor_for(request.user)
    if not access.may_set_up_schemes(actor):
        raise Forbidden(_("只有资助单位的创新券经办人员或其平台管理员可以设立券种。"))
    choices = pages.scheme_form_choices(actor, creating=True)
    if request.method == "GET":
        return _scheme_form_page(request, SchemeForm(**choices))
    form = SchemeForm(request.POST, **choices)
    if not form.is_valid():
        return _scheme_form_page(request, form, status=422)
    try:
        made = services.create_scheme(actor, form.service_data(), now=timezone.now())
    except DayiError as exc:
        form.add_service_error(exc)
        return _scheme_form_page(request, form, status=exc.status)
    messages.success(request, _("券种 %(name)s 已设立。") % {"name": made.name})
    return redirect("vouchers:scheme", made.code)


@login_required
@require_http_methods(["GET", "POST"])
def scheme_terms(request: HttpRequest, code: str) -> HttpResponse:
    """Change a scheme's terms (its officers, or a platform admin over its funder): the same service as
    PATCH /voucher-schemes/{code}."""
    scheme = services.get_scheme(code)
    actor = actor_for(request.user)
    check_scheme_admin(actor, scheme)
    choices = pages.scheme_form_choices(actor, creating=False)
    if request.method == "GET":
        form = SchemeForm(initial=SchemeForm.initial_from(scheme), **choices)
        return _scheme_form_page(request, form, scheme=scheme)
    form = SchemeForm(request.POST, **choices)
    if not form.is_valid():
        return _scheme_form_page(request, form, scheme=scheme, status=422)
    try:
        services.update_scheme(actor, code, form.service_data(), now=timezone.now())
    except DayiError as exc:
        form.add_service_error(exc)
        return _scheme_form_page(request, form, scheme=scheme, status=exc.status)
    messages.success(request, _("券种条款已保存。"))
    return redirect("vouchers:scheme", code)


def _recognitions_page(
    request: HttpRequest,
    scheme: VoucherScheme,
    *,
    form: RecognitionForm | None = None,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    actor = actor_for(request.user)
    context = {
        "s": scheme,
        "recognitions": pages.recognitions(scheme),
        "form": form or RecognitionForm(schemes=pages.other_schemes(actor, scheme)),
        "error": error,
    }
    return render(request, "vouchers/recognitions.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def recognitions(request: HttpRequest, code: str) -> HttpResponse:
    """The scheme's recognition agreements, and a new one signed by its officer (the service asks the
    other scheme's officer's signature too when that scheme is to pay)."""
    actor, scheme = _officer_scheme(request, code)
    if request.method == "GET":
        return _recognitions_page(request, scheme)
    form = RecognitionForm(request.POST, schemes=pages.other_schemes(actor, scheme))
    if not form.is_valid():
        return _recognitions_page(
            request, scheme, form=form, status=422, error=_("请选择券种、付款方和兑付方式。")
        )
    data = form.cleaned_data
    try:
        services.add_recognition(
            actor, code, accepts=data["scheme"], payer=data["payer"], mode=data["mode"], now=timezone.now()
        )
    except DayiError as exc:
        if not shown_in_place(exc):
            raise
        form.add_service_error(exc)
        return _recognitions_page(request, scheme, form=form, status=exc.status, error=_said(exc))
    messages.success(request, _("互认协议已签署。"))
    return redirect("vouchers:recognitions", code)


@login_required
@require_POST
def delist_provider(request: HttpRequest, code: str, listing_id: int) -> HttpResponse:
    """Take a provider off the scheme's list with a reason (kept on its credit record)."""
    reason = _reason(request)

    def delist(actor: Actor, s: VoucherScheme, now: dt.datetime) -> Any:
        provider_id = pages.listing_rows(actor, s).values_list("provider_id", flat=True).get(pk=listing_id)
        return services.delist_provider(actor, s.code, provider_id, reason=reason, now=now)

    return _act(
        request,
        code,
        delist,
        row=_listing_row(request, listing_id),
        template="vouchers/_listing_row.html",
        done=_("服务机构已移出，理由已记入其信用记录。"),
        anchor="#listed",
    )


@login_required
@require_POST
def bar_provider(request: HttpRequest, code: str) -> HttpResponse:
    """Bar a provider named by its credit code (one the scheme pays by rule, not from its list)."""
    actor, scheme = _officer_scheme(request, code)
    form = BarForm(request.POST)
    provider = None
    if form.is_valid():
        provider = institution_by_credit_code(form.cleaned_data["credit_code"])
        if provider is None:
            form.add_error("credit_code", _("没有登记这个信用代码的单位"))
    if provider is None:
        error = _("请填写服务机构的统一社会信用代码和移出理由。")
        return _queue_page(request, scheme, bar_form=form, status=422, error=error)
    try:
        services.delist_provider(
            actor, code, provider.pk, reason=form.cleaned_data["reason"], now=timezone.now()
        )
    except DayiError as exc:
        if not shown_in_place(exc):
            raise
        form.add_service_error(exc)
        return _queue_page(request, scheme, bar_form=form, status=exc.status, error=_said(exc))
    messages.success(request, _("服务机构已移出，理由已记入其信用记录。"))
    return redirect(reverse("vouchers:queue", args=[code]) + "#listed")


# --- a voucher applied from the order's page -------------------------------------------------------------


@login_required
@require_POST
def use_on_order(request: HttpRequest, order_id: int) -> HttpResponse:
    """Pay part of the order with one of the company's vouchers, from the order's page (the wallet's form
    does the same); a refusal redraws the order's page with the voucher still chosen."""
    actor = actor_for(request.user)
    access.access_voucher_order(actor, order_id)  # a stranger gets 404 before anything is told
    number = request.POST.get("voucher", "").strip()
    try:
        result = services.apply_voucher_to_order(actor, order_id, number, now=timezone.now())
    except DayiError as exc:
        posted = {"action": "voucher", "voucher": number}
        return order_page(request, actor, order_id, status=exc.status, error=_said(exc), posted=posted)
    if result["mode"] == "tongdui":
        done = _("已用创新券支付 %(covered)s 元。") % {"covered": result["covered"]}
    else:
        done = _("创新券将在您全额支付后报销 %(covered)s 元。") % {"covered": result["covered"]}
    messages.success(request, done)
    return redirect("orders:detail", order_id)
