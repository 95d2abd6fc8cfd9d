"""Statements: sums from the ledger, the Asia/Shanghai month, and who may see them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum

from dayi.accounts.access import actor_for
from dayi.core.errors import NotFound
from dayi.orders import services
from dayi.orders.models import EntryKind, LedgerEntry
from dayi.statements import queries
from tests.money import fund
from tests.statements.conftest import NOW, at, charged, correct, submit

MARCH = (2026, 3)


def sjtu_of(outsiders: dict[str, Any]) -> int:
    return outsiders["gina"].institution_id


def test_a_statement_equals_the_sum_of_the_charges(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    # Given two charged orders of 上海交通大学 in March, one corrected
    first = charged(people, submit(outsiders["gina"], priced, count=3))
    charged(people, submit(outsiders["gina"], priced, count=2))
    correct(people, first, "-40")
    # When the March statement is computed
    s = queries.statement(institution_id=sjtu_of(outsiders), year=2026, month=3)
    # Then its figures are the ledger's
    ledger = LedgerEntry.objects.filter(order__customer_institution_id=sjtu_of(outsiders))
    charges = ledger.filter(kind=EntryKind.CHARGE).aggregate(s=Sum("amount"))["s"]
    assert s.charges == charges == Decimal("400.00")  # 3 × 80 and 2 × 80
    assert s.corrections == Decimal("-40.00")
    assert s.total == Decimal("360.00") == sum(o.total for o in s.orders)
    assert s.opening == Decimal("0.00") and s.closing == Decimal("360.00")
    assert len(s.orders) == 2 and len(s.entries) == 3
    assert s.name == "上海交通大学"


def test_an_order_charged_late_on_march_31_in_shanghai_belongs_to_march(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    # Given an order charged at 23:30 on 31 March, Shanghai time (15:30 UTC)
    charged(people, submit(outsiders["gina"], priced, count=1), now=at("2026-03-31 23:30"))
    # When March's and April's statements are computed
    march = queries.statement(institution_id=sjtu_of(outsiders), year=2026, month=3)
    april = queries.statement(institution_id=sjtu_of(outsiders), year=2026, month=4)
    # Then the charge is March's, and April opens with it owed
    assert march.charges == Decimal("100.00")  # 80, raised to the academic minimum of 100
    assert april.charges == Decimal("0.00") and april.orders == []
    assert april.opening == march.closing == Decimal("100.00")


def test_monthly_statements_give_every_customer_at_once(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    charged(people, submit(outsiders["gina"], priced, count=3))
    charged(people, submit(outsiders["frank"], priced, count=1))
    all_of_march = queries.monthly_statements(*MARCH)
    assert {s.name: s.total for s in all_of_march.values()} == {
        "上海交通大学": Decimal("240.00"),
        "某某科技有限公司": Decimal("120.00"),
    }


def test_the_customers_platform_admin_sees_it_all(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    charged(people, submit(outsiders["gina"], priced, count=3))
    s = queries.visible_statement(actor_for(people["carol"]), "institution", sjtu_of(outsiders), *MARCH)
    assert s.total == Decimal("240.00")


def test_the_providers_manager_sees_only_own_lines(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    charged(people, submit(outsiders["gina"], priced, count=3))
    s = queries.visible_statement(actor_for(people["alice"]), "institution", sjtu_of(outsiders), *MARCH)
    assert [o.provider for o in s.orders] == ["浙江大学"]


def test_a_group_accounts_statement_shows_its_payments_to_its_pi_only(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    # Given gina's group account, topped up, paying for a charged order
    gina = actor_for(outsiders["gina"])
    account = services.open_account(
        gina, name="催化课题组", institution_id=sjtu_of(outsiders), pi_id=outsiders["gina"].pk, now=NOW
    )
    fund(account, "1000", now=NOW)
    charged(people, submit(outsiders["gina"], priced, count=3, account_id=account.pk))
    # When its PI reads the March statement
    s = queries.visible_statement(gina, "account", account.pk, *MARCH)
    # Then the charge is paid from the account, and nothing is owed; others get 404
    assert (s.charges, s.payments, s.closing) == (Decimal("240.00"), Decimal("-240.00"), Decimal("0.00"))
    assert s.name == "催化课题组"
    for name in ("bob", "eve"):
        with pytest.raises(NotFound):
            queries.visible_statement(actor_for(people[name]), "account", account.pk, *MARCH)
