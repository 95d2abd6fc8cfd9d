"""Ratings fixtures: eve's sample order on the priced BET analyser of 浙江大学 (tests/orders), taken to
any status through the orders services (alice manages the instrument)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dayi.accounts.access import actor_for
from dayi.accounts.models import User
from dayi.orders import services
from dayi.orders.models import Order
from tests.orders.conftest import NOW, bet, fast_passwords, outsiders, priced, submit  # noqa: F401

STEPS = [
    ("accepted", services.accept_order),
    ("samples_received", services.receive_samples),
    ("in_service", services.start_order),
    ("completed", services.complete_order),
    ("charged", services.charge_order),
    ("settled", services.settle_order),
]


def advance(order: Order, manager: User, to: str) -> Order:
    """Move ``order`` through the lifecycle up to ``to`` as ``manager`` would."""
    if to == "submitted":
        return order
    for status, service in STEPS:
        service(actor_for(manager), order.pk, now=NOW)
        if status == to:
            break
    order.refresh_from_db()
    return order


@pytest.fixture
def order_in(priced: Any, people: dict[str, User]) -> Callable[[str], Order]:  # noqa: F811
    """``order_in("completed")``: a fresh sample order of eve's in that status."""

    def make(status: str) -> Order:
        return advance(submit(people["eve"], priced), people["alice"], status)

    return make
