"""Every write of the orders domain: prices, orders and their transitions, the ledger, accounts.

Each function takes the acting ``Actor`` first and a keyword-only ``now``, runs in one transaction, checks
permission through ``dayi.accounts.access`` and writes an audit row.
"""

from dayi.accounts.access.orders import access_order, visible_orders
from dayi.orders.services.accounts import (
    add_member,
    confirm_top_up,
    open_account,
    reject_top_up,
    request_top_up,
    reverse_top_up,
)
from dayi.orders.services.orders import (
    SETTLED_OR_CLOSED,
    create_booking_order,
    create_sample_order,
    describe_project,
    price_for,
    quote_for,
)
from dayi.orders.services.prices import replace_prices, save_price_list, set_charge_shares
from dayi.orders.services.transitions import (
    PRICEABLE,
    accept_order,
    cancel_order,
    charge_order,
    complete_order,
    correct_charge,
    follow_booking,
    receive_samples,
    refund_order,
    reject_order,
    set_order_price,
    settle_order,
    start_order,
)

__all__ = [
    "PRICEABLE",
    "SETTLED_OR_CLOSED",
    "accept_order",
    "access_order",
    "add_member",
    "cancel_order",
    "charge_order",
    "complete_order",
    "confirm_top_up",
    "correct_charge",
    "create_booking_order",
    "create_sample_order",
    "describe_project",
    "follow_booking",
    "open_account",
    "price_for",
    "quote_for",
    "receive_samples",
    "refund_order",
    "reject_order",
    "reject_top_up",
    "replace_prices",
    "request_top_up",
    "reverse_top_up",
    "save_price_list",
    "set_charge_shares",
    "set_order_price",
    "settle_order",
    "start_order",
    "visible_orders",
]
