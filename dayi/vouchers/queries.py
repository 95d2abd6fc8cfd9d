"""Voucher reads: a scheme's figures and its reconciliation against the ledger, the public list of funded
services, the flows between regions, and the shapes the API and the pages share."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Left

from dayi.core.money import fmt
from dayi.network.models import Region
from dayi.vouchers.models import (
    ClaimStatus,
    RedemptionClaim,
    Voucher,
    VoucherEntryKind,
    VoucherLedgerEntry,
    VoucherScheme,
    VoucherUse,
)

ZERO = Decimal("0.00")


def _sums(scheme: VoucherScheme) -> dict[str, Decimal]:
    rows = VoucherLedgerEntry.objects.filter(scheme=scheme).values("kind").annotate(total=Sum("amount"))
    sums = {kind: ZERO for kind in VoucherEntryKind.values}
    sums.update({row["kind"]: row["total"] for row in rows})
    return sums


def reconcile(scheme: VoucherScheme) -> dict[str, Any]:
    """Does the ledger account for every yuan? (The movements are listed in ``dayi.vouchers.models``.)

    - budget: remaining ≥ 0 and remaining + reserved + spent = budget;
    - reserved = Σreserve − Σrelease − Σapply, spent = Σapply − Σreject, settled = Σsettle ≤ spent;
    - the scheme's own vouchers' balances add up to reserved;
    - claims: Σclaim = what is claimed, Σsettle = settled claims, Σreject = rejected claims.
    """
    scheme.refresh_from_db()
    sums = _sums(scheme)
    balances = Voucher.objects.filter(scheme=scheme).aggregate(total=Sum("balance"))["total"] or ZERO
    claims = {
        row["status"]: row["total"]
        for row in RedemptionClaim.objects.filter(scheme=scheme)
        .values("status")
        .annotate(total=Sum("amount"))
    }
    claimed = sum(claims.values(), ZERO)
    remaining = scheme.budget - scheme.reserved - scheme.spent
    checks = {
        "budget": remaining >= 0 and remaining + scheme.reserved + scheme.spent == scheme.budget,
        "reserved": sums["reserve"] - sums["release"] - sums["apply"] == scheme.reserved,
        "spent": sums["apply"] - sums["reject"] == scheme.spent,
        "settled": sums["settle"] == scheme.settled <= scheme.spent,
        "balances": balances == scheme.reserved,
        "claims": sums["claim"] == claimed
        and sums["settle"] == claims.get(ClaimStatus.SETTLED, ZERO)
        and sums["reject"] == claims.get(ClaimStatus.REJECTED, ZERO),
    }
    return {"ok": all(checks.values()), "checks": checks, "remaining": remaining, "ledger": sums}


def ratio_text(ratio: Decimal) -> str:
    """ "0.50" as the contract writes it; a third decimal only when the ratio has one ("0.125")."""
    return f"{ratio:.2f}" if ratio == ratio.quantize(Decimal("0.01")) else f"{ratio:.3f}"


def scheme_out(scheme: VoucherScheme) -> dict[str, Any]:
    return {
        "code": scheme.code,
        "name": scheme.name,
        "funder": scheme.funder_id,
        "region": scheme.region_id,
        "budget": fmt(scheme.budget),
        "subsidy_ratio": ratio_text(scheme.subsidy_ratio),
        "cap_per_company": fmt(scheme.cap_per_company),
        "period_start": scheme.period_start,
        "period_end": scheme.period_end,
        "use_days": scheme.use_days,
        "redemption_days": scheme.redemption_days,
        "notice_days": scheme.notice_days,
        "eligible_regions": scheme.eligible_regions,
        "sme_only": scheme.sme_only,
        "max_company_age_years": scheme.max_company_age_years,
        "modes": scheme.modes,
        "categories": scheme.categories,
        "provider_rule": scheme.provider_rule,
        "provider_platform": scheme.provider_platform.code if scheme.provider_platform else None,
        "mode": scheme.mode,
        "reserved": fmt(scheme.reserved),
        "spent": fmt(scheme.spent),
        "settled": fmt(scheme.settled),
        "remaining": fmt(scheme.budget - scheme.reserved - scheme.spent),
    }


def voucher_out(v: Voucher) -> dict[str, Any]:
    return {
        "number": v.number,
        "scheme": v.scheme.code,
        "company": v.company_id,
        "application": v.application_id,
        "amount": fmt(v.amount),
        "balance": fmt(v.balance),
        "use_by": v.use_by,
        "redeem_by": v.redeem_by,
        "status": v.status,
    }


def ledger_out(scheme: VoucherScheme) -> list[dict[str, Any]]:
    return [
        {
            "id": e.pk,
            "kind": e.kind,
            "voucher": e.voucher.number if e.voucher else None,
            "order": e.order_id,
            "claim": e.claim_id,
            "amount": fmt(e.amount),
            "created": e.created,
        }
        for e in VoucherLedgerEntry.objects.filter(scheme=scheme).select_related("voucher")
    ]


def claim_out(c: RedemptionClaim) -> dict[str, Any]:
    return {
        "id": c.pk,
        "order": c.order_id,
        "scheme": c.scheme.code,
        "claimant": c.claimant_id,
        "mode": c.mode,
        "amount": fmt(c.amount),
        "status": c.status,
        "evidence": c.evidence,
        "notes": c.notes,
        "reason": c.reason,
        "created": c.created,
        "decided": c.decided,
    }


def claims(scheme: VoucherScheme, *, status: str = "") -> QuerySet[RedemptionClaim]:
    rows = RedemptionClaim.objects.filter(scheme=scheme).select_related(
        "scheme", "claimant", "order__instrument", "order__customer_institution"
    )
    return rows.filter(status=status) if status else rows


def funded_services() -> QuerySet[VoucherUse]:
    """The public list (issue 6, fraud checks): every voucher-funded service — company, provider, service,
    amount — for anyone to read. A use whose claim was rejected is left out: the scheme did not pay it."""
    return (
        VoucherUse.objects.exclude(order__redemption_claim__status=ClaimStatus.REJECTED)
        .select_related(
            "voucher", "payer", "order__instrument", "order__provider", "order__customer_institution"
        )
        .order_by("-created", "-id")
    )


def funded_out(u: VoucherUse) -> dict[str, Any]:
    order = u.order
    company = order.customer_institution
    return {
        "company": company.name if company else "",
        "provider": order.provider.name,
        "instrument": order.instrument_id,
        "service": order.instrument.name,
        "mode": order.mode,
        "amount": fmt(u.amount),
        "scheme": u.payer.code,
        "date": u.created.date(),
    }


def region_flows(*, scheme: VoucherScheme | None = None) -> list[dict[str, Any]]:
    """Voucher money between provinces: from the company's province to the provider's, with the amount
    and the number of uses. One grouped query; province codes are the first two digits + "0000"."""
    uses = VoucherUse.objects.exclude(order__redemption_claim__status=ClaimStatus.REJECTED)
    if scheme is not None:
        uses = uses.filter(voucher__scheme=scheme)
    rows = list(
        uses.annotate(
            src=Left("order__customer_institution__region_id", 2), dst=Left("order__provider__region_id", 2)
        )
        .values("src", "dst")
        .annotate(amount=Sum("amount"), count=Count("id"))
        .order_by("-amount")
    )
    codes = {f"{r[k]}0000" for r in rows for k in ("src", "dst")}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return [
        {
            "from_code": f"{r['src']}0000",
            "from_name": names.get(f"{r['src']}0000", r["src"]),
            "to_code": f"{r['dst']}0000",
            "to_name": names.get(f"{r['dst']}0000", r["dst"]),
            "amount": r["amount"],
            "count": r["count"],
        }
        for r in rows
    ]


def concentrated_providers(scheme: VoucherScheme) -> list[dict[str, Any]]:
    """Providers paid by this scheme whose voucher income comes mostly (≥ 80%) from three companies or
    fewer, over at least five uses: a pattern for the officer to look at, not a refusal."""
    from dayi.vouchers.services.checks import CONCENTRATION, CONCENTRATION_MIN_USES

    rows = (
        VoucherUse.objects.filter(payer=scheme)
        .values("order__provider_id", "order__provider__name", "order__customer_institution_id")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by("order__provider_id", "-total")
    )
    by_provider: dict[int, dict[str, Any]] = {}
    for r in rows:
        p = by_provider.setdefault(
            r["order__provider_id"], {"provider": r["order__provider__name"], "totals": [], "uses": 0}
        )
        p["totals"].append(r["total"])
        p["uses"] += r["n"]
    out = []
    for pid, p in by_provider.items():
        total = sum(p["totals"], ZERO)
        if p["uses"] < CONCENTRATION_MIN_USES or not total:
            continue
        share = sum(p["totals"][:3], ZERO) / total
        if share >= CONCENTRATION:
            out.append(
                {"provider_id": pid, "provider": p["provider"], "share": share, "companies": len(p["totals"])}
            )
    return out
