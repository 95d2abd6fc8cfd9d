"""The engine's gaps closed later: a booking charged to a group account, a booking's order following its
booking, the Idempotency-Key on POST /orders, and refunds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from dayi.accounts.access import actor_for
from dayi.booking import services as booking_services
from dayi.core.errors import ValidationFailed
from dayi.core.models import AuditEvent
from dayi.orders import services
from dayi.orders.errors import InvalidState
from dayi.orders.models import Account, LedgerEntry, Order
from tests.booking.conftest import NOW, book, make_bet
from tests.money import fund
from tests.orders.conftest import PRICE_LIST, submit


def run(user: Any, order: Order, *steps: str) -> Order:
    for step in steps:
        getattr(services, step)(actor_for(user), order.pk, now=NOW)
    order.refresh_from_db()
    return order


@pytest.fixture
def eves_account(people: dict[str, Any]) -> Account:
    eve = actor_for(people["eve"])
    account = services.open_account(
        eve,
        name="表面化学课题组",
        institution_id=people["eve"].institution_id,
        pi_id=people["eve"].pk,
        now=NOW,
    )
    return fund(account, "500", now=NOW)


@pytest.fixture
def approving(network: dict[str, Any], people: dict[str, Any]) -> Any:
    """A priced BET whose every booking waits for a manager's approval."""
    inst = make_bet(network["zju"], "BET-APPROVE", approval="always")
    services.replace_prices(actor_for(people["alice"]), inst.pk, PRICE_LIST, now=NOW)
    return inst


# --- a booking charged to a group account ----------------------------------------------------------------


def test_a_booking_with_an_account_is_charged_to_it_at_charge_time(
    priced: Any, people: dict[str, Any], eves_account: Account
) -> None:
    # given eve books an hour of assisted time (internal, 100 an hour) against her group's account
    booking = book(people["eve"], priced, "2026-03-03 10:00", "2026-03-03 11:00", account_id=eves_account.pk)
    order = Order.objects.get(booking=booking)
    assert order.account_id == eves_account.pk
    # when the managers complete and charge it
    run(people["alice"], order, "complete_order", "charge_order")
    # then the account paid the hour
    eves_account.refresh_from_db()
    assert eves_account.balance == Decimal("400.00")
    assert [(e.kind, e.amount) for e in order.ledger.all()] == [
        ("charge", Decimal("100.00")),
        ("payment", Decimal("-100.00")),
    ]


def test_a_booking_against_an_account_of_someone_else_is_refused_and_not_made(
    priced: Any, people: dict[str, Any], eves_account: Account
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        book(people["alice"], priced, "2026-03-03 10:00", "2026-03-03 11:00", account_id=eves_account.pk)
    assert "account" in refused.value.fields
    assert not Order.objects.filter(kind="booking").exists()


def test_the_booking_api_takes_the_account(priced: Any, api_as: Any, eves_account: Account) -> None:
    import datetime as dt

    from django.utils import timezone

    from tests.booking.conftest import SHANGHAI

    day = (timezone.now().astimezone(SHANGHAI) + dt.timedelta(days=2)).date()
    start = dt.datetime.combine(day, dt.time(10), SHANGHAI)
    body = {
        "instrument": priced.pk,
        "start": start.isoformat(),
        "end": (start + dt.timedelta(hours=1)).isoformat(),
        "mode": "assisted",
        "account": eves_account.pk,
    }
    assert api_as("alice").post("/api/v1/bookings", body).json()["error"]["code"] == "validation_error"
    r = api_as("eve").post("/api/v1/bookings", body)
    assert r.status_code == 201, r.json()
    assert Order.objects.get(pk=r.json()["order"]).account_id == eves_account.pk


# --- a booking's order follows its booking ---------------------------------------------------------------


def test_approving_a_booking_accepts_its_order(approving: Any, people: dict[str, Any]) -> None:
    booking = book(people["eve"], approving, "2026-03-03 10:00", "2026-03-03 11:00")
    assert Order.objects.get(booking=booking).status == "submitted"
    booking_services.approve_booking(actor_for(people["alice"]), booking.pk, now=NOW)
    order = Order.objects.get(booking=booking)
    assert order.status == "accepted"
    assert AuditEvent.objects.filter(action="order.accept", object_id=str(order.pk)).count() == 1


def test_rejecting_a_booking_rejects_its_order_with_the_reason(
    approving: Any, people: dict[str, Any]
) -> None:
    booking = book(people["eve"], approving, "2026-03-03 10:00", "2026-03-03 11:00")
    booking_services.reject_booking(actor_for(people["alice"]), booking.pk, reason="检修", now=NOW)
    order = Order.objects.get(booking=booking)
    assert (order.status, order.reason) == ("rejected", "检修")


def test_cancelling_a_booking_in_time_cancels_its_order(priced: Any, people: dict[str, Any]) -> None:
    booking = book(people["eve"], priced, "2026-03-03 10:00", "2026-03-03 11:00")
    booking_services.cancel_booking(actor_for(people["eve"]), booking.pk, reason="改期", now=NOW)
    assert Order.objects.get(booking=booking).status == "cancelled"


def test_a_late_cancellation_leaves_the_order_open_for_its_charge(
    priced: Any, people: dict[str, Any]
) -> None:
    from tests.booking.conftest import at

    booking = book(people["eve"], priced, "2026-03-03 10:00", "2026-03-03 11:00")
    booking_services.cancel_booking(actor_for(people["eve"]), booking.pk, now=at("2026-03-03 09:55"))
    order = run(people["alice"], Order.objects.get(booking=booking), "complete_order")
    assert (order.status, order.amount) == ("completed", Decimal("50.00"))


# --- Idempotency-Key on POST /orders ---------------------------------------------------------------------


def _sample_body(priced: Any, **extra: Any) -> dict[str, Any]:
    return {"instrument": priced.pk, "samples": {"count": 2, "kind": "粉末"}, "description": "BET", **extra}


def test_the_same_key_and_body_give_the_same_order_once(priced: Any, api_as: Any) -> None:
    eve = api_as("eve")
    first = eve.post("/api/v1/orders", _sample_body(priced), HTTP_IDEMPOTENCY_KEY="k-1")
    again = eve.post("/api/v1/orders", _sample_body(priced), HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    assert Order.objects.count() == 1


def test_the_same_key_with_another_body_is_a_409(priced: Any, api_as: Any) -> None:
    eve = api_as("eve")
    eve.post("/api/v1/orders", _sample_body(priced), HTTP_IDEMPOTENCY_KEY="k-1")
    r = eve.post("/api/v1/orders", _sample_body(priced, description="另一"), HTTP_IDEMPOTENCY_KEY="k-1")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "duplicate")
    assert Order.objects.count() == 1


def test_a_key_belongs_to_its_user(priced: Any, api_as: Any) -> None:
    api_as("eve").post("/api/v1/orders", _sample_body(priced), HTTP_IDEMPOTENCY_KEY="k-1")
    assert (
        api_as("bob").post("/api/v1/orders", _sample_body(priced), HTTP_IDEMPOTENCY_KEY="k-1").status_code
        == 201
    )
    assert Order.objects.count() == 2


# --- refunds ---------------------------------------------------------------------------------------------

SETTLE = ("accept_order", "receive_samples", "start_order", "complete_order", "charge_order", "settle_order")


def test_a_refund_lowers_the_amount_and_keeps_the_order_paid(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    order = run(people["alice"], submit(outsiders["gina"], priced), *SETTLE)  # academic: 2 × 80
    services.refund_order(actor_for(people["alice"]), order.pk, amount="60", note="设备故障重测", now=NOW)
    order.refresh_from_db()
    entries = list(order.ledger.values_list("kind", "amount"))
    assert order.amount == Decimal("100.00")
    assert sum(a for _, a in entries) == 0  # nothing owed either way
    assert entries[-2:] == [("correction", Decimal("-60.00")), ("payment", Decimal("60.00"))]


def test_a_refund_of_an_account_order_returns_to_the_account(
    priced: Any, people: dict[str, Any], eves_account: Account
) -> None:
    order = run(people["alice"], submit(people["eve"], priced, account_id=eves_account.pk), *SETTLE)
    services.refund_order(actor_for(people["alice"]), order.pk, amount="100", note="全额退款", now=NOW)
    eves_account.refresh_from_db()
    balance = sum(LedgerEntry.objects.filter(account=eves_account).values_list("amount", flat=True))
    assert eves_account.balance == balance == Decimal("500.00")


def test_a_refund_is_refused_before_settlement_above_the_amount_and_to_others(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    alice = actor_for(people["alice"])
    order = run(people["alice"], submit(outsiders["gina"], priced), *SETTLE[:-1])
    with pytest.raises(InvalidState):
        services.refund_order(alice, order.pk, amount="10", note="x", now=NOW)
    run(people["alice"], order, "settle_order")
    with pytest.raises(InvalidState):
        services.refund_order(alice, order.pk, amount="1000", note="x", now=NOW)
    with pytest.raises(Exception) as refused:
        services.refund_order(actor_for(people["bob"]), order.pk, amount="10", note="x", now=NOW)
    assert refused.value.status in (403, 404)  # type: ignore[attr-defined]
    order.refresh_from_db()
    assert order.amount == Decimal("160.00")


def test_the_customer_names_the_project_and_others_cannot(
    priced: Any, people: dict[str, Any], api_as: Any
) -> None:
    order = submit(people["eve"], priced)
    body = {"project": "锂电池正极材料表征", "funding_source": "企业自筹"}

    assert api_as("alice").patch(f"/api/v1/orders/{order.pk}", body).status_code == 403  # the provider
    assert api_as("bob").patch(f"/api/v1/orders/{order.pk}", body).status_code == 404  # not visible

    res = api_as("eve").patch(f"/api/v1/orders/{order.pk}", body)
    assert res.status_code == 200, res.content
    assert (res.json()["project"], res.json()["funding_source"]) == ("锂电池正极材料表征", "企业自筹")
    assert AuditEvent.objects.filter(action="order.describe_project", object_id=str(order.pk)).count() == 1


def test_a_closed_order_keeps_its_project(priced: Any, people: dict[str, Any], api_as: Any) -> None:
    order = submit(people["eve"], priced, project="旧课题")
    services.cancel_order(actor_for(people["eve"]), order.pk, reason="不需要了", now=NOW)
    res = api_as("eve").patch(f"/api/v1/orders/{order.pk}", {"project": "新课题"})
    assert res.status_code == 409
    assert Order.objects.get(pk=order.pk).project == "旧课题"
