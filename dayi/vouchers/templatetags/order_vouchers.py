"""The voucher part of an order's page (``{% order_vouchers o %}`` in orders/detail.html): orders sit below
vouchers and import nothing of them, so the order page asks for this part through its template."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from dayi.accounts.access import actor_for
from dayi.vouchers import pages

register = template.Library()


@register.inclusion_tag("vouchers/_order_panel.html", takes_context=True)
def order_vouchers(context: template.Context, order: Any) -> dict[str, Any]:
    actor = actor_for(context["request"].user)
    panel = pages.order_panel(actor, order, today=timezone.localdate())
    posted = context.get("posted") or {}
    return {
        **panel,
        "o": order,
        "csrf_token": context.get("csrf_token"),
        "chosen": posted.get("voucher", "") if posted.get("action") == "voucher" else "",
    }
