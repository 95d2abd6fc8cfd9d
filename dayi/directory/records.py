"""The instrument record: cleaning raw values (from the API, a CSV/XLSX row, a form) into model values.

One function checks every field, so the API, the import and the pages accept and refuse the same things.
Errors are collected per field (``{"original_value": ["…"]}``) rather than stopping at the first.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext, override

from dayi.booking.policy import validate_policy
from dayi.core.money import yuan
from dayi.directory.models import Category, Purpose, ServiceMode, ShareMode, Source, Status
from dayi.network.models import Region

TEXT_LIMITS = {
    "inventory_no": 64,
    "name": 128,
    "name_en": 256,
    "model": 128,
    "manufacturer": 128,
    "country": 64,
    "location": 256,
    "contact": 256,
    "unit": 128,
    "booking_url": 200,
    "specs": 20000,
    "functions": 20000,
    "services": 20000,
    "results": 20000,
    "opening_rules": 20000,
    "fees_note": 20000,
}
REQUIRED = ("inventory_no", "name", "category", "original_value")
MAX_VALUE = Decimal("999999999999.99")

# Chinese labels accepted wherever a coded value is expected (the national form uses the Chinese words).
with override("zh-hans"):
    _ALIASES: dict[str, dict[str, str]] = {
        "status": {str(label): value for value, label in Status.choices}
        | {"运行正常": "normal", "正常运行": "normal", "远程": "remote"}
        | {"待维修": "awaiting_repair"},
        "share_mode": {str(label): value for value, label in ShareMode.choices}
        | {
            "内部": "internal",
            "对外": "external",
            "外部共享": "external",
            "不对外": "none",
            "不共享": "none",
        },
        "source": {str(label): value for value, label in Source.choices}
        | {"采购": "purchased", "自研": "self_built"},
        "purpose": {str(label): value for value, label in Purpose.choices},
        "modes": {str(label): value for value, label in ServiceMode.choices}
        | {"委托共享": "sample", "送样检测": "sample", "送样": "sample"},
    }


@dataclass
class Lookups:
    """Categories and regions by code, read once for a whole import."""

    categories: dict[str, Category] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Lookups:
        return cls(
            categories={c.code: c for c in Category.objects.all()},
            regions={r.code: r for r in Region.objects.all()},
        )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets hand numbers back as floats: 20190001.0
    # PostgreSQL text cannot hold NUL; files exported by some systems carry them.
    return str(value).replace("\x00", "").strip()


def _choice(key: str, raw: Any, allowed: list[str]) -> tuple[str | None, str | None]:
    value = _text(raw)
    value = _ALIASES.get(key, {}).get(value, value)
    if value in allowed:
        return value, None
    return None, gettext("应为 %(choices)s 之一，而不是 %(got)s") % {
        "choices": ", ".join(allowed),
        "got": repr(_text(raw)),
    }


def _list(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, list | tuple):
        return [_text(x) for x in raw if _text(x)]
    text = _text(raw).replace("；", ";").replace("、", ";").replace(",", ";").replace("，", ";")
    return [part.strip() for part in text.split(";") if part.strip()]


def _date(raw: Any) -> tuple[dt.date | None, str | None]:
    if raw is None or _text(raw) == "":
        return None, None
    if isinstance(raw, dt.datetime):
        return raw.date(), None
    if isinstance(raw, dt.date):
        return raw, None
    text = _text(raw).replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").rstrip("日")
    # Spreadsheets write "2019/6/30" and "2019-06-30 00:00:00"; a year and month alone means the 1st.
    parts = text.split(" ")[0].split("T")[0].strip("-").split("-")
    try:
        numbers = [int(p) for p in parts] + ([1] if len(parts) == 2 else [])
        if len(numbers) != 3 or numbers[0] < 1000:
            raise ValueError(text)
        return dt.date(*numbers), None
    except ValueError:
        return None, gettext("日期格式应为 YYYY-MM-DD，而不是 %(got)s") % {"got": repr(_text(raw))}


def _money(raw: Any) -> tuple[Decimal | None, str | None]:
    text = _text(raw).replace(",", "").replace("，", "").replace("¥", "").replace("元", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, gettext("应为金额（元），而不是 %(got)s") % {"got": repr(_text(raw))}
    if not value.is_finite() or value < 0 or value > MAX_VALUE:
        return None, gettext("金额应在 0 到 999,999,999,999.99 元之间")
    return yuan(value), None


def clean_instrument(
    raw: dict[str, Any], lookups: Lookups, *, partial: bool = False
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Model values for the keys present in ``raw`` and the problems found, per field.

    With ``partial`` (a PATCH) absent keys are left alone; otherwise the required fields must be there.
    """
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}

    def fail(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if not partial:
        for key in REQUIRED:
            if _text(raw.get(key)) == "":
                fail(key, gettext("必填"))
    for key, limit in TEXT_LIMITS.items():
        if key in raw and key not in errors:
            value = _text(raw[key])
            if len(value) > limit:
                fail(key, gettext("不能超过 %(limit)s 个字符") % {"limit": limit})
            elif key in REQUIRED and value == "":
                fail(key, gettext("必填"))
            else:
                clean[key] = value
    if "category" in raw and "category" not in errors:
        code = _text(raw["category"])
        if code not in lookups.categories:
            fail("category", gettext("未知的分类代码 %(code)s") % {"code": f"{code!r}"})
        else:
            clean["category"] = lookups.categories[code]
    if "original_value" in raw and "original_value" not in errors:
        amount, problem = _money(raw["original_value"])
        if problem:
            fail("original_value", problem)
        else:
            clean["original_value"] = amount
    for key, choices in (
        ("status", Status.values),
        ("share_mode", ShareMode.values),
        ("source", Source.values),
        ("purpose", Purpose.values),
    ):
        if key in raw and _text(raw[key]) != "":
            choice, problem = _choice(key, raw[key], choices)
            if problem:
                fail(key, problem)
            else:
                clean[key] = choice
        elif key in raw and key in ("source", "purpose"):
            clean[key] = ""
    if "modes" in raw:
        modes: list[str] = []
        for item in _list(raw["modes"]):
            mode, problem = _choice("modes", item, ServiceMode.values)
            if problem:
                fail("modes", problem)
            elif mode is not None and mode not in modes:
                modes.append(mode)
        clean["modes"] = modes
    if "disciplines" in raw:
        disciplines = _list(raw["disciplines"])
        if len(disciplines) > 4:
            fail("disciplines", gettext("最多四个学科"))
        elif any(len(d) > 64 for d in disciplines):
            fail("disciplines", gettext("每个学科不超过64字"))
        else:
            clean["disciplines"] = disciplines
    if "in_service_date" in raw:
        day, problem = _date(raw["in_service_date"])
        if problem:
            fail("in_service_date", problem)
        else:
            clean["in_service_date"] = day
    if "region" in raw and _text(raw["region"]) != "":
        code = _text(raw["region"])
        if code not in lookups.regions:
            fail("region", gettext("未知的行政区划代码 %(code)s") % {"code": f"{code!r}"})
        else:
            clean["region"] = lookups.regions[code]
    if "timezone" in raw and _text(raw["timezone"]) != "":
        name = _text(raw["timezone"])
        try:
            zoneinfo.ZoneInfo(name)
            clean["timezone"] = name
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            fail("timezone", gettext("未知时区 %(name)s") % {"name": f"{name!r}"})
    if "booking_policy" in raw and raw["booking_policy"] is not None:
        if not isinstance(raw["booking_policy"], dict):
            fail("booking_policy", gettext("应为对象"))
        else:
            for key, problems in validate_policy(raw["booking_policy"]).items():
                errors.setdefault(f"booking_policy.{key}", []).extend(problems)
            clean["booking_policy"] = raw["booking_policy"]
    return clean, errors
