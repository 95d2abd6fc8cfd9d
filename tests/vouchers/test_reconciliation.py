"""The ledger accounts for every yuan after a long random run: applications, approvals, rejections, uses
across two recognising schemes, claims, settlements, claim rejections, cancellations and expiries, in a
random order (seeded, so a failure can be replayed)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest

from dayi.accounts.access import Actor
from dayi.accounts.models import Role, User
from dayi.core.errors import DayiError
from dayi.orders.models import LedgerEntry, Order
from dayi.vouchers import queries, services
from dayi.vouchers.models import Voucher, VoucherApplication, VoucherLedgerEntry, VoucherScheme, VoucherUse
from tests.conftest import NOW, make_user
from tests.vouchers.conftest import act, company, delivered_order, listed, make_scheme

pytestmark = pytest.mark.django_db

STEPS = 160


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_scheme_reconciles_after_a_random_run(
    seed: int, people: dict[str, User], network: dict[str, Any], scheme: VoucherScheme, olga: User
) -> None:
    rng = random.Random(seed)
    zj = make_scheme(
        network["zju"],
        code="zj2026",
        region="330000",
        eligible_regions=["330000"],
        budget=Decimal("20000"),
        subsidy_ratio=Decimal("0.40"),
    )
    zoe = make_user("zoe", None, Role.VOUCHER_OFFICER, scheme=zj.code)
    listed(zj, network["zju"])
    services.add_recognition(
        act(people["root"]),
        scheme.code,
        accepts=zj.code,
        payer=rng.choice(["issuer", "provider"]),
        mode=rng.choice(["tongdui", "tongyong"]),
        now=NOW,
    )
    companies = [company(n) for n in range(4)]
    buyers = {
        c.pk: User.objects.create_user(username=f"b{c.pk}", password="x-unused-9", institution=c)
        for c in companies
    }
    officers = {scheme.pk: olga, zj.pk: zoe}
    clock = [NOW]

    def pick(rows: Any) -> Any:
        """A random row, chosen by the seeded generator (not the database's random()), so a seed replays."""
        ids = sorted(rows.values_list("pk", flat=True))
        return rows.model.objects.get(pk=rng.choice(ids)) if ids else None

    n = [0]

    def now() -> dt.datetime:
        clock[0] += dt.timedelta(minutes=rng.randint(1, 600))
        return clock[0]

    def apply_() -> None:
        c = rng.choice(companies)
        services.apply_for_voucher(
            act(buyers[c.pk]),
            scheme_code=scheme.code,
            company_id=c.pk,
            amount=Decimal(rng.choice(["2000", "5000", "9000"])),
            purpose="检测",
            now=now(),
        )

    def decide() -> None:
        a = pick(VoucherApplication.objects.filter(status="submitted"))
        if a is None:
            return
        if rng.random() < 0.8:
            services.approve_application(act(olga), a.pk, now=now())
        else:
            services.reject_application(act(olga), a.pk, reason="材料不全", now=now())

    def use() -> None:
        v = pick(Voucher.objects.filter(status="active"))
        if v is None:
            return
        n[0] += 1
        buyer = buyers[v.company_id]
        order = delivered_order(
            buyer,
            v.company,
            network["zju"],
            people["alice"],
            rng.choice(["800.00", "3000.00", "12000.00"]),
            n[0],
        )
        services.apply_voucher_to_order(act(buyer), order.pk, v.number, now=now())

    def claim() -> None:
        u = pick(VoucherUse.objects.filter(order__redemption_claim__isnull=True))
        if u is None:
            return
        who = people["alice"] if u.mode == "tongdui" else buyers[u.voucher.company_id]
        services.claim_redemption(act(who), u.order_id, now=now())

    def decide_claim() -> None:
        from dayi.vouchers.models import RedemptionClaim

        c = pick(RedemptionClaim.objects.filter(status="submitted"))
        if c is None:
            return
        officer = officers[c.scheme_id]
        if rng.random() < 0.7:
            services.settle_claim(act(officer), c.pk, now=now())
        else:
            services.reject_claim(act(officer), c.pk, reason="凭证不符", now=now())

    def cancel() -> None:
        v = pick(Voucher.objects.filter(status__in=["active", "spent"]))
        if v is not None and rng.random() < 0.3:
            services.cancel_voucher(act(olga), v.number, reason="随机作废 (random cancellation)", now=now())

    def expire() -> None:
        services.expire_vouchers(Actor(user=None), now=clock[0] + dt.timedelta(days=rng.randint(0, 200)))

    actions = [apply_, apply_, decide, decide, use, use, use, claim, claim, decide_claim, cancel, expire]
    refused = 0
    for step in range(STEPS):
        try:
            rng.choice(actions)()
        except DayiError:
            refused += 1  # refusals are part of the run: they must leave everything as it was
        if step % 40 == 39:
            for s in (scheme, zj):
                report = queries.reconcile(s)
                assert report["ok"], (seed, step, s.code, report)

    # The year ends: every voucher still active expires and gives its balance back
    services.expire_vouchers(Actor(user=None), now=clock[0] + dt.timedelta(days=400), limit=10_000)

    # Then every scheme reconciles, the vouchers' balances never went below zero, and each order's payable
    # is its charge less what 通兑 vouchers paid and were not refused
    for s in (scheme, zj):
        assert queries.reconcile(s)["ok"]
    assert VoucherUse.objects.exists() and refused < STEPS
    for order in Order.objects.filter(voucher_uses__isnull=False).distinct():
        entries = LedgerEntry.objects.filter(order=order)
        kept = sum(
            (
                u.amount
                for u in order.voucher_uses.filter(mode="tongdui")
                if getattr(getattr(order, "redemption_claim", None), "status", "") != "rejected"
            ),
            Decimal(0),
        )
        assert sum((e.amount for e in entries), Decimal(0)) == order.amount - kept
    # And the run went through every kind of movement, so the checks above had something to check
    kinds = set(VoucherLedgerEntry.objects.values_list("kind", flat=True))
    assert kinds >= {"reserve", "apply", "release", "claim", "settle", "reject"}, kinds
