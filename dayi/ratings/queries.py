"""Read side of ratings: an instrument's ratings and their summary, shared by the API and the pages."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, QuerySet

from dayi.ratings.models import Level, Rating


def instrument_ratings(instrument_id: int) -> QuerySet[Rating]:
    return Rating.objects.filter(order__instrument_id=instrument_id).select_related("order__customer")


def rating_summary(instrument_id: int, *, latest: int = 5) -> dict[str, Any]:
    """``{"count", "average" (one decimal, None when unrated), "levels": {5: n, …, 1: n}, "latest"}``."""
    rows = dict(instrument_ratings(instrument_id).order_by().values_list("level").annotate(n=Count("id")))
    levels = {level: rows.get(level, 0) for level in sorted(Level.values, reverse=True)}
    count = sum(levels.values())
    average = None
    if count:
        total = sum(level * n for level, n in levels.items())
        average = (Decimal(total) / count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return {
        "count": count,
        "average": average,
        "levels": levels,
        "latest": list(instrument_ratings(instrument_id)[:latest]) if count else [],
    }
