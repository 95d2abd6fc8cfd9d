"""The network's own records on the administration pages: a platform its admins (and those above) edit, an
institution its own admins edit. Overseeing an institution is not editing it."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from dayi.accounts.access import (
    Actor,
    administered_institution_ids,
    administered_platforms,
    administers_platform,
    fetch,
)
from dayi.network.models import Institution, Membership, Platform


def access_platform(actor: Actor, code: str, *, for_update: bool = False) -> Platform:
    """A platform in one of the actor's subtrees, or NotFound."""
    return fetch(administered_platforms(actor), _("平台不存在"), for_update=for_update, code=code)


def access_own_institution(actor: Actor, institution_id: int, *, for_update: bool = False) -> Institution:
    """An institution the actor is the own admin of (a superuser: any), or NotFound."""
    ids = administered_institution_ids(actor)
    qs = Institution.objects.all() if ids is None else Institution.objects.filter(pk__in=ids)
    return fetch(qs, _("单位不存在"), for_update=for_update, pk=institution_id)


def platform_members(actor: Actor, platform: Platform) -> QuerySet[Membership]:
    """The accepted members of a platform the actor administers (``access_platform`` first)."""
    if not administers_platform(actor, platform):
        return Membership.objects.none()
    return (
        Membership.objects.filter(platform=platform)
        .select_related("institution")
        .order_by("institution__name")
    )
