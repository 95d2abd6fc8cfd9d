"""The one access layer: who may do what, on which object. Deny by default.

Every service that writes, and every read of a private object, asks here. Two kinds of power:

- *Overseeing* follows the platform tree: a ``platform_admin`` of P oversees P's subtree of platforms and
  every institution that is an **accepted** member of a platform in that subtree: it reads their private
  figures, the evaluation, idle notices and exports (``oversees_institution``).
- *Operating* an institution (its instruments, bookings, orders, accounts, users and roles) belongs to the
  institution itself: its ``institution_admin`` operates everything, its ``instrument_manager`` operates
  instruments, bookings and orders. A platform admin operates an institution only with the powers the
  institution delegated to a platform in the admin's subtree (a live ``Delegation``) — ``operates``.

A superuser oversees and operates everything; a ``voucher_officer`` acts for one voucher scheme; a
``finance_officer`` confirms the top-ups of one institution's accounts, never their own (``access/money.py``).
Per-object helpers (``access_<noun>(actor, id, *, for_update=False)``) live in this package's modules
(``access.directory``, ``access.orders``, ``access.demands``, …) and raise NotFound for both missing and
forbidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from dayi.accounts.models import Role, User
from dayi.core.errors import Forbidden, NotAuthenticated, NotFound
from dayi.network.models import POWERS, Delegation, Institution, Membership, Platform

Power = Literal["instruments", "bookings", "orders", "users"]
# What an institution's instrument managers operate; its admins operate every power.
MANAGER_POWERS: frozenset[str] = frozenset({"instruments", "bookings", "orders"})


@dataclass
class Actor:
    """The roles of one user, read once per request."""

    # The signed-in User. An anonymous actor carries Django's AnonymousUser (or None in jobs) here, typed as
    # User on purpose: every use of a user attribute is behind `is_authenticated` (require_signed_in).
    user: User
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

    def _platform_q(self, prefix: str) -> Q:
        q = Q(pk__in=[])
        for path in self.platform_paths:
            q |= Q(**{f"{prefix}path__startswith": path})
        return q

    @cached_property
    def overseen_institutions(self) -> set[int]:
        """Accepted members of a platform in one of this actor's admin subtrees: overseen, not operated."""
        if not self.platform_paths:
            return set()
        return set(
            Membership.objects.filter(self._platform_q("platform__")).values_list("institution_id", flat=True)
        )

    @property
    def platform_institutions(self) -> set[int]:
        """Deprecated name of ``overseen_institutions`` (still read by the vouchers domain)."""
        return self.overseen_institutions

    @cached_property
    def delegated_powers(self) -> dict[int, set[str]]:
        """Institution id → the powers its live delegations give to a platform in this actor's subtrees."""
        if not self.platform_paths:
            return {}
        today = timezone.now().date()
        rows = Delegation.objects.filter(
            self._platform_q("platform__"), Q(until__isnull=True) | Q(until__gte=today), revoked__isnull=True
        ).values_list("institution_id", "powers")
        powers: dict[int, set[str]] = {}
        for institution_id, granted in rows:
            powers.setdefault(institution_id, set()).update(granted)
        return powers

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
    cached: Actor | None = getattr(user, "_dayi_actor", None)
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


def system_actor() -> Actor:
    """The actor of a scheduled job: no user, no roles (audit rows name no one)."""
    return Actor(user=None)  # type: ignore[arg-type]  # no user at all: is_authenticated is False


M = TypeVar("M", bound=Model)


def fetch(qs: QuerySet[M], message: str, *, for_update: bool = False, **lookup: Any) -> M:
    """The one row of ``qs`` (already narrowed to what the actor may see) matching ``lookup``, locked when
    ``for_update``; NotFound with ``message`` otherwise — the same answer for missing and forbidden."""
    if for_update:
        qs = qs.select_for_update(of=("self",))
    row = qs.filter(**lookup).first()
    if row is None:
        raise NotFound(message)
    return row


def require_signed_in(user: Any) -> Actor:
    actor = actor_for(user)
    if not actor.is_authenticated:
        raise NotAuthenticated(gettext("请先登录"))
    return actor


def is_signed_in(actor: Actor) -> bool:
    return actor.is_authenticated


def is_superuser(actor: Actor) -> bool:
    return actor.is_superuser


def is_platform_admin(actor: Actor) -> bool:
    """A superuser or the admin of some platform."""
    return actor.is_superuser or bool(actor.platform_paths)


def is_national_admin(actor: Actor) -> bool:
    """A superuser or the admin of a root (national) platform: paths of roots are "/cn/"."""
    return actor.is_superuser or any(p.count("/") == 2 for p in actor.platform_paths)


# --- platforms -------------------------------------------------------------------------------------------


def administers_platform(actor: Actor, platform: Platform) -> bool:
    return actor.is_superuser or any(platform.path.startswith(p) for p in actor.platform_paths)


def administers_platform_above(actor: Actor, platform: Platform) -> bool:
    """Administers a platform strictly above ``platform`` (an ancestor), or is a superuser."""
    return actor.is_superuser or any(
        platform.path.startswith(p) and platform.path != p for p in actor.platform_paths
    )


def administered_platforms(actor: Actor) -> QuerySet[Platform]:
    if actor.is_superuser:
        return Platform.objects.all()
    q = Q(pk__in=[])
    for path in actor.platform_paths:
        q |= Q(path__startswith=path)
    return Platform.objects.filter(q)


def check_platform_admin(actor: Actor, platform: Platform) -> None:
    if not administers_platform(actor, platform):
        raise Forbidden(gettext("只有该平台的管理员可以这样做"))


# --- institutions: operating ------------------------------------------------------------------------------


def operates(actor: Actor, institution_id: int | None, power: str) -> bool:
    """Whether the actor may operate ``power`` (one of ``POWERS``) of the institution: its own admins
    (every power), its instrument managers (``MANAGER_POWERS``), the admins of a platform the institution
    delegated the power to (or of a platform above it), or a superuser."""
    if power not in POWERS:
        raise ValueError(f"unknown power {power!r}")
    if institution_id is None:
        return actor.is_superuser
    return (
        actor.is_superuser
        or institution_id in actor.admin_institutions
        or (power in MANAGER_POWERS and institution_id in actor.manager_institutions)
        or power in actor.delegated_powers.get(institution_id, ())
    )


def check_operates(actor: Actor, institution_id: int | None, power: str) -> None:
    if not operates(actor, institution_id, power):
        raise Forbidden(gettext("只有该单位或其授权的平台可以这样做"))


def operated_institution_ids(actor: Actor, power: str) -> set[int] | None:
    """Institutions whose ``power`` the actor operates; None means all (a superuser)."""
    if actor.is_superuser:
        return None
    ids = set(actor.admin_institutions)
    if power in MANAGER_POWERS:
        ids |= actor.manager_institutions
    ids |= {i for i, powers in actor.delegated_powers.items() if power in powers}
    return ids


def administers_institution(actor: Actor, institution_id: int | None) -> bool:
    """The institution's own admin (or a superuser): the one who accepts memberships, delegates, keeps its
    accounts and acts for it as a company. Never a platform admin, delegated or not."""
    return actor.is_superuser or (institution_id is not None and institution_id in actor.admin_institutions)


def check_institution_admin(actor: Actor, institution_id: int | None) -> None:
    if not administers_institution(actor, institution_id):
        raise Forbidden(gettext("只有该单位的管理员可以这样做"))


def administered_institution_ids(actor: Actor) -> set[int] | None:
    """Institutions the actor is the own admin of; None means all (a superuser)."""
    return None if actor.is_superuser else set(actor.admin_institutions)


def manages_instruments_of(actor: Actor, institution_id: int | None) -> bool:
    """Operates the institution's instruments (kept for callers not yet moved to ``operates``)."""
    return operates(actor, institution_id, "instruments")


def check_instrument_manager(actor: Actor, institution_id: int | None) -> None:
    if not manages_instruments_of(actor, institution_id):
        raise Forbidden(gettext("只有该单位的仪器管理员可以这样做"))


def managed_institution_ids(actor: Actor) -> set[int] | None:
    """Institutions whose instruments the actor operates; None means all (a superuser)."""
    return operated_institution_ids(actor, "instruments")


def is_staff_of_any_institution(actor: Actor) -> bool:
    """Holds a role that operates some institution's instruments (own or delegated)."""
    ids = managed_institution_ids(actor)
    return ids is None or bool(ids)


# --- institutions: overseeing ------------------------------------------------------------------------------


def oversees_institution(actor: Actor, institution_id: int | None) -> bool:
    """May read the institution's private figures: its own admins and managers, the admins of a platform
    whose subtree holds it as an accepted member, a superuser."""
    if institution_id is None:
        return actor.is_superuser
    return (
        actor.is_superuser
        or institution_id in actor.admin_institutions
        or institution_id in actor.manager_institutions
        or institution_id in actor.overseen_institutions
    )


def check_oversees_institution(actor: Actor, institution_id: int | None) -> None:
    if not oversees_institution(actor, institution_id):
        raise Forbidden(gettext("只有该单位或其所属平台的管理员可以查看"))


def overseen_institution_ids(actor: Actor) -> set[int] | None:
    """Institutions whose private figures the actor reads; None means all (a superuser)."""
    if actor.is_superuser:
        return None
    return actor.admin_institutions | actor.manager_institutions | actor.overseen_institutions


def platform_oversees_institution(actor: Actor, institution_id: int) -> bool:
    """Oversees the institution as a platform admin (not as its own staff)."""
    return actor.is_superuser or institution_id in actor.overseen_institutions


def oversees_institution_records(actor: Actor, institution_id: int | None) -> bool:
    """Reads the institution's books and sends it notices: its own admins and the admins of a platform it
    belongs to (not its instrument managers, who see only what their instruments served)."""
    if institution_id is None:
        return actor.is_superuser
    return administers_institution(actor, institution_id) or platform_oversees_institution(
        actor, institution_id
    )


def records_overseen_ids(actor: Actor) -> set[int] | None:
    """Institutions whose books the actor reads (``oversees_institution_records``); None means all."""
    if actor.is_superuser:
        return None
    return actor.admin_institutions | actor.overseen_institutions


def may_create_users(actor: Actor) -> bool:
    """Platform admins (users of their platforms), institution admins, and platforms delegated ``users``."""
    return (
        is_platform_admin(actor)
        or bool(actor.admin_institutions)
        or any("users" in powers for powers in actor.delegated_powers.values())
    )


def may_grant_institution_role(actor: Actor, institution_id: int, role: str) -> bool:
    """Appointing an institution's admins is its own admins' power alone (a delegated platform could
    otherwise make itself admin); managers are appointed by whoever operates its ``users``."""
    if role == Role.INSTITUTION_ADMIN:
        return administers_institution(actor, institution_id)
    return operates(actor, institution_id, "users")


def can_create_institutions(actor: Actor) -> bool:
    return is_platform_admin(actor)


def visible_institutions(actor: Actor) -> QuerySet[Institution]:
    """Institutions are public records of the directory: everyone may read them."""
    return Institution.objects.all()


# --- voucher schemes -------------------------------------------------------------------------------------


def acts_for_scheme(actor: Actor, scheme_code: str) -> bool:
    return actor.is_superuser or scheme_code in actor.schemes


def acting_schemes(actor: Actor) -> set[str] | None:
    """The voucher schemes the actor acts for; None means all (a superuser)."""
    return None if actor.is_superuser else set(actor.schemes)
