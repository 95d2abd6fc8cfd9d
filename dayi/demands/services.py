"""Every write of demands (需求发布): post, suggest and notify, quote, accept (which makes the order), close.

Each function takes the acting ``Actor`` first and a keyword-only ``now``, runs in one transaction, checks
permission through ``dayi.accounts.access`` and writes an audit row; e-mails go out after commit.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import zoneinfo
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from dayi.accounts.access import Actor, check_operates, require_signed_in
from dayi.accounts.access.demands import access_demand, speaks_for_company
from dayi.core import audit
from dayi.core.errors import Conflict, Forbidden, NotFound, RuleViolation, ValidationFailed
from dayi.core.money import fmt, yuan
from dayi.demands.models import Demand, DemandQuote, DemandStatus, QuoteStatus
from dayi.directory import queries as directory
from dayi.directory.models import Category, Instrument, ServiceMode
from dayi.network.models import Region
from dayi.orders.models import Order
from dayi.orders.services import create_sample_order
from dayi.search import segment

logger = logging.getLogger(__name__)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
SUGGESTIONS = 10  # instruments suggested (and whose managers are told) per demand
MAX_WORDS = 8  # searches per demand and region: posting stays fast


# --- who sees what ---------------------------------------------------------------------------------------


def _check_company(actor: Actor, demand: Demand) -> None:
    if not speaks_for_company(actor, demand):
        raise Forbidden(gettext("只有发布需求的单位可以这样做"))


# --- posting and suggestions -----------------------------------------------------------------------------


def _clean_post(data: dict[str, Any], *, today: dt.date) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    title = str(data.get("title") or "").strip()
    description = str(data.get("description") or "").strip()
    if not title or len(title) > 200:
        errors["title"] = [gettext("标题须为1到200字")]
    if not description:
        errors["description"] = [gettext("请说明检测内容")]
    budget = data.get("budget")
    if budget is not None and Decimal(budget) < 0:
        errors["budget"] = [gettext("预算不能为负")]
    deadline = data.get("deadline")
    if not isinstance(deadline, dt.date) or deadline < today:
        errors["deadline"] = [gettext("截止日期不能早于今天")]
    category = data.get("category") or None
    if category and not Category.objects.filter(code=category).exists():
        errors["category"] = [gettext("没有这个分类")]
    region = data.get("region") or None
    if region and not Region.objects.filter(code=region).exists():
        errors["region"] = [gettext("没有这个行政区划")]
    if errors:
        raise ValidationFailed(gettext("需求信息有误"), fields=errors)
    return {
        "title": title,
        "description": description,
        "category_id": category,
        "region_id": region,
        "samples": str(data.get("samples") or "").strip()[:200],
        "budget": None if budget is None else yuan(budget),
        "deadline": deadline,
        "is_public": bool(data.get("is_public", True)),
    }


def demand_words(demand: Demand) -> list[str]:
    """The words to search for: the title's, then the description's, each once (at most ``MAX_WORDS``)."""
    words: list[str] = []
    for word in segment.tokens(demand.title) + segment.tokens(demand.description):
        if len(word) >= 2 and word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def _search(demand: Demand, word: str, region: str | None) -> list[Instrument]:
    f = directory.InstrumentFilters(
        q=word, category=demand.category_id, region=region, mode=ServiceMode.SAMPLE, share_mode="external"
    )
    return list(directory.search(f)[:SUGGESTIONS])


def suggest_instruments(demand: Demand) -> list[Instrument]:
    """Instruments that could answer the demand, by the portal's own search (never a second one).

    The portal search wants every word of its query, and a company writes "比表面积测试" where the
    record says 比表面积分析仪; so each word is searched on its own and an instrument found by more of
    the demand's words ranks higher (ties: the search's own order). The demand's region first; when
    nothing there answers, anywhere (samples travel). Only externally shared instruments that take
    samples: accepting a quote makes a sample order.
    """
    words = demand_words(demand)
    for region in dict.fromkeys([demand.region_id, None]):
        hits: dict[int, list[Any]] = {}
        for rank, word in enumerate(words):
            for position, instrument in enumerate(_search(demand, word, region)):
                entry = hits.setdefault(instrument.pk, [0, (rank, position), instrument])
                entry[0] -= 1
        if hits:
            ordered = sorted(hits.values(), key=lambda e: (e[0], e[1]))
            return [e[2] for e in ordered[:SUGGESTIONS]]
    return []


def _notify_after_commit(demand_id: int) -> None:
    from dayi.demands.tasks import notify_suggested  # here: tasks imports this module

    def defer() -> None:
        try:
            notify_suggested.defer(demand_id=demand_id)
        except Exception:
            logger.exception("could not queue the e-mails of demand %s", demand_id)

    transaction.on_commit(defer)


@transaction.atomic
def post_demand(actor: Actor, data: dict[str, Any], *, now: dt.datetime) -> Demand:
    """A signed-in user posts a need on behalf of their institution; its suggested managers are told."""
    require_signed_in(actor.user)
    if not actor.institution_id:
        raise Forbidden(gettext("请先关联所在单位"))
    clean = _clean_post(data, today=now.astimezone(SHANGHAI).date())
    demand = Demand.objects.create(
        company_id=actor.institution_id, posted_by=actor.user, created=now, **clean
    )
    demand.suggested.set(suggest_instruments(demand))
    audit.record(
        "demand.post",
        demand,
        actor=actor.user,
        after=audit.snapshot(demand),
        institution_id=demand.company_id,
        now=now,
    )
    _notify_after_commit(demand.pk)
    return demand


# --- quotes ----------------------------------------------------------------------------------------------


def _quoting_instrument(actor: Actor, instrument_id: int | None) -> Instrument:
    instrument = directory.listed().filter(pk=instrument_id).first() if instrument_id else None
    if instrument is None:
        raise ValidationFailed(fields={"instrument": [gettext("请选择提供服务的仪器")]})
    check_operates(actor, instrument.institution_id, "orders")
    if ServiceMode.SAMPLE not in instrument.modes:
        raise RuleViolation("mode_not_offered", gettext("该仪器不提供送样检测"))
    return instrument


@transaction.atomic
def quote_demand(
    actor: Actor,
    demand_id: int,
    *,
    instrument_id: int | None,
    amount: Decimal | str,
    note: str = "",
    valid_until: dt.date | None = None,
    now: dt.datetime,
) -> DemandQuote:
    """An instrument manager of the provider answers an open demand with a price for the whole job."""
    require_signed_in(actor.user)
    demand = access_demand(actor, demand_id)
    instrument = _quoting_instrument(actor, instrument_id)
    if instrument.institution_id == demand.company_id:
        raise RuleViolation("own_demand", gettext("不能为本单位的需求报价"))
    if demand.status != DemandStatus.OPEN:
        raise Conflict(gettext("该需求已不再征集报价"))
    if demand.deadline < now.astimezone(SHANGHAI).date():
        raise Conflict(gettext("该需求已过截止日期"))
    if yuan(amount) < 0:
        raise ValidationFailed(fields={"amount": [gettext("报价不能为负")]})
    try:
        with transaction.atomic():  # a savepoint: the named constraint decides a second offer
            quote = DemandQuote.objects.create(
                demand=demand,
                provider_id=instrument.institution_id,
                instrument=instrument,
                amount=yuan(amount),
                note=note.strip(),
                valid_until=valid_until,
                quoted_by=actor.user,
                created=now,
            )
    except IntegrityError:
        raise Conflict(gettext("本单位已对该需求报价"), code="duplicate") from None
    audit.record(
        "demand.quote",
        quote,
        actor=actor.user,
        after=audit.snapshot(quote),
        institution_id=quote.provider_id,
        now=now,
    )
    return quote


# --- accepting: the order --------------------------------------------------------------------------------


def sample_count(samples: str) -> int:
    """The first number in the company's "samples" text (``"5 个粉末样品"`` → 5), at least 1."""
    match = re.search(r"\d+", samples)
    return max(1, int(match.group())) if match else 1


def _quoted_price(order: Order, quote: DemandQuote) -> dict[str, Any]:
    """The order's quote document carrying the accepted price as one line, so its charge at completion
    is what the company accepted (the price list's amount stays in ``list_price`` for the record)."""
    amount = fmt(quote.amount)
    line = {
        "description": f"需求报价 #{quote.pk} (demand quote)",
        "unit": "item",
        "quantity": "1",
        "unit_price": amount,
        "amount": amount,
    }
    return {
        **order.quote,
        "amount": amount,
        "minimum": "0.00",
        "lines": [line],
        "demand_quote": quote.pk,
        "list_price": order.quote.get("amount"),
    }


def _order_for(actor: Actor, demand: Demand, quote: DemandQuote, *, now: dt.datetime) -> Order:
    assert quote.instrument_id is not None
    order = create_sample_order(
        actor,
        instrument_id=quote.instrument_id,
        samples={"count": sample_count(demand.samples), "kind": demand.samples},
        description=f"{demand.title}\n\n{demand.description}",
        now=now,
    )
    order.quote = _quoted_price(order, quote)
    Order.objects.filter(pk=order.pk).update(quote=order.quote)
    return order


@transaction.atomic
def accept_quote(actor: Actor, quote_id: int, *, now: dt.datetime) -> tuple[DemandQuote, Order]:
    """The company takes one offer: it is accepted, the others declined, the demand awarded and its sample
    order made, all in one transaction."""
    require_signed_in(actor.user)
    quote = DemandQuote.objects.filter(pk=quote_id).first()
    if quote is None:
        raise NotFound(gettext("报价不存在"))
    # The demand's row lock serialises two accepts (of the same or of different quotes): the second
    # waits, then reads the demand awarded and is refused, so one demand makes one order.
    demand = access_demand(actor, quote.demand_id, for_update=True)
    _check_company(actor, demand)
    quote.refresh_from_db()
    if demand.status != DemandStatus.OPEN or quote.status != QuoteStatus.OFFERED:
        raise Conflict(gettext("该报价已不能接受"))
    if quote.valid_until and quote.valid_until < now.astimezone(SHANGHAI).date():
        raise Conflict(gettext("该报价已过有效期"))
    before = audit.snapshot(demand)
    order = _order_for(actor, demand, quote, now=now)
    demand.quotes.filter(status=QuoteStatus.OFFERED).exclude(pk=quote.pk).update(status=QuoteStatus.DECLINED)
    DemandQuote.objects.filter(pk=quote.pk).update(status=QuoteStatus.ACCEPTED)
    quote.status = QuoteStatus.ACCEPTED
    demand.status, demand.order = DemandStatus.AWARDED, order
    demand.save(update_fields=["status", "order"])
    audit.record(
        "demand.award",
        demand,
        actor=actor.user,
        before=before,
        after=audit.snapshot(demand),
        institution_id=demand.company_id,
        now=now,
    )
    return quote, order


@transaction.atomic
def close_demand(actor: Actor, demand_id: int, *, now: dt.datetime, reason: str = "") -> Demand:
    """The company withdraws an open demand; the offers on it are declined."""
    require_signed_in(actor.user)
    demand = access_demand(actor, demand_id, for_update=True)
    _check_company(actor, demand)
    if demand.status != DemandStatus.OPEN:
        raise Conflict(gettext("只能关闭征集中的需求"))
    before = audit.snapshot(demand)
    demand.quotes.filter(status=QuoteStatus.OFFERED).update(status=QuoteStatus.DECLINED)
    demand.status = DemandStatus.CLOSED
    demand.save(update_fields=["status"])
    audit.record(
        "demand.close",
        demand,
        actor=actor.user,
        before=before,
        after=audit.snapshot(demand),
        institution_id=demand.company_id,
        reason=reason,
        now=now,
    )
    return demand


def expire_due_demands(*, now: dt.datetime) -> list[int]:
    """Open demands whose deadline (a Shanghai date) has passed become expired; their offers declined.

    A conditional update per demand: a company accepting an offer at the same moment either wins (the
    demand is awarded and stays so) or finds the demand expired and is refused.
    """
    today = now.astimezone(SHANGHAI).date()
    expired: list[int] = []
    for demand_id in Demand.objects.filter(status=DemandStatus.OPEN, deadline__lt=today).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            if not Demand.objects.filter(pk=demand_id, status=DemandStatus.OPEN).update(
                status=DemandStatus.EXPIRED
            ):
                continue
            DemandQuote.objects.filter(demand_id=demand_id, status=QuoteStatus.OFFERED).update(
                status=QuoteStatus.DECLINED
            )
            demand = Demand.objects.get(pk=demand_id)
            audit.record(
                "demand.expire",
                demand,
                actor=None,
                after={"status": DemandStatus.EXPIRED},
                institution_id=demand.company_id,
                now=now,
            )
            expired.append(demand_id)
    return expired
