"""Demands: post → suggestions → quote → accept → the order; visibility and refusals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from dayi.accounts.access import actor_for
from dayi.accounts.access.demands import visible_demands
from dayi.core.errors import Conflict, Forbidden, NotFound, RuleViolation, ValidationFailed
from dayi.demands import services
from dayi.demands.models import DemandQuote, DemandStatus, QuoteStatus
from dayi.orders import services as orders
from dayi.orders.models import Order, OrderStatus
from tests.demands.conftest import AFTER_DEADLINE, NOW, demand_data, offer, post

pytestmark = pytest.mark.django_db


def test_posting_suggests_instruments_by_the_portal_search(market: Any) -> None:
    demand = post(market["frank"])

    assert demand.company_id == market["frank"].institution_id
    assert demand.status == DemandStatus.OPEN
    assert list(demand.suggested.all()) == [market["bet"]]


def test_suggestions_follow_the_category(market: Any) -> None:
    demand = post(market["frank"], title="核磁共振", description="氢谱与碳谱", category="0103")

    assert list(demand.suggested.all()) == [market["nmr"]]


def test_a_user_without_an_institution_cannot_post(market: Any) -> None:
    with pytest.raises(Forbidden):
        post(market["carol"])


def test_it_refuses_a_demand_without_a_title_or_with_a_past_deadline(market: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.post_demand(
            actor_for(market["frank"]),
            demand_data(title="", deadline=NOW.date().replace(day=1)),
            now=NOW,
        )

    assert set(exc.value.fields) == {"title", "deadline"}


def test_demand_to_quote_to_order_with_the_quoted_amount(market: Any) -> None:
    demand = post(market["frank"])
    quote = offer(market["alice"], demand, market["bet"], "1500")

    accepted, order = services.accept_quote(actor_for(market["frank"]), quote.pk, now=NOW)

    demand.refresh_from_db()
    assert (demand.status, demand.order_id, accepted.status) == (DemandStatus.AWARDED, order.pk, "accepted")
    order = Order.objects.get(pk=order.pk)
    assert (order.kind, order.status, order.customer, order.provider_id) == (
        "sample",
        OrderStatus.SUBMITTED,
        market["frank"],
        market["bet"].institution_id,
    )
    assert order.samples["count"] == 5
    assert order.quote["amount"] == "1500.00"


def test_the_order_is_charged_the_quoted_amount(market: Any) -> None:
    demand = post(market["frank"])
    _, order = services.accept_quote(
        actor_for(market["frank"]), offer(market["alice"], demand, market["bet"], "1234.50").pk, now=NOW
    )
    alice = actor_for(market["alice"])

    for step in (orders.accept_order, orders.receive_samples, orders.start_order, orders.complete_order):
        step(alice, order.pk, now=NOW)
    orders.charge_order(alice, order.pk, now=NOW)

    assert Order.objects.get(pk=order.pk).amount == Decimal("1234.50")


def test_accepting_declines_the_other_offers(market: Any) -> None:
    demand = post(market["frank"])
    theirs = offer(market["bob"], demand, market["nmr"], "900")
    chosen = offer(market["alice"], demand, market["bet"], "1500")

    services.accept_quote(actor_for(market["frank"]), chosen.pk, now=NOW)

    theirs.refresh_from_db()
    assert theirs.status == QuoteStatus.DECLINED


def test_a_second_accept_is_refused_and_makes_no_second_order(market: Any) -> None:
    demand = post(market["frank"])
    first = offer(market["alice"], demand, market["bet"])
    second = offer(market["bob"], demand, market["nmr"])
    services.accept_quote(actor_for(market["frank"]), first.pk, now=NOW)

    for quote in (first, second):
        with pytest.raises(Conflict) as exc:
            services.accept_quote(actor_for(market["frank"]), quote.pk, now=NOW)
        assert exc.value.code == "invalid_state"

    assert Order.objects.count() == 1


def test_only_the_company_accepts(market: Any) -> None:
    demand = post(market["frank"])
    quote = offer(market["alice"], demand, market["bet"])

    for name in ("alice", "bob", "eve", "gina"):
        with pytest.raises(Forbidden):
            services.accept_quote(actor_for(market[name]), quote.pk, now=NOW)

    assert not Order.objects.exists()


def test_one_offer_per_provider(market: Any) -> None:
    demand = post(market["frank"])
    offer(market["alice"], demand, market["bet"])

    with pytest.raises(Conflict) as exc:
        offer(market["amy"], demand, market["bet"], "1400")

    assert exc.value.code == "duplicate"
    assert DemandQuote.objects.count() == 1


def test_a_manager_cannot_quote_with_another_institutions_instrument(market: Any) -> None:
    demand = post(market["frank"])

    with pytest.raises(Forbidden):
        offer(market["bob"], demand, market["bet"])


def test_a_plain_user_cannot_quote(market: Any) -> None:
    with pytest.raises(Forbidden):
        offer(market["eve"], post(market["frank"]), market["bet"])


def test_it_refuses_a_negative_amount(market: Any) -> None:
    with pytest.raises(ValidationFailed):
        offer(market["alice"], post(market["frank"]), market["bet"], "-1")


def test_it_refuses_an_offer_with_an_instrument_that_takes_no_samples(market: Any) -> None:
    market["bet"].modes = ["assisted"]
    market["bet"].save(update_fields=["modes"])

    with pytest.raises(RuleViolation):
        offer(market["alice"], post(market["frank"]), market["bet"])


def test_a_closed_demand_takes_no_offers(market: Any) -> None:
    demand = post(market["frank"])
    services.close_demand(actor_for(market["frank"]), demand.pk, now=NOW)

    with pytest.raises(Conflict):
        offer(market["alice"], demand, market["bet"])


def test_only_the_company_closes(market: Any) -> None:
    demand = post(market["frank"])

    with pytest.raises(Forbidden):
        services.close_demand(actor_for(market["alice"]), demand.pk, now=NOW)


def test_a_private_demand_is_seen_by_the_company_and_the_suggested_only(market: Any) -> None:
    demand = post(market["frank"], is_public=False)  # suggests the BET of 浙江大学

    def sees(name: str | None) -> bool:
        user = market[name] if name else None
        from django.contrib.auth.models import AnonymousUser

        actor = actor_for(user or AnonymousUser())
        return visible_demands(actor).filter(pk=demand.pk).exists()

    assert [sees(n) for n in ("frank", "alice", "amy", "root")] == [True, True, True, True]
    assert [sees(n) for n in ("bob", "eve", "gina", None)] == [False, False, False, False]
    with pytest.raises(NotFound):
        offer(market["bob"], demand, market["nmr"])


def test_a_public_demand_is_seen_by_everyone(market: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    demand = post(market["frank"])

    assert visible_demands(actor_for(AnonymousUser())).filter(pk=demand.pk).exists()


def test_past_their_deadline_open_demands_expire_and_take_no_offers(market: Any) -> None:
    demand = post(market["frank"])
    offered = offer(market["alice"], demand, market["bet"])
    awarded = post(market["frank"], title="已选定的需求")
    services.accept_quote(
        actor_for(market["frank"]), offer(market["alice"], awarded, market["bet"]).pk, now=NOW
    )
    later = AFTER_DEADLINE

    expired = services.expire_due_demands(now=later)

    demand.refresh_from_db()
    offered.refresh_from_db()
    assert expired == [demand.pk]
    assert (demand.status, offered.status) == (DemandStatus.EXPIRED, QuoteStatus.DECLINED)
    with pytest.raises(Conflict):
        services.quote_demand(
            actor_for(market["bob"]), demand.pk, instrument_id=market["nmr"].pk, amount="1", now=later
        )


def test_an_offer_after_the_deadline_is_refused(market: Any) -> None:
    demand = post(market["frank"])

    with pytest.raises(Conflict):
        services.quote_demand(
            actor_for(market["alice"]),
            demand.pk,
            instrument_id=market["bet"].pk,
            amount="1",
            now=AFTER_DEADLINE,
        )
