"""Every order transition, allowed and refused, with its permission and audit row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dayi.accounts.access import actor_for
from dayi.core.errors import Forbidden, NotFound, ValidationFailed
from dayi.core.models import AuditEvent
from dayi.orders import services
from dayi.orders.errors import InvalidState
from dayi.orders.models import Order, OrderStatus
from tests.orders.conftest import NOW, submit

S = OrderStatus


def _call(name: str) -> Callable[..., Order]:
    fn = getattr(services, name)
    if name in ("reject_order", "cancel_order"):
        return lambda actor, pk: fn(actor, pk, reason="样品不符 (samples unsuitable)", now=NOW)
    return lambda actor, pk: fn(actor, pk, now=NOW)


# (transition, the statuses it is allowed from for a sample order, the status it leads to)
TRANSITIONS = [
    ("accept_order", [S.SUBMITTED], S.ACCEPTED),
    ("reject_order", [S.SUBMITTED], S.REJECTED),
    ("receive_samples", [S.ACCEPTED], S.SAMPLES_RECEIVED),
    ("start_order", [S.SAMPLES_RECEIVED], S.IN_SERVICE),
    ("complete_order", [S.IN_SERVICE], S.COMPLETED),
    ("charge_order", [S.COMPLETED], S.CHARGED),
    ("settle_order", [S.CHARGED], S.SETTLED),
    ("cancel_order", [S.SUBMITTED, S.ACCEPTED, S.SAMPLES_RECEIVED], S.CANCELLED),
]
CASES = [(name, status, status in allowed, to) for name, allowed, to in TRANSITIONS for status in S.values]


@pytest.mark.parametrize(("name", "status", "allowed", "to"), CASES)
def test_each_transition_from_each_status(
    priced: Any,
    people: dict[str, Any],
    outsiders: dict[str, Any],
    name: str,
    status: str,
    allowed: bool,
    to: str,
) -> None:
    # Given a sample order put straight into ``status``
    order = submit(outsiders["gina"], priced)
    Order.objects.filter(pk=order.pk).update(status=status)
    alice = actor_for(people["alice"])
    # When the instrument's manager applies the transition
    if allowed:
        assert _call(name)(alice, order.pk).status == to
        assert AuditEvent.objects.filter(object_type="order", object_id=str(order.pk)).count() == 2
    else:
        with pytest.raises(InvalidState):
            _call(name)(alice, order.pk)
        order.refresh_from_db()
        assert order.status == status


@pytest.mark.parametrize("name", [t[0] for t in TRANSITIONS if t[0] != "cancel_order"])
def test_it_refuses_a_manager_of_another_institution(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any], name: str
) -> None:
    order = submit(outsiders["gina"], priced)
    with pytest.raises(NotFound):  # not visible to him at all
        _call(name)(actor_for(people["bob"]), order.pk)


@pytest.mark.parametrize("name", [t[0] for t in TRANSITIONS if t[0] != "cancel_order"])
def test_it_refuses_the_customer_a_providers_transition(
    priced: Any, outsiders: dict[str, Any], name: str
) -> None:
    order = submit(outsiders["gina"], priced)
    with pytest.raises(Forbidden):
        _call(name)(actor_for(outsiders["gina"]), order.pk)


def test_the_customer_may_cancel_before_service_but_not_after(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    gina = actor_for(outsiders["gina"])
    first, second = submit(outsiders["gina"], priced), submit(outsiders["gina"], priced)
    assert _call("cancel_order")(gina, first.pk).status == S.CANCELLED
    Order.objects.filter(pk=second.pk).update(status=S.IN_SERVICE)
    with pytest.raises(InvalidState):
        _call("cancel_order")(gina, second.pk)


def test_a_stranger_cannot_see_or_cancel_an_order(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    order = submit(outsiders["gina"], priced)
    with pytest.raises(NotFound):
        _call("cancel_order")(actor_for(outsiders["frank"]), order.pk)


def test_reject_and_cancel_need_a_reason(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    order = submit(outsiders["gina"], priced)
    with pytest.raises(ValidationFailed):
        services.reject_order(actor_for(people["alice"]), order.pk, reason=" ", now=NOW)


def test_a_booking_order_has_no_samples_to_receive(priced: Any, people: dict[str, Any]) -> None:
    from tests.orders.conftest import book

    booking = book(people["eve"], priced, "2026-03-03 10:00", "2026-03-03 11:00")
    with pytest.raises(InvalidState):
        services.receive_samples(actor_for(people["alice"]), booking.order.pk, now=NOW)


def test_a_sample_submission_stores_its_quote(priced: Any, outsiders: dict[str, Any]) -> None:
    order = submit(
        outsiders["gina"], priced, count=3, items=[{"name": "孔径分布"}], description="BET 比表面积"
    )
    assert (order.kind, order.status, order.quote["amount"]) == ("sample", S.SUBMITTED, "330.00")
    assert order.samples == {"count": 3, "kind": "粉末", "hazards": "", "return_or_dispose": "dispose"}


def test_a_sample_submission_needs_samples(priced: Any, outsiders: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed):
        submit(outsiders["gina"], priced, count=0)
