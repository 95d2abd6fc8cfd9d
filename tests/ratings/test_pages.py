"""The rating form and the ratings on the instrument page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from dayi.accounts.access import actor_for
from dayi.orders.models import Order
from dayi.ratings import services
from dayi.ratings.models import Rating
from tests.ratings.conftest import NOW

pytestmark = pytest.mark.django_db

Make = Callable[[str], Order]


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_form_offers_the_five_levels_in_chinese(order_in: Make, people: dict[str, Any]) -> None:
    order = order_in("completed")

    r = client_of(people["eve"]).get(f"/orders/{order.pk}/rate/")

    html = r.content.decode()
    assert r.status_code == 200
    for label in ("非常满意", "满意", "一般", "不满意", "很不满意"):
        assert label in html


def test_posting_the_form_rates_and_shows_on_the_instrument_page(
    order_in: Make, people: dict[str, Any]
) -> None:
    order = order_in("completed")

    r = client_of(people["eve"]).post(f"/orders/{order.pk}/rate/", {"level": "4", "comment": "样品处理专业"})
    page = Client().get(f"/instruments/{order.instrument_id}/").content.decode()

    assert r.status_code == 302
    assert Rating.objects.get(order=order).level == 4
    assert "样品处理专业" in page
    assert "平均 4.0 分" in page


def test_the_form_shows_the_refusal_before_completion(order_in: Make, people: dict[str, Any]) -> None:
    order = order_in("accepted")

    r = client_of(people["eve"]).post(f"/orders/{order.pk}/rate/", {"level": "4"})

    assert r.status_code == 409
    assert not Rating.objects.exists()


def test_the_form_of_someone_elses_order_is_404(order_in: Make, people: dict[str, Any]) -> None:
    order = order_in("completed")

    assert client_of(people["bob"]).get(f"/orders/{order.pk}/rate/").status_code == 404


def test_the_holder_replies_from_the_instrument_page(order_in: Make, people: dict[str, Any]) -> None:
    order = order_in("completed")
    rating = services.rate_order(actor_for(people["eve"]), order.pk, level=3, comment="", now=NOW)

    r = client_of(people["alice"]).post(f"/ratings/{rating.pk}/reply/", {"reply": "欢迎再来"})
    page = Client().get(f"/instruments/{order.instrument_id}/").content.decode()

    assert r.status_code == 302
    assert "欢迎再来" in page


def test_an_unrated_instrument_says_so(priced: Any) -> None:
    page = Client().get(f"/instruments/{priced.pk}/").content.decode()

    assert "暂无评价" in page


def test_only_the_holders_managers_see_the_reply_form(order_in: Make, people: dict[str, Any]) -> None:
    order = order_in("completed")
    services.rate_order(actor_for(people["eve"]), order.pk, level=5, comment="", now=NOW)
    path = f"/instruments/{order.instrument_id}/"

    assert 'name="reply"' in client_of(people["alice"]).get(path).content.decode()
    assert 'name="reply"' not in client_of(people["bob"]).get(path).content.decode()
    assert 'name="reply"' not in Client().get(path).content.decode()
