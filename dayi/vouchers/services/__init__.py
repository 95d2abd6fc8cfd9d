"""Every write of the voucher domain. Each takes the acting ``Actor`` first and a keyword-only ``now``, runs
in one transaction, checks permission through ``dayi.accounts.access`` and writes an audit row; each money
movement is also a voucher ledger entry (see ``dayi.vouchers.models`` for how they add up)."""

from dayi.vouchers.services.applications import (
    apply_for_voucher,
    approve_application,
    cancel_voucher,
    expire_vouchers,
    reject_application,
)
from dayi.vouchers.services.checks import eligibility_problem
from dayi.vouchers.services.claims import claim_redemption, reject_claim, settle_claim, settle_month
from dayi.vouchers.services.common import get_scheme
from dayi.vouchers.services.schemes import (
    NOTICE_PERIOD,
    add_recognition,
    approve_listing,
    create_scheme,
    declare_related,
    delist_provider,
    request_listing,
    update_scheme,
)
from dayi.vouchers.services.uses import apply_voucher_to_order, get_voucher

__all__ = [
    "NOTICE_PERIOD",
    "add_recognition",
    "apply_for_voucher",
    "apply_voucher_to_order",
    "approve_application",
    "approve_listing",
    "cancel_voucher",
    "claim_redemption",
    "create_scheme",
    "declare_related",
    "delist_provider",
    "eligibility_problem",
    "expire_vouchers",
    "get_scheme",
    "get_voucher",
    "reject_application",
    "reject_claim",
    "request_listing",
    "settle_claim",
    "settle_month",
    "update_scheme",
]
