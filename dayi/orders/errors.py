"""The orders domain's error codes."""

from __future__ import annotations

from dayi.core.errors import Conflict


class InsufficientFunds(Conflict):
    """余额不足 (the account's balance does not cover this charge)"""

    code = "insufficient_funds"


class InvalidState(Conflict):
    """订单当前状态不允许此操作 (the order's status does not allow this)"""

    code = "invalid_state"


class DuplicateRequest(Conflict):
    """该 Idempotency-Key 已用于另一请求 (the Idempotency-Key was used for another request)"""

    code = "duplicate"
