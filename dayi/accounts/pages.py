"""/manage/people/: who operates an institution's users invites people, deactivates and reactivates them,
and grants or revokes their roles; a platform's admins appoint and remove its admins. /invitations/<token>/:
the invited person chooses a username and password. Every write calls the accounts services (which check
access and audit); every read of users, grants and invitations starts from the access layer."""

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

from dayi.accounts import services
from dayi.accounts.access import Actor, actor_for, administered_platforms, operated_institution_ids, operates
from dayi.accounts.access import people as access
from dayi.accounts.forms import (
    ROLE_LABELS,
    AcceptForm,
    DeactivateForm,
    GrantForm,
    InviteForm,
    PlatformAdminForm,
)
from dayi.accounts.models import Role, User
from dayi.core.errors import DayiError, NotFound
from dayi.core.pages import set_choices, shown_in_place
from dayi.network.models import Institution


def _institutions(actor: Actor) -> list[Institution]:
    """The institutions whose users the actor operates (a superuser opens one by ?institution=)."""
    ids = operated_institution_ids(actor, "users")
    return [] if ids is None else list(Institution.objects.filter(pk__in=ids).order_by("name"))


def _chosen(request: HttpRequest, actor: Actor, own: list[Institution]) -> Institution | None:
    raw = request.GET.get("institution") or request.POST.get("institution") or ""
    if raw.isdigit():
        if operated_institution_ids(actor, "users") is None:
            return Institution.objects.filter(pk=int(raw)).first()
        return next((i for i in own if i.pk == int(raw)), None)
    return own[0] if own else None


def _platform_choices(actor: Actor) -> list[tuple[str, str]]:
    return [(p.code, f"{p.name} ({p.code})") for p in administered_platforms(actor).order_by("path")[:200]]


def _user_rows(actor: Actor, institution: Institution) -> list[dict[str, Any]]:
    users = access.managed_users(actor).filter(institution=institution).order_by("username")[:500]
    grants: dict[int, list[Any]] = {}
    for g in access.managed_grants(actor).filter(institution=institution):
        grants.setdefault(g.user_id, []).append({"g": g, "label": ROLE_LABELS.get(g.role, g.role)})
    me = actor.user.pk
    return [{"u": u, "grants": grants.get(u.pk, []), "me": u.pk == me} for u in users]


def _page(
    request: HttpRequest,
    *,
    invite_form: InviteForm | None = None,
    admin_form: PlatformAdminForm | None = None,
    problem: tuple[int, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = actor_for(request.user)
    own = _institutions(actor)
    institution = _chosen(request, actor, own)
    platforms = _platform_choices(actor)
    context: dict[str, Any] = {"institutions": own, "institution": institution, "problem": problem}
    if institution is not None:
        now = timezone.now()
        context["users"] = _user_rows(actor, institution)
        context["invitations"] = list(
            access.managed_invitations(actor).filter(
                institution=institution, accepted__isnull=True, revoked__isnull=True, expires__gt=now
            )[:200]
        )
        context["invite_form"] = invite_form or InviteForm()
        context["grant_form"] = GrantForm()
        context["deactivate_form"] = DeactivateForm()
    if platforms:
        context["platform_admins"] = [
            {"g": g, "me": g.user_id == actor.user.pk}
            for g in access.managed_grants(actor).filter(role=Role.PLATFORM_ADMIN).order_by("platform__path")
        ]
        form = admin_form or PlatformAdminForm()
        set_choices(form, "platform", platforms)
        context["admin_form"] = form
    if institution is None and not platforms:
        raise NotFound(_("只有单位或平台的管理员可以管理人员"))
    return render(request, "accounts/people.html", context, status=status)


def _back(institution_id: int | None) -> HttpResponse:
    url = reverse("people:people")
    return redirect(f"{url}?institution={institution_id}" if institution_id else url)


@login_required
def people(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def invite(request: HttpRequest, institution_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    form = InviteForm(request.POST)
    try:
        if not form.is_valid():
            if not operates(actor, institution_id, "users"):
                raise NotFound(_("单位不存在"))
            return _page(request, invite_form=form, status=422)
        invitation, _token = services.invite_user(
            actor,
            institution_id=institution_id,
            email=form.cleaned_data["email"],
            display_name=form.cleaned_data["display_name"],
            now=timezone.now(),
        )
    except DayiError as exc:
        if not shown_in_place(exc):
            raise
        form.add_service_error(exc)
        return _page(request, invite_form=form, status=exc.status)
    messages.success(request, _("已向 %(email)s 发出邀请") % {"email": invitation.email})
    return _back(institution_id)


@login_required
@require_POST
def revoke_invitation(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = services.revoke_invitation(actor_for(request.user), invitation_id, now=timezone.now())
    messages.success(request, _("已撤回给 %(email)s 的邀请") % {"email": invitation.email})
    return _back(invitation.institution_id)


@login_required
@require_POST
def deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    form = DeactivateForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    user = services.deactivate_user(actor_for(request.user), user_id, reason=reason, now=timezone.now())
    messages.success(request, _("已停用 %(name)s") % {"name": user})
    return _back(user.institution_id)


@login_required
@require_POST
def reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    user = services.reactivate_user(actor_for(request.user), user_id, now=timezone.now())
    messages.success(request, _("已启用 %(name)s") % {"name": user})
    return _back(user.institution_id)


@login_required
@require_POST
def grant(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    form = GrantForm(request.POST)
    user = access.access_user(actor, user_id)  # ask first: an outsider learns nothing from a form error
    if not form.is_valid():
        return _page(request, problem=(user.pk, _("请选择角色")), status=422)
    try:
        g = services.grant_role(actor, user_id=user.pk, role=form.cleaned_data["role"], now=timezone.now())
    except DayiError as exc:
        if not shown_in_place(exc):
            raise
        return _page(request, problem=(user.pk, exc.message), status=exc.status)
    messages.success(request, _("已授予 %(name)s %(role)s") % {"name": user, "role": ROLE_LABELS[g.role]})
    return _back(user.institution_id)


@login_required
@require_POST
def grant_platform_admin(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    form = PlatformAdminForm(request.POST)
    set_choices(form, "platform", _platform_choices(actor))
    try:
        if not form.is_valid():
            return _page(request, admin_form=form, status=422)
        target = User.objects.filter(username=form.cleaned_data["username"].strip(), is_active=True).first()
        if target is None:
            form.add_error("username", _("没有这个用户"))
            return _page(request, admin_form=form, status=422)
        services.grant_role(
            actor,
            user_id=target.pk,
            role=Role.PLATFORM_ADMIN,
            platform=form.cleaned_data["platform"],
            now=timezone.now(),
        )
    except DayiError as exc:
        if not shown_in_place(exc):
            raise
        form.add_service_error(exc)
        return _page(request, admin_form=form, status=exc.status)
    messages.success(request, _("已任命 %(name)s 为平台管理员") % {"name": target})
    return _back(None)


@login_required
@require_POST
def revoke_grant(request: HttpRequest, grant_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    g = access.access_grant(actor, grant_id)
    services.revoke_role(actor, g.pk, now=timezone.now())
    messages.success(
        request, _("已撤销 %(name)s 的%(role)s角色") % {"name": g.user, "role": ROLE_LABELS[g.role]}
    )
    return _back(g.institution_id)


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Open to anyone holding the link: the signed token is the credential."""
    now = timezone.now()
    invitation = services.open_invitation(token, now=now)
    form = AcceptForm(request.POST or None, initial={"display_name": invitation.display_name})
    context: dict[str, Any] = {"invitation": invitation, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            services.accept_invitation(
                token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                display_name=form.cleaned_data["display_name"],
                now=now,
            )
        except DayiError as exc:
            if not shown_in_place(exc) or exc.code.startswith("invitation_"):
                raise
            form.add_service_error(exc)
            return render(request, "accounts/accept.html", context, status=exc.status)
        messages.success(
            request, _("欢迎加入 %(name)s，请用新的用户名和密码登录") % {"name": invitation.institution.name}
        )
        return redirect(reverse("login"))
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/accept.html", context, status=status)
