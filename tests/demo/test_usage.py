"""The demo's generated usage: the dashboards and the evaluation have figures to show after a load."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from dayi.booking.models import UsageRecord
from dayi.demo import usage
from dayi.stats import queries
from dayi.stats.models import RefreshRun
from dayi.stats.queries import institution_figures
from dayi.stats.tasks import refresh_due
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


def test_a_large_load_leaves_the_refresh_to_the_job_which_then_rebuilds_everything(
    load_demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given statistics refreshed by an earlier load, and a load above the inline limit
    load_demo(seed=3, instruments=20)
    assert RefreshRun.objects.exists()
    monkeypatch.setattr(usage, "REFRESH_UP_TO", 10)
    report = load_demo(seed=4, instruments=20)
    # Then the load did not refresh, and says so
    assert not report.statistics_refreshed and "statistics" in report.phases
    assert queries.last_refresh() is None
    # And the periodic job rebuilds every year the generated records fall in, not just the current one
    assert refresh_due(int(NOW.timestamp())) is True
    run = queries.last_refresh()
    assert run is not None and run.first_month.year == NOW.year - 1
    by_job = institution_figures(NOW.year - 1)
    assert sum((f.effective_hours for f in by_job.values()), Decimal(0)) > 0
    queries.refresh(now=NOW)  # the same figures as a refresh in the load would have given
    assert institution_figures(NOW.year - 1) == by_job
