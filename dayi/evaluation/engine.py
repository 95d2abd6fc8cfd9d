"""The scoring engine: pure functions from a configuration and each institution's inputs to scores, grades
and ranks. No database: the service gathers the inputs, this module judges them, the service stores them.

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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from dayi.core.errors import ValidationFailed

Q2 = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)


def q2(value: Decimal) -> Decimal:
    """The one rounding of the engine: two places, half up."""
    return value.quantize(Q2, rounding=ROUND_HALF_UP)


# --- inputs ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inputs:
    """What the metrics read about one institution in one year: the platform's figures, the instruments'
    share modes (for the opening rate), and the manual inputs (None: not reported)."""

    name: str
    instruments: int = 0
    external_instruments: int = 0  # instruments whose share mode is "external" (对外共享)
    original_value: Decimal = ZERO  # yuan, of all its instruments
    available_hours: Decimal = ZERO
    effective_hours: Decimal = ZERO
    external_hours: Decimal = ZERO
    samples: int = 0
    income_internal: Decimal = ZERO  # yuan
    income_external: Decimal = ZERO  # yuan
    ratings: int = 0
    average_rating: Decimal | None = None
    technical_staff: int | None = None
    rules_published: bool | None = None
    online_platform: bool | None = None

    def as_json(self) -> dict[str, Any]:
        """For the frozen copy on each result: Decimals as strings."""
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in self.__dict__.items()}


# --- the metric registry -----------------------------------------------------------------------------------

# (value or None, how it was computed in Chinese, in English)
Measured = tuple[Decimal | bool | None, str, str]


def _n(value: Decimal | int) -> str:
    """A number as the explanations show it: two places, no trailing zeros after a whole number."""
    d = q2(Decimal(value))
    return str(d.quantize(Decimal(1))) if d == d.to_integral_value() else str(d)


def plain(value: Decimal | int | str) -> str:
    """A number as people write it: ``40`` for 40.00, ``4.5`` stays ``4.50``."""
    return _n(Decimal(value))


def _ratio(num: Decimal, den: Decimal, scale: Decimal = Decimal(1)) -> Decimal | None:
    return None if den <= 0 else q2(num * scale / den)


def _opening_rate(i: Inputs) -> Measured:
    v = _ratio(Decimal(i.external_instruments), Decimal(i.instruments), HUNDRED)
    return (
        v,
        f"对外共享仪器 {i.external_instruments} 台 ÷ 仪器 {i.instruments} 台",
        (f"{i.external_instruments} externally shared ÷ {i.instruments} instruments"),
    )


def _effective_per_instrument(i: Inputs) -> Measured:
    v = _ratio(i.effective_hours, Decimal(i.instruments))
    return (
        v,
        f"有效机时 {_n(i.effective_hours)} h ÷ 仪器 {i.instruments} 台",
        (f"{_n(i.effective_hours)} effective hours ÷ {i.instruments} instruments"),
    )


def _external_per_instrument(i: Inputs) -> Measured:
    v = _ratio(i.external_hours, Decimal(i.instruments))
    return (
        v,
        f"对外服务机时 {_n(i.external_hours)} h ÷ 仪器 {i.instruments} 台",
        (f"{_n(i.external_hours)} external hours ÷ {i.instruments} instruments"),
    )


def _utilisation(i: Inputs) -> Measured:
    v = _ratio(i.effective_hours, i.available_hours, HUNDRED)
    return (
        v,
        f"有效机时 {_n(i.effective_hours)} h ÷ 开放机时 {_n(i.available_hours)} h",
        (f"{_n(i.effective_hours)} effective ÷ {_n(i.available_hours)} available hours"),
    )


def _sharing_rate(i: Inputs) -> Measured:
    v = _ratio(i.external_hours, i.effective_hours, HUNDRED)
    return (
        v,
        f"对外服务机时 {_n(i.external_hours)} h ÷ 有效机时 {_n(i.effective_hours)} h",
        (f"{_n(i.external_hours)} external ÷ {_n(i.effective_hours)} effective hours"),
    )


def _income_rate(i: Inputs) -> Measured:
    weighted = i.income_internal + Decimal("1.5") * i.income_external
    v = _ratio(weighted, i.original_value, HUNDRED)
    return (
        v,
        f"(校内收入 {_n(i.income_internal)} 元 + 1.5 × 校外收入 {_n(i.income_external)} 元)"
        f" ÷ 原值 {_n(i.original_value)} 元",
        f"(internal income {_n(i.income_internal)} + 1.5 × external income {_n(i.income_external)} yuan)"
        f" ÷ original value {_n(i.original_value)} yuan",
    )


def _samples_per_instrument(i: Inputs) -> Measured:
    v = _ratio(Decimal(i.samples), Decimal(i.instruments))
    return (
        v,
        f"样品 {i.samples} 个 ÷ 仪器 {i.instruments} 台",
        f"{i.samples} samples ÷ {i.instruments} instruments",
    )


def _average_rating(i: Inputs) -> Measured:
    v = None if not i.ratings or i.average_rating is None else q2(i.average_rating)
    return v, f"{i.ratings} 条用户评价的平均分（5 分制）", f"average of {i.ratings} user ratings (out of 5)"


def _staff_per_10(i: Inputs) -> Measured:
    if i.technical_staff is None:
        return None, "未填报技术人员数", "technical staff not reported"
    v = _ratio(Decimal(i.technical_staff) * 10, Decimal(i.instruments))
    return (
        v,
        f"技术人员 {i.technical_staff} 人 × 10 ÷ 仪器 {i.instruments} 台",
        (f"{i.technical_staff} technical staff × 10 ÷ {i.instruments} instruments"),
    )


def _rules_published(i: Inputs) -> Measured:
    return (
        i.rules_published,
        "开放共享制度与收费标准是否公开（填报）",
        "opening rules and fees published (reported)",
    )


def _online_platform(i: Inputs) -> Measured:
    return i.online_platform, "是否建有在线服务平台（填报）", "runs an online service platform (reported)"


@dataclass(frozen=True)
class Metric:
    code: str
    zh: str
    en: str
    unit: str  # "%", "h", "" …: the unit of the value and of a linear floor and target
    measure: Callable[[Inputs], Measured]
    yes_no: bool = False
    manual: bool = False  # read from the manual inputs, not the figures


METRICS: dict[str, Metric] = {
    m.code: m
    for m in [
        Metric("opening_rate", "开放率", "opening rate", "%", _opening_rate),
        Metric(
            "staff_per_10_instruments",
            "每10台仪器技术人员数",
            "technical staff per 10 instruments",
            "",
            _staff_per_10,
            manual=True,
        ),
        Metric(
            "rules_published", "制度公开", "rules published", "", _rules_published, yes_no=True, manual=True
        ),
        Metric(
            "online_platform",
            "在线服务平台",
            "online service platform",
            "",
            _online_platform,
            yes_no=True,
            manual=True,
        ),
        Metric(
            "effective_hours_per_instrument",
            "台均有效机时",
            "effective hours per instrument",
            "h",
            _effective_per_instrument,
        ),
        Metric("utilisation", "机时利用率", "utilisation", "%", _utilisation),
        Metric("income_rate", "收入率", "income rate", "%", _income_rate),
        Metric(
            "samples_per_instrument", "台均服务样品数", "samples per instrument", "", _samples_per_instrument
        ),
        Metric(
            "external_hours_per_instrument",
            "台均对外服务机时",
            "external hours per instrument",
            "h",
            _external_per_instrument,
        ),
        Metric("sharing_rate", "共享率", "sharing rate", "%", _sharing_rate),
        Metric("average_rating", "用户评价", "average user rating", "", _average_rating),
    ]
}

GROUPS: dict[str, tuple[str, str]] = {
    "organisation": ("组织管理", "Organisation and management"),
    "operation": ("运行使用", "Operation and use"),
    "service": ("共享服务成效", "Shared service"),
}
METHODS: dict[str, tuple[str, str]] = {
    "linear": ("线性计分", "linear"),
    "national_ratio": ("与全国平均值比较", "ratio to the national average"),
    "yes_no": ("是/否", "yes / no"),
}
GRADINGS = ("thresholds", "quotas")
# The fields of an indicator in a configuration (the parameters of its method among them).
INDICATOR_FIELDS = ("code", "group", "metric", "method", "weight", "floor", "target", "reference", "points")

# National averages per instrument (DOMAIN.md, "The national evaluation"): 1,340 effective hours a year in
# 2018 rising to 1,599 in 2025; external service hours 226 → 273. These latest ones are the fallback:
# ``queries.default_for(year)`` puts in the year's averages, and a platform admin may set any.
NATIONAL_EFFECTIVE_HOURS = Decimal(1599)
NATIONAL_EXTERNAL_HOURS = Decimal(273)


def default_config(
    effective_hours: Decimal = NATIONAL_EFFECTIVE_HOURS, external_hours: Decimal = NATIONAL_EXTERNAL_HOURS
) -> dict[str, Any]:
    """The 2021 round's 40 / 40 / 20 split, with the university formulas of DOMAIN.md; the national averages
    per instrument (effective and external hours a year) are the references of the two ratio indicators."""

    def ind(code: str, group: str, method: str, weight: int, **params: int | Decimal) -> dict[str, Any]:
        return {
            "code": code,
            "group": group,
            "metric": code,
            "method": method,
            "weight": str(weight),
            **{k: str(v) for k, v in params.items()},
        }

    return clean_config(
        {
            "groups": {"organisation": "40", "operation": "40", "service": "20"},
            "indicators": [
                ind("opening_rate", "organisation", "linear", 40, floor=50, target=100),
                ind("staff_per_10_instruments", "organisation", "linear", 20, floor=0, target=2),
                ind("rules_published", "organisation", "yes_no", 20),
                ind("online_platform", "organisation", "yes_no", 20),
                ind(
                    "effective_hours_per_instrument",
                    "operation",
                    "national_ratio",
                    60,
                    reference=effective_hours,
                    points=60,
                ),
                ind("income_rate", "operation", "linear", 40, floor=0, target=5),
                ind(
                    "external_hours_per_instrument",
                    "service",
                    "national_ratio",
                    40,
                    reference=external_hours,
                    points=60,
                ),
                ind("sharing_rate", "service", "linear", 30, floor=0, target=30),
                ind("average_rating", "service", "linear", 30, floor=3, target=5),
            ],
            "grading": {
                "method": "thresholds",
                "thresholds": {"excellent": "90", "good": "80", "qualified": "60"},
                # 2021–2024: 50 excellent and 100 good of about 345, 5–8 poor.
                "quotas": {"excellent": "15", "good": "30", "poor": "2"},
            },
        }
    )


# --- cleaning a configuration ------------------------------------------------------------------------------


class _Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, where: str, message: str) -> None:
        self.fields.setdefault(where, []).append(message)

    def number(
        self,
        raw: Any,
        where: str,
        *,
        low: Decimal | None = None,
        high: Decimal | None = None,
        positive: bool = False,
    ) -> Decimal:
        try:
            if isinstance(raw, bool) or raw is None or raw == "":
                raise InvalidOperation
            value = Decimal(str(raw).strip())
            if not value.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            self.add(where, "应为数字 (a number)")
            return ZERO
        value = q2(value)
        if positive and value <= 0:
            self.add(where, "应大于 0 (must be more than 0)")
        if (low is not None and value < low) or (high is not None and value > high):
            span = (
                f"{low} 到 {high} 之间 (from {low} to {high})"
                if low is not None
                else f"不超过 {high} (at most {high})"
            )
            self.add(where, f"应{span}")
        return value


def _clean_indicator(raw: Any, where: str, errors: _Errors) -> dict[str, Any]:
    if not isinstance(raw, dict):
        errors.add(where, "应为对象 (an object)")
        return {}
    metric = METRICS.get(str(raw.get("metric", "")))
    code = str(raw.get("code") or raw.get("metric") or "").strip()
    method = str(raw.get("method", ""))
    group = str(raw.get("group", ""))
    if metric is None:
        errors.add(f"{where}.metric", f"应为 {', '.join(METRICS)} 之一 (a known metric)")
    if not code or len(code) > 40:
        errors.add(f"{where}.code", "代码应为1到40个字符 (1 to 40 characters)")
    if group not in GROUPS:
        errors.add(f"{where}.group", f"应为 {', '.join(GROUPS)} 之一 (a known group)")
    if method not in METHODS:
        errors.add(f"{where}.method", f"应为 {', '.join(METHODS)} 之一 (a known method)")
    elif metric is not None and (method == "yes_no") != metric.yes_no:
        errors.add(
            f"{where}.method",
            "是/否指标只能用是/否计分，数值指标不能 (yes/no metrics score yes/no, numbers do not)",
        )
    clean: dict[str, Any] = {
        "code": code,
        "group": group,
        "metric": metric.code if metric else "",
        "method": method,
    }
    clean["weight"] = str(
        errors.number(raw.get("weight"), f"{where}.weight", positive=True, high=Decimal(1000))
    )
    if method == "linear":
        floor = errors.number(raw.get("floor"), f"{where}.floor")
        target = errors.number(raw.get("target"), f"{where}.target")
        if target <= floor:
            errors.add(f"{where}.target", "目标值应大于下限 (the target must exceed the floor)")
        clean.update(floor=str(floor), target=str(target))
    elif method == "national_ratio":
        reference = errors.number(raw.get("reference"), f"{where}.reference", positive=True)
        points = errors.number(raw.get("points", "60"), f"{where}.points", low=Decimal(1), high=HUNDRED)
        clean.update(reference=str(reference), points=str(points))
    return clean


def _clean_grading(raw: Any, errors: _Errors) -> dict[str, Any]:
    raw = raw if isinstance(raw, dict) else {}
    method = str(raw.get("method", "thresholds"))
    if method not in GRADINGS:
        errors.add("grading.method", "应为 thresholds 或 quotas (thresholds or quotas)")
    t_raw = raw.get("thresholds") if isinstance(raw.get("thresholds"), dict) else {}
    q_raw = raw.get("quotas") if isinstance(raw.get("quotas"), dict) else {}
    t = {
        k: errors.number(t_raw.get(k), f"grading.thresholds.{k}", low=ZERO, high=HUNDRED)
        for k in ("excellent", "good", "qualified")
    }
    if not t["excellent"] > t["good"] > t["qualified"]:
        errors.add("grading.thresholds", "应为 优秀 > 良好 > 合格 (excellent > good > qualified)")
    q = {
        k: errors.number(q_raw.get(k), f"grading.quotas.{k}", low=ZERO, high=HUNDRED)
        for k in ("excellent", "good", "poor")
    }
    if sum(q.values()) > HUNDRED:
        errors.add("grading.quotas", "比例之和不能超过100 (the shares add up to at most 100)")
    return {
        "method": method,
        "thresholds": {k: str(v) for k, v in t.items()},
        "quotas": {k: str(v) for k, v in q.items()},
    }


def clean_config(raw: Any) -> dict[str, Any]:
    """Check a configuration and return it normalised (Decimals as two-place strings); ValidationFailed
    names every bad field (``indicators.2.target``)."""
    errors = _Errors()
    raw = raw if isinstance(raw, dict) else {}
    g_raw = raw.get("groups") if isinstance(raw.get("groups"), dict) else {}
    groups = {g: errors.number(g_raw.get(g), f"groups.{g}", low=ZERO, high=HUNDRED) for g in GROUPS}
    if sum(groups.values()) != HUNDRED:
        errors.add("groups", "三组权重之和应为100 (the group weights add up to 100)")
    items = raw.get("indicators")
    if not isinstance(items, list) or not items:
        errors.add("indicators", "至少需要一个指标 (at least one indicator)")
        items = []
    indicators = [_clean_indicator(item, f"indicators.{n}", errors) for n, item in enumerate(items)]
    codes = [i.get("code") for i in indicators]
    for n, code in enumerate(codes):
        if code and codes.index(code) != n:
            errors.add(f"indicators.{n}.code", "指标代码重复 (the code is used twice)")
    for g, weight in groups.items():
        if weight > 0 and not any(i.get("group") == g for i in indicators):
            errors.add(f"groups.{g}", "有权重的组至少需要一个指标 (a weighted group needs an indicator)")
    grading = _clean_grading(raw.get("grading"), errors)
    if errors.fields:
        raise ValidationFailed("评价配置有误 (the configuration is not valid)", fields=errors.fields)
    return {"groups": {g: str(w) for g, w in groups.items()}, "indicators": indicators, "grading": grading}


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
    return f"{_n(Decimal(value))}{space}{metric.unit}"


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
            f"{head_zh}：{zh}；是得 100 分，否得 0 分，得 {_n(score)} 分",
            f"{head_en}: {en}; yes scores 100, no 0: {_n(score)}",
        )
    value = Decimal(measured)
    if ind["method"] == "linear":
        floor, target = Decimal(ind["floor"]), Decimal(ind["target"])
        score = q2(min(HUNDRED, max(ZERO, HUNDRED * (value - floor) / (target - floor))))
        rule_zh = (
            f"线性计分：{_unit(metric, floor)} 及以下得 0 分，{_unit(metric, target)} 及以上得 100 分，"
            f"100 × ({_n(value)} − {_n(floor)}) ÷ ({_n(target)} − {_n(floor)})"
        )
        rule_en = (
            f"linear: 0 at or below {_unit(metric, floor)}, 100 at or above {_unit(metric, target)},"
            f" 100 × ({_n(value)} − {_n(floor)}) ÷ ({_n(target)} − {_n(floor)})"
        )
    else:  # national_ratio
        reference, points = Decimal(ind["reference"]), Decimal(ind["points"])
        score = q2(min(HUNDRED, points * value / reference))
        rule_zh = (
            f"与全国平均值 {_unit(metric, reference)} 比较：{_n(points)} × {_n(value)} ÷ {_n(reference)}，"
            f"最高 100 分"
        )
        rule_en = (
            f"against the national average {_unit(metric, reference)}: {_n(points)} × {_n(value)}"
            f" ÷ {_n(reference)}, at most 100"
        )
    return IndicatorOutcome(
        position,
        ind["code"],
        ind["group"],
        metric.code,
        value,
        score,
        weight,
        f"{head_zh} = {_unit(metric, value)}；{rule_zh} = {_n(score)} 分",
        f"{head_en} = {_unit(metric, value)}; {rule_en} = {_n(score)}",
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
