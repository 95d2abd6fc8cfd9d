"""Voucher writes: schemes, applications, approval (reserving budget) and applying vouchers to orders.

Lock order, the same in every service so parallel approvals and redemptions cannot deadlock: the voucher
row (when there is one), then the scheme row, then the application row.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Sum

from dayi.accounts.access import Actor, acts_for_scheme, administers_institution, check_institution_admin
from dayi.core import audit
from dayi.core.errors import Conflict, Forbidden, NotFound, RuleViolation, ValidationFailed
from dayi.core.money import yuan
from dayi.network.models import Institution
from dayi.orders.models import Order, OrderStatus
from dayi.vouchers.errors import BudgetExhausted, CapExceeded, VoucherExhausted, VoucherExpired
from dayi.vouchers.models import (
    ApplicationStatus,
    ListingStatus,
    Voucher,
    VoucherApplication,
    VoucherEntryKind,
    VoucherLedgerEntry,
    VoucherListing,
    VoucherScheme,
    VoucherStatus,
)

ZERO = Decimal("0.00")
NOTICE_PERIOD = dt.timedelta(days=7)


def _user(actor: Actor) -> Any:
    return actor.user if actor.is_authenticated else None


# --- schemes ---------------------------------------------------------------------------------------------


def create_scheme(actor: Actor, data: dict[str, Any], *, now: dt.datetime) -> VoucherScheme:
    """A new scheme, by a superuser or a platform admin over the funding institution."""
    funder_id = data["funder"]
    if not (actor.is_superuser or funder_id in actor.platform_institutions):
        raise Forbidden("只有资助单位所在平台的管理员可以设立券种 (only the funder's platform admins may)")
    if not Institution.objects.filter(pk=funder_id).exists():
        raise ValidationFailed("资助单位不存在 (no such funder)", fields={"funder": ["not found"]})
    _check_scheme_fields(data)
    if VoucherScheme.objects.filter(code=data["code"]).exists():
        raise Conflict("券种代码已存在 (the scheme code is taken)", code="duplicate")
    with transaction.atomic():
        scheme = VoucherScheme.objects.create(
            code=data["code"],
            name=data["name"],
            funder_id=funder_id,
            region_id=data["region"],
            budget=yuan(data["budget"]),
            subsidy_ratio=Decimal(data["subsidy_ratio"]),
            cap_per_company=yuan(data["cap_per_company"]),
            period_start=data["period_start"],
            period_end=data["period_end"],
            use_days=data.get("use_days", 365),
            redemption_days=data.get("redemption_days", 90),
            eligible_regions=list(data.get("eligible_regions") or []),
            sme_only=bool(data.get("sme_only", False)),
            created=now,
        )
        audit.record(
            "voucher_scheme.create", scheme, actor=_user(actor), after=audit.snapshot(scheme), now=now
        )
    return scheme


def _check_scheme_fields(data: dict[str, Any]) -> None:
    fields: dict[str, list[str]] = {}
    if not Decimal(0) < Decimal(data["subsidy_ratio"]) <= 1:
        fields["subsidy_ratio"] = ["must be in (0, 1]"]
    if Decimal(data["budget"]) < 0:
        fields["budget"] = ["must not be negative"]
    if Decimal(data["cap_per_company"]) <= 0:
        fields["cap_per_company"] = ["must be positive"]
    if data["period_end"] < data["period_start"]:
        fields["period_end"] = ["must not be before period_start"]
    if fields:
        raise ValidationFailed("券种参数无效 (invalid scheme)", fields=fields)


def get_scheme(code: str) -> VoucherScheme:
    try:
        return VoucherScheme.objects.get(code=code)
    except VoucherScheme.DoesNotExist:
        raise NotFound("券种不存在 (no such scheme)") from None


def check_officer(actor: Actor, scheme: VoucherScheme) -> None:
    if not acts_for_scheme(actor, scheme.code):
        raise Forbidden("只有该券种的经办人员可以这样做 (only the scheme's voucher officers may do this)")


# --- provider listings ----------------------------------------------------------------------------------


def request_listing(actor: Actor, scheme_code: str, provider_id: int, *, now: dt.datetime) -> VoucherListing:
    """A provider's admin asks to be listed; the request is public for the notice period."""
    check_institution_admin(actor, provider_id)
    scheme = get_scheme(scheme_code)
    if VoucherListing.objects.filter(scheme=scheme, provider_id=provider_id).exists():
        raise Conflict("已申请入库 (the provider has already applied)", code="duplicate")
    with transaction.atomic():
        listing = VoucherListing.objects.create(
            scheme=scheme, provider_id=provider_id, notice_until=now + NOTICE_PERIOD, created=now
        )
        audit.record(
            "voucher_listing.request", listing, actor=_user(actor), institution_id=provider_id, now=now
        )
    return listing


def approve_listing(actor: Actor, scheme_code: str, listing_id: int, *, now: dt.datetime) -> VoucherListing:
    scheme = get_scheme(scheme_code)
    check_officer(actor, scheme)
    with transaction.atomic():
        listing = VoucherListing.objects.select_for_update().filter(pk=listing_id, scheme=scheme).first()
        if listing is None:
            raise NotFound("入库申请不存在 (no such listing)")
        if listing.status != ListingStatus.PENDING:
            raise Conflict("该入库申请已处理 (the listing was already decided)")
        if now < listing.notice_until:
            raise Conflict(
                "公示期未满 (the public notice period has not ended)", notice_until=listing.notice_until
            )
        listing.status = ListingStatus.APPROVED
        listing.save(update_fields=["status"])
        audit.record(
            "voucher_listing.approve",
            listing,
            actor=_user(actor),
            institution_id=listing.provider_id,
            now=now,
        )
    return listing


def _check_listed(scheme: VoucherScheme, provider_id: int) -> None:
    if not VoucherListing.objects.filter(
        scheme=scheme, provider_id=provider_id, status=ListingStatus.APPROVED
    ).exists():
        raise RuleViolation(
            "provider_not_listed", "该服务机构未列入本券种 (the provider is not listed for the scheme)"
        )


# --- applications ----------------------------------------------------------------------------------------


def _in_region(region_code: str, eligible: list[str]) -> bool:
    # GB/T 2260 codes nest by prefix once the trailing zeros of the wider region are dropped.
    return not eligible or any(region_code.startswith(code.rstrip("0") or code) for code in eligible)


def eligibility_problem(scheme: VoucherScheme, company: Institution) -> str:
    """Why the company may not apply to the scheme, or "" when it may."""
    if not _in_region(company.region_id, scheme.eligible_regions):
        return f"企业所在地区 {company.region_id} 不在该券种范围内 (the company's region is not eligible)"
    if scheme.sme_only and not company.is_sme:
        return "该券种仅限中小企业 (the scheme is for SMEs only)"
    return ""


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
    if not (administers_institution(actor, company_id) or actor.institution_id == company_id):
        raise Forbidden("只有该企业的成员或管理员可以申请 (only the company's members or admins may apply)")
    scheme = get_scheme(scheme_code)
    company = Institution.objects.get(pk=company_id)
    amount = yuan(amount)
    if amount <= 0:
        raise ValidationFailed(
            "金额必须为正 (amount must be positive)", fields={"amount": ["must be positive"]}
        )
    problem = eligibility_problem(scheme, company)
    if problem:
        raise RuleViolation("not_eligible_company", problem)
    if not scheme.period_start <= now.date() <= scheme.period_end:
        raise RuleViolation("not_eligible_company", "不在券种受理期内 (outside the scheme's period)")
    with transaction.atomic():
        application = VoucherApplication.objects.create(
            scheme=scheme,
            company=company,
            amount=amount,
            purpose=purpose,
            provider_id=provider_id,
            status=ApplicationStatus.SUBMITTED,
            applicant=_user(actor),
            created=now,
        )
        audit.record(
            "voucher_application.submit",
            application,
            actor=_user(actor),
            after=audit.snapshot(application),
            institution_id=company_id,
            now=now,
        )
    return application


def _locked_application(application_id: int) -> VoucherApplication:
    try:
        return VoucherApplication.objects.select_for_update().get(pk=application_id)
    except VoucherApplication.DoesNotExist:
        raise NotFound("申请不存在 (no such application)") from None


def _scheme_of(application_id: int) -> VoucherScheme:
    try:
        return VoucherApplication.objects.select_related("scheme").get(pk=application_id).scheme
    except VoucherApplication.DoesNotExist:
        raise NotFound("申请不存在 (no such application)") from None


def approve_application(actor: Actor, application_id: int, *, now: dt.datetime) -> Voucher:
    """Issue the voucher and reserve its amount, never beyond the budget or the company's cap."""
    scheme = _scheme_of(application_id)
    check_officer(actor, scheme)
    with transaction.atomic():
        # The scheme row lock serialises approvals of one scheme: the cap sum below cannot go stale.
        scheme = VoucherScheme.objects.select_for_update().get(pk=scheme.pk)
        application = _locked_application(application_id)
        if application.status != ApplicationStatus.SUBMITTED:
            raise Conflict("该申请已处理 (the application was already decided)")
        _check_cap(scheme, application)
        _reserve(scheme, application.amount)
        voucher = _issue(scheme, application, now=now)
        application.status = ApplicationStatus.APPROVED
        application.save(update_fields=["status"])
        _entry(VoucherEntryKind.RESERVE, scheme, application.amount, actor, now, voucher=voucher)
        audit.record(
            "voucher_application.approve",
            application,
            actor=_user(actor),
            after={"voucher": voucher.number},
            institution_id=application.company_id,
            now=now,
        )
    return voucher


def _check_cap(scheme: VoucherScheme, application: VoucherApplication) -> None:
    approved = (
        Voucher.objects.filter(scheme=scheme, company_id=application.company_id).aggregate(
            total=Sum("amount")
        )["total"]
        or ZERO
    )
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
    use_by = now.date() + dt.timedelta(days=scheme.use_days)
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
        raise ValidationFailed("请说明理由 (give a reason)", fields={"reason": ["required"]})
    with transaction.atomic():
        application = _locked_application(application_id)
        if application.status != ApplicationStatus.SUBMITTED:
            raise Conflict("该申请已处理 (the application was already decided)")
        application.status = ApplicationStatus.REJECTED
        application.reason = reason
        application.save(update_fields=["status", "reason"])
        audit.record(
            "voucher_application.reject",
            application,
            actor=_user(actor),
            reason=reason,
            institution_id=application.company_id,
            now=now,
        )
    return application


# --- vouchers on orders ----------------------------------------------------------------------------------


def get_voucher(actor: Actor, number: str) -> Voucher:
    voucher = Voucher.objects.select_related("scheme").filter(number=number).first()
    if voucher is None:
        raise NotFound("创新券不存在 (no such voucher)")
    if not (
        acts_for_scheme(actor, voucher.scheme.code)
        or administers_institution(actor, voucher.company_id)
        or actor.institution_id == voucher.company_id
    ):
        raise NotFound("创新券不存在 (no such voucher)")  # not 403: a number says nothing to others
    return voucher


_NOT_PAYABLE = {OrderStatus.REJECTED, OrderStatus.CANCELLED, OrderStatus.SETTLED}


def apply_voucher_to_order(
    actor: Actor, order_id: int, number: str, *, now: dt.datetime
) -> dict[str, Decimal]:
    """The voucher covers min(ratio × order amount, balance); the company pays the rest."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        raise NotFound("订单不存在 (no such order)")
    voucher = get_voucher(actor, number)
    if not (
        order.customer_id == getattr(actor.user, "pk", None)
        or administers_institution(actor, voucher.company_id)
    ):
        raise Forbidden("只有订单的客户可以使用创新券 (only the order's customer may apply a voucher)")
    if order.customer_institution_id != voucher.company_id:
        raise RuleViolation("not_eligible_company", "订单不属于该券的企业 (the order is not the company's)")
    if order.status in _NOT_PAYABLE:
        raise Conflict("该订单状态不可使用创新券 (the order's state forbids a voucher)")
    _check_listed(voucher.scheme, order.provider_id)
    with transaction.atomic():
        # Lock order: the order (so two vouchers on one order cannot both take its share), then the voucher.
        order = Order.objects.select_for_update().get(pk=order.pk)
        voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
        if now.date() > voucher.use_by:
            raise VoucherExpired()
        already = _covered(order)
        share = yuan(voucher.scheme.subsidy_ratio * order.amount) - already
        if share <= 0:
            raise Conflict("该订单的补贴部分已由创新券支付 (the order's subsidised share is already covered)")
        if voucher.balance <= 0:
            raise VoucherExhausted()
        covered = min(share, voucher.balance)
        _spend(voucher, covered)
        _entry(VoucherEntryKind.APPLY, voucher.scheme, covered, actor, now, voucher=voucher, order=order)
        audit.record(
            "voucher.apply",
            voucher,
            actor=_user(actor),
            after={"order": order.pk, "covered": str(covered)},
            institution_id=voucher.company_id,
            now=now,
        )
    return {"covered": covered, "payable": yuan(order.amount - already - covered)}


def _covered(order: Order) -> Decimal:
    entries = VoucherLedgerEntry.objects.filter(order=order, kind=VoucherEntryKind.APPLY)
    return entries.aggregate(total=Sum("amount"))["total"] or ZERO


def _spend(voucher: Voucher, covered: Decimal) -> None:
    # Conditional, so even a caller that skipped the row lock cannot overspend the balance.
    won = Voucher.objects.filter(pk=voucher.pk, balance__gte=covered).update(balance=F("balance") - covered)
    if not won:
        raise VoucherExhausted()
    Voucher.objects.filter(pk=voucher.pk, balance=0).update(status=VoucherStatus.SPENT)
    VoucherScheme.objects.filter(pk=voucher.scheme_id).update(
        reserved=F("reserved") - covered, spent=F("spent") + covered
    )


def _entry(
    kind: str,
    scheme: VoucherScheme,
    amount: Decimal,
    actor: Actor,
    now: dt.datetime,
    *,
    voucher: Voucher | None = None,
    order: Order | None = None,
) -> VoucherLedgerEntry:
    return VoucherLedgerEntry.objects.create(
        kind=kind, scheme=scheme, voucher=voucher, order=order, amount=amount, created=now, actor=_user(actor)
    )
