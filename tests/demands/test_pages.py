"""The demand board and a demand's page: they render, post, quote and accept through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dayi.demands.models import Demand, DemandQuote
from dayi.orders.models import Order
from tests.demands.conftest import offer, post

pytestmark = pytest.mark.django_db

FUTURE = (timezone.localdate() + dt.timedelta(days=30)).isoformat()  # the pages post at the real time


def client_of(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_board_lists_public_demands_and_the_nav_links_it(market: Any) -> None:
    post(market["frank"])
    post(market["frank"], title="保密的需求", is_public=False)

    html = client_of().get("/demands/").content.decode()

    assert "比表面积测试" in html
    assert "保密的需求" not in html
    assert 'href="/demands/"' in html and "需求大厅" in html
    assert "登录后发布需求" in html


def test_the_board_filters_by_status(market: Any) -> None:
    post(market["frank"])

    html = client_of().get("/demands/", {"status": "closed"}).content.decode()

    assert "比表面积测试" not in html


def test_a_signed_in_user_posts_from_the_board(market: Any) -> None:
    r = client_of(market["frank"]).post(
        "/demands/",
        {
            "title": "核磁氢谱",
            "description": "有机小分子氢谱",
            "samples": "2 个",
            "deadline": FUTURE,
            "is_public": "on",
        },
    )

    demand = Demand.objects.get()
    assert r.status_code == 302
    assert r["Location"] == f"/demands/{demand.pk}/"
    assert demand.company_id == market["frank"].institution_id


def test_an_invalid_post_shows_the_form_again(market: Any) -> None:
    r = client_of(market["frank"]).post("/demands/", {"title": "", "deadline": FUTURE})

    assert r.status_code == 422
    assert not Demand.objects.exists()


def test_the_page_shows_suggestions_and_a_quote_form_to_the_manager(market: Any) -> None:
    demand = post(market["frank"])

    html = client_of(market["alice"]).get(f"/demands/{demand.pk}/").content.decode()
    anon = client_of().get(f"/demands/{demand.pk}/").content.decode()

    assert market["bet"].name in html
    assert "提交报价" in html
    assert "提交报价" not in anon


def test_a_manager_quotes_and_the_company_accepts_from_the_page(market: Any) -> None:
    demand = post(market["frank"])

    q = client_of(market["alice"]).post(
        f"/demands/{demand.pk}/quote/", {"instrument": market["bet"].pk, "amount": "990", "note": "三天"}
    )
    quote = DemandQuote.objects.get()
    page = client_of(market["frank"]).get(f"/demands/{demand.pk}/").content.decode()
    a = client_of(market["frank"]).post(f"/demand-quotes/{quote.pk}/accept/")

    assert q.status_code == 302
    assert "接受报价" in page
    assert a.status_code == 302
    order = Order.objects.get()
    assert order.quote["amount"] == "990.00"
    assert (
        f'href="/orders/{order.pk}/"'
        in client_of(market["frank"]).get(f"/demands/{demand.pk}/").content.decode()
    )


def test_another_user_cannot_accept_from_the_page(market: Any) -> None:
    quote = offer(market["alice"], post(market["frank"]), market["bet"])

    r = client_of(market["eve"]).post(f"/demand-quotes/{quote.pk}/accept/")

    assert r.status_code == 403
    assert not Order.objects.exists()


def test_a_private_demand_page_is_404_to_others(market: Any) -> None:
    demand = post(market["frank"], is_public=False)

    assert client_of(market["bob"]).get(f"/demands/{demand.pk}/").status_code == 404
    assert client_of(market["frank"]).get(f"/demands/{demand.pk}/").status_code == 200
