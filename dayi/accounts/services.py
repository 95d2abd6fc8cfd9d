"""Every write of the accounts domain: sign-in, tokens, users and their roles."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate as django_authenticate
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from dayi.accounts import tokens
from dayi.accounts.access import (
    Actor,
    administers_platform,
    is_platform_admin,
    is_superuser,
    may_create_users,
    may_grant_institution_role,
    operates,
    people,
    require_signed_in,
)
from dayi.accounts.errors import BadPassword, DuplicateUser
from dayi.accounts.models import ApiToken, Invitation, LoginFailure, Role, RoleGrant, User
from dayi.core import audit
from dayi.core.errors import Conflict, Forbidden, NotAuthenticated, NotFound, RateLimited, ValidationFailed
from dayi.network.models import Institution, Platform
from dayi.notify import mail

# --- signing in --------------------------------------------------------------------------------------------


# A client guessing many usernames (password spraying) gets this many times the per-pair allowance.
ADDRESS_FACTOR = 4


def check_throttle(username: str, address: str | None, *, now: dt.datetime) -> None:
    """Refuse a sign-in while this client has failed too often: per (address, username) pair, and per address.

    Counting by the pair, not by the username alone, means a stranger's wrong guesses cannot lock a user
    out: the user signing in from their own address is counted apart. The looser per-address cap stops one
    client trying one password against many usernames (spraying).
    """
    window = dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(at__gte=now - window, address=address)
    limit = settings.LOGIN_MAX_FAILURES
    _refuse_if_over(recent.filter(username=username[:150]), limit, window=window, now=now)
    if address is not None:
        _refuse_if_over(recent, limit * ADDRESS_FACTOR, window=window, now=now)


def _refuse_if_over(failures: Any, cap: int, *, window: dt.timedelta, now: dt.datetime) -> None:
    newest = list(failures.order_by("-at").values_list("at", flat=True)[:cap])
    if len(newest) < cap:
        return
    # Below the cap again once the cap-th newest failure leaves the window.
    retry = max(1, math.ceil((newest[-1] + window - now).total_seconds()))
    minutes = math.ceil(retry / 60)
    raise RateLimited(
        gettext("登录失败次数过多，请 %(minutes)s 分钟后再试") % {"minutes": minutes},
        retry_after=retry,
    )


def sign_in(username: str, password: str, *, address: str | None, now: dt.datetime) -> User:
    """The user with these credentials, or NotAuthenticated; throttled per (address, username) and address."""
    check_throttle(username, address, now=now)
    user = django_authenticate(username=username, password=password)
    if user is None:
        LoginFailure.objects.create(username=username[:150], address=address, at=now)
        raise NotAuthenticated(gettext("用户名或密码错误"))
    return user


@transaction.atomic
def issue_token(user: User, *, now: dt.datetime, name: str = "") -> tuple[str, ApiToken]:
    token = tokens.new_token()
    row = ApiToken.objects.create(
        user=user,
        digest=tokens.digest(token),
        prefix=token[len(tokens.TOKEN_PREFIX) : len(tokens.TOKEN_PREFIX) + 8],
        name=name[:64],
        created=now,
        expires=tokens.default_expiry(now),
    )
    audit.record("token.issue", row, actor=user, after={"prefix": row.prefix, "name": row.name}, now=now)
    return token, row


@transaction.atomic
def revoke_token(actor: Actor, token_id: int, *, now: dt.datetime) -> None:
    require_signed_in(actor.user)
    row = ApiToken.objects.filter(pk=token_id, user=actor.user).first()
    if row is None:
        raise NotFound(gettext("令牌不存在"))
    # A conditional update: revoking twice is harmless and records one event.
    if ApiToken.objects.filter(pk=row.pk, revoked__isnull=True).update(revoked=now):
        audit.record("token.revoke", row, actor=actor.user, after={"revoked": now.isoformat()}, now=now)


# --- users and roles ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrantSpec:
    role: str
    platform: str | None = None
    institution: int | None = None
    scheme: str | None = None


def _resolve_grant(actor: Actor, spec: GrantSpec, index: int) -> RoleGrant:
    """The RoleGrant this spec names, if ``actor`` may hand it out."""
    where = f"roles.{index}"
    if spec.role not in Role.values:
        raise ValidationFailed(
            fields={f"{where}.role": [gettext("未知角色 %(role)s") % {"role": f"{spec.role!r}"}]}
        )
    grant = RoleGrant(role=spec.role, scheme="")
    if spec.role == Role.PLATFORM_ADMIN:
        platform = Platform.objects.filter(code=spec.platform or "").first()
        if platform is None:
            raise ValidationFailed(fields={f"{where}.platform": [gettext("需要一个存在的平台代码")]})
        if not administers_platform(actor, platform):
            raise Forbidden(gettext("不能授予本平台以外的管理权限"))
        grant.platform = platform
    elif spec.role in (Role.INSTITUTION_ADMIN, Role.INSTRUMENT_MANAGER, Role.FINANCE_OFFICER):
        institution = Institution.objects.filter(pk=spec.institution or 0).first()
        if institution is None:
            raise ValidationFailed(fields={f"{where}.institution": [gettext("需要一个存在的单位")]})
        if not may_grant_institution_role(actor, institution.pk, spec.role):
            raise Forbidden(gettext("不能授予其他单位的角色"))
        grant.institution = institution
    else:  # voucher_officer: schemes are run by their funders; only superusers appoint officers for now
        if not spec.scheme:
            raise ValidationFailed(fields={f"{where}.scheme": [gettext("需要创新券方案代码")]})
        if not is_superuser(actor):
            raise Forbidden(gettext("只有超级管理员可以任命创新券经办人"))
        grant.scheme = spec.scheme
    return grant


def _unique(grants: list[RoleGrant]) -> list[RoleGrant]:
    """The same role named twice is granted once (the rolegrant_unique constraint would refuse it)."""
    seen: dict[tuple[Any, ...], RoleGrant] = {}
    for g in grants:
        seen.setdefault((g.role, g.platform_id, g.institution_id, g.scheme), g)
    return list(seen.values())


def _check_username_and_email(username: str, email: str) -> None:
    errors: dict[str, list[str]] = {}
    if not username.strip():
        errors["username"] = [gettext("不能为空")]
    else:
        try:
            User.username_validator(username)
        except DjangoValidationError:
            errors["username"] = [gettext("只能包含字母、数字和 @.+-_")]
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            errors["email"] = [gettext("邮箱地址无效")]
    if errors:
        raise ValidationFailed(fields=errors)


def _may_create_users(actor: Actor) -> bool:
    return may_create_users(actor)


def _new_user(
    username: str, password: str, *, email: str, institution: Institution | None, display_name: str
) -> User:
    """A saved user with a checked username, e-mail and password (hashed with the first of
    ``PASSWORD_HASHERS``: argon2)."""
    _check_username_and_email(username, email)
    if User.objects.filter(username=username).exists():
        raise DuplicateUser(
            gettext("用户名 %(username)s 已被使用") % {"username": username},
            fields={"username": [gettext("已被使用")]},
        )
    user = User(username=username, email=email, institution=institution, display_name=display_name)
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise BadPassword(fields={"password": list(exc.messages)}) from None
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def create_user(
    actor: Actor,
    *,
    username: str,
    password: str,
    email: str = "",
    institution_id: int | None = None,
    roles: list[GrantSpec] | None = None,
    display_name: str = "",
    now: dt.datetime,
) -> User:
    require_signed_in(actor.user)
    if not _may_create_users(actor):
        raise Forbidden(gettext("只有平台或单位管理员可以创建用户"))
    institution = None
    if institution_id is not None:
        institution = Institution.objects.filter(pk=institution_id).first()
        if institution is None:
            raise ValidationFailed(fields={"institution": [gettext("单位不存在")]})
        if not operates(actor, institution.pk, "users"):
            raise Forbidden(gettext("不能为其他单位创建用户"))
    elif not is_platform_admin(actor):
        raise ValidationFailed(fields={"institution": [gettext("请指定所属单位")]})
    grants = _unique([_resolve_grant(actor, spec, i) for i, spec in enumerate(roles or [])])
    user = _new_user(username, password, email=email, institution=institution, display_name=display_name)
    for grant in grants:
        grant.user = user
        grant.save()
    audit.record(
        "user.create",
        user,
        actor=actor.user,
        after={**audit.snapshot(user), "roles": [g.as_dict() for g in grants]},
        institution_id=institution.pk if institution else None,
        now=now,
    )
    return user


def profile(actor: Actor) -> dict[str, Any]:
    user = require_signed_in(actor.user).user
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "display_name": user.display_name,
        "institution": user.institution_id,
        "roles": actor.roles(),
        "grants": [g.as_dict() for g in user.grants.select_related("platform")],
    }


# --- invitations, deactivation, role grants (the people pages and their API) --------------------------------

INVITATION_SALT = "dayi.accounts.invitation"
INVITATION_DAYS = 14
# Roles handed out on the people pages; voucher officers are appointed by a superuser (create_user).
GRANTABLE_ROLES = (Role.INSTITUTION_ADMIN, Role.INSTRUMENT_MANAGER, Role.FINANCE_OFFICER, Role.PLATFORM_ADMIN)


def invitation_token(invitation: Invitation) -> str:
    """The link's token: the invitation's id signed with the secret key (a forged or altered one fails)."""
    return signing.dumps(invitation.pk, salt=INVITATION_SALT)


def invitation_url(token: str) -> str:
    return f"{settings.DAYI_SITE_URL}/invitations/{token}/"


def _clean_email(email: str, institution: Institution) -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed(_("邮箱地址无效"), fields={"email": [_("邮箱地址无效")]}) from None
    domains = institution.email_domains
    if domains and email.rsplit("@", 1)[1] not in domains:
        message = _("本单位只邀请这些邮箱域名的地址：%(domains)s") % {"domains": ", ".join(domains)}
        raise ValidationFailed(message, code="email_domain", fields={"email": [message]})
    return email


def _invitation_mail(invitation: Invitation, token: str) -> tuple[str, str]:
    inst = invitation.institution
    url = invitation_url(token)
    expires = invitation.expires.date().isoformat()
    subject = f"[大仪 Dayi] 邀请您加入 {inst.name} / You are invited to join {inst.name_en or inst.name}"
    body = "\n".join(
        [
            f"{invitation.invited_by} 邀请您以 {invitation.email} 加入大仪平台上的 {inst.name}。",
            f"请在 {expires} 前打开下面的链接，设置用户名和密码：",
            url,
            "",
            "—",
            "",
            f"{invitation.invited_by} invites you ({invitation.email}) to join {inst.name_en or inst.name} "
            "on Dayi.",
            f"Open this link before {expires} to choose a username and password:",
            url,
        ]
    )
    return subject, body


@transaction.atomic
def invite_user(
    actor: Actor, *, institution_id: int, email: str, display_name: str = "", now: dt.datetime
) -> tuple[Invitation, str]:
    """Whoever operates the institution's ``users`` invites a person by e-mail; the mail goes after commit.
    A newer invitation to the same address replaces a pending one (its link stops working)."""
    require_signed_in(actor.user)
    if not operates(actor, institution_id, "users"):
        raise Forbidden(_("只有该单位的管理员可以邀请用户"))
    institution = Institution.objects.filter(pk=institution_id).first()
    if institution is None:
        raise ValidationFailed(fields={"institution": [_("单位不存在")]})
    email = _clean_email(email, institution)
    if User.objects.filter(email__iexact=email, institution=institution, is_active=True).exists():
        message = _("该邮箱已是本单位的用户")
        raise DuplicateUser(message, fields={"email": [message]})
    Invitation.objects.filter(
        institution=institution, email=email, accepted__isnull=True, revoked__isnull=True
    ).update(revoked=now)
    invitation = Invitation.objects.create(
        email=email,
        institution=institution,
        display_name=display_name.strip()[:64],
        invited_by=actor.user,
        created=now,
        expires=now + dt.timedelta(days=INVITATION_DAYS),
    )
    token = invitation_token(invitation)
    audit.record(
        "invitation.create",
        invitation,
        actor=actor.user,
        after={"email": email, "institution": institution.pk, "expires": invitation.expires.isoformat()},
        institution_id=institution.pk,
        now=now,
    )
    subject, body = _invitation_mail(invitation, token)
    mail.send_after_commit(to=[email], subject=subject, body=body, what=f"invitation {invitation.pk}")
    return invitation, token


@transaction.atomic
def revoke_invitation(actor: Actor, invitation_id: int, *, now: dt.datetime) -> Invitation:
    invitation = people.access_invitation(require_signed_in(actor.user), invitation_id, for_update=True)
    if invitation.accepted is not None or invitation.revoked is not None:
        raise Conflict(_("该邀请已被接受或撤回"), code="invitation_closed")
    invitation.revoked = now
    invitation.save(update_fields=["revoked"])
    audit.record(
        "invitation.revoke",
        invitation,
        actor=actor.user,
        before={"email": invitation.email},
        after={"revoked": now.isoformat()},
        institution_id=invitation.institution_id,
        now=now,
    )
    return invitation


def open_invitation(token: str, *, now: dt.datetime, for_update: bool = False) -> Invitation:
    """The invitation a link names, still open (not accepted, withdrawn or expired); else a clear refusal."""
    try:
        pk = signing.loads(token, salt=INVITATION_SALT)
    except signing.BadSignature:
        raise NotFound(_("邀请链接无效")) from None
    qs = Invitation.objects.select_related("institution")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    invitation = qs.filter(pk=pk).first()
    if invitation is None:
        raise NotFound(_("邀请链接无效"))
    if invitation.accepted is not None:
        raise Conflict(_("该邀请已被接受，请直接登录"), code="invitation_used")
    if invitation.revoked is not None:
        raise Conflict(_("该邀请已被撤回，请联系单位管理员"), code="invitation_revoked")
    if invitation.expires <= now:
        raise Conflict(_("该邀请已过期，请联系单位管理员重新邀请"), code="invitation_expired")
    return invitation


@transaction.atomic
def accept_invitation(
    token: str, *, username: str, password: str, display_name: str = "", now: dt.datetime
) -> User:
    """The invited person chooses a username and password: a user of the institution, once per link."""
    invitation = open_invitation(token, now=now, for_update=True)
    user = _new_user(
        username.strip(),
        password,
        email=invitation.email,
        institution=invitation.institution,
        display_name=(display_name.strip() or invitation.display_name)[:64],
    )
    # The row is locked; the condition still says who won should the lock ever be dropped.
    won = Invitation.objects.filter(pk=invitation.pk, accepted__isnull=True, revoked__isnull=True).update(
        accepted=now, user=user
    )
    if not won:
        raise Conflict(_("该邀请已被接受，请直接登录"), code="invitation_used")
    after = {**audit.snapshot(user), "invitation": invitation.pk}
    audit.record(
        "user.create", user, actor=user, after=after, institution_id=invitation.institution_id, now=now
    )
    return user


def _set_active(actor: Actor, user_id: int, active: bool, *, reason: str, now: dt.datetime) -> User:
    require_signed_in(actor.user)
    user = people.access_user(actor, user_id, for_update=True)
    if user.pk == actor.user.pk:
        raise Forbidden(_("不能停用或启用自己的账号"))
    if not people.may_deactivate(actor, user):
        raise Forbidden(_("只有单位自己的管理员可以停用或启用单位管理员"))
    if user.is_active == active:
        return user  # already so: nothing changes, nothing is recorded
    User.objects.filter(pk=user.pk).update(is_active=active)
    user.is_active = active
    audit.record(
        "user.reactivate" if active else "user.deactivate",
        user,
        actor=actor.user,
        before={"is_active": not active},
        after={"is_active": active},
        institution_id=user.institution_id,
        reason=reason.strip(),
        now=now,
    )
    return user


@transaction.atomic
def deactivate_user(actor: Actor, user_id: int, *, reason: str = "", now: dt.datetime) -> User:
    """The user can no longer sign in, use a token or a session; nothing of theirs is deleted."""
    return _set_active(actor, user_id, False, reason=reason, now=now)


@transaction.atomic
def reactivate_user(actor: Actor, user_id: int, *, now: dt.datetime) -> User:
    return _set_active(actor, user_id, True, reason="", now=now)


def _grant_target(actor: Actor, user_id: int, role: str) -> User:
    """Platform roles may go to any active user; institution roles only to a user the actor manages."""
    if role == Role.PLATFORM_ADMIN:
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            raise ValidationFailed(fields={"user": [_("用户不存在")]})
        return user
    return people.access_user(actor, user_id)


@transaction.atomic
def grant_role(
    actor: Actor,
    *,
    user_id: int,
    role: str,
    platform: str | None = None,
    institution: int | None = None,
    now: dt.datetime,
) -> RoleGrant:
    """Give a user one role over one scope, within the actor's powers; never to oneself."""
    require_signed_in(actor.user)
    if role not in GRANTABLE_ROLES:
        raise ValidationFailed(fields={"role": [_("未知角色")]})
    user = _grant_target(actor, user_id, role)
    if user.pk == actor.user.pk:
        raise Forbidden(_("不能给自己授予角色"))
    grant = RoleGrant(user=user, role=role, scheme="")
    if role == Role.PLATFORM_ADMIN:
        grant.platform = Platform.objects.filter(code=platform or "").first()
        if grant.platform is None:
            raise ValidationFailed(fields={"platform": [_("平台不存在")]})
    else:
        grant.institution_id = institution or user.institution_id
        if grant.institution_id != user.institution_id:
            raise ValidationFailed(fields={"institution": [_("只能授予用户所在单位的角色")]})
    if not people.may_hand_out(actor, grant):
        raise Forbidden(_("不能授予这个角色"))
    if RoleGrant.objects.filter(
        user=user, role=role, platform=grant.platform, institution=grant.institution, scheme=""
    ).exists():
        raise DuplicateUser(_("该用户已有这个角色"), code="duplicate")
    grant.save()
    audit.record(
        "role.grant",
        grant,
        actor=actor.user,
        after={"user": user.pk, **grant.as_dict()},
        institution_id=grant.institution_id,
        now=now,
    )
    return grant


@transaction.atomic
def revoke_role(actor: Actor, grant_id: int, *, now: dt.datetime) -> None:
    require_signed_in(actor.user)
    grant = people.access_grant(actor, grant_id, for_update=True)
    audit.record(
        "role.revoke",
        grant,
        actor=actor.user,
        before={"user": grant.user_id, **grant.as_dict()},
        institution_id=grant.institution_id,
        now=now,
    )
    grant.delete()
