"""Every write of ratings: the customer rates a finished order; the holder's managers reply."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

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
        raise ValidationFailed(fields={field: [gettext("不能超过%(MAX_TEXT)s字") % {"MAX_TEXT": MAX_TEXT}]})
    return text


def _customer_order(actor: Actor, order_id: int) -> Order:
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        raise NotFound(gettext("订单不存在"))
    if order.customer_id != actor.user.pk:
        raise Forbidden(gettext("只有下单人可以评价"))
    return order


@transaction.atomic
def rate_order(actor: Actor, order_id: int, *, level: int, comment: str = "", now: dt.datetime) -> Rating:
    require_signed_in(actor.user)
    if level not in Level.values:
        raise ValidationFailed(fields={"level": [gettext("应为1到5")]})
    order = _customer_order(actor, order_id)
    if order.status not in RATEABLE:
        raise Conflict(gettext("服务完成后才能评价"))
    try:
        # A savepoint: a second submit loses on the constraint, and the outer transaction stays usable.
        with transaction.atomic():
            rating = Rating.objects.create(
                order=order, level=level, comment=_text(comment, "comment"), created=now
            )
    except IntegrityError:
        raise Conflict(gettext("该订单已评价"), code="duplicate") from None
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
        raise NotFound(gettext("评价不存在"))
    check_operates(actor, rating.order.provider_id, "orders")
    text = _text(reply, "reply")
    if not text:
        raise ValidationFailed(fields={"reply": [gettext("回复不能为空")]})
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
