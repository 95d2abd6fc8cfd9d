"""The future-bookings limit under real concurrency (issue 11, hole 5): sixteen clients of one user, each on
its own database connection, book sixteen separate times at once; the instrument lock counts them in turn.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dayi.booking.models import Booking
from dayi.core.errors import RuleViolation
from tests.booking.conftest import at, make_bet
from tests.booking.test_concurrency import booking_job, customers
from tests.concurrency import race

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

CLIENTS = 16
LIMIT = 3


def test_16_parallel_clients_of_one_user_get_exactly_the_future_bookings_limit(network: Any) -> None:
    # Given a policy allowing 3 future bookings per user and one user with 16 clients
    bet = make_bet(network["zju"], max_future_bookings=LIMIT, warmup_minutes=0)
    user = customers(1, network["zju"])[0]
    starts = [at("2026-03-03 09:00") + dt.timedelta(hours=i % 8, days=i // 8) for i in range(CLIENTS)]

    # When all 16 book a separate hour at the same moment
    results = race([booking_job(user, bet, s, s + dt.timedelta(hours=1)) for s in starts])

    # Then exactly the limit is accepted and every other request is told which rule it broke
    accepted = [r for r in results if isinstance(r, Booking)]
    refused = [r for r in results if not isinstance(r, Booking)]
    assert len(accepted) == LIMIT
    assert all(isinstance(r, RuleViolation) and r.rule == "future_bookings_exceeded" for r in refused), (
        refused
    )
    assert Booking.objects.filter(instrument=bet, user=user).count() == LIMIT
