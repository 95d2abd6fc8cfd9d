"""Charge every completed order at once (the month-end run), in set-based SQL.

The charge itself was computed at completion by ``dayi.orders.charges.charge_lines`` and stored on the order
(``lines``, ``amount``), as ``complete_order`` does; charging writes it to the ledger. One statement moves
each order from completed to charged with a conditional UPDATE (``WHERE status = 'completed'``: an order
charged meanwhile, one by one, is not charged twice) and inserts one charge entry per order it won from the
UPDATE's RETURNING rows. Orders paid from a group account need the account's row lock and balance check,
so they go through ``charge_order`` one by one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction

from dayi.accounts.access import Actor, check_operates, operated_institution_ids
from dayi.core import audit
from dayi.core.errors import DayiError
from dayi.network.models import Institution
from dayi.orders.models import Order, OrderStatus
from dayi.orders.services import charge_order

CHARGE_NOTE = "服务收费 (charge)"

_SQL = """
WITH won AS (
    UPDATE orders_order SET status = %(charged)s, updated = %(now)s
    WHERE status = %(completed)s AND account_id IS NULL {scope}
    RETURNING id, amount
)
INSERT INTO orders_ledgerentry (order_id, account_id, kind, amount, created, actor_id, note)
SELECT id, NULL, 'charge', amount, %(now)s, %(actor)s, %(note)s FROM won
"""


def charge_completed_orders(
    actor: Actor, *, now: dt.datetime, provider_id: int | None = None
) -> tuple[int, list[int]]:
    """Charge the completed orders the actor manages (of one provider, or all); returns (charged, failed
    order ids): orders whose group account could not pay stay completed."""
    if provider_id is not None:
        check_operates(actor, provider_id, "orders")
        providers: set[int] | None = {provider_id}
    else:
        providers = operated_institution_ids(actor, "orders")
    charged = _charge_set(actor, providers, now=now)
    paid, failed = _charge_accounts(actor, providers, now=now)
    return charged + paid, failed


@transaction.atomic
def _charge_set(actor: Actor, providers: set[int] | None, *, now: dt.datetime) -> int:
    params: dict[str, Any] = {
        "charged": OrderStatus.CHARGED,
        "completed": OrderStatus.COMPLETED,
        "now": now,
        "actor": actor.user.pk,
        "note": CHARGE_NOTE,
    }
    scope = ""
    if providers is not None:
        scope, params["providers"] = "AND provider_id = ANY(%(providers)s)", sorted(providers)
    with connection.cursor() as cursor:
        cursor.execute(_SQL.format(scope=scope), params)
        count = cursor.rowcount
    # One audit row for the run (per-order rows would double the run's writes): who, when, how many.
    anchor = Institution(pk=next(iter(providers))) if providers and len(providers) == 1 else actor.user
    audit.record(
        "order.charge_batch",
        anchor,
        actor=actor.user,
        after={"charged": count, "providers": sorted(providers) if providers is not None else "all"},
        institution_id=anchor.pk if isinstance(anchor, Institution) else None,
        now=now,
    )
    return count


def _charge_accounts(actor: Actor, providers: set[int] | None, *, now: dt.datetime) -> tuple[int, list[int]]:
    qs = Order.objects.filter(status=OrderStatus.COMPLETED, account__isnull=False)
    if providers is not None:
        qs = qs.filter(provider_id__in=providers)
    paid, failed = 0, []
    for order_id in qs.order_by("id").values_list("id", flat=True):
        try:
            charge_order(actor, order_id, now=now)
            paid += 1
        except DayiError:  # insufficient funds, or charged meanwhile: report it, go on
            failed.append(order_id)
    return paid, failed
