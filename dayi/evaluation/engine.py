"""The scoring engine: pure functions from a configuration and each institution's inputs to scores, grades
and ranks. No database: the service gathers the inputs, this module judges them, the service stores them.
The metrics are in ``metrics.py``; the configuration, its default and its cleaning in ``config.py``.

The formulas are data, but not code. An indicator names a **metric** from the fixed registry ``METRICS``
(opening rate, effective hours per instrument, sharing rate, income rate, …), a **scoring method** with its
parameters, and a **weight** within its group:

- ``linear`` (``floor``, ``target``): 0 at or below the floor, 100 at or above the target, a straight line
  between: ``100 × (value − floor) / (target − floor)``.
- ``national_ratio`` (``reference``, ``points``): the value against the national average per instrument,
  ``points × value / reference``, capped at 100 (``points`` = what the national average earns, default 60).
- ``yes_no``: 100 for yes, 0 for no (the yes/no metrics only).

A metric without data (no instruments, no hours, no ratings, a manual input not reported) scores 0, and
the explanation says why. Arithmetic (all Decimal, half up): a value is rounded to 0.01 in its unit and
scored as rounded (what the page shows is what was scored); an indicator score is rounded to 0.01; a group
score is the weighted mean of its indicators' scores, ``Σ score × weight / Σ weight``, rounded to 0.01; the
total is ``Σ group score × group weight / 100``, rounded to 0.01. Group weights sum to 100 (default 40 / 40
/ 20, the 2021 national round).

Ranking: by total, ties broken by the shared-service group score; institutions equal on both share a rank
(1, 2, 2, 4). Grades: by ``thresholds`` on the total (default 90 / 80 / 60: excellent / good / qualified,
else poor) or by ``quotas`` (shares of the evaluated institutions by rank: the best ``excellent`` % are
excellent, the next ``good`` % good, the last ``poor`` % poor, the rest qualified; each count is rounded
down, so a quota is a ceiling). Under quotas, institutions that share a rank share the better grade.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# The registry and the configuration are re-exported: callers read them as ``engine.METRICS`` and so on.
from dayi.evaluation.config import (  # noqa: F401
    GRADINGS,
    GROUPS,
    INDICATOR_FIELDS,
    METHODS,
    NATIONAL_EFFECTIVE_HOURS,
    NATIONAL_EXTERNAL_HOURS,
    clean_config,
    default_config,
)
from dayi.evaluation.metrics import (
    HUNDRED,
    METRICS,
    ZERO,
    Inputs,
    Metric,
    plain,
    q2,
)

# --- scoring -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorOutcome:
    position: int
    code: str
    group: str
    metric: str
    value: Decimal | None  # a yes/no metric stores 1 or 0
    score: Decimal
    weight: Decimal
    explanation: str
    explanation_en: str


@dataclass
class Outcome:
    institution_id: int
    name: str
    inputs: Inputs
    indicators: list[IndicatorOutcome]
    groups: dict[str, Decimal]
    total: Decimal
    rank: int = 0
    grade: str = ""

    @property
    def key(self) -> tuple[Decimal, Decimal]:
        """What ranks: the total, then the shared-service score."""
        return (self.total, self.groups["service"])


def _unit(metric: Metric, value: Decimal | str) -> str:
    space = " " if metric.unit.isalpha() else ""  # 1500 h, 80%
    return f"{plain(Decimal(value))}{space}{metric.unit}"


def score_indicator(ind: Mapping[str, Any], inputs: Inputs, position: int = 0) -> IndicatorOutcome:
    metric = METRICS[ind["metric"]]
    measured, how_zh, how_en = metric.measure(inputs)
    weight = Decimal(ind["weight"])
    head_zh, head_en = f"{metric.zh}：{how_zh}", f"{metric.en}: {how_en}"
    if measured is None:
        return IndicatorOutcome(
            position,
            ind["code"],
            ind["group"],
            metric.code,
            None,
            ZERO,
            weight,
            f"{head_zh}；无数据，得 0 分",
            f"{head_en}; no data, scores 0",
        )
    if metric.yes_no:
        score = q2(HUNDRED) if measured else q2(ZERO)
        zh, en = ("是", "yes") if measured else ("否", "no")
        return IndicatorOutcome(
            position,
            ind["code"],
            ind["group"],
            metric.code,
            Decimal(int(bool(measured))),
            score,
            weight,
            f"{head_zh}：{zh}；是得 100 分，否得 0 分，得 {plain(score)} 分",
            f"{head_en}: {en}; yes scores 100, no 0: {plain(score)}",
        )
    value = Decimal(measured)
    if ind["method"] == "linear":
        floor, target = Decimal(ind["floor"]), Decimal(ind["target"])
        score = q2(min(HUNDRED, max(ZERO, HUNDRED * (value - floor) / (target - floor))))
        rule_zh = (
            f"线性计分：{_unit(metric, floor)} 及以下得 0 分，{_unit(metric, target)} 及以上得 100 分，"
            f"100 × ({plain(value)} − {plain(floor)}) ÷ ({plain(target)} − {plain(floor)})"
        )
        rule_en = (
            f"linear: 0 at or below {_unit(metric, floor)}, 100 at or above {_unit(metric, target)},"
            f" 100 × ({plain(value)} − {plain(floor)}) ÷ ({plain(target)} − {plain(floor)})"
        )
    else:  # national_ratio
        reference, points = Decimal(ind["reference"]), Decimal(ind["points"])
        score = q2(min(HUNDRED, points * value / reference))
        rule_zh = (
            f"与全国平均值 {_unit(metric, reference)} 比较："
            f"{plain(points)} × {plain(value)} ÷ {plain(reference)}，最高 100 分"
        )
        rule_en = (
            f"against the national average {_unit(metric, reference)}: {plain(points)} × {plain(value)}"
            f" ÷ {plain(reference)}, at most 100"
        )
    return IndicatorOutcome(
        position,
        ind["code"],
        ind["group"],
        metric.code,
        value,
        score,
        weight,
        f"{head_zh} = {_unit(metric, value)}；{rule_zh} = {plain(score)} 分",
        f"{head_en} = {_unit(metric, value)}; {rule_en} = {plain(score)}",
    )


def _group_scores(indicators: list[IndicatorOutcome]) -> dict[str, Decimal]:
    scores: dict[str, Decimal] = {}
    for g in GROUPS:
        mine = [i for i in indicators if i.group == g]
        weights = sum((i.weight for i in mine), ZERO)
        scores[g] = q2(sum((i.score * i.weight for i in mine), ZERO) / weights) if weights else ZERO
    return scores


def score_institution(config: Mapping[str, Any], institution_id: int, inputs: Inputs) -> Outcome:
    indicators = [score_indicator(ind, inputs, n) for n, ind in enumerate(config["indicators"])]
    groups = _group_scores(indicators)
    total = q2(sum((groups[g] * Decimal(w) for g, w in config["groups"].items()), ZERO) / HUNDRED)
    return Outcome(institution_id, inputs.name, inputs, indicators, groups, total)


def rank(outcomes: list[Outcome]) -> list[Outcome]:
    """Sort best first and number them; equal (total, service score) share a rank (1, 2, 2, 4)."""
    ordered = sorted(outcomes, key=lambda o: (-o.total, -o.groups["service"], o.name, o.institution_id))
    for n, o in enumerate(ordered):
        same = n > 0 and ordered[n - 1].key == o.key
        o.rank = ordered[n - 1].rank if same else n + 1
    return ordered


def grade_by_thresholds(total: Decimal, thresholds: Mapping[str, str]) -> str:
    for grade in ("excellent", "good", "qualified"):
        if total >= Decimal(thresholds[grade]):
            return grade
    return "poor"


def quota_counts(n: int, quotas: Mapping[str, str]) -> dict[str, int]:
    """How many of ``n`` may be excellent, good and poor: each share of n, rounded down."""
    return {k: math.floor(n * Decimal(quotas[k]) / HUNDRED) for k in ("excellent", "good", "poor")}


def grade(ranked: list[Outcome], grading: Mapping[str, Any]) -> None:
    """Set each outcome's grade (``ranked`` as ``rank`` returns it)."""
    if grading["method"] == "thresholds":
        for o in ranked:
            o.grade = grade_by_thresholds(o.total, grading["thresholds"])
        return
    n = len(ranked)
    c = quota_counts(n, grading["quotas"])
    for o in ranked:
        first = (
            o.rank - 1
        )  # the position of the first of those sharing this rank: ties share the better grade
        if first < c["excellent"]:
            o.grade = "excellent"
        elif first < c["excellent"] + c["good"]:
            o.grade = "good"
        elif first >= n - c["poor"]:
            o.grade = "poor"
        else:
            o.grade = "qualified"


def evaluate(config: Mapping[str, Any], inputs: Mapping[int, Inputs]) -> list[Outcome]:
    """Score, rank and grade every institution of ``inputs`` (institution id → inputs), best first."""
    ranked = rank([score_institution(config, iid, i) for iid, i in inputs.items()])
    grade(ranked, config["grading"])
    return ranked
