"""An evaluation configuration: groups and their weights, indicators (a metric, a scoring method with its
parameters, a weight in the group), the grading rule; the default; and the one cleaning function every
write goes through (``clean_config``: ValidationFailed names each bad field, ``indicators.2.target``)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext

from dayi.core.errors import ValidationFailed
from dayi.evaluation.metrics import HUNDRED, METRICS, ZERO, q2

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
            self.add(where, gettext("应为数字"))
            return ZERO
        value = q2(value)
        if positive and value <= 0:
            self.add(where, gettext("应大于 0"))
        if (low is not None and value < low) or (high is not None and value > high):
            span = (
                gettext("%(low)s 到 %(high)s 之间") % {"low": low, "high": high}
                if low is not None
                else gettext("不超过 %(high)s") % {"high": high}
            )
            self.add(where, f"应{span}")
        return value


def _clean_indicator(raw: Any, where: str, errors: _Errors) -> dict[str, Any]:
    if not isinstance(raw, dict):
        errors.add(where, gettext("应为对象"))
        return {}
    metric = METRICS.get(str(raw.get("metric", "")))
    code = str(raw.get("code") or raw.get("metric") or "").strip()
    method = str(raw.get("method", ""))
    group = str(raw.get("group", ""))
    if metric is None:
        errors.add(f"{where}.metric", gettext("应为 %(choices)s 之一") % {"choices": ", ".join(METRICS)})
    if not code or len(code) > 40:
        errors.add(f"{where}.code", gettext("代码应为1到40个字符"))
    if group not in GROUPS:
        errors.add(f"{where}.group", gettext("应为 %(choices)s 之一") % {"choices": ", ".join(GROUPS)})
    if method not in METHODS:
        errors.add(f"{where}.method", gettext("应为 %(choices)s 之一") % {"choices": ", ".join(METHODS)})
    elif metric is not None and (method == "yes_no") != metric.yes_no:
        errors.add(
            f"{where}.method",
            gettext("是/否指标只能用是/否计分，数值指标不能"),
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
            errors.add(f"{where}.target", gettext("目标值应大于下限"))
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
        errors.add("grading.method", gettext("应为 thresholds 或 quotas"))
    t_raw = raw.get("thresholds") if isinstance(raw.get("thresholds"), dict) else {}
    q_raw = raw.get("quotas") if isinstance(raw.get("quotas"), dict) else {}
    t = {
        k: errors.number(t_raw.get(k), f"grading.thresholds.{k}", low=ZERO, high=HUNDRED)
        for k in ("excellent", "good", "qualified")
    }
    if not t["excellent"] > t["good"] > t["qualified"]:
        errors.add("grading.thresholds", gettext("应为 优秀 > 良好 > 合格"))
    q = {
        k: errors.number(q_raw.get(k), f"grading.quotas.{k}", low=ZERO, high=HUNDRED)
        for k in ("excellent", "good", "poor")
    }
    if sum(q.values()) > HUNDRED:
        errors.add("grading.quotas", gettext("比例之和不能超过100"))
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
        errors.add("groups", gettext("三组权重之和应为100"))
    items = raw.get("indicators")
    if not isinstance(items, list) or not items:
        errors.add("indicators", gettext("至少需要一个指标"))
        items = []
    indicators = [_clean_indicator(item, f"indicators.{n}", errors) for n, item in enumerate(items)]
    codes = [i.get("code") for i in indicators]
    for n, code in enumerate(codes):
        if code and codes.index(code) != n:
            errors.add(f"indicators.{n}.code", gettext("指标代码重复"))
    for g, weight in groups.items():
        if weight > 0 and not any(i.get("group") == g for i in indicators):
            errors.add(f"groups.{g}", gettext("有权重的组至少需要一个指标"))
    grading = _clean_grading(raw.get("grading"), errors)
    if errors.fields:
        raise ValidationFailed(gettext("评价配置有误"), fields=errors.fields)
    return {"groups": {g: str(w) for g, w in groups.items()}, "indicators": indicators, "grading": grading}
