"""Every write of ratings: the customer rates a finished order; the holder's managers reply."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from dayi.accounts.access import Actor, check_operates, require_signed_in
from dayi.core import audit
from dayi.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from dayi.orders.models import Order, OrderStatus
from dayi.ratings.models import Level, Rating

# A service can be judged once it was delivered: completed, and still after it was charged or settled.
RATEABLE = (OrderStatus.COMPLETED, OrderStatus.CHARGED, OrderStatus.SETTLED)
MAX_TEXT = 2000


def _text(value: str, field: str) -> str:
    text = (value or "").strip()
    if len(text) > MAX_TEXT:
        raise ValidationFailed(fields={field: [f"不能超过{MAX_TEXT}字 (at most {MAX_TEXT} characters)"]})
    return text


def _customer_order(actor: Actor, order_id: int) -> Order:
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        raise NotFound("订单不存在 (no such order)")
    if order.customer_id != actor.user.pk:
        raise Forbidden("只有下单人可以评价 (only the order's customer may rate it)")
    return order


@transaction.atomic
def rate_order(actor: Actor, order_id: int, *, level: int, comment: str = "", now: dt.datetime) -> Rating:
    require_signed_in(actor.user)
    if level not in Level.values:
        raise ValidationFailed(fields={"level": ["应为1到5 (1 to 5; 5 is very satisfied)"]})
    order = _customer_order(actor, order_id)
    if order.status not in RATEABLE:
        raise Conflict("服务完成后才能评价 (rate a service once it is completed)")
    try:
        # A savepoint: a second submit loses on the constraint, and the outer transaction stays usable.
        with transaction.atomic():
            rating = Rating.objects.create(
                order=order, level=level, comment=_text(comment, "comment"), created=now
            )
    except IntegrityError:
        raise Conflict("该订单已评价 (this order is already rated)", code="duplicate") from None
    audit.record(
        "rating.create",
        rating,
        actor=actor.user,
        after=audit.snapshot(rating),
        institution_id=order.provider_id,
        now=now,
    )
    return rating


@transaction.atomic
def reply_to_rating(actor: Actor, rating_id: int, *, reply: str, now: dt.datetime) -> Rating:
    """The holder answers a rating (once more replaces the reply: the last word is what shows)."""
    require_signed_in(actor.user)
    rating = Rating.objects.select_for_update().select_related("order").filter(pk=rating_id).first()
    if rating is None:
        raise NotFound("评价不存在 (no such rating)")
    check_operates(actor, rating.order.provider_id, "orders")
    text = _text(reply, "reply")
    if not text:
        raise ValidationFailed(fields={"reply": ["回复不能为空 (the reply is empty)"]})
    before = audit.snapshot(rating)
    rating.reply, rating.replied_at, rating.replied_by = text, now, actor.user
    rating.save(update_fields=["reply", "replied_at", "replied_by"])
    audit.record(
        "rating.reply",
        rating,
        actor=actor.user,
        before=before,
        after=audit.snapshot(rating),
        institution_id=rating.order.provider_id,
        now=now,
    )
    return rating
