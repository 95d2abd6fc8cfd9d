"""Making orders: the order of every booking, and sample submissions; quotes; who may see an order."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from dayi.accounts.access import Actor, require_signed_in
from dayi.accounts.access.money import chargeable_accounts
from dayi.accounts.access.orders import access_order
from dayi.accounts.access.sharing import check_may_use_instrument
from dayi.booking import timeline
from dayi.booking.events import BookingAsked
from dayi.booking.models import Booking, BookingStatus
from dayi.core import audit
from dayi.core.errors import Conflict, Forbidden, NotFound, RuleViolation, ValidationFailed
from dayi.directory.models import Instrument, ServiceMode
from dayi.directory.services import get_instrument
from dayi.network.models import Institution
from dayi.orders import pricing
from dayi.orders.errors import DuplicateRequest
from dayi.orders.models import Account, Order, OrderKind, OrderStatus

SETTLED_OR_CLOSED = (OrderStatus.SETTLED, OrderStatus.REJECTED, OrderStatus.CANCELLED)


@transaction.atomic
def describe_project(
    actor: Actor, order_id: int, *, project: str, funding_source: str, now: dt.datetime
) -> Order:
    """The customer names the research project an order serves and its funding source (both go into the
    national service record), until the order is settled or closed."""
    order = access_order(actor, order_id)
    if order.customer_id != actor.user.pk:
        raise Forbidden(gettext("只有下单人可以填写课题信息"))
    before = {"project": order.project, "funding_source": order.funding_source}
    # A conditional update: a settlement that commits first wins, and this answers invalid_state.
    changed = (
        Order.objects.filter(pk=order.pk)
        .exclude(status__in=SETTLED_OR_CLOSED)
        .update(project=project.strip()[:200], funding_source=funding_source.strip()[:100], updated=now)
    )
    if not changed:
        raise Conflict(gettext("订单已结算或关闭"))
    order.refresh_from_db()
    _record("order.describe_project", order, actor.user, now=now, before=before)
    return order


def quote_for(
    instrument: Instrument,
    *,
    institution: Institution | None,
    mode: str,
    start: dt.datetime | None,
    end: dt.datetime | None,
    samples: int,
    items: list[dict[str, Any]] | None = None,
    now: dt.datetime,
) -> dict[str, Any]:
    """The quote with the rules valid on the service day (the booking's start, or today for samples)."""
    zone = timeline.zone_of(instrument)
    day = (start or now).astimezone(zone).date()
    hours = None
    if mode != ServiceMode.SAMPLE:
        if start is None or end is None or end <= start:
            raise ValidationFailed(fields={"end": [gettext("按机时计价须给出起止时间")]})
        hours = pricing.hours_between(start, end)
    return pricing.quote(
        instrument, institution=institution, mode=mode, day=day, hours=hours, samples=samples, items=items
    )


def price_for(instrument: Instrument, **kwargs: Any) -> dict[str, Any]:
    """The quote of the work, or — when the price list does not cover it — an unpriced quote if the holder
    takes such work "price on request", else the refusal (422 ``no_price``, in words). Never 0.00 by
    default: unpriced work charged nothing without anyone deciding so was the bug."""
    try:
        return quote_for(instrument, **kwargs)
    except RuleViolation as exc:
        if exc.rule != "no_price" or not pricing.takes_price_on_request(instrument.pk):
            raise
        zone = timeline.zone_of(instrument)
        day = (kwargs.get("start") or kwargs["now"]).astimezone(zone).date()
        start, end = kwargs.get("start"), kwargs.get("end")
        hours = pricing.hours_between(start, end) if start and end else None
        return pricing.unpriced(instrument, mode=kwargs["mode"], day=day, reason=exc.message, hours=hours)


def _customer_of(actor: Actor) -> Institution | None:
    return Institution.objects.filter(pk=actor.institution_id).first() if actor.institution_id else None


def check_booking_priced(asked: BookingAsked) -> None:
    """Booking's vetting hook: a booking the price list does not cover is refused before it is made."""
    price_for(
        asked.instrument,
        institution=_customer_of(asked.actor),
        mode=asked.mode,
        start=asked.start,
        end=asked.end,
        samples=0,
        now=asked.now,
    )


def _record(
    action: str, order: Order, actor: Any, *, now: dt.datetime, before: Any = None, reason: str = ""
) -> None:
    audit.record(
        action,
        order,
        actor=actor,
        before=before,
        after=audit.snapshot(order),
        institution_id=order.provider_id,
        reason=reason,
        now=now,
    )


def create_booking_order(
    actor: Actor, booking: Booking, *, account_id: int | None = None, now: dt.datetime
) -> Order:
    """The order of a booking just made, in the booking's transaction, priced by the rules of its day;
    charged to ``account_id`` when the booker is a member of that group account."""
    instrument = booking.instrument
    account = _member_account(actor, account_id)
    customer = Institution.objects.filter(pk=booking.customer_id).first() if booking.customer_id else None
    quote = price_for(
        instrument,
        institution=customer,
        mode=booking.mode,
        start=booking.start,
        end=booking.end,
        samples=0,
        now=now,
    )
    pending = booking.status == BookingStatus.PENDING
    order = Order.objects.create(
        kind=OrderKind.BOOKING,
        status=OrderStatus.SUBMITTED if pending else OrderStatus.ACCEPTED,
        instrument=instrument,
        mode=booking.mode,
        customer_id=booking.user_id,
        customer_institution=customer,
        provider_id=instrument.institution_id,
        booking=booking,
        account=account,
        quote=quote,
        created=now,
        updated=now,
    )
    _record("order.create", order, actor.user, now=now)
    return order


def _samples(data: dict[str, Any]) -> dict[str, Any]:
    count = data.get("count")
    if not isinstance(count, int) or count < 1:
        raise ValidationFailed(fields={"samples.count": [gettext("至少一个样品")]})
    disposal = data.get("return_or_dispose", "dispose")
    if disposal not in ("return", "dispose"):
        raise ValidationFailed(fields={"samples.return_or_dispose": ["应为 return 或 dispose"]})
    return {
        "count": count,
        "kind": str(data.get("kind", "")),
        "hazards": str(data.get("hazards", "")),
        "return_or_dispose": disposal,
    }


def _member_account(actor: Actor, account_id: int | None) -> Account | None:
    """The booking's account: 422 (not 404) when the booker is not in it, as the booking's other rules."""
    if account_id is None:
        return None
    account = chargeable_accounts(actor).filter(pk=account_id).first()
    if account is None:
        raise ValidationFailed(fields={"account": [gettext("你不是该课题组账户的成员")]})
    return account


def _usable_account(actor: Actor, account_id: int | None) -> Account | None:
    if account_id is None:
        return None
    account = chargeable_accounts(actor).filter(pk=account_id).first()
    if account is None:
        raise NotFound(gettext("账户不存在或你不是其成员"))
    return account


def _sample_request(order: Order) -> dict[str, Any]:
    """What an Idempotency-Key replay must match: the fields of the sample submission as stored."""
    return {
        "instrument_id": order.instrument_id,
        "samples": order.samples,
        "items": order.items or [],
        "description": order.description,
        "shipping": order.shipping,
        "requested_turnaround_days": order.requested_turnaround_days,
        "account_id": order.account_id,
        "project": order.project,
        "funding_source": order.funding_source,
    }


def _replay(existing: Order, wanted: dict[str, Any]) -> Order:
    if _sample_request(existing) != wanted:
        raise DuplicateRequest()
    return existing


def create_sample_order(
    actor: Actor,
    *,
    instrument_id: int,
    samples: dict[str, Any],
    items: list[dict[str, Any]] | None = None,
    description: str = "",
    shipping: str = "",
    requested_turnaround_days: int | None = None,
    account_id: int | None = None,
    request_key: str = "",
    project: str = "",
    funding_source: str = "",
    now: dt.datetime,
) -> Order:
    """A sample submission (送样检测): the holder's staff run the test and deliver results.

    With ``request_key`` (the client's Idempotency-Key) a retry with the same body returns the order
    already made, and the same key with another body is 409 ``duplicate``."""
    require_signed_in(actor.user)
    wanted = {
        "instrument_id": instrument_id,
        "samples": _samples(samples),
        "items": items or [],
        "description": description,
        "shipping": shipping,
        "requested_turnaround_days": requested_turnaround_days,
        "account_id": account_id,
        "project": project.strip()[:200],
        "funding_source": funding_source.strip()[:100],
    }
    try:
        with transaction.atomic():
            if request_key:
                existing = Order.objects.filter(customer=actor.user, request_key=request_key).first()
                if existing is not None:
                    return _replay(existing, wanted)
            return _create_sample_order(actor, wanted, request_key=request_key, now=now)
    except IntegrityError as exc:
        # Two retries raced past the lookup: the unique key let one insert win; answer as it did.
        constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", "")
        if constraint != "order_request_key_unique":
            raise
        return _replay(Order.objects.get(customer=actor.user, request_key=request_key), wanted)


def _create_sample_order(
    actor: Actor, wanted: dict[str, Any], *, request_key: str, now: dt.datetime
) -> Order:
    instrument = get_instrument(wanted["instrument_id"])
    check_may_use_instrument(actor, instrument)  # the share mode, as for a booking
    if ServiceMode.SAMPLE not in instrument.modes:
        raise RuleViolation("mode_not_offered", gettext("该仪器不提供送样检测"))
    clean = wanted["samples"]
    items = wanted["items"]
    account = _usable_account(actor, wanted["account_id"])
    customer = _customer_of(actor)
    quote = price_for(
        instrument,
        institution=customer,
        mode=ServiceMode.SAMPLE,
        start=None,
        end=None,
        samples=clean["count"],
        items=items,
        now=now,
    )
    order = Order.objects.create(
        kind=OrderKind.SAMPLE,
        status=OrderStatus.SUBMITTED,
        instrument=instrument,
        mode=ServiceMode.SAMPLE,
        customer=actor.user,
        customer_institution=customer,
        provider_id=instrument.institution_id,
        account=account,
        samples=clean,
        items=items,
        description=wanted["description"],
        shipping=wanted["shipping"],
        requested_turnaround_days=wanted["requested_turnaround_days"],
        project=wanted["project"],
        funding_source=wanted["funding_source"],
        request_key=request_key,
        quote=quote,
        created=now,
        updated=now,
    )
    _record("order.create", order, actor.user, now=now)
    return order
