"""Research-group accounts: opening, members, top-ups, charges; never below zero, even in parallel."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum

from dayi.accounts.access import actor_for
from dayi.accounts.models import User
from dayi.core.errors import Forbidden, NotFound, ValidationFailed
from dayi.orders import services
from dayi.orders.errors import InsufficientFunds
from dayi.orders.models import Account, LedgerEntry, Order, OrderStatus
from tests.concurrency import race
from tests.money import fund
from tests.orders.conftest import NOW, submit


def open_for(pi: User, balance: str = "0") -> Account:
    actor = actor_for(pi)
    assert pi.institution_id is not None
    account = services.open_account(
        actor, name="吸附材料课题组", institution_id=pi.institution_id, pi_id=pi.pk, now=NOW
    )
    if Decimal(balance):
        account = fund(account, balance, now=NOW)
    return account


def completed_order(people: dict[str, Any], user: User, instrument: Any, account: Account) -> Order:
    order = submit(user, instrument, count=3, account_id=account.pk)  # 3 × 80 = 240.00 for an academic
    alice = actor_for(people["alice"])
    for step in (
        services.accept_order,
        services.receive_samples,
        services.start_order,
        services.complete_order,
    ):
        step(alice, order.pk, now=NOW)
    return order


def test_a_pi_opens_an_account_and_tops_it_up(outsiders: dict[str, Any]) -> None:
    account = open_for(outsiders["gina"], "1000")
    assert account.balance == Decimal("1000.00")
    assert LedgerEntry.objects.get(account=account).kind == "top_up"


def test_nobody_opens_an_account_for_someone_else(people: dict[str, Any], outsiders: dict[str, Any]) -> None:
    gina = outsiders["gina"]
    with pytest.raises(Forbidden):
        services.open_account(
            actor_for(people["eve"]), name="x", institution_id=gina.institution_id, pi_id=gina.pk, now=NOW
        )


def test_an_institution_admin_opens_one_for_a_pi_of_the_institution(people: dict[str, Any]) -> None:
    eve = people["eve"]
    account = services.open_account(
        actor_for(people["amy"]), name="eve 组", institution_id=eve.institution_id, pi_id=eve.pk, now=NOW
    )
    assert account.pi == eve


def ask_for(actor: Any, account: Account, amount: str = "10") -> Any:
    return services.request_top_up(
        actor, account.pk, amount=amount, method="bank_transfer", reference="TX-9", now=NOW
    )


def test_only_the_pi_adds_members_and_asks_for_top_ups(
    people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    account = open_for(outsiders["gina"])
    services.add_member(actor_for(outsiders["gina"]), account.pk, user_id=outsiders["frank"].pk, now=NOW)
    with pytest.raises(Forbidden):
        ask_for(actor_for(outsiders["frank"]), account)
    with pytest.raises(NotFound):
        ask_for(actor_for(people["bob"]), account)


def test_a_top_up_is_positive(outsiders: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed):
        ask_for(actor_for(outsiders["gina"]), open_for(outsiders["gina"]), "0")


def test_only_members_book_against_an_account(priced: Any, outsiders: dict[str, Any]) -> None:
    account = open_for(outsiders["gina"])
    with pytest.raises(NotFound):
        submit(outsiders["frank"], priced, account_id=account.pk)


def test_charging_pays_from_the_account(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    account = open_for(outsiders["gina"], "1000")
    order = completed_order(people, outsiders["gina"], priced, account)
    services.charge_order(actor_for(people["alice"]), order.pk, now=NOW)
    account.refresh_from_db()
    assert account.balance == Decimal("760.00")
    assert LedgerEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] == account.balance


def test_a_charge_the_balance_cannot_cover_is_refused_and_changes_nothing(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    account = open_for(outsiders["gina"], "100")
    order = completed_order(people, outsiders["gina"], priced, account)
    with pytest.raises(InsufficientFunds):
        services.charge_order(actor_for(people["alice"]), order.pk, now=NOW)
    order.refresh_from_db()
    account.refresh_from_db()
    assert (order.status, account.balance) == (OrderStatus.COMPLETED, Decimal("100.00"))
    assert not LedgerEntry.objects.filter(order=order).exists()


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_sixteen_parallel_charges_never_take_the_account_below_zero(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    # Given 1000.00 and sixteen completed orders of 240.00 each against the account
    account = open_for(outsiders["gina"], "1000")
    orders = [completed_order(people, outsiders["gina"], priced, account).pk for _ in range(16)]
    alice = people["alice"]

    def charge(order_id: int) -> Any:
        return lambda: services.charge_order(actor_for(User.objects.get(pk=alice.pk)), order_id, now=NOW)

    # When the manager charges all sixteen at once, each on its own connection
    results = race([charge(pk) for pk in orders])
    outcomes = ["insufficient_funds" if isinstance(r, InsufficientFunds) else "charged" for r in results]
    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, InsufficientFunds)]
    assert not unexpected
    # Then four fit, twelve are refused, and the ledger matches the balance
    account.refresh_from_db()
    assert sorted(outcomes).count("charged") == 4 and len(outcomes) == 16
    assert account.balance == Decimal("40.00")
    assert LedgerEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] == account.balance
    assert Order.objects.filter(pk__in=orders, status=OrderStatus.CHARGED).count() == 4
