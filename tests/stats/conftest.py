"""Hand-made usage for the stats tests: every figure below is worked out by hand in the tests.

The March 2025 world (Asia/Shanghai):
- TEM (zju, class 0101, 8,500,000 yuan), open Monday–Friday 09:00–17:00, closed all of Monday 3 March:
  21 weekdays × 8 h − 8 h = 160 h available. Used by eve (zju) 3 h, the company's cu 2 h, bob (pku)
  1.5 h; a superseded record of 10 h does not count. Booked: 2 h confirmed + 1 h no-show (a cancelled
  booking does not count). A sample order of 5 samples from the company, charged 1,000 yuan (external);
  eve's booking order charged 200 and corrected by −50 (internal). Ratings 5 and 4.
- MS (pku, class 0102, 3,000,000 yuan), no policy (open round the clock): 31 × 24 = 744 h. Used by eve
  4 h and cu 1 h, both external to pku.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest

from dayi.accounts.models import User
from dayi.booking.models import Booking, UsageRecord
from dayi.directory.models import Instrument
from dayi.network.models import Institution
from dayi.orders.models import LedgerEntry, Order
from dayi.ratings.models import Rating
from dayi.stats import queries
from tests.conftest import make_institution, make_instrument, make_user

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
REFRESH_NOW = dt.datetime(2025, 12, 15, 4, 0, tzinfo=dt.UTC)
WEEKDAYS_9_TO_5 = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(1, 6)]


def at(day: str, clock: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=SHANGHAI)


def use(instrument: Instrument, user: User, start: dt.datetime, hours: str, **extra: Any) -> UsageRecord:
    h = Decimal(hours)
    created = extra.pop("created", start)
    confirmed = extra.pop("confirmed", True)  # a manager's entry; self-reported hours pass False
    return UsageRecord.objects.create(
        instrument=instrument,
        user=user,
        start=start,
        end=start + dt.timedelta(hours=float(h)),
        hours=h,
        source=extra.pop("source", "manager" if confirmed else "self"),
        created=created,
        confirmed=confirmed,
        confirmed_at=created if confirmed else None,
        **extra,
    )


def book(
    instrument: Instrument, user: User, start: dt.datetime, hours: float, status: str, **extra: Any
) -> Booking:
    end = start + dt.timedelta(hours=hours)
    return Booking.objects.create(
        instrument=instrument,
        user=user,
        customer_id=extra.pop("customer_id", user.institution_id),
        mode="self",
        start=start,
        end=end,
        occupied=(start, end),
        status=status,
        created=start,
        updated=start,
        **extra,
    )


def order(instrument: Instrument, user: User, created: dt.datetime, **extra: Any) -> Order:
    return Order.objects.create(
        kind=extra.pop("kind", "sample"),
        status=extra.pop("status", "completed"),
        instrument=instrument,
        mode=extra.pop("mode", "sample"),
        customer=user,
        customer_institution_id=user.institution_id,
        provider_id=instrument.institution_id,
        created=created,
        updated=created,
        **extra,
    )


def charge(o: Order, amount: str, created: dt.datetime, kind: str = "charge") -> LedgerEntry:
    return LedgerEntry.objects.create(order=o, kind=kind, amount=Decimal(amount), created=created)


@pytest.fixture
def company(network: dict[str, Any]) -> Institution:
    return make_institution(
        "杭州某检测科技有限公司", "91330100MA27XXXX1B", "330100", kind="enterprise", is_sme=True
    )


@pytest.fixture
def world(network: dict[str, Any], people: dict[str, User], company: Institution) -> dict[str, Any]:
    zju, pku = network["zju"], network["pku"]
    eve, bob = people["eve"], people["bob"]
    cu = make_user("cu", company)
    closure = {"start": "2025-03-03T00:00", "end": "2025-03-04T00:00", "reason": "维护"}
    tem = make_instrument(
        zju, "TEM-1", booking_policy={"opening_hours": WEEKDAYS_9_TO_5, "closures": [closure]}
    )
    ms = make_instrument(
        pku, "MS-1", name="液相色谱质谱联用仪", category_id="0102", original_value="3000000.00"
    )
    use(tem, eve, at("2025-03-05", "09:00"), "3")
    use(tem, cu, at("2025-03-06", "10:00"), "2")
    use(tem, bob, at("2025-03-07", "10:00"), "1.5")
    use(tem, eve, at("2025-03-12", "10:00"), "10", superseded=True)
    use(ms, eve, at("2025-03-12", "10:00"), "4")
    use(ms, cu, at("2025-03-13", "10:00"), "1")
    confirmed = book(tem, eve, at("2025-03-10", "10:00"), 2, "confirmed")
    book(tem, eve, at("2025-03-11", "10:00"), 1, "no_show")
    book(tem, eve, at("2025-03-14", "10:00"), 4, "cancelled")
    samples = order(tem, cu, at("2025-03-18", "10:00"), samples={"count": 5})
    charge(samples, "1000.00", at("2025-03-20", "10:00"))
    time_order = order(tem, eve, at("2025-03-10", "08:00"), kind="booking", mode="self", booking=confirmed)
    charge(time_order, "200.00", at("2025-03-10", "13:00"))
    charge(time_order, "-50.00", at("2025-03-12", "13:00"), kind="correction")
    Rating.objects.create(order=samples, level=5, created=at("2025-03-21", "10:00"))
    Rating.objects.create(order=time_order, level=4, created=at("2025-03-22", "10:00"))
    return {**network, "tem": tem, "ms": ms, "company": company, "cu": cu, "eve": eve, "bob": bob}


@pytest.fixture
def refreshed(world: dict[str, Any]) -> dict[str, Any]:
    queries.refresh(now=REFRESH_NOW)
    return world
