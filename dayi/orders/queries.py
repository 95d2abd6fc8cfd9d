"""Read-side helpers shared by the API and (later) the pages and statements."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from dayi.accounts.access import Actor
from dayi.booking.models import Booking
from dayi.core.money import fmt, yuan
from dayi.orders.models import EntryKind, Order, OrderStatus, PriceRule
from dayi.orders.services import visible_orders


@dataclass(frozen=True)
class OrderFilters:
    status: str | None = None
    kind: str | None = None
    instrument: int | None = None
    customer: int | None = None
    provider: int | None = None
    account: int | None = None


def orders(actor: Actor, f: OrderFilters) -> QuerySet[Order]:
    """The orders the actor may see, filtered; entries prefetched (one query for a whole page)."""
    qs = visible_orders(actor).prefetch_related("ledger")
    for name in ("status", "kind"):
        if getattr(f, name):
            qs = qs.filter(**{name: getattr(f, name)})
    for name in ("instrument", "customer", "provider", "account"):
        if getattr(f, name) is not None:
            qs = qs.filter(**{f"{name}_id": getattr(f, name)})
    return qs


def prices(instrument_id: int) -> QuerySet[PriceRule]:
    return PriceRule.objects.filter(instrument_id=instrument_id)


def line_out(line: dict[str, Any]) -> dict[str, str]:
    """A charge line in the API's shape. Lines stored by older or imported orders may lack the unit, the
    quantity and the unit price: read them as one item at the line's amount (the schema requires all)."""
    amount = str(line.get("amount", "0.00"))
    return {
        "description": str(line.get("description", "")),
        "unit": str(line.get("unit", "item")),
        "quantity": str(line.get("quantity", "1")),
        "unit_price": str(line.get("unit_price", amount)),
        "amount": amount,
    }


def order_out(order: Order) -> dict[str, Any]:
    entries = list(order.ledger.all())
    return {
        "id": order.pk,
        "kind": order.kind,
        "status": order.status,
        "instrument": order.instrument_id,
        "mode": order.mode,
        "customer": order.customer_id,
        "customer_institution": order.customer_institution_id,
        "provider": order.provider_id,
        "booking": order.booking_id,
        "account": order.account_id,
        "amount": fmt(order.amount),
        "payable": fmt(sum((e.amount for e in entries), Decimal(0))),
        # The charge once computed at completion; until then, the quote's lines.
        "lines": [line_out(line) for line in order.lines or order.quote.get("lines", [])],
        "ledger": [
            {
                "id": e.pk,
                "kind": e.kind,
                "amount": fmt(e.amount),
                "account": e.account_id,
                "created": e.created.isoformat(),
                "note": e.note,
            }
            for e in entries
        ],
        "quote": order.quote,
        "samples": order.samples,
        "items": order.items,
        "description": order.description,
        "shipping": order.shipping,
        "requested_turnaround_days": order.requested_turnaround_days,
        "project": order.project,
        "funding_source": order.funding_source,
        "reason": order.reason,
        "created": order.created.isoformat(),
        "updated": order.updated.isoformat(),
    }


# Once its amount is known (completed), an order says what vouchers paid of it and what is left to pay.
AMOUNT_KNOWN = (OrderStatus.COMPLETED, OrderStatus.CHARGED, OrderStatus.SETTLED)


def what_is_owed(order: Order) -> dict[str, Decimal] | None:
    """The amount, the innovation vouchers' share (通兑 entries) and what is left to pay. Before the charge
    is written the ledger holds only the vouchers' entries, so "left" is the amount less every entry that
    is not the charge or a correction (those are the amount already): the same sum before and after."""
    if order.status not in AMOUNT_KNOWN:
        return None
    entries = list(order.ledger.all())
    vouchers = -sum((e.amount for e in entries if e.kind == EntryKind.VOUCHER), Decimal(0))
    paid = sum(
        (e.amount for e in entries if e.kind not in (EntryKind.CHARGE, EntryKind.CORRECTION)), Decimal(0)
    )
    return {"amount": order.amount, "vouchers": yuan(vouchers), "left": yuan(order.amount + paid)}


def booking_order(booking: Booking) -> dict[str, Any]:
    """What a booking's API answer carries of its order: the id and the quote."""
    order = getattr(booking, "order", None)  # None for bookings made before orders existed
    if order is None:
        return {"order": None, "quote": None}
    # An instrument without a rate for this booking gave no quote: say so with null, as before prices.
    return {"order": order.pk, "quote": None if order.quote.get("unpriced") else order.quote}
