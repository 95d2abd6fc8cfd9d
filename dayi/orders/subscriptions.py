"""What orders do when a booking changes: the subscriber of booking's hook (``dayi.booking.events``),
subscribed in ``OrdersConfig.ready``. It runs inside the booking's transaction, so a booking and its order
commit or roll back together."""

from __future__ import annotations

from dayi.booking.events import BookingChanged
from dayi.orders.services import create_booking_order, follow_booking


def follow_booking_change(change: BookingChanged) -> None:
    """A new booking gets its order; an approved, rejected, cancelled or expired one moves its order after
    it."""
    if change.change == "created":
        create_booking_order(change.actor, change.booking, account_id=change.account_id, now=change.now)
    else:
        follow_booking(change.actor, change.booking, now=change.now)
