"""Quotes and charges computed from a price list. Pure reads: no writes here.

A quote is a JSON document stored on the order when it is made; the charge at completion is computed from
that document alone, so a later change of the price list never alters what a customer was quoted.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _

from dayi.core.errors import RuleViolation, ValidationFailed
from dayi.core.money import fmt, yuan
from dayi.directory.models import Instrument, ServiceMode
from dayi.network.models import Institution, InstitutionKind, Membership
from dayi.orders.models import InstrumentCharges, PriceRule, PriceUnit, UserClass

HOUR = Decimal(3600)

# How a quote names who pays which rate and for what: words, never the codes stored in the quote.
CLASS_NAMES = {
    UserClass.INTERNAL: gettext_lazy("校内用户"),
    UserClass.ACADEMIC: gettext_lazy("校外科研用户"),
    UserClass.ENTERPRISE: gettext_lazy("企业用户"),
    UserClass.MEMBER: gettext_lazy("平台成员单位用户"),
}
MODE_NAMES = {
    ServiceMode.SELF: gettext_lazy("占用共享"),
    ServiceMode.ASSISTED: gettext_lazy("技术共享"),
    ServiceMode.SAMPLE: gettext_lazy("送样检测"),
    ServiceMode.REMOTE: gettext_lazy("远程共享"),
}
UNIT_NAMES = {
    PriceUnit.HOUR: gettext_lazy("每小时"),
    PriceUnit.SAMPLE: gettext_lazy("每样品"),
    PriceUnit.ITEM: gettext_lazy("每项"),
}


def rules_on(instrument_id: int, day: dt.date) -> list[PriceRule]:
    """The instrument's rules valid on ``day`` (valid_until is the first day a rule no longer applies)."""
    valid = Q(valid_from__lte=day) & (Q(valid_until__isnull=True) | Q(valid_until__gt=day))
    return list(PriceRule.objects.filter(valid, instrument_id=instrument_id))


def _is_platform_member(holder_id: int, institution_id: int) -> bool:
    """Both institutions are members of one platform."""
    holder_platforms = Membership.objects.filter(institution_id=holder_id).values("platform_id")
    return Membership.objects.filter(institution_id=institution_id, platform_id__in=holder_platforms).exists()


def user_class_for(instrument: Instrument, institution: Institution | None, rules: list[PriceRule]) -> str:
    """internal: the holder itself; member: a fellow platform member, when the list has member rates;
    enterprise: a company; academic: everyone else (and a customer with no institution)."""
    if institution is None:
        return UserClass.ACADEMIC
    if institution.pk == instrument.institution_id:
        return UserClass.INTERNAL
    has_member_rates = any(r.user_class == UserClass.MEMBER for r in rules)
    if has_member_rates and _is_platform_member(instrument.institution_id, institution.pk):
        return UserClass.MEMBER
    if institution.kind == InstitutionKind.ENTERPRISE:
        return UserClass.ENTERPRISE
    return UserClass.ACADEMIC


def hours_between(start: dt.datetime, end: dt.datetime) -> Decimal:
    return yuan(Decimal((end - start).total_seconds()) / HOUR)  # hours to 0.01, the same rounding as money


def _line(description: str, unit: str, quantity: Decimal | int, rule: PriceRule) -> dict[str, str]:
    """A priced line; ``user_class``, ``mode`` and ``item`` let a page word it (``readable``)."""
    return {
        "description": description,
        "user_class": rule.user_class,
        "mode": rule.mode,
        "item": rule.item_name,
        "unit": unit,
        "quantity": str(quantity),
        "unit_price": fmt(rule.amount),
        "amount": fmt(rule.amount * Decimal(quantity)),
    }


def _find(
    rules: list[PriceRule], user_class: str, *, unit: str, mode: str = "", item: str = ""
) -> PriceRule | None:
    for rule in rules:
        if rule.user_class != user_class or rule.item_name != item:
            continue
        if unit and rule.unit != unit:
            continue
        if mode and rule.mode and rule.mode != mode:
            continue
        return rule
    return None


def _name(names: dict[Any, Any], code: str) -> str:
    return str(names.get(code, code))


def _no_price(user_class: str, mode: str, item: str = "") -> RuleViolation:
    """The refusal of work the price list does not cover, in words (the codes stay in ``rule``)."""
    who, how = _name(CLASS_NAMES, user_class), _name(MODE_NAMES, mode)
    if item:
        message = _("该仪器的价目表中没有“%(item)s”对%(who)s的价格，暂不能下单；请联系仪器管理员。") % {
            "item": item,
            "who": who,
        }
    else:
        message = _("该仪器尚无%(who)s%(mode)s服务的价格，暂不能预约或下单；请联系仪器管理员。") % {
            "who": who,
            "mode": how,
        }
    return RuleViolation("no_price", message)


def _main_line(
    rules: list[PriceRule], user_class: str, mode: str, hours: Decimal | None, samples: int
) -> tuple[dict[str, str], PriceRule]:
    if mode == ServiceMode.SAMPLE:
        rule = _find(rules, user_class, unit=PriceUnit.SAMPLE, mode=mode)
        if rule is None:
            raise _no_price(user_class, mode)
        return _line("送样检测 (per sample)", PriceUnit.SAMPLE, samples, rule), rule
    rule = _find(rules, user_class, unit=PriceUnit.HOUR, mode=mode)
    if rule is None or hours is None:
        raise _no_price(user_class, mode)
    return _line(f"机时 {mode} (per hour)", PriceUnit.HOUR, hours, rule), rule


def _item_lines(
    rules: list[PriceRule], user_class: str, items: list[dict[str, Any]], samples: int
) -> tuple[list[dict[str, str]], list[PriceRule]]:
    """Test items are priced per sample; consumables and preparation per item."""
    lines, used = [], []
    for item in items:
        name = str(item.get("name", ""))
        rule = _find(rules, user_class, unit="", item=name)
        if rule is None:
            raise _no_price(user_class, ServiceMode.SAMPLE, name)
        quantity = samples if rule.unit == PriceUnit.SAMPLE else int(item.get("quantity") or 1)
        lines.append(_line(name, rule.unit, quantity, rule))
        used.append(rule)
    return lines, used


def with_minimum(lines: list[dict[str, str]], minimum: Decimal) -> tuple[list[dict[str, str]], Decimal]:
    """The lines, plus a top-up line when their sum is under the minimum charge."""
    total = sum((Decimal(line["amount"]) for line in lines), Decimal(0))
    if lines and total < minimum:
        gap = minimum - total
        lines = [
            *lines,
            {
                "description": "最低收费 (minimum charge)",
                "kind": "minimum",
                "unit": "item",
                "quantity": "1",
                "unit_price": fmt(gap),
                "amount": fmt(gap),
            },
        ]
        total = minimum
    return lines, yuan(total)


def shares_of(instrument_id: int) -> dict[str, str]:
    charges = InstrumentCharges.objects.filter(pk=instrument_id).first()
    late = charges.late_cancellation_share if charges else Decimal(0)
    no_show = charges.no_show_share if charges else Decimal(0)
    return {"late_cancellation": str(late), "no_show": str(no_show)}


def _check_request(mode: str, samples: int) -> None:
    if mode not in ServiceMode.values:
        raise ValidationFailed(
            fields={"mode": [gettext("应为 %(choices)s 之一") % {"choices": ", ".join(ServiceMode.values)}]}
        )
    if samples < 0:
        raise ValidationFailed(fields={"samples": [gettext("不能为负")]})


def quote(
    instrument: Instrument,
    *,
    institution: Institution | None,
    mode: str,
    day: dt.date,
    hours: Decimal | None = None,
    samples: int = 0,
    items: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The price of a service with the rules valid on ``day``: amount, user class and how it was computed."""
    _check_request(mode, samples)
    rules = rules_on(instrument.pk, day)
    user_class = user_class_for(instrument, institution, rules)
    main, main_rule = _main_line(rules, user_class, mode, hours, samples)
    extra, extra_rules = _item_lines(rules, user_class, items or [], samples)
    minimum = max(r.minimum for r in [main_rule, *extra_rules])
    lines, amount = with_minimum([main, *extra], minimum)
    return {
        "amount": fmt(amount),
        "user_class": user_class,
        "mode": mode,
        "date": day.isoformat(),
        "hours": str(hours) if hours is not None else None,
        "samples": samples,
        "minimum": fmt(minimum),
        "lines": lines,
        "shares": shares_of(instrument.pk),
    }


def unpriced(
    instrument: Instrument, *, mode: str, day: dt.date, reason: str, hours: Decimal | None = None
) -> dict[str, Any]:
    """The quote of work the price list does not cover, taken "price on request" (the holder allows it):
    nothing to charge until a manager sets the amount (``priced_on_request``), and why."""
    return {
        "amount": "0.00",
        "user_class": None,
        "mode": mode,
        "date": day.isoformat(),
        "hours": str(hours) if hours is not None else None,
        "lines": [],
        "minimum": "0.00",
        "unpriced": reason,
        "on_request": True,
        "shares": shares_of(instrument.pk),
    }


def takes_price_on_request(instrument_id: int) -> bool:
    return InstrumentCharges.objects.filter(pk=instrument_id, price_on_request=True).exists()


def awaits_price(quote: dict[str, Any]) -> bool:
    """An order taken without a rate whose amount no manager has set yet: it cannot be charged."""
    return bool(quote.get("unpriced")) and not quote.get("set_by")


def priced_on_request(quote: dict[str, Any], amount: Decimal, *, set_by: int, note: str) -> dict[str, Any]:
    """The quote once a manager set the amount of work taken "price on request": one line of that amount
    (a booking keeps its hours, so a no-show or late share is a share of this amount)."""
    line = {
        "description": "按申请定价 (price on request)",
        "kind": "on_request",
        "unit": PriceUnit.ITEM,
        "quantity": "1",
        "unit_price": fmt(amount),
        "amount": fmt(amount),
        "note": note,
    }
    return {**quote, "amount": fmt(amount), "unpriced": "", "set_by": set_by, "lines": [line]}


def _quantity(text: str) -> str:
    """2.00 → 2, 1.50 → 1.5: how a person writes a count of hours or samples."""
    try:
        return f"{Decimal(text).normalize():f}"
    except ArithmeticError:
        return text


def readable(line: dict[str, Any]) -> str:
    """A line in the active language: "企业用户 · 技术共享 · 每小时 300.00 元 × 2 小时". Lines stored
    before they carried their parties (or written by hand) read as their description."""
    kind, unit = line.get("kind", ""), line.get("unit", "")
    values = {
        "price": line.get("unit_price", line.get("amount", "")),
        "qty": _quantity(str(line.get("quantity", "1"))),
        "unit": _name(UNIT_NAMES, unit),
        "amount": line.get("amount", ""),
    }
    if kind == "minimum":
        return _("最低收费补足 %(amount)s 元") % values
    if kind == "on_request":
        return _("按申请定价 %(amount)s 元") % values
    if kind == "no_show":
        return _("爽约：报价 %(price)s 元 × %(qty)s") % values
    if kind == "late_cancellation":
        return _("逾期取消：报价 %(price)s 元 × %(qty)s") % values
    if "user_class" not in line:
        return str(line.get("description", ""))
    who = _name(CLASS_NAMES, line["user_class"])
    what = line.get("item") or _name(MODE_NAMES, line.get("mode") or "")
    if unit == PriceUnit.HOUR:
        text = _("%(who)s · %(what)s · %(unit)s %(price)s 元 × %(qty)s 小时")
    elif unit == PriceUnit.SAMPLE:
        text = _("%(who)s · %(what)s · %(unit)s %(price)s 元 × %(qty)s 个样品")
    else:
        text = _("%(who)s · %(what)s · %(unit)s %(price)s 元 × %(qty)s")
    return text % {**values, "who": who, "what": what}
