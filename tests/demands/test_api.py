"""GET/POST /api/v1/demands, GET /api/v1/demands/{id}, POST /api/v1/demands/{id}/quotes,
POST /api/v1/demand-quotes/{id}/accept."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from dayi.orders.models import Order
from tests.demands.conftest import offer, post

pytestmark = pytest.mark.django_db

BODY = {
    "title": "比表面积测试",
    "description": "催化剂粉末的BET比表面积",
    "samples": "3 个样品",
    "budget": "1000.00",
    # The API posts at the real time: a deadline a month from today.
    "deadline": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
}


def test_a_company_posts_a_demand_with_201_and_suggestions(market: Any, api_as: Any) -> None:
    r = api_as("frank").post("/api/v1/demands", BODY)

    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["status"], body["budget"], body["is_public"]) == ("open", "1000.00", True)
    assert body["suggested"] == [market["bet"].pk]


def test_posting_anonymously_is_401_and_a_bad_body_422(market: Any, api_as: Any) -> None:
    assert api_as(None).post("/api/v1/demands", BODY).status_code == 401
    r = api_as("frank").post("/api/v1/demands", {**BODY, "title": "", "category": "9999"})
    assert r.status_code == 422
    assert set(r.json()["error"]["fields"]) == {"title", "category"}


def test_the_board_lists_public_demands_and_filters_by_status(market: Any, api_as: Any) -> None:
    post(market["frank"])
    post(market["frank"], title="私密需求", is_public=False)

    public = api_as(None).get("/api/v1/demands").json()
    own = api_as("frank").get("/api/v1/demands").json()
    closed = api_as(None).get("/api/v1/demands", {"status": "closed"}).json()

    assert [d["title"] for d in public["items"]] == ["比表面积测试"]
    assert own["count"] == 2
    assert closed["count"] == 0


def test_a_private_demand_is_404_to_others(market: Any, api_as: Any) -> None:
    demand = post(market["frank"], is_public=False)

    assert api_as("bob").get(f"/api/v1/demands/{demand.pk}").status_code == 404
    assert api_as(None).get(f"/api/v1/demands/{demand.pk}").status_code == 404
    assert api_as("alice").get(f"/api/v1/demands/{demand.pk}").status_code == 200  # suggested


def test_quote_then_accept_makes_the_order(market: Any, api_as: Any) -> None:
    demand = post(market["frank"])

    q = api_as("alice").post(
        f"/api/v1/demands/{demand.pk}/quotes", {"instrument": market["bet"].pk, "amount": "880.00"}
    )
    r = api_as("frank").post(f"/api/v1/demand-quotes/{q.json()['id']}/accept")

    assert q.status_code == 201, q.content
    assert r.status_code == 200, r.content
    order = Order.objects.get(pk=r.json()["order"])
    assert order.quote["amount"] == "880.00"
    assert r.json()["demand"]["status"] == "awarded"
    again = api_as("frank").post(f"/api/v1/demand-quotes/{q.json()['id']}/accept")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invalid_state"


def test_refusals_of_quotes(market: Any, api_as: Any) -> None:
    demand = post(market["frank"])
    path = f"/api/v1/demands/{demand.pk}/quotes"

    wrong = api_as("bob").post(path, {"instrument": market["bet"].pk, "amount": "1"})
    negative = api_as("alice").post(path, {"instrument": market["bet"].pk, "amount": "-1"})
    api_as("alice").post(path, {"instrument": market["bet"].pk, "amount": "1"})
    twice = api_as("amy").post(path, {"instrument": market["bet"].pk, "amount": "2"})

    assert wrong.status_code == 403
    assert negative.status_code == 422
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "duplicate"


def test_a_provider_sees_its_own_offer_and_the_company_all(market: Any, api_as: Any) -> None:
    demand = post(market["frank"])
    offer(market["alice"], demand, market["bet"])
    offer(market["bob"], demand, market["nmr"])

    company = api_as("frank").get(f"/api/v1/demands/{demand.pk}").json()
    provider = api_as("bob").get(f"/api/v1/demands/{demand.pk}").json()
    public = api_as(None).get(f"/api/v1/demands/{demand.pk}").json()

    assert len(company["quotes"]) == 2
    assert [q["provider"] for q in provider["quotes"]] == [market["nmr"].institution_id]
    assert public["quotes"] == []


def test_only_the_company_accepts_over_the_api(market: Any, api_as: Any) -> None:
    quote = offer(market["alice"], post(market["frank"]), market["bet"])

    r = api_as("alice").post(f"/api/v1/demand-quotes/{quote.pk}/accept")

    assert r.status_code == 403
    assert not Order.objects.exists()


def test_the_company_closes_its_demand(market: Any, api_as: Any) -> None:
    demand = post(market["frank"])

    refused = api_as("alice").post(f"/api/v1/demands/{demand.pk}/close")
    r = api_as("frank").post(f"/api/v1/demands/{demand.pk}/close")
    again = api_as("frank").post(f"/api/v1/demands/{demand.pk}/close")

    assert refused.status_code == 403
    assert (r.status_code, r.json()["status"]) == (200, "closed")
    assert again.status_code == 409


def test_the_board_takes_a_fixed_number_of_queries(
    market: Any, api_as: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(5):
        post(market["frank"], title=f"比表面积测试 {n}")
    client = api_as("alice")
    client.get("/api/v1/demands")  # the token look-up's first use

    with django_assert_max_num_queries(6):
        r = client.get("/api/v1/demands")

    assert r.json()["count"] == 5
