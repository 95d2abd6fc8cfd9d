"""The orders domain's error codes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from dayi.core.errors import Conflict


class InsufficientFunds(Conflict):
    """The account's balance does not cover this charge."""

    default_message = gettext_lazy("余额不足")

    code = "insufficient_funds"


class InvalidState(Conflict):
    """The order's status does not allow this."""

    default_message = gettext_lazy("订单当前状态不允许此操作")

    code = "invalid_state"


class DuplicateRequest(Conflict):
    """The Idempotency-Key was used for another request."""

    default_message = gettext_lazy("该 Idempotency-Key 已用于另一请求")

    code = "duplicate"
