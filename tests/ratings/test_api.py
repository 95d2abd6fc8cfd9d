"""POST /api/v1/orders/{id}/rating, POST /api/v1/ratings/{id}/reply, GET /api/v1/instruments/{id}/ratings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dayi.orders.models import Order

pytestmark = pytest.mark.django_db

Make = Callable[[str], Order]


def test_the_customer_rates_with_201(order_in: Make, api_as: Any) -> None:
    order = order_in("completed")

    r = api_as("eve").post(f"/api/v1/orders/{order.pk}/rating", {"level": 5, "comment": "很好"})

    assert r.status_code == 201, r.content
    assert r.json()["level"] == 5
    assert r.json()["level_label"] == "非常满意"


def test_a_second_rating_is_409_duplicate(order_in: Make, api_as: Any) -> None:
    order = order_in("completed")
    api_as("eve").post(f"/api/v1/orders/{order.pk}/rating", {"level": 5})

    r = api_as("eve").post(f"/api/v1/orders/{order.pk}/rating", {"level": 3})

    assert r.status_code == 409
    assert r.json()["error"]["code"] == "duplicate"


def test_a_rating_before_completion_is_409_invalid_state(order_in: Make, api_as: Any) -> None:
    r = api_as("eve").post(f"/api/v1/orders/{order_in('accepted').pk}/rating", {"level": 4})

    assert r.status_code == 409
    assert r.json()["error"]["code"] == "invalid_state"


def test_a_rating_by_another_user_is_403_and_anonymous_401(order_in: Make, api_as: Any) -> None:
    order = order_in("completed")

    assert api_as("bob").post(f"/api/v1/orders/{order.pk}/rating", {"level": 4}).status_code == 403
    assert api_as(None).post(f"/api/v1/orders/{order.pk}/rating", {"level": 4}).status_code == 401


def test_a_level_out_of_range_is_422(order_in: Make, api_as: Any) -> None:
    r = api_as("eve").post(f"/api/v1/orders/{order_in('completed').pk}/rating", {"level": 6})

    assert r.status_code == 422


def test_the_provider_replies_and_another_is_refused(order_in: Make, api_as: Any) -> None:
    order = order_in("completed")
    rating = api_as("eve").post(f"/api/v1/orders/{order.pk}/rating", {"level": 2}).json()

    refused = api_as("bob").post(f"/api/v1/ratings/{rating['id']}/reply", {"reply": "…"})
    r = api_as("alice").post(f"/api/v1/ratings/{rating['id']}/reply", {"reply": "已改进"})

    assert refused.status_code == 403
    assert r.status_code == 200
    assert r.json()["reply"] == "已改进"


def test_anyone_reads_the_ratings_with_average_and_levels(order_in: Make, api_as: Any) -> None:
    for level in (5, 2):
        api_as("eve").post(f"/api/v1/orders/{order_in('completed').pk}/rating", {"level": level})
    instrument_id = order_in("submitted").instrument_id

    r = api_as(None).get(f"/api/v1/instruments/{instrument_id}/ratings")

    body = r.json()
    assert r.status_code == 200
    assert (body["count"], body["average"]) == (2, "3.5")
    assert body["levels"] == {"5": 1, "4": 0, "3": 0, "2": 1, "1": 0}
    assert [i["level"] for i in body["items"]] == [2, 5]  # newest first
    assert "order" not in body["items"][0]


def test_ratings_of_a_missing_instrument_are_404(api_as: Any) -> None:
    assert api_as(None).get("/api/v1/instruments/999999/ratings").status_code == 404
