"""Putting money in a research-group account the only way there is: the PI asks, finance confirms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dayi.accounts.access import actor_for
from dayi.accounts.models import Role, RoleGrant, User
from dayi.orders import services
from dayi.orders.models import Account, TopUp


def finance_officer(institution_id: int, username: str = "") -> User:
    """The institution's finance officer (made once per institution)."""
    name = username or f"finance-{institution_id}"
    user = User.objects.filter(username=name).first()
    if user is None:
        user = User.objects.create_user(username=name, password="x", institution_id=institution_id)
        RoleGrant.objects.create(user=user, role=Role.FINANCE_OFFICER, institution_id=institution_id)
    return user


def fund(account: Account, amount: str | Decimal, *, now: dt.datetime) -> Account:
    """The PI asks for ``amount`` by bank transfer and the institution's finance officer confirms it."""
    asked = services.request_top_up(
        actor_for(account.pi), account.pk, amount=amount, method="bank_transfer", reference="TX-1", now=now
    )
    services.confirm_top_up(actor_for(finance_officer(account.institution_id)), asked.pk, now=now)
    account.refresh_from_db()
    return account


def ask(account: Account, amount: str = "500.00", *, now: dt.datetime) -> TopUp:
    return services.request_top_up(
        actor_for(account.pi), account.pk, amount=amount, method="fund_card", reference="JF-2026-001", now=now
    )
