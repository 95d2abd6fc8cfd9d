"""Voucher fixtures: a Shanghai scheme (budget 100,000, ratio 0.5, cap 30,000 per company), its officer olga,
an SME in Pudong (310115) with its member cathy, and orders the company placed at 浙江大学."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dayi.accounts.access import Actor, actor_for
from dayi.accounts.models import Role, User
from dayi.network.models import Institution
from dayi.orders.models import Order
from dayi.vouchers import services
from dayi.vouchers.models import Voucher, VoucherListing, VoucherScheme
from tests.conftest import NOW, make_institution, make_instrument, make_user

SCHEME: dict[str, Any] = {
    "code": "sh2026",
    "name": "上海市科技创新券 2026",
    "region": "310000",
    "budget": Decimal("100000"),
    "subsidy_ratio": Decimal("0.50"),
    "cap_per_company": Decimal("30000"),
    "period_start": dt.date(2026, 1, 1),
    "period_end": dt.date(2026, 12, 31),
    "use_days": 180,
    "redemption_days": 60,
    "eligible_regions": ["310000"],
    "sme_only": True,
}


def company(n: int = 0, region: str = "310115", **extra: Any) -> Institution:
    extra.setdefault("is_sme", True)
    return make_institution(
        f"上海示例科技有限公司{n}", f"91310115MA1J{n:05d}X", region, kind="enterprise", **extra
    )


def act(user: User) -> Actor:
    return actor_for(User.objects.get(pk=user.pk))


def make_scheme(funder: Institution, **overrides: Any) -> VoucherScheme:
    fields = {k: v for k, v in {**SCHEME, **overrides}.items() if k != "region"}
    region = overrides.get("region", SCHEME["region"])
    return VoucherScheme.objects.create(**fields, funder=funder, region_id=region, created=NOW)


def make_order(
    customer: User,
    institution: Institution,
    provider: Institution,
    amount: str,
    n: int = 0,
    **instrument: Any,
) -> Order:
    instrument = make_instrument(provider, f"V-{n:04d}-{customer.pk}", **instrument)
    return Order.objects.create(
        kind="sample",
        status="completed",
        instrument=instrument,
        mode="sample",
        customer=customer,
        customer_institution=institution,
        provider=provider,
        quote={},
        amount=Decimal(amount),
        created=NOW,
        updated=NOW,
    )


@pytest.fixture
def sme(network: dict[str, Any]) -> Institution:
    return company()


@pytest.fixture
def scheme(network: dict[str, Any]) -> VoucherScheme:
    return make_scheme(network["zju"])


@pytest.fixture
def olga(scheme: VoucherScheme) -> User:
    return make_user("olga", None, Role.VOUCHER_OFFICER, scheme=scheme.code)


@pytest.fixture
def cathy(sme: Institution) -> User:
    return make_user("cathy", sme)


@pytest.fixture
def voucher(scheme: VoucherScheme, sme: Institution, cathy: User, olga: User) -> Voucher:
    """A 10,000 yuan voucher issued to the SME; 浙江大学 is listed for the scheme."""
    VoucherListing.objects.create(
        scheme=scheme, provider=scheme.funder, status="approved", notice_until=NOW, created=NOW
    )
    application = services.apply_for_voucher(
        act(cathy),
        scheme_code=scheme.code,
        company_id=sme.pk,
        amount=Decimal("10000"),
        purpose="检测",
        now=NOW,
    )
    return services.approve_application(act(olga), application.pk, now=NOW)


# --- the whole path of a service: an order completed with its result, charged, paid by a voucher --------


def delivered_order(
    customer: User,
    institution: Institution,
    provider: Institution,
    manager: User,
    amount: str,
    n: int = 0,
    *,
    result: str = "检测报告 R-2026-001：比表面积 812 m²/g",
    charge: bool = True,
    **instrument: Any,
) -> Order:
    """A sample order taken from in_service to completed (with the result the managers record) and charged,
    through the orders services; its quote is one line of ``amount``."""
    from dayi.orders import services as orders

    order = make_order(customer, institution, provider, amount, n, **instrument)
    Order.objects.filter(pk=order.pk).update(
        status="in_service",
        amount=0,
        quote={"amount": amount, "lines": [{"description": "检测 (test)", "amount": amount}]},
    )
    orders.complete_order(actor_for(manager), order.pk, now=NOW, note=result)
    if charge:
        orders.charge_order(actor_for(manager), order.pk, now=NOW)
    order.refresh_from_db()
    return order


def listed(scheme: VoucherScheme, provider: Institution) -> VoucherListing:
    return VoucherListing.objects.create(
        scheme=scheme, provider=provider, status="approved", notice_until=NOW, created=NOW
    )


def issue(scheme: VoucherScheme, company: Institution, officer: User, amount: str = "10000") -> Voucher:
    """A voucher approved through the services (applied for by the company's admin, root)."""
    root = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        username="root", password="x-unused-9", email="root@example.org"
    )
    application = services.apply_for_voucher(
        act(root),
        scheme_code=scheme.code,
        company_id=company.pk,
        amount=Decimal(amount),
        purpose="检测",
        now=NOW,
    )
    return services.approve_application(act(officer), application.pk, now=NOW)
