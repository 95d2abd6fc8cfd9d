"""charge_completed_orders: every completed order charged once, in one set-based statement."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from dayi.accounts.access import actor_for
from dayi.core.errors import Forbidden
from dayi.orders.models import EntryKind, LedgerEntry, OrderStatus
from dayi.statements.batch import charge_completed_orders
from tests.statements.conftest import NOW, completed, submit


def test_it_charges_every_completed_order_once(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    orders = [completed(people, submit(outsiders[n], priced, count=3)) for n in ("gina", "frank")]
    open_order = submit(outsiders["gina"], priced)
    charged, failed = charge_completed_orders(actor_for(people["alice"]), now=NOW)
    assert (charged, failed) == (2, [])
    for order in orders:
        order.refresh_from_db()
        entry = LedgerEntry.objects.get(order=order)
        assert order.status == OrderStatus.CHARGED
        assert entry.kind == EntryKind.CHARGE and entry.amount == order.amount > Decimal(0)
    assert not LedgerEntry.objects.filter(order=open_order).exists()
    assert charge_completed_orders(actor_for(people["alice"]), now=NOW) == (0, [])


def test_it_charges_nothing_of_another_providers(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    order = completed(people, submit(outsiders["gina"], priced, count=3))
    assert charge_completed_orders(actor_for(people["bob"]), now=NOW) == (0, [])
    with pytest.raises(Forbidden):
        charge_completed_orders(actor_for(people["bob"]), now=NOW, provider_id=order.provider_id)
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
