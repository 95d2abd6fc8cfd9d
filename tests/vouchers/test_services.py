"""Each step of a voucher's life, allowed and refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from dayi.accounts.models import Role, User
from dayi.core.errors import Conflict, Forbidden, NotFound, RuleViolation, ValidationFailed
from dayi.network.models import Institution
from dayi.vouchers import queries, services
from dayi.vouchers.errors import BudgetExhausted, CapExceeded, VoucherExhausted, VoucherExpired
from dayi.vouchers.models import Voucher, VoucherLedgerEntry, VoucherScheme
from tests.conftest import NOW, make_user
from tests.vouchers.conftest import SCHEME, act, company, make_order, make_scheme

pytestmark = pytest.mark.django_db


def _apply(user: User, scheme: VoucherScheme, inst: Institution, amount: str = "10000") -> Any:
    return services.apply_for_voucher(
        act(user),
        scheme_code=scheme.code,
        company_id=inst.pk,
        amount=Decimal(amount),
        purpose="检测",
        now=NOW,
    )


# --- schemes ---


def test_a_platform_admin_over_the_funder_creates_a_scheme(people: dict[str, User], network: Any) -> None:
    scheme = services.create_scheme(act(people["carol"]), {**SCHEME, "funder": network["zju"].pk}, now=NOW)
    assert scheme.budget == Decimal("100000.00") and scheme.reserved == 0


def test_it_refuses_a_scheme_from_an_admin_of_another_platform(people: dict[str, User], network: Any) -> None:
    with pytest.raises(Forbidden):
        services.create_scheme(act(people["dave"]), {**SCHEME, "funder": network["zju"].pk}, now=NOW)


def test_it_refuses_a_ratio_above_one(people: dict[str, User], network: Any) -> None:
    data = {**SCHEME, "funder": network["zju"].pk, "subsidy_ratio": Decimal("1.5")}
    with pytest.raises(ValidationFailed):
        services.create_scheme(act(people["root"]), data, now=NOW)


# --- applications ---


def test_a_member_of_an_eligible_sme_applies(cathy: User, scheme: VoucherScheme, sme: Institution) -> None:
    application = _apply(cathy, scheme, sme)
    assert application.status == "submitted"


def test_it_refuses_an_applicant_outside_the_company(
    people: dict[str, User], scheme: VoucherScheme, sme: Institution
) -> None:
    with pytest.raises(Forbidden):
        _apply(people["eve"], scheme, sme)


def test_it_refuses_a_company_outside_the_eligible_regions(
    people: dict[str, User], scheme: VoucherScheme
) -> None:
    hangzhou = company(1, region="330100")
    with pytest.raises(RuleViolation) as err:
        _apply(people["root"], scheme, hangzhou)
    assert err.value.rule == "not_eligible_company"


def test_it_refuses_a_large_company_when_the_scheme_is_for_smes(
    people: dict[str, User], scheme: VoucherScheme
) -> None:
    big = company(2, is_sme=False)
    with pytest.raises(RuleViolation) as err:
        _apply(people["root"], scheme, big)
    assert err.value.rule == "not_eligible_company" and "中小企业" in err.value.message


# --- approval ---


def test_approval_issues_a_voucher_and_reserves_budget(
    cathy: User, olga: User, scheme: VoucherScheme, sme: Institution
) -> None:
    voucher = services.approve_application(act(olga), _apply(cathy, scheme, sme).pk, now=NOW)
    scheme.refresh_from_db()
    assert voucher.balance == Decimal("10000.00") and voucher.use_by == dt.date(2026, 8, 29)
    assert scheme.reserved == Decimal("10000.00")
    assert VoucherLedgerEntry.objects.filter(kind="reserve", voucher=voucher).count() == 1


def test_it_refuses_an_approval_by_someone_not_the_schemes_officer(
    cathy: User, people: dict[str, User], scheme: VoucherScheme, sme: Institution
) -> None:
    with pytest.raises(Forbidden):
        services.approve_application(act(people["carol"]), _apply(cathy, scheme, sme).pk, now=NOW)


def test_it_refuses_to_approve_twice(
    cathy: User, olga: User, scheme: VoucherScheme, sme: Institution
) -> None:
    application = _apply(cathy, scheme, sme)
    services.approve_application(act(olga), application.pk, now=NOW)
    with pytest.raises(Conflict):
        services.approve_application(act(olga), application.pk, now=NOW)


def test_it_refuses_an_approval_beyond_the_companys_cap(
    cathy: User, olga: User, scheme: VoucherScheme, sme: Institution
) -> None:
    services.approve_application(act(olga), _apply(cathy, scheme, sme, "20000").pk, now=NOW)
    with pytest.raises(CapExceeded):
        services.approve_application(act(olga), _apply(cathy, scheme, sme, "10001").pk, now=NOW)


def test_it_refuses_an_approval_beyond_the_budget(people: dict[str, User], olga: User, network: Any) -> None:
    small = make_scheme(network["zju"], code="tiny", budget=Decimal("15000"))
    make_officer = act(olga)
    make_officer.schemes.add("tiny")
    first, second = company(3), company(4)
    services.approve_application(make_officer, _apply(people["root"], small, first).pk, now=NOW)
    with pytest.raises(BudgetExhausted):
        services.approve_application(make_officer, _apply(people["root"], small, second).pk, now=NOW)
    small.refresh_from_db()
    assert small.reserved == Decimal("10000.00")


def test_the_officer_rejects_with_a_reason(
    cathy: User, olga: User, scheme: VoucherScheme, sme: Institution
) -> None:
    application = services.reject_application(
        act(olga), _apply(cathy, scheme, sme).pk, reason="重复申请", now=NOW
    )
    assert application.status == "rejected" and not Voucher.objects.exists()


def test_it_refuses_a_rejection_without_a_reason(
    cathy: User, olga: User, scheme: VoucherScheme, sme: Institution
) -> None:
    with pytest.raises(ValidationFailed):
        services.reject_application(act(olga), _apply(cathy, scheme, sme).pk, reason=" ", now=NOW)


# --- applying a voucher to orders ---


def test_a_voucher_covers_the_ratio_of_an_order(
    cathy: User, voucher: Voucher, sme: Institution, network: Any
) -> None:
    order = make_order(cathy, sme, network["zju"], "3000.00")
    result = services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW)
    voucher.refresh_from_db()
    assert (result["covered"], result["payable"]) == (Decimal("1500.00"), Decimal("1500.00"))
    assert voucher.balance == Decimal("8500.00")


def test_a_voucher_covers_at_most_its_balance_then_is_exhausted(
    cathy: User, voucher: Voucher, sme: Institution, network: Any
) -> None:
    big = make_order(cathy, sme, network["zju"], "30000.00")
    result = services.apply_voucher_to_order(act(cathy), big.pk, voucher.number, now=NOW)
    assert (result["covered"], result["payable"]) == (Decimal("10000.00"), Decimal("20000.00"))
    another = make_order(cathy, sme, network["zju"], "100.00", n=1)
    with pytest.raises(VoucherExhausted):
        services.apply_voucher_to_order(act(cathy), another.pk, voucher.number, now=NOW)
    voucher.refresh_from_db()
    assert voucher.status == "spent"


def test_it_refuses_an_expired_voucher(cathy: User, voucher: Voucher, sme: Institution, network: Any) -> None:
    order = make_order(cathy, sme, network["zju"], "3000.00")
    with pytest.raises(VoucherExpired):
        later = NOW + dt.timedelta(days=181)
        services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=later)


def test_it_refuses_a_voucher_on_someone_elses_order(
    people: dict[str, User], cathy: User, voucher: Voucher, network: Any
) -> None:
    order = make_order(people["eve"], network["zju"], network["pku"], "3000.00")
    with pytest.raises(Forbidden):
        services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW)


def test_a_stranger_cannot_even_see_the_voucher(
    people: dict[str, User], voucher: Voucher, network: Any
) -> None:
    order = make_order(people["eve"], network["zju"], network["pku"], "3000.00")
    with pytest.raises(NotFound):
        services.apply_voucher_to_order(act(people["eve"]), order.pk, voucher.number, now=NOW)


def test_the_ledger_reconciles_after_approvals_and_redemptions(
    cathy: User, voucher: Voucher, scheme: VoucherScheme, sme: Institution, network: Any
) -> None:
    for n, amount in enumerate(["1000.00", "2468.02", "999.99"]):
        order = make_order(cathy, sme, network["zju"], amount, n=n)
        services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW)
    report = queries.reconcile(scheme)
    assert report["ok"], report
    assert scheme.spent == Decimal("2234.01") and scheme.reserved == Decimal("7765.99")


def test_the_database_refuses_to_edit_a_ledger_entry(voucher: Voucher) -> None:
    entry = VoucherLedgerEntry.objects.get(voucher=voucher)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        VoucherLedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))


def test_the_database_refuses_to_overspend_the_budget(scheme: VoucherScheme) -> None:
    with pytest.raises(IntegrityError, match="scheme_within_budget"), transaction.atomic():
        VoucherScheme.objects.filter(pk=scheme.pk).update(reserved=Decimal("100000.01"))


# --- provider listings ---


def test_it_refuses_a_voucher_at_an_unlisted_provider(
    people: dict[str, User], cathy: User, voucher: Voucher, sme: Institution, network: Any
) -> None:
    order = make_order(cathy, sme, network["pku"], "3000.00")
    with pytest.raises(RuleViolation) as err:
        services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW)
    assert err.value.rule == "provider_not_listed"


def pku_admin(network: Any) -> User:
    """The provider's own admin asks to be listed (a platform admin oversees pku but does not act for it)."""
    return make_user("pku-admin", network["pku"], Role.INSTITUTION_ADMIN, institution=network["pku"])


def test_a_listing_is_approved_only_after_its_notice_period(
    people: dict[str, User], olga: User, scheme: VoucherScheme, network: Any
) -> None:
    listing = services.request_listing(act(pku_admin(network)), scheme.code, network["pku"].pk, now=NOW)
    with pytest.raises(Conflict):
        services.approve_listing(act(olga), scheme.code, listing.pk, now=NOW + dt.timedelta(days=6))
    approved = services.approve_listing(act(olga), scheme.code, listing.pk, now=NOW + dt.timedelta(days=7))
    assert approved.status == "approved"


def test_it_refuses_a_listing_request_from_someone_not_the_providers_admin(
    people: dict[str, User], scheme: VoucherScheme, network: Any
) -> None:
    with pytest.raises(Forbidden):
        services.request_listing(act(people["eve"]), scheme.code, network["pku"].pk, now=NOW)


def test_it_refuses_a_listing_approval_by_someone_not_the_officer(
    people: dict[str, User], scheme: VoucherScheme, network: Any
) -> None:
    listing = services.request_listing(act(pku_admin(network)), scheme.code, network["pku"].pk, now=NOW)
    with pytest.raises(Forbidden):
        services.approve_listing(act(people["dave"]), scheme.code, listing.pk, now=NOW + dt.timedelta(days=8))


def test_a_second_application_to_the_same_order_covers_nothing_more(
    cathy: User, voucher: Voucher, sme: Institution, network: Any
) -> None:
    order = make_order(cathy, sme, network["zju"], "3000.00")
    services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW)
    with pytest.raises(Conflict):
        services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW)
    voucher.refresh_from_db()
    assert voucher.balance == Decimal("8500.00")
