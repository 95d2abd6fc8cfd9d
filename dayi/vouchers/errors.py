"""The voucher engine's error codes (API.md / issue 6)."""

from __future__ import annotations

from dayi.core.errors import Conflict


class BudgetExhausted(Conflict):
    """该券种预算已用尽 (the scheme's budget is exhausted)."""

    code = "budget_exhausted"


class CapExceeded(Conflict):
    """超过该企业的年度上限 (the company's yearly cap would be exceeded)."""

    code = "cap_exceeded"


class VoucherExhausted(Conflict):
    """创新券余额已用完 (the voucher has no balance left)."""

    code = "voucher_exhausted"


class VoucherExpired(Conflict):
    """创新券已过期 (the voucher is past its use-by date)."""

    code = "voucher_expired"


class AlreadyClaimed(Conflict):
    """该服务已申请兑付 (the service was already claimed)."""

    code = "already_claimed"
