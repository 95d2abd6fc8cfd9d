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
from django.views.decorators.http import require_http_methods, require_POST

from dayi.accounts.access import Actor, actor_for, administered_institution_ids, administered_platforms
from dayi.accounts.access.network import access_own_institution, access_platform, platform_members
from dayi.core.errors import DayiError, NotFound
from dayi.core.pages import shown_in_place
from dayi.network import queries, services
from dayi.network.forms import (
    POWER_LABELS,
    DelegationForm,
    InstitutionForm,
    JoinRequestForm,
    PlatformForm,
    RefuseForm,
    split_list,
)
from dayi.network.models import Institution, Platform, Region


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
    target = queries.institution_by_credit_code(form.cleaned_data["credit_code"])
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


# --- platforms: create under one's own, edit, regions ------------------------------------------------------


def _platform_page(
    request: HttpRequest, *, form: PlatformForm | None = None, status: int = 200
) -> HttpResponse:
    actor = actor_for(request.user)
    platforms = list(administered_platforms(actor).select_related("parent").prefetch_related("regions")[:200])
    if not platforms:
        raise NotFound(_("只有平台管理员可以管理平台"))
    context = {"platforms": platforms, "form": form or PlatformForm(parents=_platform_choices(platforms))}
    return render(request, "network/platforms.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def platforms(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _platform_page(request)
    actor = actor_for(request.user)
    form = PlatformForm(request.POST, parents=_platform_choices(administered_platforms(actor)[:200]))
    if not form.is_valid():
        return _platform_page(request, form=form, status=422)
    data = form.cleaned_data
    try:
        platform = services.create_platform(
            actor,
            code=data["code"].strip(),
            name=data["name"],
            name_en=data["name_en"],
            level=data["level"],
            parent_code=data["parent"],
            regions=split_list(data["regions"]),
            description=data["description"],
            now=timezone.now(),
        )
    except DayiError as exc:
        if not shown_in_place(exc):
            raise
        form.add_service_error(exc)
        return _platform_page(request, form=form, status=exc.status)
    messages.success(request, _("已创建平台 %(name)s") % {"name": platform.name})
    return redirect(reverse("network:platforms"))


def _platform_initial(platform: Platform) -> dict[str, Any]:
    data = services.platform_dict(platform)
    return {**data, "regions": " ".join(data["regions"])}


@login_required
@require_http_methods(["GET", "POST"])
def platform_edit(request: HttpRequest, code: str) -> HttpResponse:
    actor = actor_for(request.user)
    platform = access_platform(actor, code)
    form = PlatformForm(request.POST or None, initial=_platform_initial(platform))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            changes = {k: form.cleaned_data[k] for k in ("name", "name_en", "level", "description")}
            changes["regions"] = split_list(form.cleaned_data["regions"])
            try:
                services.update_platform(actor, code, changes, now=timezone.now())
            except DayiError as exc:
                if not shown_in_place(exc):
                    raise
                form.add_service_error(exc)
                status = exc.status
            else:
                messages.success(request, _("已保存平台 %(name)s") % {"name": changes["name"]})
                return redirect(reverse("network:platforms"))
    regions = Region.objects.filter(code__in=split_list(str(form["regions"].value() or "")))
    members = list(platform_members(actor, platform)[:500])
    context = {"platform": platform, "form": form, "regions": regions, "members": members}
    return render(request, "network/platform_edit.html", context, status=status)


@login_required
@require_POST
def remove_member(request: HttpRequest, code: str, institution_id: int) -> HttpResponse:
    """The platform's admins remove a member (what it delegated to the platform ends with it)."""
    services.remove_member(actor_for(request.user), code, institution_id, now=timezone.now())
    messages.success(request, _("已移出该成员单位"))
    return redirect(reverse("network:platform_edit", args=[code]))


# --- institutions: onboard (platform admins), edit (its own admins) -----------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def institution_new(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    choices = _platform_choices(administered_platforms(actor).order_by("path")[:200])
    if not choices:
        raise NotFound(_("只有平台管理员可以登记单位"))
    form = InstitutionForm(request.POST or None, platforms=choices)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                institution = services.create_institution(
                    actor,
                    form.data_for_service(),
                    platforms=form.cleaned_data["platforms"],
                    reason=form.cleaned_data["reason"],
                    now=timezone.now(),
                )
            except DayiError as exc:
                if not shown_in_place(exc):
                    raise
                form.add_service_error(exc)
                status = exc.status
            else:
                messages.success(request, _("已登记单位 %(name)s") % {"name": institution.name})
                return redirect(reverse("network:powers"))
    return render(request, "network/institution_form.html", {"form": form, "creating": True}, status=status)


def _institution_initial(institution: Institution) -> dict[str, Any]:
    return {
        **{
            f: getattr(institution, f)
            for f in ("name", "name_en", "credit_code", "kind", "is_sme", "founded")
        },
        **{f: getattr(institution, f) for f in ("department", "website")},
        "region": institution.region_id,
        "email_domains": " ".join(institution.email_domains),
    }


@login_required
@require_http_methods(["GET", "POST"])
def institution_edit(request: HttpRequest, institution_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    institution = access_own_institution(actor, institution_id)
    form = InstitutionForm(request.POST or None, initial=_institution_initial(institution))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.update_institution(
                    actor, institution.pk, form.data_for_service(), now=timezone.now()
                )
            except DayiError as exc:
                if not shown_in_place(exc):
                    raise
                form.add_service_error(exc)
                status = exc.status
            else:
                messages.success(request, _("已保存"))
                return _back(institution.pk)
    context = {"form": form, "institution": institution, "creating": False}
    return render(request, "network/institution_form.html", context, status=status)
