"""Read-side helpers for regions, platforms and institutions, shared by the API, pages and statistics."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext

from dayi.core.errors import ValidationFailed
from dayi.network.models import (
    Institution,
    Membership,
    MembershipStatus,
    Platform,
    Region,
    RegionLevel,
    region_prefix,
)


def region_subtree_q(code: str, field: str = "region") -> Q:
    """Matches ``field`` at the region ``code`` or any region under it (GB/T 2260 codes nest by prefix)."""
    return Q(**{f"{field}__startswith": region_prefix(code)})


def platform_institution_ids(platform: Platform) -> QuerySet[Membership, Any]:
    """Ids of the institutions that are members of the platform or of any platform below it."""
    return (
        Membership.objects.filter(platform__path__startswith=platform.path)
        .values("institution_id")
        .distinct()
    )


def platforms_of(institution: Institution) -> QuerySet[Platform]:
    """The platforms the institution belongs to (accepted memberships only), in tree order."""
    return Platform.objects.filter(
        memberships__institution=institution, memberships__status=MembershipStatus.ACCEPTED
    ).order_by("path")


def regions(parent: str | None = None, level: str | None = None) -> QuerySet[Region]:
    if level and level not in RegionLevel.values:
        raise ValidationFailed(
            fields={"level": [gettext("应为 %(choices)s 之一") % {"choices": ", ".join(RegionLevel.values)}]}
        )
    qs = Region.objects.all()
    if parent:
        qs = qs.filter(parent_id=parent)
    if level:
        qs = qs.filter(level=level)
    return qs


def region_path(code: str) -> list[Region]:
    """The region and its ancestors, from the province down."""
    path: list[Region] = []
    region = Region.objects.filter(code=code).first()
    while region is not None:
        path.append(region)
        region = region.parent
    return list(reversed(path))


def institution_by_credit_code(code: str) -> Institution | None:
    """The institution registered under a unified social credit code (spaces and case ignored), or None."""
    return Institution.objects.filter(credit_code=code.strip().upper()).first()


def institutions(
    *,
    q: str | None = None,
    region: str | None = None,
    platform: Platform | None = None,
    kind: str | None = None,
) -> QuerySet[Institution]:
    qs = Institution.objects.select_related("region").prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("platform"))
    )
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(name_en__icontains=q) | Q(credit_code=q.upper()))
    if region:
        qs = qs.filter(region_subtree_q(region, "region__code"))
    if platform is not None:
        qs = qs.filter(pk__in=platform_institution_ids(platform))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("name", "pk")


def delegable_platforms(institution_id: int) -> QuerySet[Platform]:
    """The platforms an institution may delegate to: those it belongs to (accepted) and those above them."""
    paths = Membership.objects.filter(institution_id=institution_id).values_list("platform__path", flat=True)
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(path__in=[path[: i + 1] for i, ch in enumerate(path) if ch == "/" and i > 0])
    return Platform.objects.filter(q).order_by("path")
