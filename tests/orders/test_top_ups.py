"""Top-ups (holes 3 and 7 of issue 11): money enters an account only when a finance officer of its
institution, not the requester, confirms it; a reversal is a new ledger row; amounts are checked."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum

from dayi.accounts.access import actor_for
from dayi.accounts.models import Role, RoleGrant, User
from dayi.core.errors import Forbidden, NotFound, ValidationFailed
from dayi.core.models import AuditEvent
from dayi.orders import services
from dayi.orders.errors import InsufficientFunds, InvalidState
from dayi.orders.models import Account, EntryKind, LedgerEntry, TopUp
from tests.concurrency import race
from tests.money import ask, finance_officer, fund
from tests.orders.conftest import NOW


def open_for(pi: User) -> Account:
    assert pi.institution_id is not None
    return services.open_account(
        actor_for(pi), name="表面化学课题组", institution_id=pi.institution_id, pi_id=pi.pk, now=NOW
    )


def ledger_sum(account: Account) -> Decimal:
    return LedgerEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or Decimal(0)


@pytest.fixture
def eves(people: dict[str, Any]) -> Account:
    return open_for(people["eve"])


@pytest.fixture
def zju_finance(people: dict[str, Any]) -> User:
    officer = finance_officer(people["eve"].institution_id, "zju-finance")
    people["zju-finance"] = officer  # so api_as finds the officer
    return officer


# --- hole 7: a plain customer mints money ----------------------------------------------------------------


def test_a_customer_who_opens_an_account_and_tops_it_up_gets_nothing_to_spend(
    api_as: Any, outsiders: dict[str, Any], people: dict[str, Any]
) -> None:
    # Given frank, a plain customer at a company, who opens an account for himself
    people.update(outsiders)
    frank = api_as("frank")
    company = outsiders["frank"].institution_id
    r = frank.post("/api/v1/accounts", {"name": "x", "institution": company, "pi": outsiders["frank"].pk})
    assert r.status_code == 201
    account = r.json()["id"]
    # When he tops it up with 1,000,000.00
    r = frank.post(
        f"/api/v1/accounts/{account}/top-ups",
        {"amount": "1000000.00", "method": "bank_transfer", "reference": "nothing"},
    )
    # Then it is only a request: the balance stays 0 and nothing is in the ledger
    assert (r.status_code, r.json()["status"]) == (201, "pending")
    assert frank.get(f"/api/v1/accounts/{account}").json()["balance"] == "0.00"
    assert not LedgerEntry.objects.filter(account_id=account).exists()
    # And he cannot confirm it himself
    assert frank.post(f"/api/v1/top-ups/{r.json()['id']}/confirm").status_code == 403
    assert Account.objects.get(pk=account).balance == 0


# --- confirming --------------------------------------------------------------------------------------------


def test_a_finance_officer_confirms_and_the_ledger_and_balance_follow(
    eves: Account, zju_finance: User, api_as: Any
) -> None:
    asked = ask(eves, "500.00", now=NOW)
    r = api_as("zju-finance").post(f"/api/v1/top-ups/{asked.pk}/confirm")
    assert (r.status_code, r.json()["status"], r.json()["decided_by"]) == (200, "confirmed", zju_finance.pk)
    eves.refresh_from_db()
    assert eves.balance == Decimal("500.00") == ledger_sum(eves)
    entry = LedgerEntry.objects.get(account=eves)
    assert (entry.kind, entry.actor_id) == (EntryKind.TOP_UP, zju_finance.pk)
    assert AuditEvent.objects.filter(action="account.top_up.confirm").count() == 1


def test_the_requester_cannot_confirm_their_own_top_up_even_as_a_finance_officer(
    people: dict[str, Any], zju_finance: User, api_as: Any
) -> None:
    # Given amy, institution admin and also a finance officer of zju, who asks for a top-up
    amy = people["amy"]
    RoleGrant.objects.create(user=amy, role=Role.FINANCE_OFFICER, institution_id=amy.institution_id)
    account = services.open_account(
        actor_for(amy), name="amy 组", institution_id=amy.institution_id, pi_id=people["eve"].pk, now=NOW
    )
    asked = services.request_top_up(
        actor_for(amy), account.pk, amount="80", method="internal_transfer", reference="NB-1", now=NOW
    )
    # Then she may not confirm it (403); another officer may
    assert api_as("amy").post(f"/api/v1/top-ups/{asked.pk}/confirm").status_code == 403
    assert api_as("zju-finance").post(f"/api/v1/top-ups/{asked.pk}/confirm").status_code == 200
    account.refresh_from_db()
    assert account.balance == Decimal("80.00")


def test_nobody_but_the_institutions_finance_officers_confirms(
    eves: Account, people: dict[str, Any], api_as: Any
) -> None:
    asked = ask(eves, now=NOW)
    people["pku-finance"] = finance_officer(people["bob"].institution_id, "pku-finance")
    codes = {
        who: api_as(who).post(f"/api/v1/top-ups/{asked.pk}/confirm").status_code
        for who in ("eve", "amy", "alice", "bob", "carol", "pku-finance")
    }
    assert codes == {
        "eve": 403,  # the requester
        "amy": 403,  # the institution's admin reads the account but keeps no books
        "alice": 404,
        "bob": 404,
        "carol": 403,  # the platform admin above zju reads it (as an admin) but is no finance officer
        "pku-finance": 404,  # another institution's finance
    }
    assert api_as(None).post(f"/api/v1/top-ups/{asked.pk}/confirm").status_code == 401
    eves.refresh_from_db()
    assert eves.balance == 0 and TopUp.objects.get().status == "pending"


def test_who_may_ask_for_a_top_up(eves: Account, people: dict[str, Any], outsiders: dict[str, Any]) -> None:
    services.add_member(actor_for(people["eve"]), eves.pk, user_id=outsiders["gina"].pk, now=NOW)
    ask_as = {"method": "bank_transfer", "reference": "TX", "now": NOW, "amount": "10"}
    services.request_top_up(actor_for(people["amy"]), eves.pk, **ask_as)  # the institution's admin
    with pytest.raises(Forbidden):
        services.request_top_up(actor_for(outsiders["gina"]), eves.pk, **ask_as)  # a member
    with pytest.raises(NotFound):
        services.request_top_up(actor_for(people["bob"]), eves.pk, **ask_as)


def test_a_decided_top_up_is_not_decided_again(eves: Account, zju_finance: User) -> None:
    asked = ask(eves, now=NOW)
    officer = actor_for(zju_finance)
    services.reject_top_up(officer, asked.pk, reason="查无此笔转账", now=NOW)
    with pytest.raises(InvalidState):
        services.confirm_top_up(officer, asked.pk, now=NOW)
    eves.refresh_from_db()
    assert eves.balance == 0 and not LedgerEntry.objects.exists()


def test_a_rejection_says_why(eves: Account, zju_finance: User, api_as: Any) -> None:
    asked = ask(eves, now=NOW)
    officer = api_as("zju-finance")
    assert officer.post(f"/api/v1/top-ups/{asked.pk}/reject", {"reason": " "}).status_code == 422
    r = officer.post(f"/api/v1/top-ups/{asked.pk}/reject", {"reason": "凭证不符"})
    assert (r.status_code, r.json()["status"], r.json()["reason"]) == (200, "rejected", "凭证不符")


def test_the_queue_lists_pending_top_ups_to_their_finance_officers_only(
    eves: Account, zju_finance: User, api_as: Any, people: dict[str, Any]
) -> None:
    first, second = ask(eves, "1.00", now=NOW), ask(eves, "2.00", now=NOW)
    services.confirm_top_up(actor_for(zju_finance), second.pk, now=NOW)
    body = api_as("zju-finance").get("/api/v1/top-ups").json()
    assert (body["count"], [t["id"] for t in body["items"]]) == (1, [first.pk])
    assert api_as("eve").get("/api/v1/top-ups").json()["count"] == 0
    assert api_as("amy").get("/api/v1/top-ups").json()["count"] == 0


# --- amounts (hole 8: a top-up of 99,999,999,999,999.99 answered 500) -------------------------------------


@pytest.mark.parametrize(
    "amount",
    [
        "0",
        "-5",
        "1.005",
        "10000000.01",
        "99999999999999.99",
        "1e30",
        "abc",
        "NaN",
        "Infinity",
        99999999999999.99,
    ],
)
def test_a_bad_amount_is_422_and_asks_for_nothing(amount: Any, eves: Account, api_as: Any) -> None:
    r = api_as("eve").post(
        f"/api/v1/accounts/{eves.pk}/top-ups", {"amount": amount, "method": "fund_card", "reference": "JF"}
    )
    assert r.status_code == 422, r.content
    assert not TopUp.objects.exists()


def test_the_method_and_reference_are_required(eves: Account, api_as: Any) -> None:
    url = f"/api/v1/accounts/{eves.pk}/top-ups"
    eve = api_as("eve")
    assert eve.post(url, {"amount": "5", "method": "cash", "reference": "x"}).status_code == 422
    assert eve.post(url, {"amount": "5", "method": "fund_card", "reference": "  "}).status_code == 422
    assert (
        eve.post(url, {"amount": "10000000.00", "method": "fund_card", "reference": "JF"}).status_code == 201
    )


# --- reversal ----------------------------------------------------------------------------------------------


def test_a_reversal_is_a_new_ledger_row_and_the_top_up_row_stays(eves: Account, zju_finance: User) -> None:
    asked = ask(eves, "300.00", now=NOW)
    officer = actor_for(zju_finance)
    services.confirm_top_up(officer, asked.pk, now=NOW)
    reversed_ = services.reverse_top_up(officer, asked.pk, reason="退票 (the transfer bounced)", now=NOW)
    eves.refresh_from_db()
    kinds = list(LedgerEntry.objects.filter(account=eves).values_list("kind", "amount"))
    assert kinds == [(EntryKind.TOP_UP, Decimal("300.00")), (EntryKind.TOP_UP_REVERSAL, Decimal("-300.00"))]
    assert reversed_.status == "reversed" and eves.balance == 0 == ledger_sum(eves)


def test_a_reversal_that_would_take_the_balance_below_zero_is_refused(
    eves: Account, zju_finance: User, priced: Any, people: dict[str, Any]
) -> None:
    # Given 300.00 confirmed, of which part is spent on a charged order
    from tests.orders.test_accounts import completed_order

    fund(eves, "300.00", now=NOW)
    order = completed_order(people, people["eve"], priced, eves)
    services.charge_order(actor_for(people["alice"]), order.pk, now=NOW)
    top_up = TopUp.objects.get()
    eves.refresh_from_db()
    left = eves.balance
    assert 0 < left < Decimal("300.00")
    # When finance reverses the top-up, then it is refused and nothing changes
    with pytest.raises(InsufficientFunds):
        services.reverse_top_up(
            actor_for(finance_officer(eves.institution_id)), top_up.pk, reason="x", now=NOW
        )
    eves.refresh_from_db()
    top_up.refresh_from_db()
    assert (eves.balance, top_up.status) == (left, "confirmed")
    assert eves.balance == ledger_sum(eves)


def test_only_finance_reverses(eves: Account, zju_finance: User, people: dict[str, Any]) -> None:
    fund(eves, "50", now=NOW)
    with pytest.raises(Forbidden):
        services.reverse_top_up(actor_for(people["eve"]), TopUp.objects.get().pk, reason="mine", now=NOW)
    with pytest.raises(ValidationFailed):
        services.reverse_top_up(actor_for(zju_finance), TopUp.objects.get().pk, reason="", now=NOW)


# --- a race: two officers confirm at once -----------------------------------------------------------


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_two_officers_confirming_at_once_move_the_money_once(people: dict[str, Any]) -> None:
    # Given a pending top-up of 700.00 and two finance officers of the institution
    eves = open_for(people["eve"])
    asked = ask(eves, "700.00", now=NOW)
    officers = [finance_officer(eves.institution_id, f"zju-finance-{i}").pk for i in range(2)]

    def confirm(officer_id: int) -> Any:
        return lambda: services.confirm_top_up(actor_for(User.objects.get(pk=officer_id)), asked.pk, now=NOW)

    # When both confirm, each on its own connection
    results = race([confirm(pk) for pk in officers])
    # Then one wins, the other is told it is decided, and the money moved once
    won = [r for r in results if isinstance(r, TopUp)]
    lost = [r for r in results if isinstance(r, InvalidState)]
    assert (len(won), len(lost)) == (1, 1), results
    eves.refresh_from_db()
    assert eves.balance == Decimal("700.00") == ledger_sum(eves)
    assert LedgerEntry.objects.filter(account=eves).count() == 1


# --- no other way in: a refund returns to the account only what the account paid ----------------------------


def test_a_refund_after_a_raised_charge_returns_only_what_the_account_paid(
    eves: Account, zju_finance: User, priced: Any, people: dict[str, Any]
) -> None:
    # Given 500.00 confirmed, an order paid from it, then a correction raising the charge by 10,000.00
    # that was settled outside Dayi
    from tests.orders.test_accounts import completed_order

    fund(eves, "500.00", now=NOW)
    alice = actor_for(people["alice"])
    order = completed_order(people, people["eve"], priced, eves)
    services.charge_order(alice, order.pk, now=NOW)
    eves.refresh_from_db()
    paid = Decimal("500.00") - eves.balance
    services.correct_charge(alice, order.pk, amount="10000", note="加测", now=NOW)
    services.settle_order(alice, order.pk, now=NOW)
    # When the manager refunds the whole order
    order.refresh_from_db()
    services.refund_order(alice, order.pk, amount=order.amount, note="全额退款", now=NOW)
    # Then the account gets back what it paid, no more; the rest is refunded outside Dayi
    eves.refresh_from_db()
    assert eves.balance == Decimal("500.00") == ledger_sum(eves)
    assert LedgerEntry.objects.get(order=order, kind=EntryKind.REFUND).amount == paid
    assert sum(order.ledger.values_list("amount", flat=True)) == 0


# --- appointing finance officers ----------------------------------------------------------------------------


def test_an_institution_admin_appoints_a_finance_officer_of_their_institution_only(
    api_as: Any, network: dict[str, Any]
) -> None:
    def create(who: str, username: str, home: Any, **scope: Any) -> Any:
        body = {
            "username": username,
            "password": "Tiegelzange-4711-Quarz",
            "email": f"{username}@example.org",
            "institution": home.pk,
            "roles": [{"role": "finance_officer", **scope}],
        }
        return api_as(who).post("/api/v1/users", body)

    zju, pku = network["zju"], network["pku"]
    assert create("amy", "zju-cashier", zju, institution=zju.pk).status_code == 201
    assert create("amy", "pku-cashier", pku, institution=pku.pk).status_code in (403, 404)
    assert create("root", "odd-cashier", zju, scheme="sh2026").status_code == 422  # no institution named
    assert RoleGrant.objects.filter(role="finance_officer").count() == 1
