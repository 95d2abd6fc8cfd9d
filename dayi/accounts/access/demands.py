"""Access to demands (需求发布): public ones to all; private ones to the posting company and to providers
that were suggested or quote."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from dayi.accounts.access import Actor, administers_institution, operated_institution_ids, operates
from dayi.core.errors import NotFound
from dayi.demands.models import Demand, DemandQuote, DemandStatus
from dayi.directory.models import Instrument, ServiceMode


def visible_demands(actor: Actor) -> QuerySet[Demand]:
    if actor.is_superuser:
        return Demand.objects.all()
    q = Q(is_public=True)
    if actor.is_authenticated:
        q |= Q(posted_by=actor.user)
        if actor.institution_id:
            q |= Q(company_id=actor.institution_id)
        managed = operated_institution_ids(actor, "orders") or set()
        if managed:
            q |= Q(suggested__institution_id__in=managed) | Q(quotes__provider_id__in=managed)
    # The joins above can repeat a demand; ids in a subquery keep the outer query plain and countable.
    return Demand.objects.filter(pk__in=Demand.objects.filter(q).values("pk"))


def access_demand(actor: Actor, demand_id: int, *, for_update: bool = False) -> Demand:
    qs = visible_demands(actor).filter(pk=demand_id)
    demand = (qs.select_for_update(of=("self",)) if for_update else qs).first()
    if demand is None:
        raise NotFound(gettext("需求不存在"))
    return demand


def speaks_for_company(actor: Actor, demand: Demand) -> bool:
    """A person of the posting company, or its own admin."""
    return actor.is_authenticated and (
        actor.institution_id == demand.company_id or administers_institution(actor, demand.company_id)
    )


def quotes_for(actor: Actor, institution_id: int) -> bool:
    """Quotes (and is told of demands) for a provider: operates its orders."""
    return operates(actor, institution_id, "orders")


def quotable_instruments(actor: Actor, demand: Demand) -> list[tuple[int, str]]:
    """The actor's instruments that could answer: sample-taking, of an institution other than the company."""
    if demand.status != DemandStatus.OPEN or not actor.is_authenticated:
        return []
    managed = operated_institution_ids(actor, "orders")
    qs = Instrument.objects.filter(retired__isnull=True, modes__contains=[ServiceMode.SAMPLE])
    qs = qs.exclude(institution_id=demand.company_id)
    if managed is not None:
        qs = qs.filter(institution_id__in=managed)
    return list(qs.order_by("name", "id").values_list("pk", "name")[:200])


def visible_quotes(actor: Actor, demand: Demand) -> QuerySet[DemandQuote]:
    """The company sees every offer; a provider only its own (offers are not a public auction)."""
    qs = demand.quotes.select_related("provider", "instrument")
    if actor.is_superuser or speaks_for_company(actor, demand):
        return qs
    managed = operated_institution_ids(actor, "orders") or set()
    return qs.filter(provider_id__in=managed)
