"""Voucher reads: the scheme's figures and its reconciliation against the ledger."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Sum

from dayi.core.money import fmt
from dayi.vouchers.models import Voucher, VoucherEntryKind, VoucherLedgerEntry, VoucherScheme

ZERO = Decimal("0.00")


def _sums(scheme: VoucherScheme) -> dict[str, Decimal]:
    rows = VoucherLedgerEntry.objects.filter(scheme=scheme).values("kind").annotate(total=Sum("amount"))
    sums = {kind: ZERO for kind in VoucherEntryKind.values}
    sums.update({row["kind"]: row["total"] for row in rows})
    return sums


def reconcile(scheme: VoucherScheme) -> dict[str, Any]:
    """Does the ledger account for every yuan? budget = remaining + reserved + spent, reserve − release
    entries = reserved + spent, apply entries = spent, and the vouchers' balances = reserved."""
    scheme.refresh_from_db()
    sums = _sums(scheme)
    balances = Voucher.objects.filter(scheme=scheme).aggregate(total=Sum("balance"))["total"] or ZERO
    remaining = scheme.budget - scheme.reserved - scheme.spent
    checks = {
        "budget": remaining >= 0 and remaining + scheme.reserved + scheme.spent == scheme.budget,
        "committed": sums["reserve"] - sums["release"] == scheme.reserved + scheme.spent,
        "spent": sums["apply"] == scheme.spent,
        "balances": balances == scheme.reserved,
    }
    return {"ok": all(checks.values()), "checks": checks, "remaining": remaining, "ledger": sums}


def scheme_out(scheme: VoucherScheme) -> dict[str, Any]:
    return {
        "code": scheme.code,
        "name": scheme.name,
        "funder": scheme.funder_id,
        "region": scheme.region_id,
        "budget": fmt(scheme.budget),
        "subsidy_ratio": str(scheme.subsidy_ratio.normalize()) if scheme.subsidy_ratio else "0",
        "cap_per_company": fmt(scheme.cap_per_company),
        "period_start": scheme.period_start,
        "period_end": scheme.period_end,
        "use_days": scheme.use_days,
        "redemption_days": scheme.redemption_days,
        "eligible_regions": scheme.eligible_regions,
        "sme_only": scheme.sme_only,
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
            "amount": fmt(e.amount),
            "created": e.created,
        }
        for e in VoucherLedgerEntry.objects.filter(scheme=scheme).select_related("voucher")
    ]
