"""The metric registry of the evaluation: what is measured about an institution, from its ``Inputs``.

Each metric returns its value (or None: no data) and how it was computed, in Chinese and in English, for the
explanations. A configuration names metrics from here only: the formulas are data, never code. Numbers are
Decimal, rounded once (``q2``: two places, half up).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

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
