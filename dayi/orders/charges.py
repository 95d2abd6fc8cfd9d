"""The charge of an order at completion, from its stored quote and what actually happened.

Booked time is charged when the user came late or left early, the actual time when it was longer
(approved overtime); a late cancellation or a no-show costs the instrument's share of the booked amount,
as it stood when the quote was given.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Sum

from dayi.booking.models import Booking, BookingStatus, UsageRecord
from dayi.core.money import fmt, yuan
from dayi.orders.models import Order, OrderKind, PriceUnit
from dayi.orders.pricing import with_minimum

MINIMUM_LINE = "最低收费 (minimum charge)"


def used_hours(booking: Booking) -> Decimal:
    """Hours of the booking's current usage records (corrections replace what they supersede)."""
    total = UsageRecord.objects.filter(booking=booking, superseded=False).aggregate(h=Sum("hours"))["h"]
    return total or Decimal(0)


def _share_line(description: str, kind: str, quote: dict[str, Any], share: str) -> list[dict[str, str]]:
    amount = yuan(Decimal(quote["amount"]) * Decimal(share))
    if not amount:
        return []
    return [
        {
            "description": description,
            "kind": kind,
            "unit": "item",
            "quantity": share,
            "unit_price": quote["amount"],
            "amount": fmt(amount),
        }
    ]


def _time_lines(quote: dict[str, Any], hours: Decimal) -> list[dict[str, str]]:
    lines = []
    for line in quote["lines"]:
        if line["description"] == MINIMUM_LINE:
            continue
        if line["unit"] == PriceUnit.HOUR:
            line = {**line, "quantity": str(hours), "amount": fmt(Decimal(line["unit_price"]) * hours)}
        lines.append(line)
    return lines


def booking_charge(quote: dict[str, Any], booking: Booking) -> list[dict[str, str]]:
    if not quote.get("lines"):
        return []  # unpriced: nothing to charge
    shares = quote.get("shares", {})
    if booking.status == BookingStatus.NO_SHOW:
        return _share_line("爽约 (no-show)", "no_show", quote, shares.get("no_show", "0"))
    if booking.status == BookingStatus.REJECTED:
        return []
    if booking.status == BookingStatus.CANCELLED:
        if booking.late_cancellation:
            late = shares.get("late_cancellation", "0")
            return _share_line("逾期取消 (late cancellation)", "late_cancellation", quote, late)
        return []
    booked = Decimal(quote["hours"])
    lines = _time_lines(quote, max(booked, used_hours(booking)))
    return with_minimum(lines, Decimal(quote["minimum"]))[0]


def charge_lines(order: Order) -> tuple[list[dict[str, str]], Decimal]:
    """The order's charge lines and their total."""
    if order.kind == OrderKind.BOOKING:
        assert order.booking is not None
        lines = booking_charge(order.quote, order.booking)
    else:
        lines = list(order.quote.get("lines", []))
    return lines, yuan(sum((Decimal(line["amount"]) for line in lines), Decimal(0)))
