"""Access to orders: the customer, the PI whose account pays, and whoever operates the provider's orders."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from dayi.accounts.access import Actor, operated_institution_ids, operates, require_signed_in
from dayi.core.errors import NotFound
from dayi.orders.models import Order


def visible_orders(actor: Actor) -> QuerySet[Order]:
    """Orders the actor may read: their own, their group's (as PI), those of institutions whose orders they
    operate (own staff, or a platform the provider delegated ``orders`` to)."""
    if not actor.is_authenticated:
        return Order.objects.none()
    institutions = operated_institution_ids(actor, "orders")
    if institutions is None:
        return Order.objects.all()
    return Order.objects.filter(
        Q(customer=actor.user) | Q(account__pi=actor.user) | Q(provider_id__in=institutions)
    )


def access_order(actor: Actor, order_id: int, *, for_update: bool = False) -> Order:
    """An order the actor may read, or NotFound (missing and forbidden alike)."""
    require_signed_in(actor.user)
    qs = visible_orders(actor).filter(pk=order_id)
    # The visibility filter's joins would make FOR UPDATE lock other tables: lock the order row only.
    qs = qs.select_for_update(of=("self",)) if for_update else qs.select_related("instrument")
    order = qs.first()
    if order is None:
        raise NotFound(gettext("订单不存在"))
    return order


def operates_orders_of(actor: Actor, order: Order) -> bool:
    """Acts as the provider on this order (confirms, quotes, completes)."""
    return operates(actor, order.provider_id, "orders")
