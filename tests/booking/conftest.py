"""Booking fixtures: the seeds' BET surface-area analyser at 浙江大学, and helpers to book as a persona.

The analyser must warm up 20 minutes; it is open 09:00–17:00 every day in Asia/Shanghai with 10-minute
slots. Times in these tests are written as Shanghai wall-clock times with ``at("2026-03-03 09:20")``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest

from dayi.accounts.access import actor_for
from dayi.booking import services
from dayi.booking.models import Booking
from dayi.directory.models import Instrument
from tests.conftest import make_instrument

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# A Monday, the day before the bookings of most tests (Tuesday 2026-03-03).
NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=SHANGHAI)

OPEN_9_TO_5 = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(1, 8)]
BET_POLICY: dict[str, Any] = {
    "opening_hours": OPEN_9_TO_5,
    "slot_minutes": 10,
    "min_minutes": 10,
    "warmup_minutes": 20,
    "self_requires_qualification": False,
}


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    """The personas' passwords hash with a fast hasher here: these tests are about time, not passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def at(text: str, zone: dt.tzinfo = SHANGHAI) -> dt.datetime:
    """A wall-clock time in ``zone``: ``at("2026-03-03 09:20")``."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=zone)


def make_bet(
    institution: Any, inventory_no: str = "BET-001", *, priced: bool = True, **policy: Any
) -> Instrument:
    return make_instrument(
        institution,
        inventory_no,
        priced=priced,
        name="全自动比表面积及孔隙度分析仪",
        name_en="Automatic surface area and porosity analyser (BET)",
        category_id="0104",
        modes=["self", "assisted", "sample"],
        booking_policy={**BET_POLICY, **policy},
    )


@pytest.fixture
def bet(network: dict[str, Any]) -> Instrument:
    return make_bet(network["zju"])


def book(
    user: Any,
    instrument: Instrument,
    start: str | dt.datetime,
    end: str | dt.datetime,
    *,
    mode: str = "assisted",
    now: dt.datetime = NOW,
    **kwargs: Any,
) -> Booking:
    """Book as ``user`` through the service; times as Shanghai wall-clock strings or datetimes."""
    return services.create_booking(
        actor_for(user),
        instrument_id=instrument.pk,
        start=at(start) if isinstance(start, str) else start,
        end=at(end) if isinstance(end, str) else end,
        mode=mode,
        now=now,
        **kwargs,
    )


def occupied(booking: Booking) -> tuple[dt.datetime, dt.datetime]:
    booking.refresh_from_db()
    return booking.occupied.lower, booking.occupied.upper
