"""The demo's generated usage: the dashboards and the evaluation have figures to show after a load."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.test import Client

from dayi.booking.models import UsageRecord
from dayi.stats.queries import institution_figures
from tests.demo.conftest import NOW


def test_a_demo_load_writes_usage_and_refreshes_the_statistics(demo: Any) -> None:
    records = UsageRecord.objects.filter(reason__contains="generated demo data")
    assert records.count() > 0 and not records.filter(start__gte=NOW).exists()
    figures = institution_figures(NOW.year - 1)
    effective = sum((f.effective_hours for f in figures.values()), Decimal(0))
    external = sum((f.external_hours for f in figures.values()), Decimal(0))
    assert effective > 0 and 0 < external < effective
    page = Client().get(f"/stats/?year={NOW.year - 1}")
    assert page.status_code == 200


def test_the_same_seed_writes_the_same_usage(load_demo: Any) -> None:
    def shape() -> list[tuple[Any, ...]]:
        rows = UsageRecord.objects.order_by("start", "instrument__inventory_no", "hours")
        return list(rows.values_list("start", "instrument__inventory_no", "hours", "user__username")[:200])

    load_demo(seed=3)
    first = shape()
    load_demo(seed=3)
    assert shape() == first
