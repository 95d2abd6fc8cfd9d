"""Template helpers of the portal: highlighting, coded labels, local names, money in 万元 and 亿元."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from dayi.portal.figures import english, local_name
from dayi.portal.labels import choice_label
from dayi.search.highlight import highlight

register = template.Library()

WAN, YI = Decimal(10_000), Decimal(100_000_000)


@register.filter
def hl(text: str, q: str | None) -> SafeString:
    return highlight(text, q)


@register.filter
def label(value: str, kind: str) -> str:
    return choice_label(kind, value)


@register.filter
def labels(values: list[str], kind: str) -> list[str]:
    return [choice_label(kind, v) for v in values or []]


@register.filter
def local(obj: Any) -> str:
    """An object's name in the reader's language (``name_en`` on English pages when present)."""
    if obj is None:
        return ""
    return local_name(getattr(obj, "name", str(obj)), getattr(obj, "name_en", ""))


@register.filter
def money(value: Decimal | str | None) -> str:
    """An instrument's value: "850.00 万元" in Chinese, "¥8,500,000" in English."""
    if value in (None, ""):
        return ""
    amount = Decimal(value)
    if english():
        return f"¥{amount:,.0f}"
    return gettext("%(n)s 万元") % {"n": f"{amount / WAN:,.2f}"}


@register.filter
def yi(value: Decimal | str | None) -> str:
    """A total already in 亿元 (100 million yuan): "26.30" → "26.30 亿元" / "¥2.63 billion"."""
    amount = Decimal(value or 0)
    if english():
        return f"¥{amount / 10:,.2f} billion"
    return gettext("%(n)s 亿元") % {"n": f"{amount:,.2f}"}


@register.filter
def yuan_to_yi(value: Decimal | str | None) -> Decimal:
    return Decimal(value or 0) / YI
