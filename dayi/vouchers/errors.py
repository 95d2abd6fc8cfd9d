"""The voucher engine's error codes (API.md / issue 6)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from dayi.core.errors import Conflict


class BudgetExhausted(Conflict):
    """The scheme's budget is exhausted."""

    default_message = gettext_lazy("该券种预算已用尽")

    code = "budget_exhausted"


class CapExceeded(Conflict):
    """The company's yearly cap would be exceeded."""

    default_message = gettext_lazy("超过该企业的年度上限")

    code = "cap_exceeded"


class VoucherExhausted(Conflict):
    """The voucher has no balance left."""

    default_message = gettext_lazy("创新券余额已用完")

    code = "voucher_exhausted"


class VoucherExpired(Conflict):
    """The voucher is past its use-by date."""

    default_message = gettext_lazy("创新券已过期")

    code = "voucher_expired"


class AlreadyClaimed(Conflict):
    """The service was already claimed."""

    default_message = gettext_lazy("该服务已申请兑付")

    code = "already_claimed"
