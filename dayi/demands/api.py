"""/api/v1 for demands (需求发布, issue 5). Thin: parse, call a service or a query, serialise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from dayi.accounts.access.demands import access_demand
from dayi.api import SIGNED_IN, current_actor, page_bounds, signed_in
from dayi.demands import queries, services

router = Router(tags=["demands"])


class DemandIn(Schema):
    title: str
    description: str  # what to measure
    category: str | None = None  # a category code
    region: str | None = None  # a GB/T 2260 code
    samples: str = ""  # count and kind: "5 个粉末样品"
    budget: Decimal | None = None
    deadline: dt.date
    is_public: bool = True


class DemandQuoteOut(Schema):
    id: int
    demand: int
    provider: int
    provider_name: str
    instrument: int | None
    amount: str
    note: str
    valid_until: dt.date | None
    status: str
    created: dt.datetime


class DemandOut(Schema):
    id: int
    company: int
    company_name: str
    title: str
    description: str
    category: str | None
    region: str | None
    samples: str
    budget: str | None
    deadline: dt.date
    is_public: bool
    status: str
    created: dt.datetime
    order: int | None


class DemandDetail(DemandOut):
    suggested: list[int]
    quotes: list[DemandQuoteOut]


class DemandList(Schema):
    count: int
    items: list[DemandOut]


class DemandParams(Schema):
    status: str | None = None
    category: str | None = None
    region: str | None = None
    company: int | None = None
    page: int = 1
    page_size: int = 50


class QuoteIn(Schema):
    instrument: int
    amount: Decimal
    note: str = ""
    valid_until: dt.date | None = None


class AcceptOut(Schema):
    order: int
    quote: DemandQuoteOut
    demand: DemandOut


@router.get("/demands", response=DemandList, summary="Demands: public ones, and private ones you may see")
def list_demands(request: HttpRequest, params: Query[DemandParams]) -> dict[str, Any]:
    offset, limit = page_bounds(params.page, params.page_size)
    f = queries.DemandFilters(**params.dict(exclude={"page", "page_size"}))
    qs = queries.demands(current_actor(request), f)
    return {"count": qs.count(), "items": [queries.demand_out(d) for d in qs[offset : offset + limit]]}


@router.post("/demands", auth=SIGNED_IN, response={201: DemandDetail}, summary="Post a demand")
def post_demand(request: HttpRequest, body: DemandIn) -> Status[dict[str, Any]]:
    actor = signed_in(request)
    demand = services.post_demand(actor, body.dict(), now=timezone.now())
    return Status(201, queries.demand_detail(actor, access_demand(actor, demand.pk)))


@router.get("/demands/{demand_id}", response=DemandDetail, summary="A demand, its suggestions and quotes")
def get_demand(request: HttpRequest, demand_id: int) -> dict[str, Any]:
    actor = current_actor(request)
    return queries.demand_detail(actor, access_demand(actor, demand_id))


@router.post(
    "/demands/{demand_id}/quotes",
    auth=SIGNED_IN,
    response={201: DemandQuoteOut},
    summary="Quote for a demand",
)
def quote_demand(request: HttpRequest, demand_id: int, body: QuoteIn) -> Status[dict[str, Any]]:
    quote = services.quote_demand(
        signed_in(request),
        demand_id,
        instrument_id=body.instrument,
        amount=body.amount,
        note=body.note,
        valid_until=body.valid_until,
        now=timezone.now(),
    )
    return Status(201, queries.quote_out(quote))


@router.post(
    "/demand-quotes/{quote_id}/accept",
    auth=SIGNED_IN,
    response=AcceptOut,
    summary="Accept a quote: the demand is awarded and its order made",
)
def accept_quote(request: HttpRequest, quote_id: int) -> dict[str, Any]:
    actor = signed_in(request)
    quote, order = services.accept_quote(actor, quote_id, now=timezone.now())
    demand = access_demand(actor, quote.demand_id)
    return {"order": order.pk, "quote": queries.quote_out(quote), "demand": queries.demand_out(demand)}


@router.post(
    "/demands/{demand_id}/close", auth=SIGNED_IN, response=DemandOut, summary="The company closes its demand"
)
def close_demand(request: HttpRequest, demand_id: int) -> dict[str, Any]:
    demand = services.close_demand(signed_in(request), demand_id, now=timezone.now())
    return queries.demand_out(demand)
