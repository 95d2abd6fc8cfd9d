"""Research-group accounts (课题组): opened for a principal investigator, charged by orders, and topped up
only when a finance officer of the institution confirms the money came (four eyes)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext

from dayi.accounts.access import Actor, administers_institution, require_signed_in
from dayi.accounts.access.money import (
    access_account,
    access_top_up,
    check_keeper,
    check_may_decide_top_up,
    confirms_top_ups_of,
)
from dayi.accounts.models import User
from dayi.core import audit
from dayi.core.errors import Forbidden, NotFound, ValidationFailed
from dayi.core.money import checked_amount
from dayi.network.models import Institution
from dayi.orders.errors import InvalidState
from dayi.orders.models import (
    TOP_UP_LIMIT,
    Account,
    EntryKind,
    LedgerEntry,
    TopUp,
    TopUpMethod,
    TopUpStatus,
)


def _state(account: Account) -> dict[str, Any]:
    return audit.snapshot(account)


@transaction.atomic
def open_account(actor: Actor, *, name: str, institution_id: int, pi_id: int, now: dt.datetime) -> Account:
    """A PI opens an account for their group (or an institution admin opens it for them)."""
    require_signed_in(actor.user)
    institution = Institution.objects.filter(pk=institution_id).first()
    pi = User.objects.filter(pk=pi_id, is_active=True).first()
    if institution is None or pi is None:
        raise NotFound(gettext("单位或负责人不存在"))
    if not name.strip():
        raise ValidationFailed(fields={"name": [gettext("必填")]})
    if pi.institution_id != institution.pk:
        raise ValidationFailed(fields={"pi": [gettext("负责人须属于该单位")]})
    if pi.pk != actor.user.pk and not administers_institution(actor, institution.pk):
        raise Forbidden(gettext("只能为自己或本单位开户"))
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
    check_keeper(actor, account)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise NotFound(gettext("用户不存在"))
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


def _top_up_state(top_up: TopUp) -> dict[str, Any]:
    return audit.snapshot(top_up)


@transaction.atomic
def request_top_up(
    actor: Actor,
    account_id: int,
    *,
    amount: Decimal | str,
    method: str,
    reference: str,
    now: dt.datetime,
) -> TopUp:
    """The keeper says money has come (how, with its reference); the balance waits for finance."""
    account = access_account(actor, account_id)
    check_keeper(actor, account)
    value = checked_amount(amount, limit=TOP_UP_LIMIT)
    errors: dict[str, list[str]] = {}
    if value <= 0:
        errors["amount"] = [gettext("须大于零")]
    if method not in TopUpMethod.values:
        errors["method"] = [gettext("应为 %(choices)s 之一") % {"choices": ", ".join(TopUpMethod.values)}]
    reference = reference.strip()
    if not reference or len(reference) > 128 or "\x00" in reference:
        errors["reference"] = [gettext("须填写转账或经费卡号，128 字以内")]
    if errors:
        raise ValidationFailed(fields=errors)
    top_up = TopUp.objects.create(
        account=account,
        amount=value,
        method=method,
        reference=reference,
        requested_by=actor.user,
        requested=now,
    )
    audit.record(
        "account.top_up.request",
        top_up,
        actor=actor.user,
        after=_top_up_state(top_up),
        institution_id=account.institution_id,
        now=now,
    )
    return top_up


@transaction.atomic
def confirm_top_up(actor: Actor, top_up_id: int, *, now: dt.datetime) -> TopUp:
    """A finance officer who did not ask confirms: the ledger entry is written and the balance rises.

    The top-up's row lock queues two officers confirming at once; the conditional UPDATE (``status =
    pending``) then lets exactly one move the money, and the other gets 409."""
    top_up = access_top_up(actor, top_up_id, for_update=True)
    check_may_decide_top_up(actor, top_up)
    if top_up.status != TopUpStatus.PENDING:
        raise InvalidState(gettext("该充值已处理"))
    before = _top_up_state(top_up)
    entry = LedgerEntry.objects.create(
        account_id=top_up.account_id,
        kind=EntryKind.TOP_UP,
        amount=top_up.amount,
        created=now,
        actor=actor.user,
        note=f"充值 (top-up) {top_up.get_method_display()} {top_up.reference}",
    )
    won = TopUp.objects.filter(pk=top_up.pk, status=TopUpStatus.PENDING).update(
        status=TopUpStatus.CONFIRMED, decided_by=actor.user, decided=now, entry=entry
    )
    if not won:
        raise InvalidState(gettext("该充值已处理"))
    Account.objects.filter(pk=top_up.account_id).update(balance=F("balance") + top_up.amount)
    top_up.refresh_from_db()
    _record_decision("account.top_up.confirm", top_up, actor, before, now=now)
    return top_up


@transaction.atomic
def reject_top_up(actor: Actor, top_up_id: int, *, reason: str, now: dt.datetime) -> TopUp:
    top_up = access_top_up(actor, top_up_id, for_update=True)
    check_may_decide_top_up(actor, top_up)
    reason = reason.strip()
    if not reason or "\x00" in reason:
        raise ValidationFailed(fields={"reason": [gettext("请说明驳回理由")]})
    before = _top_up_state(top_up)
    won = TopUp.objects.filter(pk=top_up.pk, status=TopUpStatus.PENDING).update(
        status=TopUpStatus.REJECTED, decided_by=actor.user, decided=now, reason=reason[:2000]
    )
    if not won:
        raise InvalidState(gettext("该充值已处理"))
    top_up.refresh_from_db()
    _record_decision("account.top_up.reject", top_up, actor, before, now=now)
    return top_up


@transaction.atomic
def reverse_top_up(actor: Actor, top_up_id: int, *, reason: str, now: dt.datetime) -> TopUp:
    """Take back a confirmed top-up (the transfer bounced): a new, negative ledger entry, refused when the
    money is already spent (the balance would go below zero)."""
    top_up = access_top_up(actor, top_up_id, for_update=True)
    if not confirms_top_ups_of(actor, top_up.account.institution_id):
        raise Forbidden(gettext("只有该单位的财务人员可以冲正"))
    reason = reason.strip()
    if not reason or "\x00" in reason:
        raise ValidationFailed(fields={"reason": [gettext("请说明冲正理由")]})
    if top_up.status != TopUpStatus.CONFIRMED:
        raise InvalidState(gettext("只能冲正已确认的充值"))
    before = _top_up_state(top_up)
    debit(top_up.account_id, top_up.amount)  # InsufficientFunds when the money is spent
    entry = LedgerEntry.objects.create(
        account_id=top_up.account_id,
        kind=EntryKind.TOP_UP_REVERSAL,
        amount=-top_up.amount,
        created=now,
        actor=actor.user,
        note=f"充值冲正 (top-up reversed): {reason[:500]}",
    )
    won = TopUp.objects.filter(pk=top_up.pk, status=TopUpStatus.CONFIRMED).update(
        status=TopUpStatus.REVERSED, reversal=entry, reason=reason[:2000]
    )
    if not won:
        raise InvalidState(gettext("只能冲正已确认的充值"))
    top_up.refresh_from_db()
    _record_decision("account.top_up.reverse", top_up, actor, before, now=now)
    return top_up


def _record_decision(
    action: str, top_up: TopUp, actor: Actor, before: dict[str, Any], *, now: dt.datetime
) -> None:
    audit.record(
        action,
        top_up,
        actor=actor.user,
        before=before,
        after=_top_up_state(top_up),
        institution_id=top_up.account.institution_id,
        reason=top_up.reason,
        now=now,
    )


def debit(account_id: int, amount: Decimal) -> None:
    """Take ``amount`` from the account, or raise InsufficientFunds. Call inside the charging transaction.

    One conditional UPDATE: parallel charges each subtract from the committed balance under the row
    lock the UPDATE takes, and a charge that would go below zero matches no row instead of overdrawing.
    """
    from dayi.orders.errors import InsufficientFunds

    if not Account.objects.filter(pk=account_id, balance__gte=amount).update(balance=F("balance") - amount):
        raise InsufficientFunds(gettext("课题组账户余额不足"))
