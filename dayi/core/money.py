"""Money is Decimal yuan with two places; this is the one rounding function."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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
