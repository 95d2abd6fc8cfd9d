"""Statements fixtures: the priced BET analyser of 浙江大学 (tests/orders) and orders charged on a day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dayi.accounts.access import actor_for
from dayi.orders import services
from dayi.orders.models import Order
from tests.orders.conftest import NOW, at, bet, fast_passwords, outsiders, priced, submit  # noqa: F401


def completed(people: dict[str, Any], order: Order, *, now: dt.datetime = NOW) -> Order:
    """Through the orders services, as the provider's manager alice: accept … complete."""
    alice = actor_for(people["alice"])
    for step in (services.accept_order, services.receive_samples, services.start_order):
        step(alice, order.pk, now=now)
    return services.complete_order(alice, order.pk, now=now)


def charged(people: dict[str, Any], order: Order, *, now: dt.datetime = NOW) -> Order:
    completed(people, order, now=now)
    return services.charge_order(actor_for(people["alice"]), order.pk, now=now)


def correct(people: dict[str, Any], order: Order, amount: str, *, now: dt.datetime = NOW) -> Order:
    return services.correct_charge(
        actor_for(people["alice"]), order.pk, amount=amount, note="少测一个样品", now=now
    )
