"""/api/v1/instruments, /categories, /experts, /stats/summary: parse, call a service or a query, serialise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from dayi.api import SIGNED_IN, page_bounds, signed_in
from dayi.core.money import fmt
from dayi.directory import queries, services
from dayi.directory.models import Expert, Instrument
from dayi.search import queries as search_queries
from dayi.search.api import router as search_router

router = Router(tags=["directory"])
router.add_router("", search_router)  # /search/synonyms: mounted here so dayi/urls.py needs no change


class InstrumentIn(Schema):
    institution: int
    inventory_no: str
    name: str
    category: str
    original_value: Decimal
    status: str = "normal"
    share_mode: str = "external"
    modes: list[str] = []
    name_en: str = ""
    model: str = ""
    manufacturer: str = ""
    country: str = ""
    source: str = ""
    purpose: str = ""
    in_service_date: dt.date | None = None
    specs: str = ""
    functions: str = ""
    disciplines: list[str] = []
    services: str = ""
    results: str = ""
    opening_rules: str = ""
    location: str = ""
    region: str | None = None
    contact: str = ""
    fees_note: str = ""
    booking_url: str = ""
    unit: str = ""
    timezone: str = "Asia/Shanghai"
    booking_policy: dict[str, Any] = {}


class InstrumentPatch(Schema):
    inventory_no: str | None = None
    name: str | None = None
    category: str | None = None
    original_value: Decimal | None = None
    status: str | None = None
    share_mode: str | None = None
    modes: list[str] | None = None
    name_en: str | None = None
    model: str | None = None
    manufacturer: str | None = None
    country: str | None = None
    source: str | None = None
    purpose: str | None = None
    in_service_date: dt.date | None = None
    specs: str | None = None
    functions: str | None = None
    disciplines: list[str] | None = None
    services: str | None = None
    results: str | None = None
    opening_rules: str | None = None
    location: str | None = None
    region: str | None = None
    contact: str | None = None
    fees_note: str | None = None
    booking_url: str | None = None
    unit: str | None = None
    timezone: str | None = None
    booking_policy: dict[str, Any] | None = None


class InstrumentOut(Schema):
    id: int
    institution: int
    institution_name: str
    inventory_no: str
    name: str
    name_en: str
    category: str
    category_name: str
    original_value: str
    status: str
    share_mode: str
    modes: list[str]
    model: str
    manufacturer: str
    country: str
    source: str
    purpose: str
    in_service_date: dt.date | None
    specs: str
    functions: str
    disciplines: list[str]
    services: str
    results: str
    opening_rules: str
    location: str
    region: str
    contact: str
    fees_note: str
    booking_url: str
    unit: str
    timezone: str
    booking_policy: dict[str, Any]
    created: dt.datetime
    updated: dt.datetime


class InstrumentHit(InstrumentOut):
    # With ``q``: field → HTML with <mark> around the query's words (long fields cut to a snippet).
    highlights: dict[str, str] | None = None


class InstrumentList(Schema):
    count: int
    items: list[InstrumentHit]
    facets: dict[str, dict[str, dict[str, Any]]]


class SearchParams(Schema):
    q: str | None = Field(default=None, max_length=10000)
    region: str | None = None
    platform: str | None = None
    category: str | None = None
    institution: int | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    mode: str | None = None
    status: str | None = None
    share_mode: str | None = None
    sort: str = "relevance"
    near: str | None = None
    page: int = 1
    page_size: int = 50


class ExpertIn(Schema):
    name: str
    institution: int | None = None
    title: str = ""
    fields_of_expertise: list[str] = []
    contact: str = ""


class ExpertPatch(Schema):
    name: str | None = None
    title: str | None = None
    fields_of_expertise: list[str] | None = None
    contact: str | None = None


class RetireIn(Schema):
    reason: str = ""


class ExpertOut(Schema):
    id: int
    name: str
    institution: int | None
    title: str
    fields_of_expertise: list[str]
    contact: str
    retired: dt.datetime | None = None


class ExpertList(Schema):
    count: int
    items: list[ExpertOut]


def instrument_out(i: Instrument) -> dict[str, Any]:
    return {
        "id": i.pk,
        "institution": i.institution_id,
        "institution_name": i.institution.name,
        "inventory_no": i.inventory_no,
        "name": i.name,
        "name_en": i.name_en,
        "category": i.category_id,
        "category_name": i.category.name,
        "original_value": fmt(i.original_value),
        "status": i.status,
        "share_mode": i.share_mode,
        "modes": i.modes,
        "model": i.model,
        "manufacturer": i.manufacturer,
        "country": i.country,
        "source": i.source,
        "purpose": i.purpose,
        "in_service_date": i.in_service_date,
        "specs": i.specs,
        "functions": i.functions,
        "disciplines": i.disciplines,
        "services": i.services,
        "results": i.results,
        "opening_rules": i.opening_rules,
        "location": i.location,
        "region": i.region_id,
        "contact": i.contact,
        "fees_note": i.fees_note,
        "booking_url": i.booking_url,
        "unit": i.unit,
        "timezone": i.timezone,
        "booking_policy": i.booking_policy,
        "created": i.created,
        "updated": i.updated,
    }


def expert_out(e: Expert) -> dict[str, Any]:
    return {
        "id": e.pk,
        "name": e.name,
        "institution": e.institution_id,
        "title": e.title,
        "fields_of_expertise": e.fields_of_expertise,
        "contact": e.contact,
        "retired": e.retired,
    }


def filters_from(params: SearchParams) -> queries.InstrumentFilters:
    data = params.dict()
    data.pop("page")
    data.pop("page_size")
    return queries.InstrumentFilters.from_params(data)


@router.get("/instruments", response=InstrumentList, summary="Search the directory")
def search_instruments(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    offset, limit = page_bounds(params.page, params.page_size)
    f = filters_from(params)
    qs = queries.search(f)
    page = list(qs[offset : offset + limit])
    items = [instrument_out(i) for i in page]
    if f.q:
        terms = search_queries.query_terms(f.q)
        for item, instrument in zip(items, page, strict=True):
            item["highlights"] = search_queries.highlights(instrument, f.q, terms=terms)
    count, facet_counts = queries.count_and_facets(f)
    return {"count": count, "items": items, "facets": facet_counts}


@router.post("/instruments", auth=SIGNED_IN, response={201: InstrumentOut}, summary="List an instrument")
def create_instrument(request: HttpRequest, body: InstrumentIn) -> Status[dict[str, Any]]:
    data = body.dict()
    if data.get("region") is None:
        data.pop("region")
    instrument = services.create_instrument(signed_in(request), data, now=timezone.now())
    return Status(201, instrument_out(services.get_instrument(instrument.pk)))


@router.get("/instruments/{instrument_id}", response=InstrumentOut, summary="An instrument")
def get_instrument(request: HttpRequest, instrument_id: int) -> dict[str, Any]:
    return instrument_out(services.get_instrument(instrument_id))


@router.patch(
    "/instruments/{instrument_id}", auth=SIGNED_IN, response=InstrumentOut, summary="Edit an instrument"
)
def patch_instrument(request: HttpRequest, instrument_id: int, body: InstrumentPatch) -> dict[str, Any]:
    services.update_instrument(
        signed_in(request), instrument_id, body.dict(exclude_unset=True), now=timezone.now()
    )
    return instrument_out(services.get_instrument(instrument_id))


@router.delete(
    "/instruments/{instrument_id}", auth=SIGNED_IN, response={204: None}, summary="Retire an instrument"
)
def delete_instrument(request: HttpRequest, instrument_id: int) -> Status[None]:
    services.retire_instrument(signed_in(request), instrument_id, now=timezone.now())
    return Status(204, None)


@router.get("/categories", response=list[dict[str, Any]], summary="The classification tree")
def categories(request: HttpRequest) -> list[dict[str, Any]]:
    return queries.category_tree()


@router.get("/stats/summary", response=dict[str, Any], summary="Headline figures")
def stats_summary(
    request: HttpRequest, platform: str | None = None, region: str | None = None, category: str | None = None
) -> dict[str, Any]:
    return queries.summary(platform=platform, region=region, category=category)


@router.get("/experts", response=ExpertList, summary="Experts")
def list_experts(
    request: HttpRequest,
    institution: int | None = None,
    q: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    offset, limit = page_bounds(page, page_size)
    # The same matching as the public list and the managers' page (directory.queries.match_experts).
    qs = queries.match_experts(q=q or "", institution=institution)
    return {"count": qs.count(), "items": [expert_out(e) for e in qs[offset : offset + limit]]}


@router.post("/experts", auth=SIGNED_IN, response={201: ExpertOut}, summary="List an expert")
def create_expert(request: HttpRequest, body: ExpertIn) -> Status[dict[str, Any]]:
    e = services.create_expert(signed_in(request), body.dict(), now=timezone.now())
    return Status(201, expert_out(e))


@router.patch("/experts/{expert_id}", auth=SIGNED_IN, response=ExpertOut, summary="Edit an expert")
def update_expert(request: HttpRequest, expert_id: int, body: ExpertPatch) -> dict[str, Any]:
    changes = body.dict(exclude_unset=True)
    return expert_out(services.update_expert(signed_in(request), expert_id, changes, now=timezone.now()))


@router.post("/experts/{expert_id}/retire", auth=SIGNED_IN, response=ExpertOut, summary="Retire an expert")
def retire_expert(request: HttpRequest, expert_id: int, body: RetireIn) -> dict[str, Any]:
    expert = services.retire_expert(signed_in(request), expert_id, reason=body.reason, now=timezone.now())
    return expert_out(expert)
