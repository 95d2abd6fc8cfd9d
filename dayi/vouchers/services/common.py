"""What every voucher service shares: the acting user, the scheme lookups, the officer check and the ledger.

Lock order, the same in every service so parallel approvals, uses and claims cannot deadlock: the order row
(when there is one), then the voucher row, then scheme rows in ascending id, then the application or claim.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from dayi.accounts.access import Actor, acts_for_scheme, administers_institution
from dayi.core.errors import Forbidden, NotFound
from dayi.orders.models import Order
from dayi.vouchers.models import RedemptionClaim, Voucher, VoucherLedgerEntry, VoucherScheme

ZERO = Decimal("0.00")


def user_of(actor: Actor) -> Any:
    return actor.user if actor.is_authenticated else None


def get_scheme(code: str) -> VoucherScheme:
    try:
        return VoucherScheme.objects.get(code=code)
    except VoucherScheme.DoesNotExist:
        raise NotFound("券种不存在 (no such scheme)") from None


def check_officer(actor: Actor, scheme: VoucherScheme) -> None:
    if not acts_for_scheme(actor, scheme.code):
        raise Forbidden("只有该券种的经办人员可以这样做 (only the scheme's voucher officers may do this)")


def check_scheme_admin(actor: Actor, scheme: VoucherScheme) -> None:
    """The scheme's officers, or a platform admin over its funder, may change the scheme itself."""
    if not (acts_for_scheme(actor, scheme.code) or scheme.funder_id in actor.platform_institutions):
        raise Forbidden("只有该券种的经办人员或资助方平台管理员可以这样做 (only its officers or admins may)")


def sees_voucher(actor: Actor, voucher: Voucher) -> bool:
    return (
        acts_for_scheme(actor, voucher.scheme.code)
        or administers_institution(actor, voucher.company_id)
        or actor.institution_id == voucher.company_id
    )


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
