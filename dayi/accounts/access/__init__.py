"""The one access layer: who may do what, on which object. Deny by default.

Every service that writes, and every read of a private object, asks here. Scopes:
- a superuser administers everything;
- ``platform_admin`` of P administers P's subtree of platforms and every institution that is a member of
  a platform in that subtree (and so their instruments);
- ``institution_admin`` administers one institution (its users, its record, its instruments);
- ``instrument_manager`` manages one institution's instruments;
- ``voucher_officer`` acts for one voucher scheme;
- ``finance_officer`` confirms the top-ups of one institution's accounts (see ``access/money.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import Q, QuerySet

from dayi.accounts.models import Role
from dayi.core.errors import Forbidden, NotAuthenticated
from dayi.network.models import Institution, Membership, Platform


@dataclass
class Actor:
    """The roles of one user, read once per request."""

    user: Any
    platform_paths: list[str] = field(default_factory=list)
    admin_institutions: set[int] = field(default_factory=set)
    manager_institutions: set[int] = field(default_factory=set)
    schemes: set[str] = field(default_factory=set)
    finance_institutions: set[int] = field(default_factory=set)

    @property
    def is_authenticated(self) -> bool:
        return bool(self.user and self.user.is_authenticated)

    @property
    def is_superuser(self) -> bool:
        return bool(self.is_authenticated and self.user.is_superuser and self.user.is_active)

    @property
    def institution_id(self) -> int | None:
        return getattr(self.user, "institution_id", None) if self.is_authenticated else None

    @cached_property
    def platform_institutions(self) -> set[int]:
        """Institutions that are members of a platform in one of this actor's admin subtrees."""
        if not self.platform_paths:
            return set()
        q = Q()
        for path in self.platform_paths:
            q |= Q(platform__path__startswith=path)
        return set(Membership.objects.filter(q).values_list("institution_id", flat=True))

    def roles(self) -> list[str]:
        names: list[str] = []
        if self.platform_paths:
            names.append(Role.PLATFORM_ADMIN)
        if self.admin_institutions:
            names.append(Role.INSTITUTION_ADMIN)
        if self.manager_institutions:
            names.append(Role.INSTRUMENT_MANAGER)
        if self.schemes:
            names.append(Role.VOUCHER_OFFICER)
        if self.finance_institutions:
            names.append(Role.FINANCE_OFFICER)
        if self.is_superuser:
            names.insert(0, "superuser")
        if self.is_authenticated:
            names.append("customer")
        return names


def actor_for(user: Any) -> Actor:
    """The user's actor, cached on the user object for the rest of the request."""
    cached = getattr(user, "_dayi_actor", None)
    if cached is not None:
        return cached
    actor = Actor(user=user)
    if user is not None and user.is_authenticated and user.is_active:
        for role, path, inst, scheme in user.grants.values_list(
            "role", "platform__path", "institution_id", "scheme"
        ):
            if role == Role.PLATFORM_ADMIN:
                actor.platform_paths.append(path)
            elif role == Role.INSTITUTION_ADMIN:
                actor.admin_institutions.add(inst)
            elif role == Role.INSTRUMENT_MANAGER:
                actor.manager_institutions.add(inst)
            elif role == Role.VOUCHER_OFFICER:
                actor.schemes.add(scheme)
            elif role == Role.FINANCE_OFFICER:
                actor.finance_institutions.add(inst)
    if user is not None:
        user._dayi_actor = actor
    return actor


def require_signed_in(user: Any) -> Actor:
    actor = actor_for(user)
    if not actor.is_authenticated:
        raise NotAuthenticated("请先登录 (sign in first)")
    return actor


# --- platforms -------------------------------------------------------------------------------------------


def administers_platform(actor: Actor, platform: Platform) -> bool:
    return actor.is_superuser or any(platform.path.startswith(p) for p in actor.platform_paths)


def administered_platforms(actor: Actor) -> QuerySet[Platform]:
    if actor.is_superuser:
        return Platform.objects.all()
    q = Q(pk__in=[])
    for path in actor.platform_paths:
        q |= Q(path__startswith=path)
    return Platform.objects.filter(q)


def check_platform_admin(actor: Actor, platform: Platform) -> None:
    if not administers_platform(actor, platform):
        raise Forbidden("只有该平台的管理员可以这样做 (only the platform's admins may do this)")


# --- institutions ----------------------------------------------------------------------------------------


def administers_institution(actor: Actor, institution_id: int) -> bool:
    return (
        actor.is_superuser
        or institution_id in actor.admin_institutions
        or institution_id in actor.platform_institutions
    )


def check_institution_admin(actor: Actor, institution_id: int) -> None:
    if not administers_institution(actor, institution_id):
        raise Forbidden("只有该单位的管理员可以这样做 (only the institution's admins may do this)")


def manages_instruments_of(actor: Actor, institution_id: int) -> bool:
    return institution_id in actor.manager_institutions or administers_institution(actor, institution_id)


def check_instrument_manager(actor: Actor, institution_id: int) -> None:
    if not manages_instruments_of(actor, institution_id):
        raise Forbidden(
            "只有该单位的仪器管理员可以这样做 (only the institution's instrument managers may do this)"
        )


def managed_institution_ids(actor: Actor) -> set[int] | None:
    """Institutions whose instruments the actor manages; None means all (a superuser)."""
    if actor.is_superuser:
        return None
    return actor.manager_institutions | actor.admin_institutions | actor.platform_institutions


def can_create_institutions(actor: Actor) -> bool:
    return actor.is_superuser or bool(actor.platform_paths)


def visible_institutions(actor: Actor) -> QuerySet[Institution]:
    """Institutions are public records of the directory: everyone may read them."""
    return Institution.objects.all()


# --- voucher schemes -------------------------------------------------------------------------------------


def acts_for_scheme(actor: Actor, scheme_code: str) -> bool:
    return actor.is_superuser or scheme_code in actor.schemes
