"""The benchmarks' generator (benchmarks/stats_data.py) makes varied, linked records."""

from __future__ import annotations

from typing import Any

from django.db import connection

from benchmarks.stats_data import generate


def test_the_generator_spreads_usage_over_instruments_users_and_two_years(db: Any) -> None:
    generate(instruments=200, usage_records=5_000, institutions=20, seed=2)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(DISTINCT u.instrument_id), count(DISTINCT u.user_id),"
            " count(DISTINCT u.start), min(u.start) >= '2024-01-01T00:00+08',"
            " max(u.start) < '2026-01-01T00:00+08',"
            " count(*) FILTER (WHERE usr.institution_id = i.institution_id)"
            " FROM booking_usagerecord u JOIN directory_instrument i ON i.id = u.instrument_id"
            " JOIN accounts_user usr ON usr.id = u.user_id"
        )
        total, instruments, users, starts, after, before, internal = cursor.fetchone()
    assert total == 5_000
    assert instruments > 100 and users > 200 and starts > 4_000
    assert after and before
    assert 0.6 < internal / total < 0.8  # seven in ten by a user of the holder
