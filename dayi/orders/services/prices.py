"""Writing an instrument's price list and its late-cancellation and no-show shares."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from dayi.accounts.access import Actor
from dayi.accounts.access.directory import access_instrument
from dayi.core import audit
from dayi.core.errors import ValidationFailed
from dayi.core.money import yuan
from dayi.orders.models import InstrumentCharges, PriceRule, PriceUnit, UserClass


def _money(value: Any, key: str, errors: dict[str, list[str]]) -> Decimal:
    try:
        amount = yuan(value)
    except ValueError:
        errors.setdefault(key, []).append('应为金额，如 "120.00" (an amount)')
        return Decimal(0)
    if amount < 0:
        errors.setdefault(key, []).append(gettext("不能为负"))
    return amount


def _rule(instrument_id: int, i: int, data: dict[str, Any], errors: dict[str, list[str]]) -> PriceRule:
    key = f"{i}"
    if data.get("unit") not in PriceUnit.values:
        errors.setdefault(f"{key}.unit", []).append(
            gettext("应为 %(choices)s 之一") % {"choices": ", ".join(PriceUnit.values)}
        )
    if data.get("user_class") not in UserClass.values:
        errors.setdefault(f"{key}.user_class", []).append(
            gettext("应为 %(choices)s 之一") % {"choices": ", ".join(UserClass.values)}
        )
    if data.get("unit") == PriceUnit.ITEM and not data.get("item_name"):
        errors.setdefault(f"{key}.item_name", []).append(gettext("按项收费须写明项目"))
    until = data.get("valid_until")
    if until is not None and until <= data["valid_from"]:
        errors.setdefault(f"{key}.valid_until", []).append(gettext("须晚于 valid_from"))
    return PriceRule(
        instrument_id=instrument_id,
        unit=data.get("unit", ""),
        mode=data.get("mode") or "",
        user_class=data.get("user_class", ""),
        amount=_money(data.get("amount"), f"{key}.amount", errors),
        minimum=_money(data.get("minimum") or 0, f"{key}.minimum", errors),
        valid_from=data["valid_from"],
        valid_until=until,
        item_name=data.get("item_name") or "",
    )


@transaction.atomic
def replace_prices(
    actor: Actor, instrument_id: int, rules: list[dict[str, Any]], *, now: dt.datetime
) -> list[PriceRule]:
    """Replace the instrument's price list. Quotes already given keep their own copy of the rates."""
    instrument = access_instrument(actor, instrument_id, for_update=True)
    errors: dict[str, list[str]] = {}
    new = [_rule(instrument.pk, i, data, errors) for i, data in enumerate(rules)]
    if errors:
        raise ValidationFailed(gettext("价目表有误"), fields=errors)
    old = PriceRule.objects.filter(instrument=instrument)
    before = [audit.snapshot(r) for r in old]
    old.delete()
    created = PriceRule.objects.bulk_create(new)
    audit.record(
        "prices.replace",
        instrument,
        actor=actor.user,
        before={"prices": before},
        after={"prices": [audit.snapshot(r) for r in created]},
        institution_id=instrument.institution_id,
        now=now,
    )
    return created


def _share(value: Any, key: str) -> Decimal:
    try:
        share = Decimal(str(value))
    except InvalidOperation:
        share = Decimal(-1)
    if not Decimal(0) <= share <= Decimal(1):
        raise ValidationFailed(fields={key: [gettext("应在 0 到 1 之间")]})
    return share


@transaction.atomic
def set_charge_shares(
    actor: Actor,
    instrument_id: int,
    *,
    late_cancellation: Any,
    no_show: Any,
    price_on_request: bool | None = None,
    now: dt.datetime,
) -> InstrumentCharges:
    """The shares of the booked amount charged for a late cancellation and for a no-show, and whether
    work the price list does not cover is taken "price on request" (None: unchanged)."""
    instrument = access_instrument(actor, instrument_id, for_update=True)
    charges, _ = InstrumentCharges.objects.get_or_create(instrument=instrument)
    before = audit.snapshot(charges)
    charges.late_cancellation_share = _share(late_cancellation, "late_cancellation_share")
    charges.no_show_share = _share(no_show, "no_show_share")
    if price_on_request is not None:
        charges.price_on_request = bool(price_on_request)
    charges.save()
    audit.record(
        "prices.shares",
        charges,
        actor=actor.user,
        before=before,
        after=audit.snapshot(charges),
        institution_id=instrument.institution_id,
        now=now,
    )
    return charges


@transaction.atomic
def save_price_list(
    actor: Actor,
    instrument_id: int,
    rules: list[dict[str, Any]],
    *,
    late_cancellation: Any,
    no_show: Any,
    price_on_request: bool | None = None,
    now: dt.datetime,
) -> list[PriceRule]:
    """The editor's save: the rates and the two shares together, so a bad share keeps the old rates too."""
    created = replace_prices(actor, instrument_id, rules, now=now)
    set_charge_shares(
        actor,
        instrument_id,
        late_cancellation=late_cancellation,
        no_show=no_show,
        price_on_request=price_on_request,
        now=now,
    )
    return created
