"""/manage/network/: an institution's admin decides membership requests and grants or revokes delegations;
a platform admin asks an institution to join. Every write calls the network services (which check access
and audit); every read of requests and delegations goes through them too."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dayi.accounts.access import Actor, actor_for, administered_institution_ids, administered_platforms
from dayi.core.errors import DayiError
from dayi.core.pages import shown_in_place
from dayi.network import queries, services
from dayi.network.forms import POWER_LABELS, DelegationForm, JoinRequestForm, RefuseForm
from dayi.network.models import Institution


def _institutions(actor: Actor) -> list[Institution]:
    """The institutions whose admin the actor is (a superuser picks one by ?institution=)."""
    ids = administered_institution_ids(actor)
    if ids is None:
        return []
    return list(Institution.objects.filter(pk__in=ids).order_by("name"))


def _chosen(request: HttpRequest, actor: Actor, own: list[Institution]) -> Institution | None:
    raw = request.GET.get("institution") or ""
    if raw.isdigit():
        if administered_institution_ids(actor) is None:  # a superuser may open any institution's page
            return Institution.objects.filter(pk=int(raw)).first()
        return next((i for i in own if i.pk == int(raw)), None)
    return own[0] if own else None


def _platform_choices(qs: Any) -> list[tuple[str, str]]:
    return [(p.code, f"{p.name} ({p.code})") for p in qs]


def _page(
    request: HttpRequest,
    *,
    join_form: JoinRequestForm | None = None,
    delegation_form: DelegationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = actor_for(request.user)
    own = _institutions(actor)
    institution = _chosen(request, actor, own)
    platforms = _platform_choices(administered_platforms(actor).order_by("path")[:200])
    context: dict[str, Any] = {
        "institutions": own,
        "institution": institution,
        "pending": list(services.pending_requests_for(actor)[:100]),
        "platforms": platforms,
        "join_form": join_form or (JoinRequestForm(platforms=platforms) if platforms else None),
    }
    if platforms:
        # A platform admin sees the invitations they await and what institutions delegated to them
        context["sent"] = list(services.invitations_sent(actor)[:100])
        context["received"] = [
            {"d": d, "labels": [str(POWER_LABELS[p]) for p in d.powers]}
            for d in services.delegations_received(actor, today=timezone.now().date())[:200]
        ]
    if institution is not None:
        choices = _platform_choices(queries.delegable_platforms(institution.pk))
        context["memberships"] = list(services.institution_memberships(actor, institution.pk))
        today = timezone.now().date()
        context["delegations"] = [
            {
                "d": d,
                "labels": [str(POWER_LABELS[p]) for p in d.powers],
                "live": d.revoked is None and (d.until is None or d.until >= today),
            }
            for d in services.institution_delegations(actor, institution.pk)
        ]
        context["delegation_form"] = delegation_form or DelegationForm(platforms=choices)
    return render(request, "network/powers.html", context, status=status)


def _back(institution_id: int | str | None = None) -> HttpResponse:
    url = reverse("network:powers")
    return redirect(f"{url}?institution={institution_id}" if institution_id else url)


@login_required
def powers(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def request_join(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    platforms = _platform_choices(administered_platforms(actor).order_by("path")[:200])
    form = JoinRequestForm(request.POST, platforms=platforms)
    if not platforms:
        return render(
            request,
            "core/error.html",
            {"status": 403, "message": _("只有平台管理员可以邀请单位加入")},
            status=403,
        )
    if not form.is_valid():
        return _page(request, join_form=form, status=422)
    target = Institution.objects.filter(credit_code=form.cleaned_data["credit_code"].strip().upper()).first()
    if target is None:
        form.add_error("credit_code", _("没有登记这个信用代码的单位"))
        return _page(request, join_form=form, status=422)
    try:
        services.request_membership(
            actor,
            form.cleaned_data["platform"],
            target.pk,
            reason=form.cleaned_data["reason"],
            now=timezone.now(),
        )
    except DayiError as exc:
        form.add_error(None, exc.message)
        return _page(request, join_form=form, status=exc.status)
    messages.success(request, _("已向 %(name)s 发出加入邀请，待该单位管理员确认") % {"name": target.name})
    return _back()


@login_required
@require_POST
def accept(request: HttpRequest, membership_id: int) -> HttpResponse:
    # A refusal goes to the pages' one error path (dayi.core.pages.PageErrors).
    m = services.accept_membership(actor_for(request.user), membership_id, now=timezone.now())
    messages.success(request, _("已同意加入 %(platform)s") % {"platform": m.platform.name})
    return _back(m.institution_id)


@login_required
@require_POST
def refuse(request: HttpRequest, membership_id: int) -> HttpResponse:
    form = RefuseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    m = services.refuse_membership(actor_for(request.user), membership_id, reason=reason, now=timezone.now())
    messages.success(request, _("已拒绝加入 %(platform)s") % {"platform": m.platform.name})
    return _back(m.institution_id)


@login_required
@require_POST
def delegate(request: HttpRequest, institution_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    form = DelegationForm(
        request.POST, platforms=_platform_choices(queries.delegable_platforms(institution_id))
    )
    try:
        if not form.is_valid():
            # Ask access first: an outsider learns nothing from a form error about someone else's institution.
            services.institution_delegations(actor, institution_id)
            return _page(request, delegation_form=form, status=422)
        services.delegate(
            actor,
            institution_id,
            platform_code=form.cleaned_data["platform"],
            powers=form.cleaned_data["powers"],
            until=form.cleaned_data["until"],
            now=timezone.now(),
        )
    except DayiError as exc:
        if not shown_in_place(exc):
            raise  # not theirs to delegate: the message page, nothing of the institution shown
        form.add_error(None, exc.message)
        return _page(request, delegation_form=form, status=exc.status)
    messages.success(request, _("已授权"))
    return _back(institution_id)


@login_required
@require_POST
def revoke(request: HttpRequest, institution_id: int, delegation_id: int) -> HttpResponse:
    services.revoke_delegation(actor_for(request.user), institution_id, delegation_id, now=timezone.now())
    messages.success(request, _("已撤销授权"))
    return _back(institution_id)
