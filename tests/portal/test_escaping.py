"""Script typed into any text field reaches the pages as text, never as markup (stored XSS)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from dayi.orders.models import Order
from dayi.ratings.models import Rating
from tests.conftest import make_instrument
from tests.demands.conftest import post
from tests.ratings.conftest import NOW, bet, fast_passwords, order_in, outsiders, priced  # noqa: F401

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def page(path: str, user: Any = None) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    res = client.get(path)
    assert res.status_code == 200, (path, res.status_code)
    return res.content.decode()


def assert_escaped(html: str) -> None:
    assert SCRIPT not in html
    assert "<script>alert" not in html
    assert ESCAPED in html


def test_an_instruments_name_description_and_institution_are_escaped(network: Any) -> None:
    zju = network["zju"]
    zju.name = f"浙江大学{SCRIPT}"
    zju.save()
    instrument = make_instrument(zju, "XSS-1", name=f"显微镜{SCRIPT}", functions=SCRIPT, specs=SCRIPT)

    assert_escaped(page(f"/instruments/{instrument.pk}/"))
    assert_escaped(page(f"/institutions/{zju.pk}/"))


def test_search_results_escape_what_they_highlight(network: Any) -> None:
    make_instrument(network["zju"], "XSS-2", name=f"显微镜{SCRIPT}", functions=f"alert {SCRIPT}")

    assert_escaped(page("/instruments/?q=显微镜"))
    marked = page("/instruments/?q=alert")  # the word inside the script is marked: <mark>alert</mark>
    assert "<script>" not in marked
    assert "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;" in marked


def test_a_search_query_is_escaped_where_it_is_echoed(network: Any) -> None:
    html = page(f"/instruments/?q={SCRIPT}")

    assert SCRIPT not in html


def test_a_demands_title_and_description_are_escaped(outsiders: Any, priced: Any) -> None:  # noqa: F811
    frank = outsiders["frank"]
    demand = post(frank, title=f"比表面积{SCRIPT}", description=SCRIPT, samples=SCRIPT)

    assert_escaped(page(f"/demands/{demand.pk}/", frank))
    assert_escaped(page("/demands/", frank))


def test_a_rating_comment_is_escaped_on_the_instrument_page(
    order_in: Callable[[str], Order],  # noqa: F811
) -> None:
    order = order_in("completed")
    Rating.objects.create(order=order, level=1, comment=SCRIPT, reply=SCRIPT, created=NOW)

    assert_escaped(page(f"/instruments/{order.instrument_id}/"))
