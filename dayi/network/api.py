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
from dayi.network.models import Institution, Platform, Region

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


class MemberIn(Schema):
    institution: int


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
    platforms: list[str] = []


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


def institution_out(institution: Institution) -> dict[str, Any]:
    return {
        "id": institution.pk,
        "name": institution.name,
        "name_en": institution.name_en,
        "credit_code": institution.credit_code,
        "kind": institution.kind,
        "region": institution.region_id,
        "platforms": sorted(p.code for p in institution.platforms.all()),
        "is_sme": institution.is_sme,
        "founded": institution.founded,
        "department": institution.department,
        "website": institution.website,
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
    "/platforms/{code}/members", auth=SIGNED_IN, response={201: dict}, summary="An institution joins"
)
def add_member(request: HttpRequest, code: str, body: MemberIn) -> Status[dict[str, Any]]:
    services.add_member(signed_in(request), code, body.institution, now=timezone.now())
    return Status(201, {"platform": code, "institution": body.institution})


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
    institution = services.create_institution(
        signed_in(request), data, platforms=platforms, now=timezone.now()
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
