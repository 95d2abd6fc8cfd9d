"""Who manages which people: an institution's users (the ``users`` power), their invitations and their roles.

An institution's users are operated by its own admins, or by a platform the institution delegated ``users``
to; overseeing a member institution gives a platform admin none of this. Platform-admin roles are granted
and revoked by the admins of that platform or of a platform above it. Nobody grants, revokes or deactivates
themselves, and a delegated platform never touches the institution's own admins (it could make itself the
owner, or lock the owner out).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from dayi.accounts.access import (
    Actor,
    administered_platforms,
    administers_institution,
    administers_platform,
    fetch,
    may_grant_institution_role,
    operated_institution_ids,
    operates,
)
from dayi.accounts.models import Invitation, Role, RoleGrant, User


def managed_users(actor: Actor) -> QuerySet[User]:
    """The users of the institutions whose ``users`` the actor operates (every user for a superuser)."""
    ids = operated_institution_ids(actor, "users")
    qs = User.objects.all()
    return qs if ids is None else qs.filter(institution_id__in=ids)


def access_user(actor: Actor, user_id: int, *, for_update: bool = False) -> User:
    """A user the actor manages, or NotFound for missing and forbidden alike."""
    return fetch(managed_users(actor), _("用户不存在"), for_update=for_update, pk=user_id)


def holds_institution_admin(user: User) -> bool:
    if user.institution_id is None:
        return False
    return RoleGrant.objects.filter(
        user=user, role=Role.INSTITUTION_ADMIN, institution_id=user.institution_id
    ).exists()


def may_deactivate(actor: Actor, user: User) -> bool:
    """Operates the user's institution's ``users`` — and, for one of its admins, is its own admin."""
    if user.pk == getattr(actor.user, "pk", None):
        return False
    if not operates(actor, user.institution_id, "users"):
        return False
    return not holds_institution_admin(user) or administers_institution(actor, user.institution_id)


def may_hand_out(actor: Actor, grant: RoleGrant) -> bool:
    """Whether the actor may grant (or revoke) this role over this scope. Never over themselves."""
    if grant.user_id is not None and grant.user_id == getattr(actor.user, "pk", None):
        return False
    if grant.role == Role.PLATFORM_ADMIN:
        return grant.platform is not None and administers_platform(actor, grant.platform)
    if grant.institution_id is not None:
        return may_grant_institution_role(actor, grant.institution_id, grant.role)
    return False  # voucher officers are appointed by a superuser through the API (accounts.services)


def managed_grants(actor: Actor) -> QuerySet[RoleGrant]:
    """Role grants over the institutions whose ``users`` the actor operates and the platforms it heads."""
    ids = operated_institution_ids(actor, "users")
    qs = RoleGrant.objects.select_related("user", "platform", "institution")
    if ids is None:
        return qs
    return qs.filter(Q(institution_id__in=ids) | Q(platform__in=administered_platforms(actor)))


def access_grant(actor: Actor, grant_id: int, *, for_update: bool = False) -> RoleGrant:
    """A grant the actor may revoke, or NotFound (missing, forbidden, or the actor's own)."""
    grant = fetch(managed_grants(actor), _("角色授予不存在"), for_update=for_update, pk=grant_id)
    if not may_hand_out(actor, grant):
        fetch(RoleGrant.objects.none(), _("角色授予不存在"))
    return grant


def managed_invitations(actor: Actor) -> QuerySet[Invitation]:
    ids = operated_institution_ids(actor, "users")
    qs = Invitation.objects.select_related("institution", "invited_by")
    return qs if ids is None else qs.filter(institution_id__in=ids)


def access_invitation(actor: Actor, invitation_id: int, *, for_update: bool = False) -> Invitation:
    return fetch(managed_invitations(actor), _("邀请不存在"), for_update=for_update, pk=invitation_id)
