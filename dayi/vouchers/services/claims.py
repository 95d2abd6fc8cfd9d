"""Redemption: after a voucher-paid order is completed and charged, the provider (通兑) or the company
(通用) claims what the vouchers covered from the scheme that pays; its officer settles the claim (one by
one or a month at once) or rejects it with a reason, which hands the amount back to the company."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Min, Sum
from django.utils.timezone import localdate
from django.utils.translation import gettext

from dayi.accounts.access import Actor
from dayi.accounts.access.vouchers import (
    access_voucher_order,
    check_officer,
    claims_for_company,
    claims_for_provider,
)
from dayi.core import audit
from dayi.core.errors import Conflict, Forbidden, NotFound, RuleViolation, ValidationFailed
from dayi.core.models import AuditEvent
from dayi.orders.models import EntryKind, LedgerEntry, Order, OrderStatus
from dayi.vouchers.errors import AlreadyClaimed
from dayi.vouchers.models import (
    ClaimStatus,
    RedemptionClaim,
    RedemptionMode,
    VoucherEntryKind,
    VoucherScheme,
    VoucherUse,
)
from dayi.vouchers.services import checks
from dayi.vouchers.services.common import entry, get_scheme, user_of

CLAIMABLE = (OrderStatus.CHARGED, OrderStatus.SETTLED)


def claim_redemption(actor: Actor, order_id: int, *, now: dt.datetime) -> RedemptionClaim:
    """Claim what vouchers paid on a completed, charged order — once, before the redemption deadline, with
    evidence that the service happened, and never between related parties."""
    order = access_voucher_order(actor, order_id)  # first: an outsider learns nothing of the order
    uses = VoucherUse.objects.filter(order=order)
    first = uses.select_related("payer").first()
    if first is None:
        raise Conflict(gettext("该订单未使用创新券"))
    claimant_id = _check_claimant(actor, order, first.mode)
    if order.status not in CLAIMABLE:
        raise Conflict(gettext("订单完成并计费后方可申请兑付"))
    deadline = uses.aggregate(d=Min("voucher__redeem_by"))["d"]
    if deadline is not None and localdate(now) > deadline:
        raise RuleViolation(
            "deadline_passed", gettext("兑付截止日期 %(deadline)s 已过") % {"deadline": deadline}
        )
    assert order.customer_institution is not None
    schemes = set(uses.values_list("voucher__scheme_id", flat=True))
    checks.check_not_related(order.customer_institution, order.provider, schemes)
    evidence = checks.evidence_for(order)
    with transaction.atomic():
        Order.objects.select_for_update().get(pk=order.pk)  # claims of one order queue here
        checks.check_not_claimed(order)
        amount = uses.aggregate(total=Sum("amount"))["total"]
        try:
            with transaction.atomic():
                claim = RedemptionClaim.objects.create(
                    order=order,
                    scheme=first.payer,
                    claimant_id=claimant_id,
                    mode=first.mode,
                    amount=amount,
                    evidence=evidence,
                    notes=checks.notes_for(order, payer=first.payer, completed_at=_completed_at(order)),
                    created=now,
                    actor=user_of(actor),
                )
        except IntegrityError:  # the unique order: a parallel claim committed first
            raise AlreadyClaimed(gettext("该订单已申请兑付")) from None
        entry(VoucherEntryKind.CLAIM, first.payer, claim.amount, actor, now, order=order, claim=claim)
        audit.record(
            "redemption_claim.submit",
            claim,
            actor=user_of(actor),
            after=audit.snapshot(claim),
            institution_id=claimant_id,
            now=now,
        )
    return claim


def _check_claimant(actor: Actor, order: Order, mode: str) -> int:
    """通兑: the provider's managers claim; 通用: the company (its members or admins)."""
    if mode == RedemptionMode.TONGYONG:
        company = order.customer_institution_id
        assert company is not None
        if not claims_for_company(actor, order):
            raise Forbidden(gettext("通用模式由企业申请兑付"))
        return company
    if not claims_for_provider(actor, order):
        raise Forbidden(gettext("通兑模式由服务机构申请兑付"))
    return order.provider_id


def _completed_at(order: Order) -> dt.datetime | None:
    return (
        AuditEvent.objects.filter(object_type="order", object_id=str(order.pk), action="order.complete")
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )


def _locked_claim(actor: Actor, claim_id: int) -> RedemptionClaim:
    claim = RedemptionClaim.objects.select_related("scheme").filter(pk=claim_id).first()
    if claim is None:
        raise NotFound(gettext("兑付申请不存在"))
    check_officer(actor, claim.scheme)
    locked = RedemptionClaim.objects.select_for_update().select_related("scheme").get(pk=claim_id)
    if locked.status != ClaimStatus.SUBMITTED:
        raise Conflict(gettext("该兑付申请已处理"))
    return locked


def settle_claim(actor: Actor, claim_id: int, *, now: dt.datetime) -> RedemptionClaim:
    """Pay a claim: the scheme's settled total grows, never beyond what it spent (a database check)."""
    with transaction.atomic():
        claim = _locked_claim(actor, claim_id)
        _settle(claim, actor, now)
    return claim


def _settle(claim: RedemptionClaim, actor: Actor, now: dt.datetime) -> None:
    won = VoucherScheme.objects.filter(pk=claim.scheme_id, spent__gte=F("settled") + claim.amount).update(
        settled=F("settled") + claim.amount
    )
    if not won:  # cannot happen while the ledger reconciles; refuse rather than pay what was not spent
        raise Conflict(gettext("结算金额超过已使用金额"))
    RedemptionClaim.objects.filter(pk=claim.pk).update(status=ClaimStatus.SETTLED, decided=now)
    claim.refresh_from_db()
    entry(VoucherEntryKind.SETTLE, claim.scheme, claim.amount, actor, now, order=claim.order, claim=claim)
    audit.record(
        "redemption_claim.settle", claim, actor=user_of(actor), institution_id=claim.claimant_id, now=now
    )


def settle_month(actor: Actor, scheme_code: str, *, month: dt.date, now: dt.datetime) -> dict[str, object]:
    """The monthly batch: every submitted claim of the scheme made in ``month`` (in the site's time zone,
    Asia/Shanghai: ``__date`` converts to it), settled in
    one transaction — all or none. Claims are locked in id order, as single settlements lock them."""
    scheme = get_scheme(scheme_code)
    check_officer(actor, scheme)
    first = month.replace(day=1)
    after = (first + dt.timedelta(days=32)).replace(day=1)
    with transaction.atomic():
        ids = list(
            RedemptionClaim.objects.filter(
                scheme=scheme, status=ClaimStatus.SUBMITTED, created__date__gte=first, created__date__lt=after
            )
            .order_by("pk")
            .select_for_update()
            .values_list("pk", flat=True)
        )
        total = Decimal("0.00")
        for pk in ids:
            claim = RedemptionClaim.objects.select_related("scheme", "order").get(pk=pk)
            _settle(claim, actor, now)
            total += claim.amount
    return {"settled": len(ids), "total": total}


def reject_claim(actor: Actor, claim_id: int, *, reason: str, now: dt.datetime) -> RedemptionClaim:
    """Refuse a claim with the reason. The amount returns to the scheme's budget and to the company's
    liability: in 通兑 the company now owes the provider that part (a ledger entry on the order); in 通用
    the company paid in full already and is simply not reimbursed."""
    if not reason.strip():
        raise ValidationFailed(
            gettext("驳回兑付申请须说明理由"),
            fields={"reason": [gettext("请说明驳回理由")]},
        )
    with transaction.atomic():
        claim = _locked_claim(actor, claim_id)
        won = VoucherScheme.objects.filter(pk=claim.scheme_id, spent__gte=F("settled") + claim.amount).update(
            spent=F("spent") - claim.amount
        )
        if not won:
            raise Conflict(gettext("驳回金额超过可退回金额"))
        RedemptionClaim.objects.filter(pk=claim.pk).update(
            status=ClaimStatus.REJECTED, reason=reason.strip(), decided=now
        )
        claim.refresh_from_db()
        entry(VoucherEntryKind.REJECT, claim.scheme, claim.amount, actor, now, order=claim.order, claim=claim)
        if claim.mode == RedemptionMode.TONGDUI:
            LedgerEntry.objects.create(
                order=claim.order,
                kind=EntryKind.VOUCHER,
                amount=claim.amount,
                created=now,
                actor=user_of(actor),
                note=f"创新券兑付被驳回，由客户承担 (voucher claim rejected: {reason.strip()})",
            )
        audit.record(
            "redemption_claim.reject",
            claim,
            actor=user_of(actor),
            reason=claim.reason,
            institution_id=claim.claimant_id,
            now=now,
        )
    return claim
