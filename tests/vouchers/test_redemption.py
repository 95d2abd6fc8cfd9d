"""Claims after the service: who claims, when, how often; settlement one by one and by month; rejection
handing the amount back to the company; expiry and cancellation giving balances back to the budget."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dayi.accounts.models import User
from dayi.core.errors import Conflict, Forbidden, NotFound, RuleViolation, ValidationFailed
from dayi.network.models import Delegation, Institution
from dayi.orders.models import Order
from dayi.orders.services.transitions import payable
from dayi.vouchers import queries, services
from dayi.vouchers.errors import AlreadyClaimed, VoucherExpired
from dayi.vouchers.models import RedemptionClaim, Voucher, VoucherScheme
from tests.conftest import NOW, make_user
from tests.vouchers.conftest import act, delivered_order, issue, make_order

pytestmark = pytest.mark.django_db


def _paid(
    cathy: User, sme: Institution, people: dict[str, User], voucher: Voucher, amount: str, n: int = 0
) -> Order:
    """A delivered, charged order of ``amount`` with the voucher applied (ratio 0.5)."""
    order = delivered_order(cathy, sme, voucher.scheme.funder, people["alice"], amount, n)
    services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW)
    return order


def test_the_provider_claims_what_the_voucher_paid_and_the_customer_owes_the_rest(
    cathy: User, sme: Institution, people: dict[str, User], voucher: Voucher, scheme: VoucherScheme
) -> None:
    # Given a 3,000 order of which the voucher paid 1,500
    order = _paid(cathy, sme, people, voucher, "3000.00")
    assert payable(order) == Decimal("1500.00")
    # When 浙江大学's instrument manager claims redemption
    claim = services.claim_redemption(act(people["alice"]), order.pk, now=NOW)
    # Then the claim is for the voucher's part, with the result as evidence, and the ledger shows it
    assert (claim.amount, claim.status, claim.mode) == (Decimal("1500.00"), "submitted", "tongdui")
    assert claim.claimant_id == scheme.funder_id and "R-2026-001" in str(claim.evidence["result"])
    assert queries.reconcile(scheme)["ledger"]["claim"] == Decimal("1500.00")


def test_a_settled_claim_is_paid_once_and_the_ledger_reconciles(
    cathy: User,
    sme: Institution,
    people: dict[str, User],
    voucher: Voucher,
    olga: User,
    scheme: VoucherScheme,
) -> None:
    order = _paid(cathy, sme, people, voucher, "3000.00")
    claim = services.claim_redemption(act(people["alice"]), order.pk, now=NOW)
    services.settle_claim(act(olga), claim.pk, now=NOW)
    scheme.refresh_from_db()
    assert (scheme.spent, scheme.settled) == (Decimal("1500.00"), Decimal("1500.00"))
    with pytest.raises(Conflict):
        services.settle_claim(act(olga), claim.pk, now=NOW)
    assert queries.reconcile(scheme)["ok"]


def test_a_rejected_claim_returns_the_amount_to_the_budget_and_to_the_customers_bill(
    cathy: User,
    sme: Institution,
    people: dict[str, User],
    voucher: Voucher,
    olga: User,
    scheme: VoucherScheme,
) -> None:
    order = _paid(cathy, sme, people, voucher, "3000.00")
    claim = services.claim_redemption(act(people["alice"]), order.pk, now=NOW)
    # A rejection needs a reason
    with pytest.raises(ValidationFailed):
        services.reject_claim(act(olga), claim.pk, reason=" ", now=NOW)
    services.reject_claim(act(olga), claim.pk, reason="合同与发票不一致", now=NOW)
    claim.refresh_from_db()
    scheme.refresh_from_db()
    assert (claim.status, claim.reason) == ("rejected", "合同与发票不一致")
    assert scheme.spent == 0 and scheme.budget - scheme.reserved - scheme.spent == Decimal("91500.00")
    assert payable(order) == Decimal("3000.00")  # the customer owes the whole service again
    assert queries.reconcile(scheme)["ok"]


def test_one_claim_per_order(
    cathy: User, sme: Institution, people: dict[str, User], voucher: Voucher
) -> None:
    order = _paid(cathy, sme, people, voucher, "3000.00")
    services.claim_redemption(act(people["alice"]), order.pk, now=NOW)
    with pytest.raises(AlreadyClaimed):
        services.claim_redemption(act(people["alice"]), order.pk, now=NOW)
    assert RedemptionClaim.objects.filter(order=order).count() == 1


def test_a_claimed_order_takes_no_more_vouchers(
    cathy: User,
    sme: Institution,
    people: dict[str, User],
    voucher: Voucher,
    scheme: VoucherScheme,
    olga: User,
) -> None:
    order = _paid(cathy, sme, people, voucher, "3000.00")
    services.claim_redemption(act(people["alice"]), order.pk, now=NOW)
    second = issue(scheme, sme, olga, "2000")
    with pytest.raises(AlreadyClaimed):
        services.apply_voucher_to_order(act(cathy), order.pk, second.number, now=NOW)


def test_a_claim_waits_for_the_charge(
    cathy: User, sme: Institution, people: dict[str, User], voucher: Voucher
) -> None:
    order = delivered_order(cathy, sme, voucher.scheme.funder, people["alice"], "3000.00", charge=False)
    services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW)
    with pytest.raises(Conflict):
        services.claim_redemption(act(people["alice"]), order.pk, now=NOW)


def test_a_claim_after_the_redemption_deadline_is_refused(
    cathy: User, sme: Institution, people: dict[str, User], voucher: Voucher
) -> None:
    order = _paid(cathy, sme, people, voucher, "3000.00")
    late = dt.datetime.combine(voucher.redeem_by + dt.timedelta(days=1), dt.time(9), tzinfo=dt.UTC)
    with pytest.raises(RuleViolation) as err:
        services.claim_redemption(act(people["alice"]), order.pk, now=late)
    assert err.value.rule == "deadline_passed"


def test_in_tongdui_only_the_providers_managers_claim(
    cathy: User, sme: Institution, people: dict[str, User], voucher: Voucher
) -> None:
    order = _paid(cathy, sme, people, voucher, "3000.00")
    with pytest.raises(Forbidden):  # the company sees its order, but in 通兑 the provider claims
        services.claim_redemption(act(cathy), order.pk, now=NOW)
    for who in (people["bob"], people["eve"]):  # another's manager, the provider's plain user
        with pytest.raises(NotFound):  # may not see the order at all: told nothing of it
            services.claim_redemption(act(who), order.pk, now=NOW)
    assert not RedemptionClaim.objects.exists()


def test_a_platform_claims_in_tongdui_only_with_the_providers_orders_delegated(
    cathy: User, sme: Institution, people: dict[str, User], voucher: Voucher, network: Any
) -> None:
    # Given a voucher-paid order of zju, which delegated only its instruments to g60 (under carol's yrd)
    order = _paid(cathy, sme, people, voucher, "3000.00")
    zju = order.provider
    given = {"institution": zju, "platform": network["g60"], "created": NOW, "created_by": people["amy"]}
    instruments = Delegation.objects.create(powers=["instruments"], **given)

    # Then carol may not claim for zju: a claim is the provider's orders' business, not its instruments'
    with pytest.raises(NotFound):
        services.claim_redemption(act(people["carol"]), order.pk, now=NOW)

    # When zju delegates its orders instead, carol claims for it
    Delegation.objects.filter(pk=instruments.pk).update(revoked=NOW, revoked_by=people["amy"])
    Delegation.objects.create(powers=["orders"], **given)
    claim = services.claim_redemption(act(people["carol"]), order.pk, now=NOW)

    assert (claim.claimant_id, claim.amount) == (zju.pk, Decimal("1500.00"))


def test_an_officer_of_another_scheme_cannot_settle(
    cathy: User, sme: Institution, people: dict[str, User], voucher: Voucher, network: Any
) -> None:
    order = _paid(cathy, sme, people, voucher, "3000.00")
    claim = services.claim_redemption(act(people["alice"]), order.pk, now=NOW)
    stranger = make_user("sam", None, "voucher_officer", scheme="other2026")
    with pytest.raises(Forbidden):
        services.settle_claim(act(stranger), claim.pk, now=NOW)
    with pytest.raises(Forbidden):
        services.reject_claim(act(stranger), claim.pk, reason="无", now=NOW)


def test_the_monthly_batch_settles_that_months_claims_only(
    cathy: User,
    sme: Institution,
    people: dict[str, User],
    voucher: Voucher,
    olga: User,
    scheme: VoucherScheme,
) -> None:
    orders = [_paid(cathy, sme, people, voucher, "1000.00", n) for n in range(3)]
    march = [services.claim_redemption(act(people["alice"]), o.pk, now=NOW) for o in orders[:2]]
    april = services.claim_redemption(act(people["alice"]), orders[2].pk, now=NOW + dt.timedelta(days=31))
    result = services.settle_month(act(olga), scheme.code, month=dt.date(2026, 3, 1), now=NOW)
    assert result == {"settled": 2, "total": Decimal("1000.00")}
    statuses = dict(RedemptionClaim.objects.values_list("pk", "status"))
    assert [statuses[c.pk] for c in march] == ["settled", "settled"] and statuses[april.pk] == "submitted"
    assert queries.reconcile(scheme)["ok"]


def test_a_voucher_pays_only_a_completed_service(
    cathy: User, sme: Institution, voucher: Voucher, network: Any
) -> None:
    order = make_order(cathy, sme, network["zju"], "3000.00")
    Order.objects.filter(pk=order.pk).update(status="submitted")
    with pytest.raises(Conflict):
        services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW)


def test_the_group_account_pays_only_what_the_voucher_left(
    cathy: User, sme: Institution, people: dict[str, User], voucher: Voucher
) -> None:
    from dayi.orders.models import Account, LedgerEntry

    account = Account.objects.create(
        name="课题组", institution=sme, pi=cathy, balance=Decimal("5000"), created=NOW
    )
    order = delivered_order(cathy, sme, voucher.scheme.funder, people["alice"], "3000.00", charge=False)
    Order.objects.filter(pk=order.pk).update(account=account)
    services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW)
    from dayi.accounts.access import actor_for
    from dayi.orders import services as orders

    orders.charge_order(actor_for(people["alice"]), order.pk, now=NOW)
    account.refresh_from_db()
    assert account.balance == Decimal("3500.00")  # 5,000 − (3,000 − 1,500)
    assert payable(order) == 0
    assert LedgerEntry.objects.filter(order=order, kind="voucher").get().amount == Decimal("-1500.00")


# --- the end of a voucher ---


def test_an_expired_voucher_gives_its_balance_back_and_pays_no_more(
    cathy: User,
    sme: Institution,
    people: dict[str, User],
    voucher: Voucher,
    olga: User,
    scheme: VoucherScheme,
) -> None:
    _paid(cathy, sme, people, voucher, "3000.00")
    after = dt.datetime.combine(voucher.use_by + dt.timedelta(days=1), dt.time(1), tzinfo=dt.UTC)
    from dayi.accounts.access import Actor

    assert services.expire_vouchers(Actor(user=None), now=after) == 1
    voucher.refresh_from_db()
    scheme.refresh_from_db()
    assert (voucher.status, voucher.balance, voucher.returned) == ("expired", 0, Decimal("8500.00"))
    assert (scheme.reserved, scheme.spent) == (0, Decimal("1500.00"))
    later = delivered_order(cathy, sme, scheme.funder, people["alice"], "1000.00", n=1)
    with pytest.raises(VoucherExpired):
        services.apply_voucher_to_order(act(cathy), later.pk, voucher.number, now=after)
    # The cap (30,000) counts only what the expired voucher paid: 1,500 + 28,500 fits
    assert issue(scheme, sme, olga, "28500").amount == Decimal("28500.00")
    assert queries.reconcile(scheme)["ok"]


def test_an_officer_cancels_a_voucher_for_fraud(
    cathy: User,
    sme: Institution,
    people: dict[str, User],
    voucher: Voucher,
    olga: User,
    scheme: VoucherScheme,
) -> None:
    with pytest.raises(Forbidden):
        services.cancel_voucher(act(cathy), voucher.number, reason="串通", now=NOW)
    services.cancel_voucher(act(olga), voucher.number, reason="与服务机构串通 (collusion)", now=NOW)
    voucher.refresh_from_db()
    assert (voucher.status, voucher.balance) == ("cancelled", 0)
    order = delivered_order(cathy, sme, scheme.funder, people["alice"], "1000.00")
    with pytest.raises(Conflict):
        services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW)
    with pytest.raises(Conflict):
        services.cancel_voucher(act(olga), voucher.number, reason="再次", now=NOW)
    assert queries.reconcile(scheme)["ok"]


# --- the scheme's terms ---


def test_the_budget_cannot_fall_below_what_is_committed(
    voucher: Voucher, olga: User, scheme: VoucherScheme, people: dict[str, User]
) -> None:
    with pytest.raises(ValidationFailed) as err:
        services.update_scheme(act(olga), scheme.code, {"budget": Decimal("9999.99")}, now=NOW)
    assert "budget" in err.value.fields
    updated = services.update_scheme(
        act(olga), scheme.code, {"budget": Decimal("10000"), "subsidy_ratio": Decimal("0.6")}, now=NOW
    )
    assert (updated.budget, updated.subsidy_ratio) == (Decimal("10000.00"), Decimal("0.600"))
    with pytest.raises(Forbidden):
        services.update_scheme(act(people["dave"]), scheme.code, {"name": "x"}, now=NOW)
    with pytest.raises(ValidationFailed):
        services.update_scheme(act(olga), scheme.code, {"reserved": Decimal("0")}, now=NOW)


def test_a_scheme_covers_only_its_modes_and_categories(
    cathy: User,
    sme: Institution,
    people: dict[str, User],
    voucher: Voucher,
    olga: User,
    scheme: VoucherScheme,
) -> None:
    services.update_scheme(act(olga), scheme.code, {"modes": ["self"]}, now=NOW)
    order = delivered_order(cathy, sme, scheme.funder, people["alice"], "1000.00")
    with pytest.raises(RuleViolation) as err:
        services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW)
    assert err.value.rule == "service_not_covered"
    services.update_scheme(act(olga), scheme.code, {"modes": [], "categories": ["0102"]}, now=NOW)
    with pytest.raises(RuleViolation) as err:
        services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW)
    assert err.value.rule == "service_not_covered"  # a TEM (0101) is not mass spectrometry (0102)
    services.update_scheme(act(olga), scheme.code, {"categories": ["01"]}, now=NOW)
    assert services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW)["covered"]


def test_a_scheme_for_young_companies_refuses_an_old_one(
    people: dict[str, User], olga: User, scheme: VoucherScheme
) -> None:
    from tests.vouchers.conftest import company

    services.update_scheme(act(olga), scheme.code, {"max_company_age_years": 5}, now=NOW)
    old = company(7, founded=dt.date(2015, 6, 1))
    young = company(8, founded=dt.date(2023, 6, 1))
    with pytest.raises(RuleViolation) as err:
        services.apply_for_voucher(
            act(people["root"]),
            scheme_code=scheme.code,
            company_id=old.pk,
            amount=Decimal("100"),
            purpose="检测",
            now=NOW,
        )
    assert err.value.rule == "not_eligible_company"
    assert (
        services.apply_for_voucher(
            act(people["root"]),
            scheme_code=scheme.code,
            company_id=young.pk,
            amount=Decimal("100"),
            purpose="检测",
            now=NOW,
        ).status
        == "submitted"
    )


def test_a_listing_is_public_for_the_schemes_notice_period(
    olga: User, scheme: VoucherScheme, people: dict[str, User], network: Any
) -> None:
    services.update_scheme(act(olga), scheme.code, {"notice_days": 3}, now=NOW)
    listing = services.request_listing(act(people["amy"]), scheme.code, network["zju"].pk, now=NOW)
    assert listing.notice_until == NOW + dt.timedelta(days=3)
    with pytest.raises(Conflict):
        services.approve_listing(act(olga), scheme.code, listing.pk, now=NOW + dt.timedelta(days=2))
    approved = services.approve_listing(act(olga), scheme.code, listing.pk, now=NOW + dt.timedelta(days=3))
    assert approved.status == "approved"


def test_voucher_dates_are_beijing_dates(
    people: dict[str, User], olga: User, scheme: VoucherScheme, sme: Institution
) -> None:
    # 2026-03-01 17:30 UTC is already 2026-03-02 01:30 in Shanghai: the voucher's 180 days start on the 2nd
    late_evening_utc = dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC)
    application = services.apply_for_voucher(
        act(people["root"]),
        scheme_code=scheme.code,
        company_id=sme.pk,
        amount=Decimal("100"),
        purpose="检测",
        now=late_evening_utc,
    )
    voucher = services.approve_application(act(olga), application.pk, now=late_evening_utc)
    assert voucher.use_by == dt.date(2026, 3, 2) + dt.timedelta(days=180)
