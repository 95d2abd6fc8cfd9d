"""What the fuzzing found (issue 11, item 8), each as a regular test: bad input answers a 4xx, never a 5xx.

Each failed with a 500 before the trust issue's fixes (hardening: pagination, NUL bytes, multipart, body
size; money: order lines, amounts) and must keep answering a 4xx.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from dayi.accounts.access import actor_for
from dayi.accounts.models import User
from dayi.orders import services as order_services
from tests.conftest import make_user
from tests.orders.conftest import NOW, bet, fast_passwords, priced  # noqa: F401
from tests.vouchers.conftest import company, delivered_order, make_scheme

HUGE = 10**19  # over PostgreSQL's bigint: the page's offset overflows


def no_server_error(response: Any) -> None:
    assert response.status_code < 500, response.content[:300]
    assert 400 <= response.status_code < 500, response.status_code
    assert "error" in response.json()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/regions", "/api/v1/platforms", "/api/v1/experts", "/api/v1/evaluations",
        # found again by the suite's fuzzing, beyond the list
        "/api/v1/search/synonyms", "/api/v1/voucher-schemes", "/api/v1/bookings",
    ],
)  # fmt: skip
def test_a_huge_page_number_is_refused_as_bad_input(path: str, api_as: Any) -> None:
    no_server_error(api_as("carol").get(path, {"page": HUGE}))


def test_a_page_whose_offset_overflows_is_refused_as_bad_input(anon: Any, network: Any) -> None:
    no_server_error(anon.get("/api/v1/voucher-schemes", {"page": 243317703870603360}))


@pytest.fixture
def voucher_world(network: dict[str, Any], people: dict[str, User]) -> dict[str, Any]:
    scheme = make_scheme(network["zju"])
    olga = make_user("olga", None, "voucher_officer", scheme=scheme.code)
    sme = company()
    cathy = make_user("cathy", sme)
    order = delivered_order(cathy, sme, network["zju"], people["alice"], "1000")
    people.update({"olga": olga, "cathy": cathy})  # so api_as finds them
    return {"scheme": scheme, "sme": sme, "order": order}


@pytest.mark.parametrize("path", ["/api/v1/redemption-claims", "/api/v1/voucher-applications"])
def test_a_nul_byte_in_a_list_filter_is_refused_as_bad_input(
    path: str, api_as: Any, voucher_world: Any
) -> None:
    no_server_error(api_as("olga").get(path, {"scheme": "sh\x002026", "status": "sub\x00mitted"}))


def test_a_nul_byte_in_a_demand_is_refused_as_bad_input(api_as: Any) -> None:
    body = {"title": "比表面积\x00测试", "description": "BET\x00", "deadline": "2026-12-31"}
    no_server_error(api_as("eve").post("/api/v1/demands", body))


def test_a_nul_byte_in_a_username_is_refused_as_bad_input(anon: Any, network: Any) -> None:
    no_server_error(anon.post("/api/v1/auth/token", {"username": "amy\x00", "password": "x"}))


def test_a_nul_byte_in_a_new_platform_is_refused_as_bad_input(api_as: Any) -> None:
    body = {"code": "zz", "name": "新平台", "level": "municipal", "parent": "\x00yrd"}
    no_server_error(api_as("carol").post("/api/v1/platforms", body))


def test_a_nul_byte_in_a_voucher_number_is_refused_as_bad_input(api_as: Any, voucher_world: Any) -> None:
    url = f"/api/v1/orders/{voucher_world['order'].pk}/vouchers"
    no_server_error(api_as("cathy").post(url, {"voucher": "V\x00001"}))


def test_a_company_lists_and_reads_its_own_orders(api_as: Any, voucher_world: Any) -> None:
    """The orders a voucher pays are quoted as lines without unit, quantity and unit price."""
    cathy = api_as("cathy")
    listed = cathy.get("/api/v1/orders")
    assert listed.status_code == 200, listed.content[:300]
    one = cathy.get(f"/api/v1/orders/{voucher_world['order'].pk}")
    assert one.status_code == 200, one.content[:300]


def test_settling_such_an_order_answers_the_order(api_as: Any, voucher_world: Any) -> None:
    response = api_as("alice").post(f"/api/v1/orders/{voucher_world['order'].pk}/settle")
    assert response.status_code == 200, response.content[:300]


@pytest.mark.parametrize(
    ("kind", "amount"),
    [("corrections", "99999999999999999999.99"), ("corrections", 1e20), ("refunds", "1E+30")],
)
def test_a_huge_correction_or_refund_is_refused_as_bad_input(
    kind: str,
    amount: Any,
    api_as: Any,
    people: dict[str, User],
    priced: Any,  # noqa: F811
) -> None:
    order = order_services.create_sample_order(
        actor_for(people["eve"]),
        instrument_id=priced.pk,
        samples={"count": 1, "kind": "粉末", "hazards": "", "return_or_dispose": "dispose"},
        now=NOW,
    )
    for step in ("accept_order", "receive_samples", "start_order", "complete_order", "charge_order"):
        getattr(order_services, step)(actor_for(people["alice"]), order.pk, now=NOW)
    if kind == "refunds":
        order_services.settle_order(actor_for(people["alice"]), order.pk, now=NOW)
    body = {"amount": amount, "note": "fuzz"}
    no_server_error(api_as("alice").post(f"/api/v1/orders/{order.pk}/{kind}", body))


def test_a_top_up_beyond_what_the_ledger_holds_is_refused_as_bad_input(
    api_as: Any, people: dict[str, User], network: dict[str, Any]
) -> None:
    account = order_services.open_account(
        actor_for(people["amy"]),
        name="课题组",
        institution_id=network["zju"].pk,
        pi_id=people["alice"].pk,
        now=NOW,
    )
    response = api_as("amy").post(
        f"/api/v1/accounts/{account.pk}/top-ups", {"amount": str(Decimal("99999999999999.99"))}
    )
    no_server_error(response)


def test_a_multipart_import_without_a_boundary_is_refused_as_bad_input(api_as: Any, network: Any) -> None:
    response = api_as("alice").post(
        "/api/v1/instruments/import", b"--x--", content_type="multipart/form-data"
    )
    no_server_error(response)


def test_a_json_body_over_the_limit_answers_413(api_as: Any) -> None:
    body = json.dumps({"title": "t", "description": "x" * 3_000_000, "deadline": "2026-12-31"})
    response = api_as("eve").post("/api/v1/demands", body, content_type="application/json")
    assert response.status_code == 413, response.status_code
