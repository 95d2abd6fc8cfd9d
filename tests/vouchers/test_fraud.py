"""The fraud checks: each refuses (and says why), and the unusual patterns are shown to the officer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from psycopg.types.range import Range

from dayi.accounts.access import actor_for
from dayi.accounts.models import User
from dayi.booking import services as booking
from dayi.booking.models import Booking
from dayi.core.errors import Forbidden, RuleViolation
from dayi.network.models import Institution
from dayi.orders import services as orders
from dayi.orders.models import Order
from dayi.vouchers import queries, services
from dayi.vouchers.errors import AlreadyClaimed
from dayi.vouchers.models import Voucher, VoucherScheme
from tests.conftest import NOW, ApiClient, make_institution
from tests.vouchers.conftest import act, company, delivered_order, issue, listed, make_order

pytestmark = pytest.mark.django_db


def _rule(call: Any) -> str:
    with pytest.raises(RuleViolation) as err:
        call()
    return err.value.rule


# --- related parties ---


def test_a_company_cannot_pay_itself(
    cathy: User, sme: Institution, voucher: Voucher, scheme: VoucherScheme, people: dict[str, User]
) -> None:
    # Given the SME is also a listed provider, and an order it "served" itself
    listed(scheme, sme)
    order = make_order(cathy, sme, sme, "2000.00")
    rule = _rule(lambda: services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW))
    assert rule == "related_parties"


def test_a_provider_sharing_the_companys_credit_code_root_is_refused(
    cathy: User, sme: Institution, voucher: Voucher, scheme: VoucherScheme
) -> None:
    # 91310115MA1J00000X: the organisation code (characters 9–17) is MA1J00000
    sister = make_institution("上海示例检测中心", "12310115MA1J00000Y", "310115")
    listed(scheme, sister)
    order = make_order(cathy, sme, sister, "2000.00")
    rule = _rule(lambda: services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW))
    assert rule == "related_parties"


def test_declared_related_parties_are_refused_at_use_and_at_claim(
    cathy: User, sme: Institution, voucher: Voucher, people: dict[str, User], olga: User
) -> None:
    order = delivered_order(cathy, sme, voucher.scheme.funder, people["alice"], "2000.00")
    services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW)
    # A customer without a role cannot declare; the officer can
    with pytest.raises(Forbidden):
        services.declare_related(act(people["eve"]), sme.pk, order.provider_id, reason="同一实控人", now=NOW)
    services.declare_related(
        act(olga), order.provider_id, sme.pk, reason="同一实际控制人 (same owner)", now=NOW
    )
    rule = _rule(lambda: services.claim_redemption(act(people["alice"]), order.pk, now=NOW))
    assert rule == "related_parties"
    another = delivered_order(cathy, sme, voucher.scheme.funder, people["alice"], "2000.00", n=1)
    rule = _rule(lambda: services.apply_voucher_to_order(act(cathy), another.pk, voucher.number, now=NOW))
    assert rule == "related_parties"


# --- evidence of a real service ---


def test_a_sample_order_without_a_result_cannot_be_claimed(
    cathy: User, sme: Institution, voucher: Voucher, people: dict[str, User]
) -> None:
    order = delivered_order(cathy, sme, voucher.scheme.funder, people["alice"], "2000.00", result="")
    services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW)
    rule = _rule(lambda: services.claim_redemption(act(people["alice"]), order.pk, now=NOW))
    assert rule == "no_usage_evidence"


def _booking_order(cathy: User, sme: Institution, provider: Institution, mode: str, n: int = 0) -> Order:
    """Instrument time in progress on 2026-03-02 09:00–11:00 UTC, its order in service (quote: 2 h × 750)."""
    order = make_order(cathy, sme, provider, "0.00", n)
    start, end = NOW, NOW + dt.timedelta(hours=2)
    b = Booking.objects.create(
        instrument=order.instrument,
        user=cathy,
        customer=sme,
        mode=mode,
        start=start,
        end=end,
        occupied=Range(start, end),
        status="in_progress",
        checked_in_at=start,
        created=NOW,
        updated=NOW,
    )
    quote = {
        "amount": "1500.00",
        "hours": "2",
        "minimum": "0.00",
        "lines": [
            {
                "description": "机时",
                "unit": "hour",
                "unit_price": "750.00",
                "quantity": "2",
                "amount": "1500.00",
            }
        ],
    }
    Order.objects.filter(pk=order.pk).update(
        kind="booking", booking=b, mode=mode, status="in_service", quote=quote
    )
    return Order.objects.get(pk=order.pk)


def _finish(order: Order, closer: User, manager: User) -> None:
    assert order.booking_id is not None
    booking.check_out(actor_for(closer), order.booking_id, now=NOW + dt.timedelta(hours=2))
    orders.complete_order(actor_for(manager), order.pk, now=NOW + dt.timedelta(hours=3))
    orders.charge_order(actor_for(manager), order.pk, now=NOW + dt.timedelta(hours=3))


def test_hours_the_customer_recorded_alone_are_no_evidence(
    cathy: User, sme: Institution, voucher: Voucher, people: dict[str, User]
) -> None:
    # Given self-operated time that the customer checked out of herself
    order = _booking_order(cathy, sme, voucher.scheme.funder, "self")
    _finish(order, cathy, people["alice"])
    services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW + dt.timedelta(hours=4))
    with pytest.raises(RuleViolation) as err:
        services.claim_redemption(act(people["alice"]), order.pk, now=NOW + dt.timedelta(hours=4))
    assert err.value.rule == "no_usage_evidence" and "仅由客户本人录入" in err.value.message


def test_hours_the_staff_recorded_are_evidence(
    cathy: User, sme: Institution, voucher: Voucher, people: dict[str, User]
) -> None:
    order = _booking_order(cathy, sme, voucher.scheme.funder, "assisted")
    _finish(order, people["alice"], people["alice"])
    later = NOW + dt.timedelta(hours=4)
    services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=later)
    claim = services.claim_redemption(act(people["alice"]), order.pk, now=later)
    assert claim.evidence["hours"] == "2.00" and claim.amount == Decimal("750.00")


# --- the same service twice ---


def test_the_same_time_claimed_under_another_order_is_refused(
    cathy: User,
    sme: Institution,
    voucher: Voucher,
    people: dict[str, User],
    scheme: VoucherScheme,
    olga: User,
) -> None:
    # Given a claimed order for 09:00–11:00 on an instrument
    first = _booking_order(cathy, sme, voucher.scheme.funder, "assisted")
    _finish(first, people["alice"], people["alice"])
    later = NOW + dt.timedelta(hours=4)
    services.apply_voucher_to_order(act(cathy), first.pk, voucher.number, now=later)
    services.claim_redemption(act(people["alice"]), first.pk, now=later)
    # And a second order of the same company on the same instrument for overlapping time (its booking
    # cancelled late, so the time could be booked again; the late fee was charged)
    Booking.objects.filter(pk=first.booking_id).update(status="cancelled")
    second = _booking_order(cathy, sme, voucher.scheme.funder, "assisted", n=1)
    Order.objects.filter(pk=second.pk).update(instrument=first.instrument)
    Booking.objects.filter(pk=second.booking_id).update(instrument=first.instrument)
    second.refresh_from_db()
    _finish(second, people["alice"], people["alice"])
    services.apply_voucher_to_order(act(cathy), second.pk, issue(scheme, sme, olga, "1000").number, now=later)
    with pytest.raises(AlreadyClaimed):
        services.claim_redemption(act(people["alice"]), second.pk, now=later)


# --- what the officer sees ---


def test_quick_orders_and_prices_above_the_list_are_noted_for_the_officer(
    cathy: User, sme: Institution, voucher: Voucher, people: dict[str, User]
) -> None:
    order = delivered_order(cathy, sme, voucher.scheme.funder, people["alice"], "2000.00")
    Order.objects.filter(pk=order.pk).update(quote={**order.quote, "amount": "1200.00"})
    services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW)
    claim = services.claim_redemption(act(people["alice"]), order.pk, now=NOW)
    notes = " ".join(claim.notes)
    assert "completed 0 minutes after it was created" in notes
    assert "above the published price list" in notes


def test_a_provider_living_on_a_few_companies_is_listed(
    cathy: User, sme: Institution, voucher: Voucher, people: dict[str, User], scheme: VoucherScheme
) -> None:
    for n in range(5):
        order = delivered_order(cathy, sme, scheme.funder, people["alice"], "100.00", n)
        services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW)
    [row] = queries.concentrated_providers(scheme)
    assert (row["provider_id"], row["share"], row["companies"]) == (scheme.funder_id, 1, 1)
    # and the next claim carries the note
    claim = services.claim_redemption(act(people["alice"]), order.pk, now=NOW)
    assert any("concentrated" in n for n in claim.notes)


def test_a_provider_with_many_companies_is_not_listed(
    voucher: Voucher, people: dict[str, User], scheme: VoucherScheme, olga: User
) -> None:
    for n in range(5):
        c = company(20 + n)
        v = issue(scheme, c, olga, "1000")
        buyer = User.objects.create_user(username=f"buyer{n}", password="x-unused-9", institution=c)
        order = delivered_order(buyer, c, scheme.funder, people["alice"], "100.00", n)
        services.apply_voucher_to_order(act(buyer), order.pk, v.number, now=NOW)
    assert queries.concentrated_providers(scheme) == []


def test_anyone_reads_the_public_list_of_funded_services(
    cathy: User, sme: Institution, voucher: Voucher, people: dict[str, User], olga: User
) -> None:
    kept = delivered_order(cathy, sme, voucher.scheme.funder, people["alice"], "2000.00")
    refused = delivered_order(cathy, sme, voucher.scheme.funder, people["alice"], "1000.00", n=1)
    for order in (kept, refused):
        services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW)
    claim = services.claim_redemption(act(people["alice"]), refused.pk, now=NOW)
    services.reject_claim(act(olga), claim.pk, reason="无合同", now=NOW)
    page = ApiClient().get("/api/v1/voucher-funded-services").json()
    assert page["count"] == 1
    [row] = page["items"]
    assert (row["company"], row["provider"], row["amount"], row["mode"]) == (
        sme.name,
        "浙江大学",
        "1000.00",
        "sample",
    )
    flows = ApiClient().get("/api/v1/voucher-flows").json()
    assert flows == [
        {
            "from_code": "310000",
            "from_name": "上海市",
            "to_code": "330000",
            "to_name": "浙江省",
            "amount": "1000.00",
            "count": 1,
        }
    ]
