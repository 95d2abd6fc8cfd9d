"""Quotes and charges computed from a price list. Pure reads: no writes here.

A quote is a JSON document stored on the order when it is made; the charge at completion is computed from
that document alone, so a later change of the price list never alters what a customer was quoted.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext

from dayi.core.errors import RuleViolation, ValidationFailed
from dayi.core.money import fmt, yuan
from dayi.directory.models import Instrument, ServiceMode
from dayi.network.models import Institution, InstitutionKind, Membership
from dayi.orders.models import InstrumentCharges, PriceRule, PriceUnit, UserClass

HOUR = Decimal(3600)


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
    return {
        "description": description,
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


def _no_price(what: str) -> RuleViolation:
    return RuleViolation("no_price", gettext("价目表中没有 %(what)s 的价格") % {"what": what})


def _main_line(
    rules: list[PriceRule], user_class: str, mode: str, hours: Decimal | None, samples: int
) -> tuple[dict[str, str], PriceRule]:
    if mode == ServiceMode.SAMPLE:
        rule = _find(rules, user_class, unit=PriceUnit.SAMPLE, mode=mode)
        if rule is None:
            raise _no_price(f"{user_class}/sample")
        return _line("送样检测 (per sample)", PriceUnit.SAMPLE, samples, rule), rule
    rule = _find(rules, user_class, unit=PriceUnit.HOUR, mode=mode)
    if rule is None or hours is None:
        raise _no_price(f"{user_class}/{mode}/hour")
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
            raise _no_price(name)
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


def unpriced(instrument: Instrument, *, mode: str, day: dt.date, reason: str) -> dict[str, Any]:
    """The quote of an order made while the instrument has no rate for it: nothing to charge, and why."""
    return {
        "amount": "0.00",
        "user_class": None,
        "mode": mode,
        "date": day.isoformat(),
        "lines": [],
        "minimum": "0.00",
        "unpriced": reason,
        "shares": shares_of(instrument.pk),
    }
