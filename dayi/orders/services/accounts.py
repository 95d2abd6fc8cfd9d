"""Research-group accounts (课题组): opened for a principal investigator, topped up, charged by orders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet

from dayi.accounts.access import Actor, administers_institution, require_signed_in
from dayi.accounts.models import User
from dayi.core import audit
from dayi.core.errors import Forbidden, NotFound, ValidationFailed
from dayi.core.money import yuan
from dayi.network.models import Institution
from dayi.orders.models import Account, EntryKind, LedgerEntry


def _state(account: Account) -> dict[str, Any]:
    return audit.snapshot(account)


def visible_accounts(actor: Actor) -> QuerySet[Account]:
    """Accounts the actor may read: led by them, joined by them, or of an institution they administer."""
    if actor.is_superuser:
        return Account.objects.all()
    q = Q(pi=actor.user) | Q(members=actor.user)
    q |= Q(institution_id__in=actor.admin_institutions | actor.platform_institutions)
    return Account.objects.filter(q).distinct()


def access_account(actor: Actor, account_id: int) -> Account:
    require_signed_in(actor.user)
    account = visible_accounts(actor).filter(pk=account_id).first()
    if account is None:
        raise NotFound("账户不存在 (no such account)")
    return account


def _check_keeper(actor: Actor, account: Account) -> None:
    """The PI keeps the account; the institution's admins may act for them."""
    if account.pi_id != actor.user.pk and not administers_institution(actor, account.institution_id):
        raise Forbidden("只有课题组负责人或单位管理员可以这样做 (only the PI or the institution's admins)")


@transaction.atomic
def open_account(actor: Actor, *, name: str, institution_id: int, pi_id: int, now: dt.datetime) -> Account:
    """A PI opens an account for their group (or an institution admin opens it for them)."""
    require_signed_in(actor.user)
    institution = Institution.objects.filter(pk=institution_id).first()
    pi = User.objects.filter(pk=pi_id, is_active=True).first()
    if institution is None or pi is None:
        raise NotFound("单位或负责人不存在 (no such institution or user)")
    if not name.strip():
        raise ValidationFailed(fields={"name": ["必填 (required)"]})
    if pi.institution_id != institution.pk:
        raise ValidationFailed(fields={"pi": ["负责人须属于该单位 (the PI must belong to the institution)"]})
    if pi.pk != actor.user.pk and not administers_institution(actor, institution.pk):
        raise Forbidden("只能为自己或本单位开户 (open an account for yourself or as the institution's admin)")
    account = Account.objects.create(name=name.strip(), institution=institution, pi=pi, created=now)
    audit.record(
        "account.open",
        account,
        actor=actor.user,
        after=_state(account),
        institution_id=institution.pk,
        now=now,
    )
    return account


@transaction.atomic
def add_member(actor: Actor, account_id: int, *, user_id: int, now: dt.datetime) -> Account:
    account = access_account(actor, account_id)
    _check_keeper(actor, account)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise NotFound("用户不存在 (no such user)")
    account.members.add(user)
    audit.record(
        "account.add_member",
        account,
        actor=actor.user,
        after={"member": user.pk},
        institution_id=account.institution_id,
        now=now,
    )
    return account


@transaction.atomic
def top_up(actor: Actor, account_id: int, *, amount: Decimal | str, now: dt.datetime) -> Account:
    account = access_account(actor, account_id)
    _check_keeper(actor, account)
    value = yuan(amount)
    if value <= 0:
        raise ValidationFailed(fields={"amount": ["须大于零 (must be more than zero)"]})
    Account.objects.filter(pk=account.pk).update(balance=F("balance") + value)
    LedgerEntry.objects.create(
        account=account,
        kind=EntryKind.TOP_UP,
        amount=value,
        created=now,
        actor=actor.user,
        note="充值 (top-up)",
    )
    account.refresh_from_db()
    audit.record(
        "account.top_up",
        account,
        actor=actor.user,
        after={"amount": str(value)},
        institution_id=account.institution_id,
        now=now,
    )
    return account


def debit(account_id: int, amount: Decimal) -> None:
    """Take ``amount`` from the account, or raise InsufficientFunds. Call inside the charging transaction.

    One conditional UPDATE: parallel charges each subtract from the committed balance under the row
    lock the UPDATE takes, and a charge that would go below zero matches no row instead of overdrawing.
    """
    from dayi.orders.errors import InsufficientFunds

    if not Account.objects.filter(pk=account_id, balance__gte=amount).update(balance=F("balance") - amount):
        raise InsufficientFunds("课题组账户余额不足 (the account's balance does not cover this charge)")
