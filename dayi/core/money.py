"""Money is Decimal yuan with two places; this is the one rounding function."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext

FEN = Decimal("0.01")


def yuan(value: Decimal | int | str) -> Decimal:
    """Round to fen (0.01 yuan), half up, as Chinese invoices do."""
    try:
        return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError(f"not an amount of money: {value!r}") from None


def fmt(value: Decimal) -> str:
    """The API's money string: ``"1234.50"``."""
    return str(yuan(value))


def checked_amount(value: Decimal | int | str, *, limit: Decimal | int, field: str = "amount") -> Decimal:
    """``value`` in yuan, if it is a finite amount to the fen whose size is at most ``limit``; else 422
    (never a database overflow, which would answer 500)."""
    from dayi.core.errors import ValidationFailed

    try:
        exact = Decimal(value)
    except (ArithmeticError, ValueError, TypeError):
        exact = Decimal("NaN")
    if not exact.is_finite():
        raise ValidationFailed(fields={field: [gettext("不是金额")]})
    if abs(exact) > Decimal(limit):
        raise ValidationFailed(fields={field: [gettext("不能超过 %(limit)s") % {"limit": limit}]})
    if exact != yuan(exact):
        raise ValidationFailed(fields={field: [gettext("最多两位小数")]})
    return yuan(exact)
