"""The scoring engine on hand-made inputs: hand computations, ranking, ties, grades, configuration rules."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from dayi.core.errors import ValidationFailed
from dayi.evaluation import engine
from dayi.evaluation.engine import Inputs

D = Decimal


def two_metric_config(**grading: Any) -> dict[str, Any]:
    """Half opening rate, half sharing rate, both linear 0 → 100 %: the total is their mean."""
    return engine.clean_config(
        {
            "groups": {"organisation": "50", "operation": "0", "service": "50"},
            "indicators": [
                {
                    "code": "open",
                    "group": "organisation",
                    "metric": "opening_rate",
                    "method": "linear",
                    "floor": "0",
                    "target": "100",
                    "weight": "1",
                },
                {
                    "code": "share",
                    "group": "service",
                    "metric": "sharing_rate",
                    "method": "linear",
                    "floor": "0",
                    "target": "100",
                    "weight": "1",
                },
            ],
            "grading": grading
            or {
                "method": "thresholds",
                "thresholds": {"excellent": "90", "good": "80", "qualified": "60"},
                "quotas": {"excellent": "15", "good": "30", "poor": "2"},
            },
        }
    )


def inst(name: str, opening: int, sharing: int) -> Inputs:
    """``opening`` % of 100 instruments shared externally, ``sharing`` % of 1,000 hours external."""
    return Inputs(
        name=name,
        instruments=100,
        external_instruments=opening,
        effective_hours=D(1000),
        external_hours=D(sharing * 10),
    )


def test_the_default_config_scores_an_institution_as_computed_by_hand() -> None:
    # Given 10 instruments (8 shared externally, 20,000,000 yuan), 15,000 effective and 3,000 external hours,
    # income 300,000 internal and 200,000 external, 4 ratings averaging 4.5, 3 technical staff, rules
    # published, no online platform
    i = Inputs(
        name="甲大学",
        instruments=10,
        external_instruments=8,
        original_value=D(20_000_000),
        available_hours=D(20000),
        effective_hours=D(15000),
        external_hours=D(3000),
        income_internal=D(300_000),
        income_external=D(200_000),
        ratings=4,
        average_rating=D("4.5"),
        technical_staff=3,
        rules_published=True,
        online_platform=False,
    )

    # When it is scored with the default configuration (40 / 40 / 20)
    [o] = engine.evaluate(engine.default_config(), {1: i})

    # Then each indicator is as computed by hand
    scores = {x.code: x.score for x in o.indicators}
    assert scores == {
        "opening_rate": D("60.00"),  # 80 %: 100 × (80 − 50) / (100 − 50)
        "staff_per_10_instruments": D("100.00"),  # 3 × 10 / 10 = 3 ≥ target 2
        "rules_published": D("100.00"),
        "online_platform": D("0.00"),
        "effective_hours_per_instrument": D("56.29"),  # 60 × 1500 / 1599 = 56.285
        "income_rate": D("60.00"),  # (300,000 + 1.5 × 200,000) / 20,000,000 = 3 %: 100 × 3 / 5
        "external_hours_per_instrument": D("65.93"),  # 60 × 300 / 273 = 65.934
        "sharing_rate": D("66.67"),  # 3,000 / 15,000 = 20 %: 100 × 20 / 30
        "average_rating": D("75.00"),  # 100 × (4.5 − 3) / (5 − 3)
    }
    # organisation (60×40 + 100×20 + 100×20 + 0×20) / 100 = 64; operation (56.29×60 + 60×40) / 100 = 57.774;
    # service (65.93×40 + 66.67×30 + 75×30) / 100 = 68.873; total (64×40 + 57.77×40 + 68.87×20) / 100 = 62.482
    assert o.groups == {"organisation": D("64.00"), "operation": D("57.77"), "service": D("68.87")}
    assert (o.total, o.grade, o.rank) == (D("62.48"), "qualified", 1)
    sharing = next(x for x in o.indicators if x.code == "sharing_rate")
    assert sharing.value == D("20.00")
    assert "对外服务机时 3000 h ÷ 有效机时 15000 h = 20%" in sharing.explanation
    assert "100 × (20 − 0) ÷ (30 − 0) = 66.67" in sharing.explanation_en


def test_missing_data_scores_zero_and_says_why() -> None:
    [o] = engine.evaluate(engine.default_config(), {1: Inputs(name="空单位", instruments=0)})

    assert o.total == D("0.00") and o.grade == "poor"
    assert all(x.score == 0 and x.value is None for x in o.indicators)
    staff = next(x for x in o.indicators if x.code == "staff_per_10_instruments")
    assert "未填报技术人员数" in staff.explanation and "无数据" in staff.explanation


def test_a_national_ratio_is_capped_at_100() -> None:
    i = Inputs(name="甲", instruments=1, effective_hours=D(5000))
    ind = {
        "code": "e",
        "group": "operation",
        "metric": "effective_hours_per_instrument",
        "method": "national_ratio",
        "reference": "1599",
        "points": "60",
        "weight": "1",
    }

    assert engine.score_indicator(ind, i).score == D("100.00")  # 60 × 5000 / 1599 = 187.6, capped


def test_ties_on_the_total_are_broken_by_the_shared_service_score() -> None:
    # Given A and B with the same total (50) but B better at shared service, and C equal to B on both
    inputs = {1: inst("A", 60, 40), 2: inst("B", 40, 60), 3: inst("C", 40, 60), 4: inst("D", 10, 10)}

    ranked = engine.evaluate(two_metric_config(), inputs)

    assert [(o.name, o.total, o.groups["service"], o.rank) for o in ranked] == [
        ("B", D("50.00"), D("60.00"), 1),
        ("C", D("50.00"), D("60.00"), 1),  # equal on both: the same rank
        ("A", D("50.00"), D("40.00"), 3),
        ("D", D("10.00"), D("10.00"), 4),
    ]


def test_grades_by_thresholds() -> None:
    inputs = {
        1: inst("优", 90, 90),
        2: inst("良", 90, 70),
        3: inst("良2", 85, 80),
        4: inst("合", 60, 60),
        5: inst("差", 60, 58),
    }

    grades = {o.name: (o.total, o.grade) for o in engine.evaluate(two_metric_config(), inputs)}

    assert grades == {
        "优": (D("90.00"), "excellent"),  # exactly the threshold
        "良": (D("80.00"), "good"),
        "良2": (D("82.50"), "good"),
        "合": (D("60.00"), "qualified"),
        "差": (D("59.00"), "poor"),
    }


def quotas(excellent: str, good: str, poor: str) -> dict[str, Any]:
    return {
        "method": "quotas",
        "thresholds": {"excellent": "90", "good": "80", "qualified": "60"},
        "quotas": {"excellent": excellent, "good": good, "poor": poor},
    }


def test_grades_by_quotas_round_each_count_down() -> None:
    # Given 20 institutions with distinct totals; quotas 15 % excellent, 30 % good, 10 % poor
    inputs = {n: inst(f"单位{n:02d}", 100 - n, 100 - n) for n in range(20)}

    ranked = engine.evaluate(two_metric_config(**quotas("15", "30", "10")), inputs)

    # Then 3 excellent (20 × 15 %), 6 good, 2 poor, the rest qualified, in rank order
    assert [o.grade for o in ranked] == ["excellent"] * 3 + ["good"] * 6 + ["qualified"] * 9 + ["poor"] * 2
    assert engine.quota_counts(20, {"excellent": "15", "good": "30", "poor": "2"}) == {
        "excellent": 3,
        "good": 6,
        "poor": 0,
    }  # 0.4 rounds down to none


def test_under_quotas_institutions_sharing_a_rank_share_the_better_grade() -> None:
    # Given 10 institutions where the 1st and 2nd tie; 10 % may be excellent (one)
    inputs = {n: inst(f"单位{n}", 90 - n * 5, 90 - n * 5) for n in range(10)}
    inputs[1] = inst("并列", 90, 90)

    ranked = engine.evaluate(two_metric_config(**quotas("10", "10", "10")), inputs)

    assert [o.rank for o in ranked[:3]] == [1, 1, 3]
    # The tie takes both the excellent place and the good one: the third is qualified
    assert [o.grade for o in ranked[:3]] == ["excellent", "excellent", "qualified"]
    assert ranked[-1].grade == "poor"


def test_the_default_config_is_the_2021_split() -> None:
    config = engine.default_config()

    assert config["groups"] == {"organisation": "40.00", "operation": "40.00", "service": "20.00"}
    assert {i["metric"] for i in config["indicators"]} >= {"sharing_rate", "income_rate", "opening_rate"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda c: c["groups"].update(service="30"), "groups"),  # 40 + 40 + 30
        (lambda c: c["indicators"][0].update(metric="lines_of_code"), "indicators.0.metric"),
        (lambda c: c["indicators"][0].update(method="yes_no"), "indicators.0.method"),  # a number as yes/no
        (lambda c: c["indicators"][2].update(method="linear", floor="0", target="1"), "indicators.2.method"),
        (lambda c: c["indicators"][0].update(target="40"), "indicators.0.target"),  # below the floor 50
        (lambda c: c["indicators"][0].update(weight="0"), "indicators.0.weight"),
        (lambda c: c["indicators"][1].update(code="opening_rate"), "indicators.1.code"),  # used twice
        (lambda c: c["indicators"][4].update(reference="abc"), "indicators.4.reference"),
        (lambda c: c["grading"].update(method="lottery"), "grading.method"),
        (lambda c: c["grading"]["thresholds"].update(good="95"), "grading.thresholds"),
        (lambda c: c["grading"]["quotas"].update(excellent="80"), "grading.quotas"),  # 80 + 30 + 2 > 100
        (
            lambda c: c.update(indicators=[i for i in c["indicators"] if i["group"] != "service"]),
            "groups.service",
        ),
    ],
)
def test_a_bad_configuration_is_refused_naming_the_field(change: Any, field: str) -> None:
    config = copy.deepcopy(engine.default_config())
    change(config)

    with pytest.raises(ValidationFailed) as caught:
        engine.clean_config(config)

    assert field in caught.value.fields


def test_a_good_configuration_comes_back_normalised() -> None:
    raw = copy.deepcopy(engine.default_config())
    raw["indicators"][0]["floor"] = 40

    assert engine.clean_config(raw)["indicators"][0]["floor"] == "40.00"
