"""Moving bookings under real races: parallel connections, real commits (tests/concurrency.py).

A move takes the instrument lock like every booking write, and ``booking_no_overlap`` is the last word:
however many moves and bookings aim at the same time at once, one gets it and the database never holds
two overlapping bookings.
"""

from __future__ import annotations

from typing import Any

import pytest

from dayi.accounts.access import actor_for
from dayi.booking.errors import BookingConflict
from dayi.booking.models import Booking
from dayi.booking.services import desk
from tests.booking.conftest import NOW, at, book, make_bet
from tests.booking.test_concurrency import customers, overlapping_pairs
from tests.concurrency import race

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

THREADS = 8


def test_parallel_moves_to_the_same_time_give_one_winner(people: Any, network: Any) -> None:
    # Given eight customers' bookings on eight mornings
    bet = make_bet(network["zju"])
    users = customers(THREADS, network["zju"])
    bookings = [
        book(u, bet, f"2026-03-{3 + i:02d} 10:00", f"2026-03-{3 + i:02d} 11:00") for i, u in enumerate(users)
    ]
    alice = people["alice"]

    # When a manager's eight moves of them all to Saturday 14:00 run at once
    def move(b: Booking) -> Any:
        return lambda: desk.move_booking(
            actor_for(alice), b.pk, start=at("2026-03-14 14:00"), reason="集中", now=NOW
        )

    results = race([move(b) for b in bookings])

    # Then one moved, the others got the clash (409) and stayed where they were
    moved = [r for r in results if isinstance(r, Booking)]
    assert len(moved) == 1, results
    assert all(isinstance(r, BookingConflict) for r in results if not isinstance(r, Booking)), results
    assert Booking.objects.filter(instrument=bet, start=at("2026-03-14 14:00")).count() == 1
    assert overlapping_pairs(bet) == 0


def test_a_move_and_a_new_booking_of_the_same_time_never_both_hold_it(people: Any, network: Any) -> None:
    bet = make_bet(network["zju"])
    [mover, booker] = customers(2, network["zju"])
    b = book(mover, bet, "2026-03-03 10:00", "2026-03-03 11:00")
    alice = people["alice"]
    results = race(
        [
            lambda: desk.move_booking(
                actor_for(alice), b.pk, start=at("2026-03-04 14:00"), reason="调整", now=NOW
            ),
            lambda: book(booker, bet, "2026-03-04 14:00", "2026-03-04 15:00"),
        ]
    )
    assert sum(isinstance(r, Booking) for r in results) == 1, results
    assert overlapping_pairs(bet) == 0
