"""From usage records to grades: real bookings' usage, orders, charges and ratings, the statistics' refresh,
then the evaluation — compared with a hand computation.

2025, the yrd platform (Asia/Shanghai):
- 浙江大学 (g60) holds one TEM shared externally (8,500,000 yuan). eve (浙江大学) used it 150 × 8 h = 1,200 h,
  cu of a company 50 × 8 h = 400 h (external). Income: eve's sample order 200,000 yuan (internal), cu's
  sample order 100,000 yuan (external). Ratings 5 (eve) and 4 (cu). Manual inputs: 1 technical staff,
  rules published, no online platform.
- 复旦大学 (yrd) holds one instrument not shared (2,000,000 yuan), used 100 × 8 h = 800 h by its own fu.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dayi.accounts.access import actor_for
from dayi.booking.models import UsageRecord
from dayi.evaluation import services
from dayi.ratings.models import Rating
from dayi.stats import queries as stats
from tests.conftest import make_institution, make_instrument, make_user
from tests.evaluation.conftest import NOW
from tests.stats.conftest import REFRESH_NOW, at, charge, order

pytestmark = pytest.mark.django_db
D = Decimal


def eight_hour_days(instrument: Any, user: Any, first_day: int, days: int) -> None:
    start = at("2025-01-01", "09:00")
    UsageRecord.objects.bulk_create(
        UsageRecord(
            instrument=instrument,
            user=user,
            start=start + dt.timedelta(days=n),
            end=start + dt.timedelta(days=n, hours=8),
            hours=D(8),
            source="manager",
            confirmed=True,
            confirmed_at=start + dt.timedelta(days=n),
            created=start + dt.timedelta(days=n),
        )
        for n in range(first_day, first_day + days)
    )


@pytest.fixture
def used(network: dict[str, Any], people: dict[str, Any]) -> dict[str, Any]:
    zju = network["zju"]
    fudan = make_institution("复旦大学", "12100000425006117P", "310000", network["yrd"])
    company = make_institution("某检测公司", "91330100MA27XXXX1K", "330100", kind="enterprise")
    eve, cu, fu = people["eve"], make_user("cu", company), make_user("fu", fudan)
    tem = make_instrument(zju, "TEM-1", share_mode="external")
    other = make_instrument(fudan, "F-1", original_value="2000000.00", share_mode="none")
    eight_hour_days(tem, eve, 0, 150)
    eight_hour_days(tem, cu, 150, 50)
    eight_hour_days(other, fu, 0, 100)
    mine = order(tem, eve, at("2025-03-10", "08:00"), samples={"count": 20})
    theirs = order(tem, cu, at("2025-03-18", "10:00"), samples={"count": 5})
    charge(mine, "200000.00", at("2025-03-10", "13:00"))
    charge(theirs, "100000.00", at("2025-03-20", "10:00"))
    Rating.objects.create(order=mine, level=5, created=at("2025-03-21", "10:00"))
    Rating.objects.create(order=theirs, level=4, created=at("2025-03-22", "10:00"))
    stats.refresh(now=REFRESH_NOW)
    return {"zju": zju, "fudan": fudan}


def test_an_evaluation_from_real_usage_matches_a_hand_computation(
    used: dict[str, Any], people: dict[str, Any]
) -> None:
    carol = actor_for(people["carol"])
    services.save_manual_input(
        carol,
        "yrd",
        2025,
        used["zju"].pk,
        technical_staff=1,
        rules_published=True,
        online_platform=False,
        now=NOW,
    )

    evaluation = services.run_evaluation(carol, "yrd", 2025, now=NOW)

    results = {r.institution_name: r for r in evaluation.results.all()}
    zju, fudan = results["浙江大学"], results["复旦大学"]
    assert zju.inputs["effective_hours"] == "1600.00" and zju.inputs["external_hours"] == "400.00"
    # 浙江大学: opening 1/1 → 100; staff 1 × 10 / 1 = 10 → 100; rules 100; online 0
    #   organisation (100×40 + 100×20 + 100×20 + 0×20) / 100 = 80
    #   1,600 h → 60 × 1600 / 1599 = 60.04; income (200,000 + 1.5 × 100,000) / 8,500,000 = 4.12 % → 82.40
    #   operation (60.04×60 + 82.40×40) / 100 = 68.984 → 68.98
    #   400 external h → 60 × 400 / 273 = 87.91; sharing 400 / 1,600 = 25 % → 83.33; rating 4.5 → 75
    #   service (87.91×40 + 83.33×30 + 75×30) / 100 = 82.663 → 82.66
    #   total (80×40 + 68.98×40 + 82.66×20) / 100 = 76.124 → 76.12: qualified
    assert (zju.organisation_score, zju.operation_score, zju.service_score) == (
        D("80.00"),
        D("68.98"),
        D("82.66"),
    )
    assert (zju.total, zju.grade, zju.rank) == (D("76.12"), "qualified", 1)
    # 复旦大学: nothing shared, nothing reported: organisation 0; 800 h → 60 × 800 / 1599 = 30.02, income 0 →
    #   operation 30.02 × 60 / 100 = 18.01; service 0; total 18.01 × 40 / 100 = 7.20: poor
    assert (fudan.organisation_score, fudan.operation_score, fudan.service_score) == (D(0), D("18.01"), D(0))
    assert (fudan.total, fudan.grade, fudan.rank) == (D("7.20"), "poor", 2)
