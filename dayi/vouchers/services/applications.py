"""A voucher's life before and after its uses: application, approval (reserving budget under the cap),
rejection, expiry and cancellation (both give the unspent balance back to the budget)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.utils.timezone import localdate
from django.utils.translation import gettext

from dayi.accounts.access import Actor
from dayi.accounts.access.vouchers import acts_for_company, check_officer
from dayi.core import audit
from dayi.core.errors import Conflict, Forbidden, NotFound, RuleViolation, ValidationFailed
from dayi.core.money import yuan
from dayi.network.models import Institution
from dayi.vouchers.errors import BudgetExhausted, CapExceeded
from dayi.vouchers.models import (
    ApplicationStatus,
    Voucher,
    VoucherApplication,
    VoucherEntryKind,
    VoucherScheme,
    VoucherStatus,
)
from dayi.vouchers.services.checks import eligibility_problem
from dayi.vouchers.services.common import ZERO, entry, get_scheme, user_of

EXPIRY_BATCH = 500


def apply_for_voucher(
    actor: Actor,
    *,
    scheme_code: str,
    company_id: int,
    amount: Decimal,
    purpose: str,
    provider_id: int | None = None,
    now: dt.datetime,
) -> VoucherApplication:
    """A company asks for a voucher; eligibility is checked at once."""
    if not acts_for_company(actor, company_id):
        raise Forbidden(gettext("只有该企业的成员或管理员可以申请"))
    scheme = get_scheme(scheme_code)
    company = Institution.objects.filter(pk=company_id).first()
    if company is None:
        raise ValidationFailed(fields={"company": [gettext("单位不存在")]})
    if provider_id is not None and not Institution.objects.filter(pk=provider_id).exists():
        raise ValidationFailed(fields={"provider": [gettext("服务机构不存在")]})
    amount = yuan(amount)
    if amount <= 0:
        raise ValidationFailed(gettext("金额必须为正"), fields={"amount": ["must be positive"]})
    if not purpose.strip():
        raise ValidationFailed(fields={"purpose": [gettext("请说明用途")]})
    problem = eligibility_problem(scheme, company, today=localdate(now))
    if problem:
        raise RuleViolation("not_eligible_company", problem)
    with transaction.atomic():
        application = VoucherApplication.objects.create(
            scheme=scheme,
            company=company,
            amount=amount,
            purpose=purpose.strip(),
            provider_id=provider_id,
            status=ApplicationStatus.SUBMITTED,
            applicant=user_of(actor),
            created=now,
        )
        audit.record(
            "voucher_application.submit",
            application,
            actor=user_of(actor),
            after=audit.snapshot(application),
            institution_id=company_id,
            now=now,
        )
    return application


def _locked_application(application_id: int) -> VoucherApplication:
    try:
        return VoucherApplication.objects.select_for_update().get(pk=application_id)
    except VoucherApplication.DoesNotExist:
        raise NotFound(gettext("申请不存在")) from None


def _scheme_of(application_id: int) -> VoucherScheme:
    try:
        return VoucherApplication.objects.select_related("scheme").get(pk=application_id).scheme
    except VoucherApplication.DoesNotExist:
        raise NotFound(gettext("申请不存在")) from None


def approve_application(actor: Actor, application_id: int, *, now: dt.datetime) -> Voucher:
    """Issue the voucher and reserve its amount, never beyond the budget or the company's cap."""
    scheme = _scheme_of(application_id)
    check_officer(actor, scheme)
    with transaction.atomic():
        # The scheme row lock serialises approvals of one scheme: the cap sum below cannot go stale.
        scheme = VoucherScheme.objects.select_for_update().get(pk=scheme.pk)
        application = _locked_application(application_id)
        if application.status != ApplicationStatus.SUBMITTED:
            raise Conflict(gettext("该申请已处理"))
        _check_cap(scheme, application)
        _reserve(scheme, application.amount)
        voucher = _issue(scheme, application, now=now)
        application.status = ApplicationStatus.APPROVED
        application.save(update_fields=["status"])
        entry(VoucherEntryKind.RESERVE, scheme, application.amount, actor, now, voucher=voucher)
        audit.record(
            "voucher_application.approve",
            application,
            actor=user_of(actor),
            after={"voucher": voucher.number},
            institution_id=application.company_id,
            now=now,
        )
    return voucher


def _check_cap(scheme: VoucherScheme, application: VoucherApplication) -> None:
    """A company's vouchers of one scheme (its period is the year) stay within the cap. A cancelled or
    expired voucher counts only for what it paid: its unspent balance went back to the budget."""
    totals = Voucher.objects.filter(scheme=scheme, company_id=application.company_id).aggregate(
        issued=Sum("amount"), returned=Sum("returned")
    )
    approved = (totals["issued"] or ZERO) - (totals["returned"] or ZERO)
    if approved + application.amount > scheme.cap_per_company:
        raise CapExceeded(
            f"该企业已获批 {approved} 元，上限 {scheme.cap_per_company} 元 "
            "(the company's cap would be exceeded)"
        )


def _reserve(scheme: VoucherScheme, amount: Decimal) -> None:
    won = VoucherScheme.objects.filter(pk=scheme.pk, budget__gte=F("reserved") + F("spent") + amount).update(
        reserved=F("reserved") + amount
    )
    if not won:
        raise BudgetExhausted()


def _issue(scheme: VoucherScheme, application: VoucherApplication, *, now: dt.datetime) -> Voucher:
    use_by = localdate(now) + dt.timedelta(days=scheme.use_days)
    return Voucher.objects.create(
        number=f"{scheme.code.upper()}-{application.pk:08d}",
        scheme=scheme,
        company_id=application.company_id,
        application=application,
        amount=application.amount,
        balance=application.amount,
        use_by=use_by,
        redeem_by=use_by + dt.timedelta(days=scheme.redemption_days),
        created=now,
    )


def reject_application(
    actor: Actor, application_id: int, *, reason: str, now: dt.datetime
) -> VoucherApplication:
    scheme = _scheme_of(application_id)
    check_officer(actor, scheme)
    if not reason.strip():
        raise ValidationFailed(
            gettext("驳回申请须说明理由"),
            fields={"reason": [gettext("请说明理由")]},
        )
    with transaction.atomic():
        application = _locked_application(application_id)
        if application.status != ApplicationStatus.SUBMITTED:
            raise Conflict(gettext("该申请已处理"))
        application.status = ApplicationStatus.REJECTED
        application.reason = reason
        application.save(update_fields=["status", "reason"])
        audit.record(
            "voucher_application.reject",
            application,
            actor=user_of(actor),
            reason=reason,
            institution_id=application.company_id,
            now=now,
        )
    return application


# --- the end of a voucher --------------------------------------------------------------------------------


def _close(voucher_id: int, status: str, actor: Actor, now: dt.datetime, reason: str) -> Voucher | None:
    """Give an active voucher's balance back to its scheme and close it; None when it was not active (a
    use or another closing won the row first)."""
    voucher = Voucher.objects.select_for_update().select_related("scheme").get(pk=voucher_id)
    if voucher.status not in (VoucherStatus.ACTIVE, VoucherStatus.SPENT):
        return None
    unspent = voucher.balance
    Voucher.objects.filter(pk=voucher.pk).update(status=status, balance=0, returned=unspent, reason=reason)
    if unspent > 0:
        VoucherScheme.objects.filter(pk=voucher.scheme_id).update(reserved=F("reserved") - unspent)
        entry(VoucherEntryKind.RELEASE, voucher.scheme, unspent, actor, now, voucher=voucher)
    voucher.refresh_from_db()
    return voucher


def cancel_voucher(actor: Actor, number: str, *, reason: str, now: dt.datetime) -> Voucher:
    """Collusion or fraud cancels a voucher (DOMAIN.md): its unspent balance returns to the budget. What it
    already paid stays paid or is refused claim by claim."""
    voucher = Voucher.objects.select_related("scheme").filter(number=number).first()
    if voucher is None:
        raise NotFound(gettext("创新券不存在"))
    check_officer(actor, voucher.scheme)
    if not reason.strip():
        raise ValidationFailed(
            gettext("作废创新券须说明理由"),
            fields={"reason": [gettext("请说明作废理由")]},
        )
    with transaction.atomic():
        closed = _close(voucher.pk, VoucherStatus.CANCELLED, actor, now, reason.strip())
        if closed is None:
            raise Conflict(gettext("该券已作废或过期"))
        audit.record(
            "voucher.cancel",
            closed,
            actor=user_of(actor),
            reason=reason,
            institution_id=closed.company_id,
            now=now,
        )
    return closed


def expire_vouchers(actor: Actor, *, now: dt.datetime, limit: int = EXPIRY_BATCH) -> int:
    """Close the active vouchers past their use-by date and release their balances; how many expired.
    Each in its own transaction, so a sweep that fails half-way leaves every voucher whole."""
    due = list(
        Voucher.objects.filter(status=VoucherStatus.ACTIVE, use_by__lt=localdate(now))
        .order_by("use_by", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    expired = 0
    for pk in due:
        with transaction.atomic():
            voucher = _close(pk, VoucherStatus.EXPIRED, actor, now, "")
            if voucher is not None:
                audit.record(
                    "voucher.expire",
                    voucher,
                    actor=user_of(actor),
                    institution_id=voucher.company_id,
                    now=now,
                )
                expired += 1
    return expired
