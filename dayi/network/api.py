"""/api/v1/regions, /platforms, /institutions: parse, call a service or a query, serialise."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from dayi.api import SIGNED_IN, page_bounds, signed_in
from dayi.network import queries, services
from dayi.network.models import Delegation, Institution, Membership, Platform, Region

router = Router(tags=["network"])


class RegionOut(Schema):
    code: str
    name: str
    name_en: str
    level: str
    parent: str | None
    lon: float | None
    lat: float | None


class RegionList(Schema):
    count: int
    items: list[RegionOut]


class PlatformIn(Schema):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=128)
    name_en: str = ""
    level: str
    parent: str | None = None
    regions: list[str] = []
    description: str = ""


class PlatformPatch(Schema):
    name: str | None = Field(default=None, max_length=128)
    name_en: str | None = None
    level: str | None = None
    parent: str | None = None
    regions: list[str] | None = None
    description: str | None = None


class PlatformOut(Schema):
    code: str
    name: str
    name_en: str
    level: str
    parent: str | None
    regions: list[str]
    description: str
    members: int


class PlatformList(Schema):
    count: int
    items: list[PlatformOut]


class MembershipRequestIn(Schema):
    institution: int
    reason: str = Field(default="", max_length=2000)


class MembershipOut(Schema):
    id: int
    platform: str
    institution: int
    status: str
    reason: str
    refusal: str
    requested: dt.datetime
    decided: dt.datetime | None


class MembershipPending(Schema):
    id: int
    status: str


class RefuseIn(Schema):
    reason: str = Field(default="", max_length=2000)


class DelegationIn(Schema):
    platform: str = Field(min_length=1, max_length=32)
    powers: list[str] = Field(min_length=1, max_length=4)
    until: dt.date | None = None


class DelegationOut(Schema):
    id: int
    institution: int
    platform: str
    powers: list[str]
    until: dt.date | None
    created: dt.datetime
    revoked: dt.datetime | None
    live: bool


class InstitutionPowers(Schema):
    memberships: list[MembershipOut]
    delegations: list[DelegationOut]


class InstitutionIn(Schema):
    name: str = Field(min_length=1, max_length=128)
    name_en: str = ""
    credit_code: str = Field(max_length=32)
    kind: str
    region: str
    is_sme: bool = False
    founded: dt.date | None = None
    department: str = ""
    website: str = ""
    email_domains: list[str] = []
    platforms: list[str] = []
    reason: str = Field(default="", max_length=2000)


class InstitutionPatch(Schema):
    name: str | None = Field(default=None, max_length=128)
    name_en: str | None = None
    credit_code: str | None = Field(default=None, max_length=32)
    kind: str | None = None
    region: str | None = None
    is_sme: bool | None = None
    founded: dt.date | None = None
    department: str | None = None
    website: str | None = None
    email_domains: list[str] | None = None


class InstitutionOut(Schema):
    id: int
    name: str
    name_en: str
    credit_code: str
    kind: str
    region: str
    platforms: list[str]
    is_sme: bool
    founded: dt.date | None
    department: str
    website: str
    email_domains: list[str]


class InstitutionList(Schema):
    count: int
    items: list[InstitutionOut]


def region_out(region: Region) -> dict[str, Any]:
    return {
        "code": region.code,
        "name": region.name,
        "name_en": region.name_en,
        "level": region.level,
        "parent": region.parent_id,
        "lon": region.lon,
        "lat": region.lat,
    }


def platform_out(platform: Platform) -> dict[str, Any]:
    return {**services.platform_dict(platform), "members": platform.memberships.count()}


def membership_out(m: Membership) -> dict[str, Any]:
    return {
        "id": m.pk,
        "platform": m.platform.code,
        "institution": m.institution_id,
        "status": m.status,
        "reason": m.reason,
        "refusal": m.refusal,
        "requested": m.joined,
        "decided": m.decided,
    }


def delegation_out(d: Delegation, today: dt.date) -> dict[str, Any]:
    return {
        "id": d.pk,
        "institution": d.institution_id,
        "platform": d.platform.code,
        "powers": d.powers,
        "until": d.until,
        "created": d.created,
        "revoked": d.revoked,
        "live": d.revoked is None and (d.until is None or d.until >= today),
    }


def institution_out(institution: Institution) -> dict[str, Any]:
    return {
        "id": institution.pk,
        "name": institution.name,
        "name_en": institution.name_en,
        "credit_code": institution.credit_code,
        "kind": institution.kind,
        "region": institution.region_id,
        # Accepted memberships only (prefetched by queries.institutions): a request is not belonging.
        "platforms": sorted(m.platform.code for m in institution.memberships.all()),
        "is_sme": institution.is_sme,
        "founded": institution.founded,
        "department": institution.department,
        "website": institution.website,
        "email_domains": institution.email_domains,
    }


@router.get("/regions", response=RegionList, summary="GB/T 2260 regions")
def list_regions(
    request: HttpRequest,
    parent: str | None = None,
    level: str | None = None,
    page: int = 1,
    page_size: int = 200,
) -> dict[str, Any]:
    offset, limit = page_bounds(page, page_size)
    qs = queries.regions(parent, level)
    return {"count": qs.count(), "items": [region_out(r) for r in qs[offset : offset + limit]]}


@router.get("/platforms", response=PlatformList, summary="The platforms of the network")
def list_platforms(
    request: HttpRequest, parent: str | None = None, page: int = 1, page_size: int = 50
) -> dict[str, Any]:
    offset, limit = page_bounds(page, page_size)
    qs = Platform.objects.select_related("parent").prefetch_related("regions")
    if parent:
        qs = qs.filter(parent__code=parent)
    return {"count": qs.count(), "items": [platform_out(p) for p in qs[offset : offset + limit]]}


@router.post("/platforms", auth=SIGNED_IN, response={201: PlatformOut}, summary="Create a platform")
def create_platform(request: HttpRequest, body: PlatformIn) -> Status[dict[str, Any]]:
    platform = services.create_platform(
        signed_in(request),
        code=body.code,
        name=body.name,
        name_en=body.name_en,
        level=body.level,
        parent_code=body.parent,
        regions=body.regions,
        description=body.description,
        now=timezone.now(),
    )
    return Status(201, platform_out(platform))


@router.get("/platforms/{code}", response=PlatformOut, summary="A platform")
def get_platform(request: HttpRequest, code: str) -> dict[str, Any]:
    return platform_out(services.get_platform(code))


@router.patch("/platforms/{code}", auth=SIGNED_IN, response=PlatformOut, summary="Change a platform")
def patch_platform(request: HttpRequest, code: str, body: PlatformPatch) -> dict[str, Any]:
    changes = body.dict(exclude_unset=True)
    platform = services.update_platform(signed_in(request), code, changes, now=timezone.now())
    return platform_out(platform)


@router.post(
    "/platforms/{code}/members",
    auth=SIGNED_IN,
    response={202: MembershipPending},
    summary="Ask an institution to join (its admin accepts)",
    description="Outside the platform's regions → 422 `outside_regions`, unless an admin of a platform "
    "above it sends a `reason`. Membership lets the platform oversee the institution, never operate it.",
)
def add_member(request: HttpRequest, code: str, body: MembershipRequestIn) -> Status[dict[str, Any]]:
    m = services.request_membership(
        signed_in(request), code, body.institution, reason=body.reason, now=timezone.now()
    )
    return Status(202, {"id": m.pk, "status": m.status})


@router.post(
    "/memberships/{membership_id}/accept",
    auth=SIGNED_IN,
    response=MembershipOut,
    summary="The institution's admin (or an admin of a platform above) accepts a membership request",
)
def accept_membership(request: HttpRequest, membership_id: int) -> dict[str, Any]:
    return membership_out(services.accept_membership(signed_in(request), membership_id, now=timezone.now()))


@router.post(
    "/memberships/{membership_id}/refuse",
    auth=SIGNED_IN,
    response=MembershipOut,
    summary="The institution's admin refuses a membership request",
)
def refuse_membership(request: HttpRequest, membership_id: int, body: RefuseIn) -> dict[str, Any]:
    m = services.refuse_membership(signed_in(request), membership_id, reason=body.reason, now=timezone.now())
    return membership_out(m)


@router.get(
    "/institutions/{institution_id}/powers",
    auth=SIGNED_IN,
    response=InstitutionPowers,
    summary="An institution's memberships (requests too) and delegations, for its admin",
)
def institution_powers(request: HttpRequest, institution_id: int) -> dict[str, Any]:
    actor = signed_in(request)
    today = timezone.now().date()
    return {
        "memberships": [membership_out(m) for m in services.institution_memberships(actor, institution_id)],
        "delegations": [
            delegation_out(d, today) for d in services.institution_delegations(actor, institution_id)
        ],
    }


@router.post(
    "/institutions/{institution_id}/delegations",
    auth=SIGNED_IN,
    response={201: DelegationOut},
    summary="The institution's admin delegates operating powers to a platform it belongs to",
)
def create_delegation(
    request: HttpRequest, institution_id: int, body: DelegationIn
) -> Status[dict[str, Any]]:
    now = timezone.now()
    d = services.delegate(
        signed_in(request),
        institution_id,
        platform_code=body.platform,
        powers=body.powers,
        until=body.until,
        now=now,
    )
    return Status(201, delegation_out(d, now.date()))


@router.delete(
    "/institutions/{institution_id}/delegations/{delegation_id}",
    auth=SIGNED_IN,
    response={204: None},
    summary="The institution's admin revokes a delegation",
)
def revoke_delegation(request: HttpRequest, institution_id: int, delegation_id: int) -> Status[None]:
    services.revoke_delegation(signed_in(request), institution_id, delegation_id, now=timezone.now())
    return Status(204, None)


@router.delete("/platforms/{code}/members/{institution_id}", auth=SIGNED_IN, response={204: None})
def remove_member(request: HttpRequest, code: str, institution_id: int) -> Status[None]:
    services.remove_member(signed_in(request), code, institution_id, now=timezone.now())
    return Status(204, None)


@router.get("/institutions", response=InstitutionList, summary="Institutions (legal entities)")
def list_institutions(
    request: HttpRequest,
    q: str | None = None,
    region: str | None = None,
    platform: str | None = None,
    kind: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    offset, limit = page_bounds(page, page_size)
    plat = services.get_platform(platform) if platform else None
    qs = queries.institutions(q=q, region=region, platform=plat, kind=kind)
    return {"count": qs.count(), "items": [institution_out(i) for i in qs[offset : offset + limit]]}


@router.post(
    "/institutions", auth=SIGNED_IN, response={201: InstitutionOut}, summary="Onboard an institution"
)
def create_institution(request: HttpRequest, body: InstitutionIn) -> Status[dict[str, Any]]:
    data = body.dict()
    platforms = data.pop("platforms")
    reason = data.pop("reason")
    institution = services.create_institution(
        signed_in(request), data, platforms=platforms, reason=reason, now=timezone.now()
    )
    return Status(201, institution_out(institution))


@router.get("/institutions/{institution_id}", response=InstitutionOut, summary="An institution")
def get_institution(request: HttpRequest, institution_id: int) -> dict[str, Any]:
    return institution_out(services.get_institution(institution_id))


@router.patch("/institutions/{institution_id}", auth=SIGNED_IN, response=InstitutionOut)
def patch_institution(request: HttpRequest, institution_id: int, body: InstitutionPatch) -> dict[str, Any]:
    institution = services.update_institution(
        signed_in(request), institution_id, body.dict(exclude_unset=True), now=timezone.now()
    )
    return institution_out(institution)
