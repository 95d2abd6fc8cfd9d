"""What every voucher service shares: the acting user, the scheme lookups, the officer check and the ledger.

Lock order, the same in every service so parallel approvals, uses and claims cannot deadlock: the order row
(when there is one), then the voucher row, then scheme rows in ascending id, then the application or claim.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext

from dayi.accounts.access import Actor
from dayi.core.errors import NotFound
from dayi.orders.models import Order
from dayi.vouchers.models import RedemptionClaim, Voucher, VoucherLedgerEntry, VoucherScheme

ZERO = Decimal("0.00")

# Who may act is the access layer's (dayi.accounts.access.vouchers); re-exported for the services' callers.
__all__ = ["ZERO", "entry", "get_scheme", "user_of"]


def user_of(actor: Actor) -> Any:
    return actor.user if actor.is_authenticated else None


def get_scheme(code: str) -> VoucherScheme:
    try:
        return VoucherScheme.objects.get(code=code)
    except VoucherScheme.DoesNotExist:
        raise NotFound(gettext("券种不存在")) from None


def entry(
    kind: str,
    scheme: VoucherScheme,
    amount: Decimal,
    actor: Actor,
    now: dt.datetime,
    *,
    voucher: Voucher | None = None,
    order: Order | None = None,
    claim: RedemptionClaim | None = None,
) -> VoucherLedgerEntry:
    return VoucherLedgerEntry.objects.create(
        kind=kind,
        scheme=scheme,
        voucher=voucher,
        order=order,
        claim=claim,
        amount=amount,
        created=now,
        actor=user_of(actor),
    )
