"""No double booking under real concurrency: 32 threads, each with its own database connection and its
own transactions, release at once (a barrier) and book the same or overlapping times.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

from dayi.accounts.access import actor_for
from dayi.accounts.models import User
from dayi.booking import services
from dayi.booking.errors import BookingConflict
from dayi.booking.models import Booking
from dayi.core.errors import RuleViolation
from tests.booking.conftest import NOW, at, make_bet
from tests.concurrency import race

# Real commits: the database is emptied after each test (tests/conftest.py reloads the reference data).
pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

THREADS = 32


def customers(n: int, institution: Any) -> list[User]:
    return [
        User.objects.create_user(username=f"c{i}", password="x", institution=institution) for i in range(n)
    ]


def overlapping_pairs(instrument: Any) -> int:
    """Pairs of time-holding bookings of the instrument whose occupied ranges overlap (must be 0)."""
    with connection.cursor() as cur:
        cur.execute(
            """SELECT count(*) FROM booking_booking a JOIN booking_booking b
               ON a.instrument_id = b.instrument_id AND a.id < b.id AND a.occupied && b.occupied
               WHERE a.instrument_id = %s
                 AND a.status IN ('pending','confirmed','in_progress','completed','no_show')
                 AND b.status IN ('pending','confirmed','in_progress','completed','no_show')""",
            [instrument.pk],
        )
        return cur.fetchone()[0]


def is_deadlock(exc: Exception) -> bool:
    return isinstance(exc, OperationalError) and isinstance(exc.__cause__, psycopg.errors.DeadlockDetected)


def booking_job(user: User, instrument: Any, start: dt.datetime, end: dt.datetime) -> Callable[[], Any]:
    return lambda: services.create_booking(
        actor_for(user), instrument_id=instrument.pk, start=start, end=end, mode="sample", now=NOW
    )


def test_32_parallel_bookings_of_the_same_time_give_one_winner(network: Any) -> None:
    # Given one instrument and 32 customers
    bet = make_bet(network["zju"])
    users = customers(THREADS, network["zju"])

    # When all of them book 10:00–11:00 at the same moment
    results = race([booking_job(u, bet, at("2026-03-03 10:00"), at("2026-03-03 11:00")) for u in users])

    # Then exactly one wins, every other gets the conflict (409), and the database agrees
    winners = [r for r in results if isinstance(r, Booking)]
    assert len(winners) == 1
    assert all(isinstance(r, BookingConflict) for r in results if not isinstance(r, Booking)), results
    assert Booking.objects.filter(instrument=bet).count() == 1
    assert overlapping_pairs(bet) == 0


def test_32_parallel_overlapping_bookings_never_overlap(network: Any) -> None:
    # Given 32 requests for one-hour sessions starting every 20 minutes from 09:20 on two days:
    # each overlaps its neighbours (with the 20-minute warm-up, or back-to-back without it)
    bet = make_bet(network["zju"])
    users = customers(THREADS, network["zju"])
    wanted = []
    for i in range(THREADS):
        day = "2026-03-03" if i < 16 else "2026-03-04"
        start = at(f"{day} 09:20") + dt.timedelta(minutes=20 * (i % 16))
        wanted.append((start, start + dt.timedelta(hours=1)))

    results = race([booking_job(u, bet, a, b) for u, (a, b) in zip(users, wanted, strict=True)])

    # Then the winners hold disjoint time, every loser's request really did clash with a winner,
    # and nothing but conflicts was raised
    winners = [r for r in results if isinstance(r, Booking)]
    losers = [(w, r) for w, r in zip(wanted, results, strict=True) if not isinstance(r, Booking)]
    assert winners and losers
    assert all(isinstance(r, BookingConflict) for _, r in losers), results
    assert overlapping_pairs(bet) == 0
    held = [(b.occupied.lower, b.occupied.upper) for b in Booking.objects.filter(instrument=bet)]
    for (start, end), _ in losers:
        # it needed [start − 20 min, end) or, back-to-back, [start, end): one of them is taken
        assert any(a < end and b > start - dt.timedelta(minutes=20) for a, b in held)
    assert len(winners) == Booking.objects.filter(instrument=bet).count()


def test_the_exclusion_constraint_alone_refuses_overlaps_from_parallel_writers(network: Any) -> None:
    # Given writers that skip the service (and its lock) and insert rows directly
    bet = make_bet(network["zju"])
    users = customers(THREADS, network["zju"])

    def insert(user: User, minute: int) -> Booking:
        start = at("2026-03-03 10:00") + dt.timedelta(minutes=minute)
        with transaction.atomic():
            return Booking.objects.create(
                instrument=bet,
                user=user,
                mode="sample",
                start=start,
                end=start + dt.timedelta(hours=1),
                occupied=DateTimeTZRange(start, start + dt.timedelta(hours=1), "[)"),
                status="confirmed",
                created=NOW,
                updated=NOW,
            )

    # When 32 of them insert ranges that all overlap 10:30–11:00
    results = race([lambda u=u, i=i: insert(u, i) for i, u in enumerate(users)])

    # Then the database keeps exactly one. The others are refused by the constraint, or - when two
    # uncommitted inserts each wait for the other's verdict - one of the pair is ended as a deadlock.
    assert sum(isinstance(r, Booking) for r in results) == 1
    refusals = [r for r in results if not isinstance(r, Booking)]
    assert all(isinstance(r, IntegrityError) or is_deadlock(r) for r in refusals), refusals
    assert overlapping_pairs(bet) == 0


def test_parallel_bookings_of_one_user_cannot_together_exceed_the_weekly_quota(network: Any) -> None:
    # Given a weekly quota of 60 minutes and one user asking for 32 separate 30-minute sessions at once
    bet = make_bet(network["zju"], weekly_quota_minutes=60, warmup_minutes=0)
    user = customers(1, network["zju"])[0]
    starts = [at("2026-03-03 09:00") + dt.timedelta(hours=i % 8, days=i // 8) for i in range(THREADS)]

    results = race([booking_job(user, bet, s, s + dt.timedelta(minutes=30)) for s in starts])

    # Then exactly two are accepted (60 minutes) and the rest are refused for the quota
    accepted = [r for r in results if isinstance(r, Booking)]
    assert len(accepted) == 2
    assert all(
        isinstance(r, RuleViolation) and r.rule == "quota_exceeded" for r in results if r not in accepted
    )
    assert Booking.objects.filter(user=user).count() == 2
