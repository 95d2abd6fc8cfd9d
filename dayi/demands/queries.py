"""Read side of demands: the board's filters and the JSON shapes the API and the pages share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext

from dayi.accounts.access import Actor
from dayi.accounts.access.demands import visible_demands, visible_quotes
from dayi.core.errors import ValidationFailed
from dayi.core.money import fmt
from dayi.demands.models import Demand, DemandQuote, DemandStatus
from dayi.network.models import region_prefix


@dataclass
class DemandFilters:
    status: str | None = None
    category: str | None = None  # a code: matches it and below
    region: str | None = None  # a code: matches it exactly or, for a province or city, below
    company: int | None = None

    def validate(self) -> None:
        if self.status and self.status not in DemandStatus.values:
            raise ValidationFailed(
                fields={
                    "status": [gettext("应为 %(choices)s 之一") % {"choices": ", ".join(DemandStatus.values)}]
                }
            )


def demands(actor: Actor, f: DemandFilters) -> QuerySet[Demand]:
    f.validate()
    qs = visible_demands(actor).select_related("company", "category", "region")
    if f.status:
        qs = qs.filter(status=f.status)
    if f.category:
        qs = qs.filter(category__code__startswith=f.category)
    if f.region:
        qs = qs.filter(region__code__startswith=region_prefix(f.region))
    if f.company:
        qs = qs.filter(company_id=f.company)
    return qs.order_by("-created", "-id")


def quote_out(q: DemandQuote) -> dict[str, Any]:
    return {
        "id": q.pk,
        "demand": q.demand_id,
        "provider": q.provider_id,
        "provider_name": q.provider.name,
        "instrument": q.instrument_id,
        "amount": fmt(q.amount),
        "note": q.note,
        "valid_until": q.valid_until,
        "status": q.status,
        "created": q.created,
    }


def demand_out(d: Demand) -> dict[str, Any]:
    return {
        "id": d.pk,
        "company": d.company_id,
        "company_name": d.company.name,
        "title": d.title,
        "description": d.description,
        "category": d.category_id,
        "region": d.region_id,
        "samples": d.samples,
        "budget": None if d.budget is None else fmt(d.budget),
        "deadline": d.deadline,
        "is_public": d.is_public,
        "status": d.status,
        "created": d.created,
        "order": d.order_id,
    }


def demand_detail(actor: Actor, d: Demand) -> dict[str, Any]:
    return {
        **demand_out(d),
        "suggested": list(d.suggested.order_by("name", "id").values_list("pk", flat=True)),
        "quotes": [quote_out(q) for q in visible_quotes(actor, d)],
    }
