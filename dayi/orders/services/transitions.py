"""The order lifecycle: submitted → accepted → samples_received (sample orders) → in_service → completed →
charged → settled; or rejected / cancelled with a reason.

Each transition is one conditional UPDATE (``… WHERE status IN (allowed)``): when two requests race, the
row count says who won and the loser gets 409 ``invalid_state``. Permission is checked before it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from dayi.accounts.access import Actor, check_operates, operates
from dayi.accounts.access.orders import access_order
from dayi.booking.models import Booking, BookingStatus
from dayi.core import audit
from dayi.core.errors import Forbidden, ValidationFailed
from dayi.core.money import checked_amount, yuan
from dayi.orders import charges, pricing
from dayi.orders.errors import InvalidState
from dayi.orders.models import Account, EntryKind, LedgerEntry, Order, OrderKind, OrderStatus
from dayi.orders.services.accounts import debit

S = OrderStatus
# The largest correction or refund (yuan): beyond any instrument's service, well inside the columns.
ENTRY_LIMIT = 1_000_000_000
BEFORE_SERVICE = [S.SUBMITTED, S.ACCEPTED, S.SAMPLES_RECEIVED]


def _move(order: Order, allowed: Sequence[str], to: str, *, now: dt.datetime, **changes: Any) -> Order:
    won = Order.objects.filter(pk=order.pk, status__in=allowed).update(status=to, updated=now, **changes)
    if not won:
        raise InvalidState(
            gettext("订单状态为 %(status)s，不能变为 %(to)s") % {"status": order.status, "to": to}
        )
    order.refresh_from_db()
    return order


def _record(
    action: str, order: Order, actor: Actor, before: dict[str, Any], *, now: dt.datetime, reason: str = ""
) -> None:
    audit.record(
        action,
        order,
        actor=actor.user,
        before=before,
        after=audit.snapshot(order),
        institution_id=order.provider_id,
        reason=reason,
        now=now,
    )


def _managed(actor: Actor, order_id: int) -> tuple[Order, dict[str, Any]]:
    order = access_order(actor, order_id)
    check_operates(actor, order.provider_id, "orders")
    return order, audit.snapshot(order)


def _check_booking_closed(order: Order) -> None:
    """A booking's order ends with its booking: while the booking holds time, cancel or reject the booking
    (its own rules decide whether the cancellation is late and charged), not the order."""
    if order.kind != OrderKind.BOOKING or order.booking_id is None:
        return
    status = Booking.objects.values_list("status", flat=True).get(pk=order.booking_id)
    if status not in (BookingStatus.CANCELLED, BookingStatus.REJECTED):
        raise InvalidState(gettext("请先取消或拒绝预约"))


def _reason(reason: str) -> str:
    if not reason.strip():
        raise ValidationFailed(fields={"reason": [gettext("请说明原因")]})
    return reason.strip()


@transaction.atomic
def accept_order(actor: Actor, order_id: int, *, now: dt.datetime) -> Order:
    order, before = _managed(actor, order_id)
    _move(order, [S.SUBMITTED], S.ACCEPTED, now=now)
    _record("order.accept", order, actor, before, now=now)
    return order


@transaction.atomic
def reject_order(actor: Actor, order_id: int, *, reason: str, now: dt.datetime) -> Order:
    order, before = _managed(actor, order_id)
    _check_booking_closed(order)
    _move(order, [S.SUBMITTED], S.REJECTED, now=now, reason=_reason(reason))
    _record("order.reject", order, actor, before, now=now, reason=order.reason)
    return order


@transaction.atomic
def receive_samples(actor: Actor, order_id: int, *, now: dt.datetime) -> Order:
    order, before = _managed(actor, order_id)
    if order.kind != OrderKind.SAMPLE:
        raise InvalidState(gettext("机时订单没有样品"))
    _move(order, [S.ACCEPTED], S.SAMPLES_RECEIVED, now=now)
    _record("order.receive_samples", order, actor, before, now=now)
    return order


@transaction.atomic
def start_order(actor: Actor, order_id: int, *, now: dt.datetime) -> Order:
    order, before = _managed(actor, order_id)
    # A sample order starts only once its samples are in; instrument time starts from acceptance.
    allowed = [S.SAMPLES_RECEIVED] if order.kind == OrderKind.SAMPLE else [S.ACCEPTED]
    _move(order, allowed, S.IN_SERVICE, now=now)
    _record("order.start", order, actor, before, now=now)
    return order


@transaction.atomic
def complete_order(actor: Actor, order_id: int, *, now: dt.datetime, note: str = "") -> Order:
    """Completed, with its charge computed from the stored quote and what was used (not yet in the ledger).
    ``note``: the result or report delivered, kept on the order's audit trail (its timeline)."""
    order, before = _managed(actor, order_id)
    order = Order.objects.select_related("booking").get(pk=order.pk)
    # A booking that ended in a no-show or late cancellation never went into service but is still charged.
    allowed = [S.IN_SERVICE, S.ACCEPTED] if order.kind == OrderKind.BOOKING else [S.IN_SERVICE]
    lines, amount = charges.charge_lines(order)
    _move(order, allowed, S.COMPLETED, now=now, lines=lines, amount=amount)
    _record("order.complete", order, actor, before, now=now, reason=note.strip())
    return order


@transaction.atomic
def charge_order(actor: Actor, order_id: int, *, now: dt.datetime) -> Order:
    """Write the charge to the ledger; an order with an account is paid from it at once, or 409."""
    order, before = _managed(actor, order_id)
    if pricing.awaits_price(order.quote):
        raise InvalidState(_("该订单按申请定价，请先填写金额再计费。"))
    _move(order, [S.COMPLETED], S.CHARGED, now=now)  # locks the order row: one charge per order
    _entry(order, EntryKind.CHARGE, order.amount, actor, now=now, note="服务收费 (charge)")
    # What the account pays is what is still owed: an innovation voucher may already have paid a share.
    owed = payable(order)
    if order.account_id and owed > 0:
        debit(order.account_id, owed)
        _entry(
            order,
            EntryKind.PAYMENT,
            -owed,
            actor,
            now=now,
            account_id=order.account_id,
            note="课题组账户支付 (paid from the group account)",
        )
    _record("order.charge", order, actor, before, now=now)
    return order


@transaction.atomic
def settle_order(actor: Actor, order_id: int, *, now: dt.datetime, note: str = "") -> Order:
    """Settled: whatever is still payable was paid outside Dayi (invoice, transfer) and is recorded so."""
    order, before = _managed(actor, order_id)
    _move(order, [S.CHARGED], S.SETTLED, now=now)
    owed = payable(order)
    if owed:
        _entry(order, EntryKind.PAYMENT, -owed, actor, now=now, note=note or "线下结算 (paid outside Dayi)")
    _record("order.settle", order, actor, before, now=now)
    return order


@transaction.atomic
def cancel_order(actor: Actor, order_id: int, *, reason: str, now: dt.datetime) -> Order:
    """The customer may cancel before the service starts; the provider's managers too."""
    order = access_order(actor, order_id)
    if order.customer_id != actor.user.pk and not operates(actor, order.provider_id, "orders"):
        raise Forbidden(gettext("只有下单人或仪器管理员可以取消"))
    _check_booking_closed(order)
    before = audit.snapshot(order)
    _move(order, BEFORE_SERVICE, S.CANCELLED, now=now, reason=_reason(reason))
    _record("order.cancel", order, actor, before, now=now, reason=order.reason)
    return order


@transaction.atomic
def correct_charge(
    actor: Actor, order_id: int, *, amount: Decimal | str, note: str, now: dt.datetime
) -> Order:
    """A correction is a new ledger entry (never an edit of the old one); the order's amount follows."""
    order, before = _managed(actor, order_id)
    delta = checked_amount(amount, limit=ENTRY_LIMIT)
    if not delta:
        raise ValidationFailed(fields={"amount": [gettext("更正金额不能为零")]})
    won = Order.objects.filter(pk=order.pk, status=S.CHARGED, amount__gte=-delta).update(
        amount=F("amount") + delta, updated=now
    )
    if not won:
        raise InvalidState(gettext("只能更正已计费订单，且金额不能为负"))
    order.refresh_from_db()
    _entry(order, EntryKind.CORRECTION, delta, actor, now=now, note=_reason(note))
    _record("order.correct", order, actor, before, now=now, reason=note)
    return order


# The largest amount a manager sets for work taken "price on request" (yuan).
PRICE_LIMIT = 100_000_000
PRICEABLE = [S.SUBMITTED, S.ACCEPTED, S.SAMPLES_RECEIVED, S.IN_SERVICE, S.COMPLETED]


@transaction.atomic
def set_order_price(
    actor: Actor, order_id: int, *, amount: Decimal | str, note: str = "", now: dt.datetime
) -> Order:
    """A manager sets the amount of work taken "price on request" (before it is charged). A completed
    order's charge is computed again from it (a no-show still costs its share of this amount)."""
    order, before = _managed(actor, order_id)
    if not order.quote.get("unpriced") and not order.quote.get("set_by"):
        raise InvalidState(_("该订单已按价目表计价。"))
    value = checked_amount(amount, limit=PRICE_LIMIT)
    if value <= 0:
        raise ValidationFailed(fields={"amount": [_("须大于零。")]})
    quote = pricing.priced_on_request(order.quote, value, set_by=actor.user.pk, note=note.strip()[:500])
    # Conditional: a charge that commits first wins, and this answers invalid_state.
    if not Order.objects.filter(pk=order.pk, status__in=PRICEABLE).update(quote=quote, updated=now):
        raise InvalidState(_("订单已计费或已关闭，不能再定价。"))
    order = Order.objects.select_related("booking").get(pk=order.pk)
    if order.status == S.COMPLETED:
        lines, total = charges.charge_lines(order)
        Order.objects.filter(pk=order.pk).update(lines=lines, amount=total)
        order.refresh_from_db()
    _record("order.set_price", order, actor, before, now=now, reason=note.strip())
    return order


def _entry(
    order: Order,
    kind: str,
    amount: Decimal,
    actor: Actor,
    *,
    now: dt.datetime,
    note: str,
    account_id: int | None = None,
) -> LedgerEntry:
    return LedgerEntry.objects.create(
        order=order, account_id=account_id, kind=kind, amount=amount, created=now, actor=actor.user, note=note
    )


def _paid_from_account(order: Order, account_id: int) -> Decimal:
    """What the order's group account paid for it, less what was refunded to it already (read after the
    order row's lock, so a refund racing this one has committed)."""
    moved = order.ledger.filter(
        account_id=account_id, kind__in=[EntryKind.PAYMENT, EntryKind.REFUND]
    ).aggregate(s=Sum("amount"))["s"]
    return yuan(-(moved or 0))


def payable(order: Order) -> Decimal:
    """What the customer still owes: the sum of the order's entries."""
    total = LedgerEntry.objects.filter(order=order).aggregate(s=Sum("amount"))["s"]
    return yuan(total or 0)


@transaction.atomic
def refund_order(actor: Actor, order_id: int, *, amount: Decimal | str, note: str, now: dt.datetime) -> Order:
    """Give back part or all of a settled order's charge (provider managers).

    Two entries keep both sums right: a correction lowers the charge (the order's amount follows), and the
    payment is reversed by the same amount — to the group account (a ``refund`` entry naming it, which raises
    its balance) or, for an order paid outside Dayi, as a reversed ``payment``. The order's payable stays
    what it was (nothing owed), and the account's balance is still the sum of its entries.
    """
    order, before = _managed(actor, order_id)
    value = checked_amount(amount, limit=ENTRY_LIMIT)
    if value <= 0:
        raise ValidationFailed(fields={"amount": [gettext("须大于零")]})
    reason = _reason(note)
    # Conditional: only a settled order, never refunding more than its amount (two refunds racing: one wins).
    won = Order.objects.filter(pk=order.pk, status=S.SETTLED, amount__gte=value).update(
        amount=F("amount") - value, updated=now
    )
    if not won:
        raise InvalidState(gettext("只能退款已结算订单，且不超过其金额"))
    order.refresh_from_db()
    _entry(order, EntryKind.CORRECTION, -value, actor, now=now, note=reason)
    # Only what the account itself paid goes back to it; the rest was paid outside Dayi (a correction
    # raised the charge after the account paid, say) and is refunded outside it, or a refund would put
    # money in the account that never came from it.
    account_id = order.account_id
    to_account = min(value, _paid_from_account(order, account_id)) if account_id else Decimal(0)
    if account_id and to_account > 0:
        Account.objects.filter(pk=account_id).update(balance=F("balance") + to_account)
        _entry(order, EntryKind.REFUND, to_account, actor, now=now, account_id=account_id, note=reason)
    if value > to_account:
        _entry(order, EntryKind.PAYMENT, value - to_account, actor, now=now, note=f"退款 (refund): {reason}")
    _record("order.refund", order, actor, before, now=now, reason=reason)
    return order


def follow_booking(actor: Actor, booking: Booking, *, now: dt.datetime) -> Order | None:
    """Move a booking's order after its booking, in the booking service's transaction (which checked the
    actor's permission for the booking's own transition).

    Approved → the order is accepted; rejected → rejected; cancelled → cancelled, except a late
    cancellation, whose order stays open so the managers complete and charge the late share. An order
    already past that point (or a booking made before orders existed) is left as it is.
    """
    order = Order.objects.filter(booking=booking).first()
    if order is None:
        return None
    before = audit.snapshot(order)
    reason = booking.reason or ""
    step: tuple[str, Sequence[str], str, dict[str, Any]]
    if booking.status == BookingStatus.CONFIRMED:
        step = ("order.accept", [S.SUBMITTED], S.ACCEPTED, {})
    elif booking.status in (BookingStatus.REJECTED, BookingStatus.EXPIRED):  # expired: nobody decided
        step = ("order.reject", [S.SUBMITTED], S.REJECTED, {"reason": reason})
    elif booking.status == BookingStatus.CANCELLED and not booking.late_cancellation:
        step = (
            "order.cancel",
            BEFORE_SERVICE,
            S.CANCELLED,
            {"reason": reason or "预约已取消 (booking cancelled)"},
        )
    else:
        return order
    action, allowed, to, changes = step
    if not Order.objects.filter(pk=order.pk, status__in=allowed).update(status=to, updated=now, **changes):
        return order
    order.refresh_from_db()
    _record(action, order, actor, before, now=now, reason=order.reason)
    return order
