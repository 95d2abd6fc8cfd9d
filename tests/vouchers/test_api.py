"""/api/v1 voucher endpoints: the contract's paths, names, statuses and error shape."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dayi.accounts import services as account_services
from dayi.accounts.models import User
from dayi.network.models import Institution
from dayi.vouchers.models import VoucherListing, VoucherScheme
from tests.conftest import NOW, ApiClient
from tests.vouchers.conftest import SCHEME, company, make_order

pytestmark = pytest.mark.django_db


def client(user: User) -> ApiClient:
    token, _ = account_services.issue_token(user, now=timezone.now())
    return ApiClient(token)


def _scheme_body(funder: Institution) -> dict[str, Any]:
    body = {k: str(v) if not isinstance(v, list | bool | int) else v for k, v in SCHEME.items()}
    return {**body, "code": "zj2026", "funder": funder.pk, "use_days": 180, "redemption_days": 60}


def test_a_platform_admin_creates_and_anyone_reads_a_scheme(
    api_as: Any, anon: ApiClient, network: Any
) -> None:
    created = api_as("carol").post("/api/v1/voucher-schemes", _scheme_body(network["zju"]))
    assert created.status_code == 201, created.json()
    page = anon.get("/api/v1/voucher-schemes/zj2026").json()
    assert (
        page["budget"] == "100000.00" and page["remaining"] == "100000.00" and page["subsidy_ratio"] == "0.50"
    )
    assert [s["code"] for s in anon.get("/api/v1/voucher-schemes").json()["items"]] == ["zj2026"]


def test_it_refuses_a_scheme_from_a_customer(api_as: Any, network: Any) -> None:
    answer = api_as("eve").post("/api/v1/voucher-schemes", _scheme_body(network["zju"]))
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden"


def test_the_life_of_a_voucher_through_the_api(
    cathy: User, olga: User, scheme: VoucherScheme, sme: Institution, network: Any
) -> None:
    applied = client(cathy).post(
        "/api/v1/voucher-applications",
        {"scheme": scheme.code, "company": sme.pk, "amount": "8000", "purpose": "材料表征"},
    )
    assert applied.status_code == 201, applied.json()
    approved = client(olga).post(f"/api/v1/voucher-applications/{applied.json()['id']}/approve")
    assert approved.status_code == 200, approved.json()
    number = approved.json()["voucher"]
    assert client(cathy).get(f"/api/v1/vouchers/{number}").json()["balance"] == "8000.00"
    order = make_order(cathy, sme, network["zju"], "2000.00")
    refused = client(cathy).post(f"/api/v1/orders/{order.pk}/vouchers", {"voucher": number})
    assert refused.status_code == 422 and refused.json()["error"]["rule"] == "provider_not_listed"
    VoucherListing.objects.create(
        scheme=scheme, provider=network["zju"], status="approved", notice_until=NOW, created=NOW
    )
    used = client(cathy).post(f"/api/v1/orders/{order.pk}/vouchers", {"voucher": number})
    assert used.json() == {"covered": "1000.00", "payable": "1000.00", "payer": "sh2026", "mode": "tongdui"}
    figures = client(cathy).get(f"/api/v1/voucher-schemes/{scheme.code}").json()
    assert (figures["reserved"], figures["spent"], figures["remaining"]) == ("7000.00", "1000.00", "92000.00")
    ledger = client(olga).get(f"/api/v1/voucher-schemes/{scheme.code}/ledger").json()
    assert [(e["kind"], e["amount"]) for e in ledger] == [("reserve", "8000.00"), ("apply", "1000.00")]


def test_the_ledger_is_only_for_the_schemes_officers(cathy: User, scheme: VoucherScheme) -> None:
    answer = client(cathy).get(f"/api/v1/voucher-schemes/{scheme.code}/ledger")
    assert answer.status_code == 403


def test_an_ineligible_company_gets_a_rule_violation(api_as: Any, scheme: VoucherScheme) -> None:
    hangzhou = company(7, region="330100")
    answer = api_as("root").post(
        "/api/v1/voucher-applications",
        {"scheme": scheme.code, "company": hangzhou.pk, "amount": "1000", "purpose": "检测"},
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "rule_violation"
    assert answer.json()["error"]["rule"] == "not_eligible_company"


def test_an_approval_beyond_the_cap_is_a_conflict(
    cathy: User, olga: User, scheme: VoucherScheme, sme: Institution
) -> None:
    ids = [
        client(cathy)
        .post(
            "/api/v1/voucher-applications",
            {"scheme": scheme.code, "company": sme.pk, "amount": amount, "purpose": "检测"},
        )
        .json()["id"]
        for amount in ("25000", "5001")
    ]
    assert client(olga).post(f"/api/v1/voucher-applications/{ids[0]}/approve").status_code == 200
    answer = client(olga).post(f"/api/v1/voucher-applications/{ids[1]}/approve")
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "cap_exceeded"
    scheme.refresh_from_db()
    assert scheme.reserved == Decimal("25000.00")


def test_the_officer_rejects_through_the_api(
    cathy: User, olga: User, scheme: VoucherScheme, sme: Institution
) -> None:
    applied = client(cathy).post(
        "/api/v1/voucher-applications",
        {"scheme": scheme.code, "company": sme.pk, "amount": "1000", "purpose": "检测"},
    )
    answer = client(olga).post(
        f"/api/v1/voucher-applications/{applied.json()['id']}/reject", {"reason": "材料不全"}
    )
    assert answer.status_code == 200 and answer.json()["status"] == "rejected"
    assert answer.json()["reason"] == "材料不全"


def test_a_provider_applies_to_be_listed_and_the_listing_is_public(
    api_as: Any, anon: ApiClient, olga: User, scheme: VoucherScheme, network: Any
) -> None:
    asked = api_as("amy").post(
        f"/api/v1/voucher-schemes/{scheme.code}/providers", {"provider": network["zju"].pk}
    )
    assert asked.status_code == 201, asked.json()
    listed = anon.get(f"/api/v1/voucher-schemes/{scheme.code}/providers").json()
    assert [(x["provider"], x["status"]) for x in listed] == [(network["zju"].pk, "pending")]
    early = client(olga).post(f"/api/v1/voucher-schemes/{scheme.code}/providers/{asked.json()['id']}/approve")
    assert early.status_code == 409
