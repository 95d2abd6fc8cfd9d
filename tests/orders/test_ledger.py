"""The ledger: append-only, corrections as new entries, and the entries of an order sum to its amount."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum

from dayi.accounts.access import actor_for
from dayi.core.errors import NotFound
from dayi.orders import services
from dayi.orders.errors import InvalidState
from dayi.orders.models import EntryKind, LedgerEntry, Order
from dayi.orders.services.transitions import payable
from tests.orders.conftest import NOW, submit


def charged(people: dict[str, Any], order: Order) -> Order:
    alice = actor_for(people["alice"])
    for step in (
        services.accept_order,
        services.receive_samples,
        services.start_order,
        services.complete_order,
    ):
        step(alice, order.pk, now=NOW)
    return services.charge_order(alice, order.pk, now=NOW)


def order_sum(order: Order) -> Decimal:
    kinds = [EntryKind.CHARGE, EntryKind.CORRECTION]
    return LedgerEntry.objects.filter(order=order, kind__in=kinds).aggregate(s=Sum("amount"))["s"]


def test_charging_writes_one_entry_equal_to_the_amount(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    order = charged(people, submit(outsiders["gina"], priced, count=3))
    assert order.amount == Decimal("240.00") == order_sum(order)
    assert payable(order) == Decimal("240.00")


def test_a_correction_is_a_new_entry_and_the_sum_follows(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    order = charged(people, submit(outsiders["gina"], priced, count=3))
    first = LedgerEntry.objects.get(order=order)
    order = services.correct_charge(
        actor_for(people["alice"]), order.pk, amount="-40", note="少测一个样品", now=NOW
    )
    assert order.amount == Decimal("200.00") == order_sum(order)
    assert LedgerEntry.objects.get(pk=first.pk).amount == Decimal("240.00")  # untouched
    assert LedgerEntry.objects.filter(order=order).count() == 2


def test_a_correction_cannot_take_the_amount_below_zero(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    order = charged(people, submit(outsiders["gina"], priced, count=3))
    with pytest.raises(InvalidState):
        services.correct_charge(actor_for(people["alice"]), order.pk, amount="-241", note="x", now=NOW)


def test_a_manager_of_another_institution_cannot_correct(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    order = charged(people, submit(outsiders["gina"], priced, count=3))
    with pytest.raises(NotFound):  # not visible to him: 404, as for a missing order
        services.correct_charge(actor_for(people["bob"]), order.pk, amount="-40", note="x", now=NOW)


def test_settling_records_the_payment_and_leaves_nothing_payable(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    order = charged(people, submit(outsiders["gina"], priced, count=3))
    order = services.settle_order(actor_for(people["alice"]), order.pk, now=NOW)
    assert payable(order) == 0 and order_sum(order) == order.amount


def test_the_database_refuses_to_update_or_delete_an_entry(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    order = charged(people, submit(outsiders["gina"], priced, count=3))
    entry = LedgerEntry.objects.get(order=order)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=0)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        entry.delete()


def test_the_services_never_update_an_entry() -> None:
    """A source check, so a refactor that edits entries fails here before it meets the trigger."""
    import inspect

    from dayi.orders.services import accounts, orders, prices, transitions

    for module in (accounts, orders, prices, transitions):
        source = inspect.getsource(module)
        assert "LedgerEntry.objects.filter" not in source.replace(
            "LedgerEntry.objects.filter(order=order).aggregate", ""
        )
