"""Rating a finished order on the national five levels, and the holder's reply."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dayi.accounts.access import actor_for
from dayi.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from dayi.core.models import AuditEvent
from dayi.orders.models import Order
from dayi.ratings import services
from dayi.ratings.models import Rating
from dayi.ratings.queries import rating_summary
from tests.ratings.conftest import NOW

pytestmark = pytest.mark.django_db

Make = Callable[[str], Order]


def rate(user: Any, order: Order, level: int = 5, comment: str = "数据准确，出具及时") -> Rating:
    return services.rate_order(actor_for(user), order.pk, level=level, comment=comment, now=NOW)


@pytest.mark.parametrize("status", ["completed", "charged", "settled"])
def test_the_customer_rates_a_finished_order(order_in: Make, people: dict[str, Any], status: str) -> None:
    order = order_in(status)

    rating = rate(people["eve"], order, 4)

    assert (rating.level, rating.order_id, rating.comment) == (4, order.pk, "数据准确，出具及时")
    assert AuditEvent.objects.filter(action="rating.create", object_id=str(rating.pk)).exists()


@pytest.mark.parametrize("status", ["submitted", "accepted", "samples_received", "in_service"])
def test_it_refuses_a_rating_before_completion(order_in: Make, people: dict[str, Any], status: str) -> None:
    order = order_in(status)

    with pytest.raises(Conflict) as exc:
        rate(people["eve"], order)

    assert exc.value.code == "invalid_state"
    assert not Rating.objects.exists()


def test_it_allows_one_rating_per_order(order_in: Make, people: dict[str, Any]) -> None:
    order = order_in("completed")
    rate(people["eve"], order, 5)

    with pytest.raises(Conflict) as exc:
        rate(people["eve"], order, 1)

    assert exc.value.code == "duplicate"
    assert list(Rating.objects.values_list("level", flat=True)) == [5]


def test_it_refuses_a_rating_by_anyone_but_the_customer(order_in: Make, people: dict[str, Any]) -> None:
    order = order_in("completed")

    for name in ("alice", "amy", "bob", "root"):
        with pytest.raises(Forbidden):
            rate(people[name], order)

    assert not Rating.objects.exists()


def test_it_refuses_a_level_outside_the_five(order_in: Make, people: dict[str, Any]) -> None:
    order = order_in("completed")

    for level in (0, 6):
        with pytest.raises(ValidationFailed):
            rate(people["eve"], order, level)


def test_a_manager_of_the_provider_replies(order_in: Make, people: dict[str, Any]) -> None:
    rating = rate(people["eve"], order_in("completed"), 2, "周期太长")

    services.reply_to_rating(actor_for(people["alice"]), rating.pk, reply="已增加机时，抱歉", now=NOW)

    rating.refresh_from_db()
    assert (rating.reply, rating.replied_by, rating.replied_at) == ("已增加机时，抱歉", people["alice"], NOW)


@pytest.mark.parametrize("name", ["bob", "eve", "dave"])
def test_it_refuses_a_reply_from_outside_the_provider(
    order_in: Make, people: dict[str, Any], name: str
) -> None:
    rating = rate(people["eve"], order_in("completed"))

    with pytest.raises(Forbidden):
        services.reply_to_rating(actor_for(people[name]), rating.pk, reply="谢谢", now=NOW)

    rating.refresh_from_db()
    assert rating.reply == ""


def test_it_refuses_a_reply_to_a_missing_rating(people: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        services.reply_to_rating(actor_for(people["alice"]), 999999, reply="谢谢", now=NOW)


def test_the_summary_averages_and_counts_per_level(order_in: Make, people: dict[str, Any]) -> None:
    for level in (5, 4, 4, 1):
        rate(people["eve"], order_in("completed"), level)

    summary = rating_summary(order_in("submitted").instrument_id)

    assert summary["count"] == 4
    assert str(summary["average"]) == "3.5"
    assert summary["levels"] == {5: 1, 4: 2, 3: 0, 2: 0, 1: 1}
    assert len(summary["latest"]) == 4


def test_an_unrated_instrument_has_no_average(priced: Any) -> None:
    summary = rating_summary(priced.pk)

    assert (summary["count"], summary["average"], summary["latest"]) == (0, None, [])
