"""The demo data tells the truth about the product (issue 12): what can be booked or ordered is priced, the
usage gives the national utilisation, the evaluation has excellent holders, reports match their
instruments, and the data says it is generated. One load, shared by the module's tests (they only read it).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import F, Q, Sum
from django.test import Client

from dayi.booking.models import UsageRecord
from dayi.core.models import AuditEvent
from dayi.demo import loader, prices, usage
from dayi.directory.models import Instrument, ServiceMode
from dayi.evaluation.models import EvaluationResult
from dayi.orders.models import Order, PriceRule, PriceUnit, UserClass
from dayi.orders.pricing import rules_on, user_class_for
from dayi.stats.queries import NATIONAL_AVERAGES
from tests.demo.conftest import NOW

pytestmark = pytest.mark.django_db

LAST_YEAR = NOW.year - 1
PRICED_CLASSES = {UserClass.INTERNAL, UserClass.ACADEMIC, UserClass.ENTERPRISE}


def demo_instruments() -> Any:
    return Instrument.objects.filter(institution__demo_mark__isnull=False, retired__isnull=True)


def test_every_bookable_demo_instrument_has_a_price_for_each_user_class_of_each_mode(
    shared_demo: Any, db: Any
) -> None:
    rates: dict[int, set[tuple[str, str, str]]] = defaultdict(set)
    for instrument_id, mode, user_class, unit in PriceRule.objects.values_list(
        "instrument_id", "mode", "user_class", "unit"
    ):
        rates[instrument_id].add((mode, user_class, unit))
    bookable = demo_instruments().exclude(modes=[])
    assert bookable.count() > 200
    for instrument in bookable:
        for mode in instrument.modes:
            unit = PriceUnit.SAMPLE if mode == ServiceMode.SAMPLE else PriceUnit.HOUR
            for user_class in PRICED_CLASSES:
                assert (mode, user_class, unit) in rates[instrument.pk], (instrument.pk, mode, user_class)


def test_the_prices_apply_today_and_follow_the_published_reference_fee(shared_demo: Any, db: Any) -> None:
    instrument = demo_instruments().exclude(modes=[]).order_by("pk").first()
    assert instrument is not None
    today = rules_on(instrument.pk, NOW.date())
    by_class = {r.user_class: r.amount for r in today if r.mode == instrument.modes[0]}
    internal = by_class[UserClass.INTERNAL]
    # the fee note states the same three figures: internal, 1.5 × for academics, 2 × for companies
    assert f"校内 {internal:.0f} 元" in instrument.fees_note
    assert by_class[UserClass.ACADEMIC] == prices.amount(int(internal), 1.5)
    assert by_class[UserClass.ENTERPRISE] == prices.amount(int(internal), 2)
    assert user_class_for(instrument, instrument.institution, today) == UserClass.INTERNAL


def test_last_years_median_hours_per_instrument_are_within_the_national_averages(
    shared_demo: Any, db: Any
) -> None:
    low, high = NATIONAL_AVERAGES[2018][0], NATIONAL_AVERAGES[2025][0]  # 1,340 and 1,599 hours
    hours = dict(
        UsageRecord.objects.filter(start__year=LAST_YEAR, confirmed=True, superseded=False)
        .values("instrument_id")
        .annotate(h=Sum("hours"))
        .values_list("instrument_id", "h")
    )
    per_instrument = [hours.get(pk, Decimal(0)) for pk in demo_instruments().values_list("pk", flat=True)]
    assert low <= statistics.median(per_instrument) <= high
    # idle instruments are common too, and busy ones stay within their opening hours
    assert sum(1 for h in per_instrument if h < 300) > len(per_instrument) * 0.08
    assert max(per_instrument) < usage.MOST_HOURS * Decimal("1.2")


def test_about_a_sixth_of_the_hours_are_for_outside_users(shared_demo: Any, db: Any) -> None:
    records = UsageRecord.objects.filter(start__year=LAST_YEAR, confirmed=True)
    total = records.aggregate(h=Sum("hours"))["h"]
    outside = records.exclude(user__institution_id=F("instrument__institution_id")).aggregate(h=Sum("hours"))[
        "h"
    ]
    assert Decimal("0.08") < outside / total < Decimal("0.30")


def test_some_holders_are_excellent_in_last_years_published_evaluation(shared_demo: Any, db: Any) -> None:
    results = EvaluationResult.objects.filter(evaluation__year=LAST_YEAR, evaluation__published__isnull=False)
    grades = set(results.values_list("grade", flat=True))
    assert results.filter(grade="excellent").exists()
    assert {"good", "qualified"} <= grades
    # and anyone may read the published round
    page = Client().get(f"/evaluations/{results.first().evaluation_id}/")  # type: ignore[union-attr]
    assert page.status_code == 200


def test_every_delivered_reports_names_its_instrument(shared_demo: Any, db: Any) -> None:
    completed = AuditEvent.objects.filter(action="order.complete", object_type="order")
    assert completed.exists()
    names = dict(Order.objects.values_list("pk", "instrument__name"))
    for event in completed:
        assert names[int(event.object_id)] in event.reason, event.reason


def test_voucher_orders_are_quoted_from_the_price_list(shared_demo: Any, db: Any) -> None:
    order = Order.objects.filter(description__contains="演示订单", mode="sample").first()
    assert order is not None
    rule = PriceRule.objects.get(instrument=order.instrument, mode="sample", user_class=UserClass.ENTERPRISE)
    assert Decimal(order.quote["amount"]) == rule.amount * order.samples["count"]


def test_self_reported_usage_waits_for_the_managers_confirmation(shared_demo: Any, db: Any) -> None:
    waiting = UsageRecord.objects.filter(
        source="self", confirmed=False, instrument__institution__name="浙江大学"
    )
    assert waiting.exists()
    assert all("generated demo data" in r.reason for r in waiting)


def test_the_usage_says_it_is_generated_and_its_users_cannot_sign_in(shared_demo: Any, db: Any) -> None:
    assert not UsageRecord.objects.exclude(Q(reason__contains="generated demo data")).exists()
    listed = {row["username"] for row in loader.sign_ins()}
    assert not any(name.startswith("demo-lab-") for name in listed)
    assert "zju-manager" in listed
