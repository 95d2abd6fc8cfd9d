"""Budget, cap and balance hold under real concurrency: 32 threads, each with its own database connection,
released at once (a barrier), approve applications or spend one voucher."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from dayi.accounts.access import actor_for
from dayi.accounts.models import User
from dayi.network.models import Institution
from dayi.vouchers import queries, services
from dayi.vouchers.errors import AlreadyClaimed, BudgetExhausted, CapExceeded, VoucherExhausted
from dayi.vouchers.models import RedemptionClaim, Voucher, VoucherScheme
from tests.concurrency import race
from tests.conftest import NOW
from tests.vouchers.conftest import act, company, delivered_order, issue, listed, make_order, make_scheme

# Real commits: the database is emptied after each test (tests/conftest.py reloads the reference data).
pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

THREADS = 32


def _approve(officer: User, application_id: int) -> Callable[[], Any]:
    return lambda: services.approve_application(
        actor_for(User.objects.get(pk=officer.pk)), application_id, now=NOW
    )


def _applications(root: User, scheme: VoucherScheme, companies: list[Institution], amount: str) -> list[int]:
    return [
        services.apply_for_voucher(
            act(root),
            scheme_code=scheme.code,
            company_id=c.pk,
            amount=Decimal(amount),
            purpose="检测",
            now=NOW,
        ).pk
        for c in companies
    ]


def test_parallel_approvals_never_exceed_the_budget(
    people: dict[str, User], olga: User, scheme: VoucherScheme
) -> None:
    # Given 32 companies asking 5,000 each of a 100,000 budget: only 20 can be approved
    ids = _applications(people["root"], scheme, [company(n) for n in range(THREADS)], "5000")
    # When the officer approves all 32 at once
    results = race([_approve(olga, i) for i in ids])
    # Then exactly 20 vouchers exist and the other 12 were told the budget is exhausted
    assert sum(isinstance(r, Voucher) for r in results) == 20, results
    assert sum(isinstance(r, BudgetExhausted) for r in results) == 12, results
    scheme.refresh_from_db()
    assert scheme.reserved == Decimal("100000.00")
    assert queries.reconcile(scheme)["ok"]


def test_parallel_approvals_never_exceed_a_companys_cap(
    people: dict[str, User], olga: User, scheme: VoucherScheme, sme: Institution
) -> None:
    # Given one company asking 32 times for 5,000 under a cap of 30,000
    ids = _applications(people["root"], scheme, [sme] * THREADS, "5000")
    results = race([_approve(olga, i) for i in ids])
    assert sum(isinstance(r, Voucher) for r in results) == 6, results
    assert sum(isinstance(r, CapExceeded) for r in results) == 26, results
    assert Voucher.objects.filter(company=sme).count() == 6
    assert queries.reconcile(scheme)["ok"]


def test_parallel_redemptions_never_overspend_a_voucher(
    cathy: User, voucher: Voucher, scheme: VoucherScheme, sme: Institution, network: Any
) -> None:
    # Given a 10,000 voucher and 32 orders of 1,000 (each covered 500 at ratio 0.5): 20 fit
    orders = [make_order(cathy, sme, network["zju"], "1000.00", n=n) for n in range(THREADS)]

    def use(order_id: int) -> Callable[[], Any]:
        return lambda: services.apply_voucher_to_order(
            actor_for(User.objects.get(pk=cathy.pk)), order_id, voucher.number, now=NOW
        )

    results = race([use(o.pk) for o in orders])
    covered = [r["covered"] for r in results if isinstance(r, dict)]
    assert len(covered) == 20 and set(covered) == {Decimal("500.00")}, results
    assert sum(isinstance(r, VoucherExhausted) for r in results) == 12, results
    voucher.refresh_from_db()
    assert voucher.balance == 0 and voucher.status == "spent"
    report = queries.reconcile(scheme)
    assert report["ok"], report
    assert scheme.spent == Decimal("10000.00")


def test_parallel_claims_of_one_order_make_one_claim(
    cathy: User, voucher: Voucher, scheme: VoucherScheme, sme: Institution, people: dict[str, User]
) -> None:
    # Given a delivered, charged order half paid by the voucher
    order = delivered_order(cathy, sme, scheme.funder, people["alice"], "3000.00")
    services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW)
    alice = people["alice"]
    # When the provider's manager sends the claim 32 times at once
    results = race(
        [
            lambda: services.claim_redemption(actor_for(User.objects.get(pk=alice.pk)), order.pk, now=NOW)
            for _ in range(THREADS)
        ]
    )
    # Then one claim exists and 31 requests were told it was already claimed
    assert sum(isinstance(r, RedemptionClaim) for r in results) == 1, results
    assert sum(isinstance(r, AlreadyClaimed) for r in results) == THREADS - 1, results
    assert RedemptionClaim.objects.filter(order=order).count() == 1
    assert queries.reconcile(scheme)["ok"]


def test_settling_and_rejecting_one_claim_at_once_decides_it_once(
    cathy: User,
    voucher: Voucher,
    scheme: VoucherScheme,
    sme: Institution,
    people: dict[str, User],
    olga: User,
) -> None:
    order = delivered_order(cathy, sme, scheme.funder, people["alice"], "3000.00")
    services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW)
    claim = services.claim_redemption(act(people["alice"]), order.pk, now=NOW)

    def settle() -> Any:
        return services.settle_claim(actor_for(User.objects.get(pk=olga.pk)), claim.pk, now=NOW)

    def reject() -> Any:
        return services.reject_claim(
            actor_for(User.objects.get(pk=olga.pk)), claim.pk, reason="重复", now=NOW
        )

    results = race([settle, reject] * (THREADS // 2))
    assert sum(isinstance(r, RedemptionClaim) for r in results) == 1, results
    claim.refresh_from_db()
    scheme.refresh_from_db()
    if claim.status == "settled":
        assert (scheme.spent, scheme.settled) == (Decimal("1500.00"), Decimal("1500.00"))
    else:
        assert (scheme.spent, scheme.settled) == (0, 0)
    assert queries.reconcile(scheme)["ok"]


def test_parallel_recognised_uses_never_exceed_the_paying_schemes_budget(
    people: dict[str, User], olga: User, scheme: VoucherScheme, network: dict[str, Any]
) -> None:
    # Given Zhejiang pays for Shanghai vouchers at its providers, with 5,000 of budget left; 32 Shanghai
    # companies each hold a voucher and each had a 1,000 service at 浙江大学 (500 covered each): 10 fit
    zj = make_scheme(
        network["zju"], code="zj2026", region="330000", eligible_regions=["330000"], budget=Decimal("5000")
    )
    listed(zj, network["zju"])
    services.add_recognition(
        act(people["root"]), scheme.code, accepts=zj.code, payer="provider", mode="tongdui", now=NOW
    )
    VoucherScheme.objects.filter(pk=scheme.pk).update(budget=Decimal("1000000"))
    jobs = []
    for n in range(THREADS):
        c = company(n)
        buyer = User.objects.create_user(username=f"buyer{n}", password="x-unused-9", institution=c)
        v = issue(scheme, c, olga, "1000")
        order = delivered_order(buyer, c, network["zju"], people["alice"], "1000.00", n)
        jobs.append(
            lambda b=buyer, o=order, v=v: services.apply_voucher_to_order(
                actor_for(User.objects.get(pk=b.pk)), o.pk, v.number, now=NOW
            )
        )
    results = race(jobs)
    assert sum(isinstance(r, dict) for r in results) == 10, results
    assert sum(isinstance(r, BudgetExhausted) for r in results) == THREADS - 10, results
    zj.refresh_from_db()
    assert (zj.spent, zj.reserved) == (Decimal("5000.00"), 0)
    assert queries.reconcile(zj)["ok"] and queries.reconcile(scheme)["ok"]
