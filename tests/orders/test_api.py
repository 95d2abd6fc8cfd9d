"""The orders API: the contract's paths, fields, status codes and error codes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from dayi.core.models import AuditEvent
from dayi.orders.models import PriceRule
from tests.booking.conftest import SHANGHAI
from tests.money import finance_officer


def price_body() -> list[dict[str, Any]]:
    return [
        {
            "unit": "hour",
            "mode": "assisted",
            "user_class": "internal",
            "amount": "100",
            "minimum": "0",
            "valid_from": "2026-01-01",
            "valid_until": None,
        },
        {
            "unit": "sample",
            "mode": "sample",
            "user_class": "academic",
            "amount": "80.50",
            "minimum": "0",
            "valid_from": "2026-01-01",
            "valid_until": None,
        },
        {
            "unit": "sample",
            "mode": "sample",
            "user_class": "internal",
            "amount": "50",
            "minimum": "0",
            "valid_from": "2026-01-01",
            "valid_until": None,
        },
    ]


@pytest.fixture
def listed(bet: Any, api_as: Any) -> Any:
    assert api_as("alice").put(f"/api/v1/instruments/{bet.pk}/prices", price_body()).status_code == 200
    return bet


def test_a_manager_replaces_the_price_list_and_anyone_reads_it(listed: Any, anon: Any) -> None:
    body = anon.get(f"/api/v1/instruments/{listed.pk}/prices").json()
    assert [(p["unit"], p["user_class"], p["amount"]) for p in body] == [
        ("hour", "internal", "100.00"),
        ("sample", "academic", "80.50"),
        ("sample", "internal", "50.00"),
    ]
    assert AuditEvent.objects.filter(action="prices.replace").count() == 1


def test_it_refuses_a_price_list_from_a_manager_of_another_institution(bet: Any, api_as: Any) -> None:
    r = api_as("bob").put(f"/api/v1/instruments/{bet.pk}/prices", price_body())
    assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found")
    assert not PriceRule.objects.exists()


def test_an_invalid_rate_is_a_validation_error(bet: Any, api_as: Any) -> None:
    body = price_body()
    body[0]["valid_until"] = "2025-01-01"
    r = api_as("alice").put(f"/api/v1/instruments/{bet.pk}/prices", body)
    assert (r.status_code, r.json()["error"]["code"]) == (422, "validation_error")
    assert "0.valid_until" in r.json()["error"]["fields"]


def test_the_quote_for_the_signed_in_user(listed: Any, api_as: Any) -> None:
    r = api_as("eve").get(
        f"/api/v1/instruments/{listed.pk}/quote",
        {"mode": "assisted", "start": "2026-03-03T09:00:00+08:00", "end": "2026-03-03T10:30:00+08:00"},
    )
    body = r.json()
    assert (r.status_code, body["amount"], body["user_class"]) == (200, "150.00", "internal")
    assert body["lines"] == [
        {
            "description": "机时 assisted (per hour)",
            "unit": "hour",
            "quantity": "1.50",
            "unit_price": "100.00",
            "amount": "150.00",
        }
    ]


def test_a_manager_quotes_another_institution_and_others_may_not(
    listed: Any, api_as: Any, network: dict[str, Any]
) -> None:
    query = {"mode": "sample", "samples": 2, "institution": network["pku"].pk}
    r = api_as("alice").get(f"/api/v1/instruments/{listed.pk}/quote", query)
    assert (r.json()["user_class"], r.json()["amount"]) == ("academic", "161.00")
    assert api_as("eve").get(f"/api/v1/instruments/{listed.pk}/quote", query).status_code == 403


def test_a_quote_without_a_rate_is_a_rule_violation(listed: Any, api_as: Any) -> None:
    r = api_as("eve").get(
        f"/api/v1/instruments/{listed.pk}/quote",
        {"mode": "self", "start": "2026-03-03T09:00:00+08:00", "end": "2026-03-03T10:00:00+08:00"},
    )
    assert (r.status_code, r.json()["error"]["rule"]) == (422, "no_price")


def test_a_booking_carries_its_order_and_quote(listed: Any, api_as: Any) -> None:
    # The booking API checks notice and horizon against the real clock: book the day after tomorrow.
    day = (timezone.now().astimezone(SHANGHAI) + dt.timedelta(days=2)).date()
    start = dt.datetime.combine(day, dt.time(10), SHANGHAI)
    r = api_as("eve").post(
        "/api/v1/bookings",
        {
            "instrument": listed.pk,
            "start": start.isoformat(),
            "end": (start + dt.timedelta(hours=1)).isoformat(),
            "mode": "assisted",
        },
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["order"] and body["quote"]["amount"] == "100.00"
    order = api_as("eve").get(f"/api/v1/orders/{body['order']}").json()
    assert (order["kind"], order["booking"]) == ("booking", body["id"])
    assert api_as("eve").get(f"/api/v1/bookings/{body['id']}").json()["order"] == body["order"]


def submit(api: Any, instrument: Any, **extra: Any) -> Any:
    body = {
        "instrument": instrument.pk,
        "mode": "sample",
        "samples": {"count": 2, "kind": "粉末"},
        "description": "比表面积",
        **extra,
    }
    return api.post("/api/v1/orders", body)


def test_the_whole_lifecycle_of_a_sample_order(listed: Any, api_as: Any, people: dict[str, Any]) -> None:
    bob, alice = api_as("bob"), api_as("alice")
    r = submit(bob, listed)
    assert r.status_code == 201
    order = r.json()
    assert (order["status"], order["customer"], order["provider"], order["amount"]) == (
        "submitted",
        people["bob"].pk,
        listed.institution_id,
        "0.00",
    )
    for step, status in [
        ("accept", "accepted"),
        ("receive-samples", "samples_received"),
        ("start", "in_service"),
        ("complete", "completed"),
        ("charge", "charged"),
    ]:
        r = alice.post(f"/api/v1/orders/{order['id']}/{step}")
        assert (r.status_code, r.json()["status"]) == (200, status)
    charged = r.json()
    assert (charged["amount"], charged["payable"], [e["kind"] for e in charged["ledger"]]) == (
        "161.00",
        "161.00",
        ["charge"],
    )
    settled = alice.post(f"/api/v1/orders/{order['id']}/settle").json()
    assert (settled["status"], settled["payable"]) == ("settled", "0.00")


def test_a_transition_from_the_wrong_status_is_409(listed: Any, api_as: Any) -> None:
    order = submit(api_as("bob"), listed).json()
    r = api_as("alice").post(f"/api/v1/orders/{order['id']}/charge")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "invalid_state")


def test_the_customer_cancels_with_a_reason(listed: Any, api_as: Any) -> None:
    order = submit(api_as("bob"), listed).json()
    r = api_as("bob").post(f"/api/v1/orders/{order['id']}/cancel", {"reason": "不需要了"})
    assert (r.status_code, r.json()["status"], r.json()["reason"]) == (200, "cancelled", "不需要了")


def test_orders_are_listed_for_their_customer_and_provider_only(listed: Any, api_as: Any) -> None:
    submit(api_as("bob"), listed)
    assert api_as("bob").get("/api/v1/orders").json()["count"] == 1
    assert api_as("alice").get("/api/v1/orders", {"status": "submitted"}).json()["count"] == 1
    assert api_as("alice").get("/api/v1/orders", {"status": "charged"}).json()["count"] == 0
    assert api_as("eve").get("/api/v1/orders").json()["count"] == 0


def test_listing_orders_takes_a_fixed_number_of_queries(
    listed: Any, api_as: Any, django_assert_max_num_queries: Any
) -> None:
    bob = api_as("bob")
    for _ in range(5):
        submit(bob, listed)
    with django_assert_max_num_queries(6):
        assert bob.get("/api/v1/orders").json()["count"] == 5


def test_an_account_pays_and_refuses_what_it_cannot_cover(
    listed: Any, api_as: Any, people: dict[str, Any]
) -> None:
    bob, alice = api_as("bob"), api_as("alice")
    pku = people["bob"].institution_id
    r = bob.post("/api/v1/accounts", {"name": "北大课题组", "institution": pku, "pi": people["bob"].pk})
    assert r.status_code == 201
    account = r.json()["id"]
    r = bob.post(
        f"/api/v1/accounts/{account}/top-ups",
        {"amount": "200.00", "method": "bank_transfer", "reference": "TX-2026-0001"},
    )
    assert (r.status_code, r.json()["status"]) == (201, "pending")
    assert bob.get(f"/api/v1/accounts/{account}").json()["balance"] == "0.00"
    people["pku-finance"] = finance_officer(pku)
    assert api_as("pku-finance").post(f"/api/v1/top-ups/{r.json()['id']}/confirm").status_code == 200
    assert bob.get(f"/api/v1/accounts/{account}").json()["balance"] == "200.00"
    assert bob.post(f"/api/v1/accounts/{account}/members", {"user": people["eve"].pk}).json()["members"] == [
        people["eve"].pk
    ]
    ids = [submit(bob, listed, account=account).json()["id"] for _ in range(2)]
    codes = []
    for pk in ids:
        for step in ("accept", "receive-samples", "start", "complete"):
            alice.post(f"/api/v1/orders/{pk}/{step}")
        r = alice.post(f"/api/v1/orders/{pk}/charge")
        codes.append((r.status_code, r.json().get("error", {}).get("code")))
    assert codes == [(200, None), (409, "insufficient_funds")]
    assert bob.get(f"/api/v1/accounts/{account}").json()["balance"] == "39.00"
    assert api_as("alice").get(f"/api/v1/accounts/{account}").status_code == 404


def test_a_correction_through_the_api(listed: Any, api_as: Any) -> None:
    alice = api_as("alice")
    pk = submit(api_as("bob"), listed).json()["id"]
    for step in ("accept", "receive-samples", "start", "complete", "charge"):
        alice.post(f"/api/v1/orders/{pk}/{step}")
    r = alice.post(f"/api/v1/orders/{pk}/corrections", {"amount": "-61.00", "note": "优惠"})
    body = r.json()
    assert (body["amount"], [e["amount"] for e in body["ledger"]]) == ("100.00", ["161.00", "-61.00"])
