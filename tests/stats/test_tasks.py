"""The periodic refresh (dayi.stats.tasks): builds everything first, then only what changed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dayi.stats import queries, tasks
from dayi.stats.models import RefreshRun
from dayi.stats.queries import Scope
from tests.stats.conftest import at, use


def tick(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def test_the_first_tick_builds_everything_and_a_quiet_tick_does_nothing(world: Any) -> None:
    now = timezone.now()
    assert tasks.refresh_due(tick(now)) is True
    assert queries.figures(Scope(), 2025, 3).effective_hours == Decimal("11.50")
    assert tasks.refresh_due(tick(now + dt.timedelta(minutes=10))) is False
    assert RefreshRun.objects.count() == 1


def test_a_new_usage_record_is_counted_at_the_next_tick(world: Any) -> None:
    now = timezone.now()
    tasks.refresh_due(tick(now))
    # A record written after the refresh, about a day of March 2025
    use(world["ms"], world["eve"], at("2025-03-20", "10:00"), "2", created=timezone.now())
    assert tasks.refresh_due(tick(now + dt.timedelta(minutes=10))) is True
    assert queries.figures(Scope(), 2025, 3).effective_hours == Decimal("13.50")
    last = queries.last_refresh()
    assert last is not None and last.first_month == dt.date(2025, 1, 1)  # from the year it touched


def test_the_command_refreshes_and_refuses_a_bad_date(world: Any) -> None:
    import io

    import pytest
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("stats_refresh", stdout=out)
    assert out.getvalue().startswith("refreshed 2025-01–")
    assert queries.figures(Scope(), 2025, 3).effective_hours == Decimal("11.50")
    with pytest.raises(CommandError):
        call_command("stats_refresh", "--since", "March")


def test_new_opening_hours_are_counted_at_the_next_tick(world: Any) -> None:
    now = timezone.now()
    tasks.refresh_due(tick(now))
    ms = world["ms"]
    ms.booking_policy = {"opening_hours": [{"weekday": 1, "start": "09:00", "end": "10:00"}]}
    ms.save()  # updated: now
    assert tasks.refresh_due(tick(now + dt.timedelta(minutes=10))) is True
    last = queries.last_refresh()
    assert last is not None and last.first_month.year == timezone.now().year
