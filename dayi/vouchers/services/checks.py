"""The rules a voucher must pass: eligible company, eligible provider (directly or through a recognition),
covered service, no related parties, evidence of a real service, and no double claim. Each refusal is a
domain error with the rule's stable code; ``notes_for`` lists the unusual patterns an officer should see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from dayi.booking.models import UsageRecord, UsageSource
from dayi.core.errors import RuleViolation
from dayi.core.models import AuditEvent
from dayi.network.models import Institution, Membership
from dayi.orders.models import Order, OrderKind
from dayi.vouchers.errors import AlreadyClaimed
from dayi.vouchers.models import (
    ListingStatus,
    ProviderRule,
    Recognition,
    RedemptionClaim,
    RedemptionMode,
    RelatedParties,
    Voucher,
    VoucherListing,
    VoucherScheme,
    VoucherUse,
)

# An order created and completed within this time is listed for the officer (a service takes longer).
QUICK_ORDER = dt.timedelta(minutes=10)
# A provider whose voucher income comes this much from its top three companies is listed for the officer.
CONCENTRATION = Decimal("0.80")
CONCENTRATION_MIN_USES = 5


def in_region(region_code: str, eligible: list[str]) -> bool:
    # GB/T 2260 codes nest by prefix once the trailing zeros of the wider region are dropped.
    return not eligible or any(region_code.startswith(code.rstrip("0") or code) for code in eligible)


# --- companies -------------------------------------------------------------------------------------------


def eligibility_problem(scheme: VoucherScheme, company: Institution, *, today: dt.date) -> str:
    """Why the company may not apply to the scheme, or "" when it may."""
    if not in_region(company.region_id, scheme.eligible_regions):
        return gettext("企业所在地区 %(region_id)s 不在该券种范围内") % {"region_id": company.region_id}
    if scheme.sme_only and not company.is_sme:
        return gettext("该券种仅限中小企业")
    if scheme.max_company_age_years is not None:
        if company.founded is None:
            return gettext("未登记企业成立日期")
        limit = today.replace(year=today.year - scheme.max_company_age_years)
        if company.founded < limit:
            return (
                f"企业成立超过 {scheme.max_company_age_years} 年 "
                "(the company is older than the scheme allows)"
            )
    if not scheme.period_start <= today <= scheme.period_end:
        return gettext("不在券种受理期内")
    return ""


# --- providers -------------------------------------------------------------------------------------------


def delisted(scheme: VoucherScheme, provider: Institution) -> bool:
    return VoucherListing.objects.filter(
        scheme=scheme, provider=provider, status=ListingStatus.DELISTED
    ).exists()


def provider_eligible(scheme: VoucherScheme, provider: Institution) -> bool:
    """May the scheme's vouchers pay this provider directly? Never once the scheme delisted it, whatever
    the rule (``schemes.delist_provider``)."""
    if delisted(scheme, provider):
        return False
    if scheme.provider_rule == ProviderRule.REGION:
        return in_region(provider.region_id, [scheme.region_id])
    if scheme.provider_rule == ProviderRule.PLATFORM:
        platform = scheme.provider_platform
        return (
            platform is not None
            and Membership.objects.filter(
                institution=provider, platform__path__startswith=platform.path
            ).exists()
        )
    return VoucherListing.objects.filter(
        scheme=scheme, provider=provider, status=ListingStatus.APPROVED
    ).exists()


@dataclass(frozen=True)
class Route:
    """How a voucher pays a provider: from which scheme's budget, and whom the scheme pays."""

    payer: VoucherScheme
    mode: str
    recognition: Recognition | None = None


def route(scheme: VoucherScheme, provider: Institution) -> Route:
    """The scheme itself when the provider is eligible under it; else the first recognition (in code order of
    the accepted schemes) under which it is; else ``provider_not_listed``. A provider the issuing scheme
    delisted is not paid through a recognition either: the issuer barred it."""
    if provider_eligible(scheme, provider):
        return Route(payer=scheme, mode=scheme.mode)
    if delisted(scheme, provider):
        raise RuleViolation("provider_not_listed", _("该服务机构已被本券种移出"))
    for recognition in scheme.recognitions.select_related("accepts").order_by("accepts__code"):
        if provider_eligible(recognition.accepts, provider):
            payer = scheme if recognition.payer == "issuer" else recognition.accepts
            return Route(payer=payer, mode=recognition.mode, recognition=recognition)
    raise RuleViolation(
        "provider_not_listed",
        "该服务机构未列入本券种，也不在互认券种内 "
        "(the provider is not listed for the scheme or for a scheme it recognises)",
    )


# --- services --------------------------------------------------------------------------------------------


def check_service_covered(scheme: VoucherScheme, order: Order) -> None:
    if scheme.modes and order.mode not in scheme.modes:
        raise RuleViolation(
            "service_not_covered", gettext("该券种不支持 %(mode)s 服务方式") % {"mode": order.mode}
        )
    category = order.instrument.category_id
    if scheme.categories and not any(category.startswith(code) for code in scheme.categories):
        raise RuleViolation(
            "service_not_covered", gettext("该券种不支持 %(category)s 类仪器") % {"category": category}
        )


# --- related parties -------------------------------------------------------------------------------------


def credit_code_root(code: str) -> str:
    """The organisation code inside a unified social credit code (GB 32100: characters 9–17), which stays
    with a legal entity's family of registrations."""
    return code[8:17] if len(code) == 18 else code


def related_problem(company: Institution, provider: Institution, scheme_ids: set[int]) -> str:
    """Why ``company`` and ``provider`` may not pass a voucher of these schemes between them, or "".

    Declared related parties count when declared for one of ``scheme_ids`` or for every scheme (by a
    party's own admin); another scheme's declaration is that scheme's business."""
    if company.pk == provider.pk:
        return gettext("服务机构与企业为同一法人")
    if credit_code_root(company.credit_code) == credit_code_root(provider.credit_code):
        return gettext("双方统一社会信用代码主体标识相同")
    first, second = sorted((company.pk, provider.pk))
    declared = (
        RelatedParties.objects.filter(first_id=first, second_id=second)
        .filter(Q(scheme__isnull=True) | Q(scheme_id__in=scheme_ids))
        .first()
    )
    if declared is not None:
        return gettext("双方已申报为关联方：%(reason)s") % {"reason": declared.reason}
    return ""


def check_not_related(company: Institution, provider: Institution, scheme_ids: set[int]) -> None:
    problem = related_problem(company, provider, scheme_ids)
    if problem:
        raise RuleViolation("related_parties", problem)


# --- evidence of a real service --------------------------------------------------------------------------


def evidence_for(order: Order) -> dict[str, object]:
    """What shows the service happened, or ``no_usage_evidence``.

    Instrument time: a current usage record of the order's booking that the provider's staff entered or
    closed (self-reported hours have been faked in bulk, DOMAIN.md) — a manual entry or correction by a
    manager, or a check-out done by someone other than the customer. A sample test: the result the
    managers recorded when they completed the order.
    """
    if order.kind == OrderKind.BOOKING:
        return _booking_evidence(order)
    completion = (
        AuditEvent.objects.filter(object_type="order", object_id=str(order.pk), action="order.complete")
        .exclude(reason="")
        .order_by("-at")
        .first()
    )
    if completion is None:
        raise RuleViolation("no_usage_evidence", gettext("订单没有检测结果记录"))
    return {"result": completion.reason, "recorded_by": completion.actor_id, "at": completion.at.isoformat()}


def _booking_evidence(order: Order) -> dict[str, object]:
    assert order.booking_id is not None
    records = list(UsageRecord.objects.filter(booking_id=order.booking_id, superseded=False))
    if not records:
        raise RuleViolation("no_usage_evidence", gettext("订单没有使用记录"))
    closed_by = set(
        AuditEvent.objects.filter(
            object_type="booking", object_id=str(order.booking_id), action="booking.check_out"
        ).values_list("actor_id", flat=True)
    )
    # Hours the customer typed in alone are no evidence: a record counts once someone other than the
    # customer vouched for it (a manager's own entry, or self-reported hours a manager confirmed). Records
    # from before confirmations existed (confirmed_by empty) fall back to who closed the session.
    others_closed = any(a is not None and a != order.customer_id for a in closed_by)
    trusted = [
        r
        for r in records
        if r.confirmed
        and (
            r.source != UsageSource.SELF
            or (r.confirmed_by_id is not None and r.confirmed_by_id != order.customer_id)
            or (r.confirmed_by_id is None and others_closed)
        )
    ]
    if not trusted:
        raise RuleViolation(
            "no_usage_evidence",
            gettext("使用记录仅由客户本人录入"),
        )
    return {"usage_records": [r.pk for r in trusted], "hours": str(sum(r.hours for r in trusted))}


# --- double claims ---------------------------------------------------------------------------------------


def check_not_claimed(order: Order) -> None:
    if RedemptionClaim.objects.filter(order=order).exists():
        raise AlreadyClaimed(gettext("该订单已申请兑付"))
    if order.kind != OrderKind.BOOKING or order.booking_id is None:
        return
    booking = order.booking
    assert booking is not None
    overlapping = RedemptionClaim.objects.filter(
        order__instrument_id=order.instrument_id,
        order__customer_institution_id=order.customer_institution_id,
        order__booking__start__lt=booking.end,
        order__booking__end__gt=booking.start,
    ).exclude(status="rejected")
    if overlapping.exists():
        raise AlreadyClaimed(
            "同一企业在同一仪器的重叠时段已申请兑付 "
            "(the same company already claimed overlapping time on this instrument)"
        )


# --- what the officer should look at ---------------------------------------------------------------------


def notes_for(order: Order, *, payer: VoucherScheme, completed_at: dt.datetime | None) -> list[str]:
    """Unusual patterns, shown beside a claim: not refusals, reasons to look twice. Stored with the claim, so
    written in both languages like the other stored notes."""
    notes: list[str] = []
    if completed_at is not None and completed_at - order.created < QUICK_ORDER:
        minutes = int((completed_at - order.created).total_seconds() // 60)
        notes.append(f"订单创建后 {minutes} 分钟即完成 (completed {minutes} minutes after it was created)")
    quoted = Decimal(str((order.quote or {}).get("amount") or "0"))
    if quoted and order.amount > quoted:
        notes.append(
            f"收费 {order.amount} 元高于按公布价格的报价 {quoted} 元 (charged above the published price list)"
        )
    share = provider_concentration(order.provider_id, payer=payer)
    if share is not None and share >= CONCENTRATION:
        notes.append(
            f"该机构 {share:.0%} 的创新券收入来自三家以内企业 "
            "(the provider's voucher income is concentrated on a few companies)"
        )
    return notes


def provider_concentration(provider_id: int, *, payer: VoucherScheme) -> Decimal | None:
    """The share of a provider's voucher income from one paying scheme that its top three companies bring
    (as ``queries.concentrated_providers`` lists them); None below ``CONCENTRATION_MIN_USES`` uses (too few
    to call a pattern)."""
    rows = list(
        VoucherUse.objects.filter(order__provider_id=provider_id, payer=payer)
        .values("order__customer_institution_id")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by("-total")
    )
    total = sum((r["total"] for r in rows), Decimal(0))
    if sum(r["n"] for r in rows) < CONCENTRATION_MIN_USES or not total:
        return None
    return sum((r["total"] for r in rows[:3]), Decimal(0)) / total


def tongyong(mode: str) -> bool:
    return mode == RedemptionMode.TONGYONG


def closed(voucher: Voucher) -> bool:
    return voucher.status in ("expired", "cancelled")
