"""The access helpers moved into dayi.accounts.access: each returns the object to whoever may have it (also
under a row lock) and answers NotFound to everyone else, and an operating power follows delegation."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from dayi.accounts.access import actor_for
from dayi.accounts.access.directory import access_instrument
from dayi.accounts.access.orders import access_order
from dayi.core.errors import NotFound
from dayi.network.models import Delegation
from dayi.orders.models import Order
from tests.conftest import NOW, make_instrument

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(network: Any, people: Any) -> Order:
    instrument = make_instrument(network["zju"])
    return Order.objects.create(
        kind="sample",
        status="submitted",
        instrument=instrument,
        mode="sample",
        customer=people["eve"],
        customer_institution=network["zju"],
        provider=network["zju"],
        samples={"count": 1},
        created=NOW,
        updated=NOW,
    )


@pytest.mark.parametrize("for_update", [False, True])
def test_the_customer_and_the_providers_staff_reach_an_order(
    order: Order, people: Any, for_update: bool
) -> None:
    with transaction.atomic():
        for name in ("eve", "alice", "amy", "root"):
            assert access_order(actor_for(people[name]), order.pk, for_update=for_update).pk == order.pk


@pytest.mark.parametrize("name", ["bob", "carol", "dave"])
def test_others_do_not_find_the_order(order: Order, people: Any, name: str) -> None:
    with pytest.raises(NotFound):
        access_order(actor_for(people[name]), order.pk)


def test_a_platform_reaches_the_orders_the_provider_delegated(
    order: Order, network: Any, people: Any
) -> None:
    Delegation.objects.create(
        institution=network["zju"],
        platform=network["yrd"],
        powers=["orders"],
        created=NOW,
        created_by=people["amy"],
    )

    assert access_order(actor_for(people["carol"]), order.pk).pk == order.pk
    with pytest.raises(NotFound):  # orders were delegated, instruments were not
        access_instrument(actor_for(people["carol"]), order.instrument_id)
