"""``{{ rate|percent }}``: a ratio as a percentage with one decimal ("4.1%"), or "—" when undefined."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def percent(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return f"{Decimal(value) * 100:.1f}%"


@register.filter
def yi(value: Any) -> str:
    """Yuan as 亿元 (10⁸ yuan) with two decimals: the unit platforms publish values in."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value) / Decimal(100_000_000):.2f}"
