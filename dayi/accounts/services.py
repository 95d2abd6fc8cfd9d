"""Every write of the accounts domain: sign-in, tokens, users and their roles."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate as django_authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext

from dayi.accounts import tokens
from dayi.accounts.access import (
    Actor,
    administers_platform,
    is_platform_admin,
    is_superuser,
    may_create_users,
    may_grant_institution_role,
    operates,
    require_signed_in,
)
from dayi.accounts.errors import BadPassword, DuplicateUser
from dayi.accounts.models import ApiToken, LoginFailure, Role, RoleGrant, User
from dayi.core import audit
from dayi.core.errors import Forbidden, NotAuthenticated, NotFound, RateLimited, ValidationFailed
from dayi.network.models import Institution, Platform

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
