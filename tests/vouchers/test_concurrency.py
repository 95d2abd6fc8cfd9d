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
from dayi.vouchers.errors import BudgetExhausted, CapExceeded, VoucherExhausted
from dayi.vouchers.models import Voucher, VoucherScheme
from tests.concurrency import race
from tests.conftest import NOW
from tests.vouchers.conftest import act, company, make_order

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
