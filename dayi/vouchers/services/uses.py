"""A voucher paying part of an order: min(ratio × amount, balance), from the budget of the scheme that pays
(the voucher's own, or another through a recognition agreement)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.utils.timezone import localdate
from django.utils.translation import gettext

from dayi.accounts.access import Actor
from dayi.accounts.access.vouchers import access_voucher, may_use_voucher_on
from dayi.core import audit
from dayi.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from dayi.core.money import yuan
from dayi.orders.models import EntryKind, LedgerEntry, Order, OrderStatus
from dayi.orders.services.transitions import payable as order_payable
from dayi.vouchers.errors import AlreadyClaimed, BudgetExhausted, VoucherExhausted, VoucherExpired
from dayi.vouchers.models import (
    RedemptionClaim,
    RedemptionMode,
    Voucher,
    VoucherEntryKind,
    VoucherScheme,
    VoucherStatus,
    VoucherUse,
)
from dayi.vouchers.services import checks
from dayi.vouchers.services.common import ZERO, entry, user_of

# The order's amount is known once the service is done; a voucher pays a share of that amount.
USABLE = (OrderStatus.COMPLETED, OrderStatus.CHARGED)


def get_voucher(actor: Actor, number: str) -> Voucher:
    return access_voucher(actor, number)  # NotFound, not 403: a number says nothing to others


def apply_voucher_to_order(
    actor: Actor, order_id: int, number: str, *, now: dt.datetime
) -> dict[str, Decimal | str]:
    """The voucher covers min(ratio × order amount, balance); the company pays the rest (通兑), or pays in
    full and is reimbursed that much (通用)."""
    order = Order.objects.select_related("instrument", "provider", "customer_institution").filter(pk=order_id)
    found = order.first()
    if found is None:
        raise NotFound(gettext("订单不存在"))
    voucher = get_voucher(actor, number)
    _check_may_use(actor, found, voucher, now=now)
    path = checks.route(voucher.scheme, found.provider)
    with transaction.atomic():
        # Lock order: the order (two vouchers on one order cannot both take its share), the voucher, then
        # the schemes by id (the same order as approvals), so no two services wait on each other in a ring.
        locked = Order.objects.select_for_update().get(pk=found.pk)
        locked_voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
        list(VoucherScheme.objects.select_for_update().filter(pk__in={voucher.scheme_id, path.payer.pk}))
        covered, already = _share(locked, locked_voucher, path)
        _spend(locked_voucher, covered)
        _book(locked, locked_voucher, path, covered, actor, now)
    payable = found.amount - already - covered if path.mode == RedemptionMode.TONGDUI else found.amount
    return {
        "covered": covered,
        "payable": yuan(payable),
        "payer": path.payer.code,
        "mode": path.mode,
    }


def _check_may_use(actor: Actor, order: Order, voucher: Voucher, *, now: dt.datetime) -> None:
    if not may_use_voucher_on(actor, order, voucher):
        raise Forbidden(gettext("只有订单的客户可以使用创新券"))
    if order.customer_institution_id != voucher.company_id:
        raise RuleViolation("not_eligible_company", gettext("订单不属于该券的企业"))
    if voucher.status == VoucherStatus.CANCELLED:
        raise Conflict(gettext("该券已作废"))
    if voucher.status == VoucherStatus.EXPIRED or localdate(now) > voucher.use_by:
        raise VoucherExpired()
    if order.status not in USABLE:
        raise Conflict(gettext("服务完成后方可使用创新券"))
    assert order.customer_institution is not None
    checks.check_not_related(order.customer_institution, order.provider, {voucher.scheme_id})
    checks.check_service_covered(voucher.scheme, order)


def _share(order: Order, voucher: Voucher, path: checks.Route) -> tuple[Decimal, Decimal]:
    """What this voucher covers now, and what earlier uses covered. Read under the order's lock."""
    if RedemptionClaim.objects.filter(order=order).exists():
        raise AlreadyClaimed(gettext("该订单已申请兑付"))
    earlier = VoucherUse.objects.filter(order=order)
    if earlier.exclude(payer=path.payer, mode=path.mode).exists():
        raise Conflict(gettext("该订单已由其他券种支付"))
    already = earlier.aggregate(total=Sum("amount"))["total"] or ZERO
    share = yuan(voucher.scheme.subsidy_ratio * order.amount) - already
    if path.mode == RedemptionMode.TONGDUI and order.status == OrderStatus.CHARGED:
        share = min(share, order_payable(order))  # never beyond what the customer still owes
    if share <= 0:
        raise Conflict(gettext("该订单的补贴部分已由创新券支付"))
    if voucher.balance <= 0:
        raise VoucherExhausted()
    return min(share, voucher.balance), already


def _spend(voucher: Voucher, covered: Decimal) -> None:
    # Conditional, so even a caller that skipped the row lock cannot overspend the balance.
    won = Voucher.objects.filter(pk=voucher.pk, balance__gte=covered).update(balance=F("balance") - covered)
    if not won:
        raise VoucherExhausted()
    Voucher.objects.filter(pk=voucher.pk, balance=0).update(status=VoucherStatus.SPENT)


def _book(
    order: Order, voucher: Voucher, path: checks.Route, covered: Decimal, actor: Actor, now: dt.datetime
) -> None:
    """The money moves: out of the voucher's reservation, into the paying scheme's spending."""
    issuer = voucher.scheme
    if path.payer.pk == issuer.pk:
        VoucherScheme.objects.filter(pk=issuer.pk).update(
            reserved=F("reserved") - covered, spent=F("spent") + covered
        )
        entry(VoucherEntryKind.APPLY, issuer, covered, actor, now, voucher=voucher, order=order)
    else:
        # Another scheme pays under the recognition: the issuer's reservation is released, and the payer
        # reserves and spends the same amount at once — within its own budget, or the whole use fails.
        VoucherScheme.objects.filter(pk=issuer.pk).update(reserved=F("reserved") - covered)
        entry(VoucherEntryKind.RELEASE, issuer, covered, actor, now, voucher=voucher, order=order)
        won = VoucherScheme.objects.filter(
            pk=path.payer.pk, budget__gte=F("reserved") + F("spent") + covered
        ).update(spent=F("spent") + covered)
        if not won:
            raise BudgetExhausted(gettext("付款券种 %(code)s 预算不足") % {"code": path.payer.code})
        entry(VoucherEntryKind.RESERVE, path.payer, covered, actor, now, voucher=voucher, order=order)
        entry(VoucherEntryKind.APPLY, path.payer, covered, actor, now, voucher=voucher, order=order)
    VoucherUse.objects.create(
        voucher=voucher,
        order=order,
        payer=path.payer,
        mode=path.mode,
        amount=covered,
        created=now,
        actor=user_of(actor),
    )
    if path.mode == RedemptionMode.TONGDUI:
        LedgerEntry.objects.create(
            order=order,
            kind=EntryKind.VOUCHER,
            amount=-covered,
            created=now,
            actor=user_of(actor),
            note=f"创新券 {voucher.number} 抵扣 (paid by innovation voucher)",
        )
    audit.record(
        "voucher.apply",
        voucher,
        actor=user_of(actor),
        after={"order": order.pk, "covered": str(covered), "payer": path.payer.code, "mode": path.mode},
        institution_id=voucher.company_id,
        now=now,
    )
