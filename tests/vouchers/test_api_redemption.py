"""/api/v1 for the later steps of a voucher: claims, settlement, rejection, the monthly batch, scheme
changes, the wallet, cancellation, related parties, and the contract's paths in the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from dayi.accounts import services as account_services
from dayi.accounts.models import User
from dayi.network.models import Institution
from dayi.orders.models import Order
from dayi.vouchers import services
from dayi.vouchers.models import RedemptionClaim, Voucher, VoucherScheme
from tests.conftest import NOW, ApiClient
from tests.vouchers.conftest import act, delivered_order

pytestmark = pytest.mark.django_db


def client(user: User) -> ApiClient:
    token, _ = account_services.issue_token(user, now=timezone.now())
    return ApiClient(token)


@pytest.fixture
def paid(cathy: User, sme: Institution, people: dict[str, User], voucher: Voucher) -> Order:
    """A delivered, charged 3,000 order, 1,500 of it paid by the voucher (at NOW, 2026-03-02)."""
    order = delivered_order(cathy, sme, voucher.scheme.funder, people["alice"], "3000.00")
    services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW)
    return order


def _claim_now(order: Order, who: User) -> Any:
    # The voucher was issued in March with 180 days to use and 60 to redeem; "now" in these requests is the
    # real clock. Move the deadline so that the request is in time.
    Voucher.objects.update(redeem_by=timezone.localdate())
    return client(who).post(f"/api/v1/orders/{order.pk}/redemption-claims")


def test_an_outsider_claiming_for_an_order_is_told_nothing_of_it(
    paid: Order, cathy: User, sme: Institution, people: dict[str, User], voucher: Voucher
) -> None:
    # Given an order no voucher paid, beside the voucher-paid one
    unpaid = delivered_order(cathy, sme, voucher.scheme.funder, people["alice"], "800.00", n=1)

    # Then another institution's manager and an unrelated platform's admin hear "no such order" for both
    # (not 409 "no voucher paid this order", which told them about someone else's order)
    for who in (people["bob"], people["dave"]):
        for order in (unpaid, paid):
            answer = _claim_now(order, who)
            assert (answer.status_code, answer.json()["error"]["code"]) == (404, "not_found"), who

    # And the provider's manager is still told why the unpaid order cannot be claimed
    assert _claim_now(unpaid, people["alice"]).status_code == 409
    assert not RedemptionClaim.objects.exists()


def test_a_claim_is_made_once_settled_and_the_scheme_reconciles(
    paid: Order, people: dict[str, User], olga: User, scheme: VoucherScheme
) -> None:
    made = _claim_now(paid, people["alice"])
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["amount"], body["status"], body["mode"], body["scheme"]) == (
        "1500.00",
        "submitted",
        "tongdui",
        "sh2026",
    )
    again = client(people["alice"]).post(f"/api/v1/orders/{paid.pk}/redemption-claims")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_claimed"
    settled = client(olga).post(f"/api/v1/redemption-claims/{body['id']}/settle")
    assert settled.status_code == 200 and settled.json()["status"] == "settled"
    report = client(olga).get(f"/api/v1/voucher-schemes/{scheme.code}/reconciliation").json()
    assert report["ok"] is True and report["ledger"]["settle"] == "1500.00"
    assert client(olga).get(f"/api/v1/voucher-schemes/{scheme.code}").json()["settled"] == "1500.00"


def test_a_claim_is_rejected_with_a_reason(paid: Order, people: dict[str, User], olga: User) -> None:
    claim_id = _claim_now(paid, people["alice"]).json()["id"]
    empty = client(olga).post(f"/api/v1/redemption-claims/{claim_id}/reject", {"reason": ""})
    assert empty.status_code == 422 and "reason" in empty.json()["error"]["fields"]
    answer = client(olga).post(f"/api/v1/redemption-claims/{claim_id}/reject", {"reason": "发票不符"})
    assert answer.status_code == 200 and (answer.json()["status"], answer.json()["reason"]) == (
        "rejected",
        "发票不符",
    )


def test_a_late_claim_and_a_late_use_are_refused_in_the_error_shape(
    paid: Order, people: dict[str, User], cathy: User, voucher: Voucher, sme: Institution
) -> None:
    late = client(people["alice"]).post(f"/api/v1/orders/{paid.pk}/redemption-claims")
    assert late.status_code == 422 and late.json()["error"]["rule"] == "deadline_passed"
    another = delivered_order(cathy, sme, voucher.scheme.funder, people["alice"], "100.00", n=1)
    expired = client(cathy).post(f"/api/v1/orders/{another.pk}/vouchers", {"voucher": voucher.number})
    assert expired.status_code == 409 and expired.json()["error"]["code"] == "voucher_expired"


def test_only_the_schemes_officers_list_claims(
    paid: Order, people: dict[str, User], olga: User, cathy: User
) -> None:
    _claim_now(paid, people["alice"])
    page = client(olga).get("/api/v1/redemption-claims", {"scheme": "sh2026", "status": "submitted"}).json()
    assert page["count"] == 1 and page["items"][0]["notes"]  # completed within minutes: noted
    assert client(cathy).get("/api/v1/redemption-claims", {"scheme": "sh2026"}).status_code == 403


def test_the_monthly_batch(paid: Order, people: dict[str, User], olga: User) -> None:
    claim_id = _claim_now(paid, people["alice"]).json()["id"]
    bad = client(olga).post("/api/v1/voucher-schemes/sh2026/settlements", {"month": "2026-13"})
    assert bad.status_code == 422 and "month" in bad.json()["error"]["fields"]
    month = timezone.localdate().strftime("%Y-%m")
    done = client(olga).post("/api/v1/voucher-schemes/sh2026/settlements", {"month": month})
    assert done.json() == {"settled": 1, "total": "1500.00"}
    assert client(olga).post(f"/api/v1/redemption-claims/{claim_id}/settle").status_code == 409


def test_a_scheme_is_patched_by_its_officer_only(voucher: Voucher, olga: User, cathy: User) -> None:
    renamed = client(olga).patch(
        "/api/v1/voucher-schemes/sh2026",
        {"name": "上海市科技创新券（2026 年度）"},
        content_type="application/json",
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "上海市科技创新券（2026 年度）"
    low = client(olga).patch(
        "/api/v1/voucher-schemes/sh2026", {"budget": "5000"}, content_type="application/json"
    )
    assert low.status_code == 422 and "budget" in low.json()["error"]["fields"]
    assert (
        client(cathy)
        .patch("/api/v1/voucher-schemes/sh2026", {"name": "x"}, content_type="application/json")
        .status_code
        == 403
    )
    assert VoucherScheme.objects.get(code="sh2026").budget == 100000


def test_the_wallet_shows_a_company_its_own_vouchers(
    voucher: Voucher, cathy: User, people: dict[str, User], sme: Institution
) -> None:
    mine = client(cathy).get("/api/v1/vouchers", {"company": sme.pk}).json()
    assert [v["number"] for v in mine["items"]] == [voucher.number]
    assert client(people["eve"]).get("/api/v1/vouchers", {"company": sme.pk}).json()["count"] == 0


def test_a_voucher_is_cancelled_by_its_officer(voucher: Voucher, olga: User, cathy: User) -> None:
    refused = client(cathy).post(f"/api/v1/vouchers/{voucher.number}/cancel", {"reason": "x"})
    assert refused.status_code == 403
    answer = client(olga).post(f"/api/v1/vouchers/{voucher.number}/cancel", {"reason": "串通"})
    assert answer.status_code == 200 and (answer.json()["status"], answer.json()["balance"]) == (
        "cancelled",
        "0.00",
    )


def test_related_parties_are_declared_once(olga: User, sme: Institution, network: Any) -> None:
    body = {"first": sme.pk, "second": network["zju"].pk, "reason": "同一实际控制人"}
    assert client(olga).post("/api/v1/related-parties", body).status_code == 201
    again = client(olga).post("/api/v1/related-parties", body)
    assert again.status_code == 409 and again.json()["error"]["code"] == "duplicate"


def test_the_openapi_document_lists_the_contracts_voucher_paths(anon: ApiClient) -> None:
    paths = anon.get("/api/v1/openapi.json").json()["paths"]
    expected = {
        "/api/v1/voucher-schemes": {"get", "post"},
        "/api/v1/voucher-schemes/{code}": {"get", "patch"},
        "/api/v1/voucher-schemes/{code}/providers": {"get", "post"},
        "/api/v1/voucher-schemes/{code}/providers/{listing_id}/approve": {"post"},
        "/api/v1/voucher-schemes/{code}/recognitions": {"get", "post"},
        "/api/v1/voucher-applications": {"get", "post"},
        "/api/v1/voucher-applications/{application_id}/approve": {"post"},
        "/api/v1/voucher-applications/{application_id}/reject": {"post"},
        "/api/v1/vouchers/{number}": {"get"},
        "/api/v1/orders/{order_id}/vouchers": {"post"},
        "/api/v1/orders/{order_id}/redemption-claims": {"post"},
        "/api/v1/redemption-claims/{claim_id}/settle": {"post"},
        "/api/v1/redemption-claims/{claim_id}/reject": {"post"},
        "/api/v1/voucher-schemes/{code}/ledger": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths.get(path, {})), path
