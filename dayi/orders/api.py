"""/api/v1 for prices, quotes, orders and group accounts (issue 5). Thin: parse, call, serialise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Query, Router, Schema, Status
from pydantic import Field

from dayi.accounts.access import check_instrument_manager
from dayi.accounts.access.money import access_account, top_ups_to_decide
from dayi.api import SIGNED_IN, current_actor, moment, page_bounds, signed_in
from dayi.booking import timeline
from dayi.core.errors import NotFound
from dayi.core.money import fmt
from dayi.directory.services import get_instrument
from dayi.network.models import Institution
from dayi.orders import queries, services
from dayi.orders.models import Account, InstrumentCharges, TopUp

router = Router(tags=["orders"])


class PriceIn(Schema):
    unit: str
    mode: str = ""
    user_class: str
    amount: Decimal
    minimum: Decimal = Decimal(0)
    valid_from: dt.date
    valid_until: dt.date | None = None
    item_name: str = ""


class PriceOut(Schema):
    id: int
    unit: str
    mode: str
    user_class: str
    amount: str
    minimum: str
    valid_from: dt.date
    valid_until: dt.date | None
    item_name: str


class SharesIO(Schema):
    late_cancellation_share: Decimal
    no_show_share: Decimal


class Line(Schema):
    description: str
    unit: str
    quantity: str
    unit_price: str
    amount: str


class QuoteOut(Schema):
    amount: str
    user_class: str
    lines: list[Line]
    mode: str
    date: str
    hours: str | None = None
    samples: int
    minimum: str
    shares: dict[str, str]


class Entry(Schema):
    id: int
    kind: str
    amount: str
    account: int | None
    created: str
    note: str


class OrderOut(Schema):
    id: int
    kind: str
    status: str
    instrument: int
    mode: str
    customer: int
    customer_institution: int | None
    provider: int
    booking: int | None
    account: int | None
    amount: str
    payable: str
    lines: list[Line]
    ledger: list[Entry]
    quote: dict[str, Any]
    samples: dict[str, Any]
    items: list[dict[str, Any]]
    description: str
    shipping: str
    requested_turnaround_days: int | None
    project: str
    funding_source: str
    reason: str
    created: str
    updated: str


class OrderList(Schema):
    count: int
    items: list[OrderOut]


class SampleOrderIn(Schema):
    instrument: int
    mode: str = "sample"
    samples: dict[str, Any]
    items: list[dict[str, Any]] = []
    description: str = ""
    shipping: str = ""
    requested_turnaround_days: int | None = None
    account: int | None = None
    project: str = Field(default="", max_length=200)
    funding_source: str = Field(default="", max_length=100)


class ProjectIn(Schema):
    project: str = Field(default="", max_length=200)
    funding_source: str = Field(default="", max_length=100)


class ReasonIn(Schema):
    reason: str = ""


class CorrectionIn(Schema):
    amount: Decimal
    note: str


class OrderParams(Schema):
    status: str | None = None
    kind: str | None = None
    instrument: int | None = None
    customer: int | None = None
    provider: int | None = None
    account: int | None = None
    page: int = 1
    page_size: int = 50


class AccountIn(Schema):
    name: str
    institution: int
    pi: int


class AccountOut(Schema):
    id: int
    name: str
    institution: int
    pi: int
    members: list[int]
    balance: str


class AccountMemberIn(Schema):
    user: int


class TopUpIn(Schema):
    # A string keeps the exact figure to the service, which answers 422 for a bad or oversized amount.
    amount: Decimal | str
    method: str
    reference: str = Field(max_length=128)


class TopUpOut(Schema):
    id: int
    account: int
    amount: str
    method: str
    reference: str
    status: str
    requested_by: int
    requested: str
    decided_by: int | None
    decided: str | None
    reason: str


class TopUpList(Schema):
    count: int
    items: list[TopUpOut]


class TopUpReasonIn(Schema):
    reason: str = Field(max_length=2000)


PRICE_FIELDS = ("id", "unit", "mode", "user_class", "valid_from", "valid_until", "item_name")


def _price_out(rule: Any) -> dict[str, Any]:
    out = {k: getattr(rule, k) for k in PRICE_FIELDS}
    return {**out, "amount": fmt(rule.amount), "minimum": fmt(rule.minimum)}


# --- prices and quotes -----------------------------------------------------------------------------------


@router.get(
    "/instruments/{instrument_id}/prices", response=list[PriceOut], summary="An instrument's price list"
)
def get_prices(request: HttpRequest, instrument_id: int) -> list[dict[str, Any]]:
    get_instrument(instrument_id)
    return [_price_out(r) for r in queries.prices(instrument_id)]


@router.put(
    "/instruments/{instrument_id}/prices",
    auth=SIGNED_IN,
    response=list[PriceOut],
    summary="Replace the price list",
)
def put_prices(request: HttpRequest, instrument_id: int, body: list[PriceIn]) -> list[dict[str, Any]]:
    rules = services.replace_prices(
        signed_in(request), instrument_id, [r.dict() for r in body], now=timezone.now()
    )
    return [_price_out(r) for r in rules]


@router.get(
    "/instruments/{instrument_id}/charge-shares", response=SharesIO, summary="No-show and late shares"
)
def get_shares(request: HttpRequest, instrument_id: int) -> dict[str, Any]:
    get_instrument(instrument_id)
    c = InstrumentCharges.objects.filter(pk=instrument_id).first() or InstrumentCharges()
    return {"late_cancellation_share": c.late_cancellation_share, "no_show_share": c.no_show_share}


@router.put(
    "/instruments/{instrument_id}/charge-shares", auth=SIGNED_IN, response=SharesIO, summary="Set them"
)
def put_shares(request: HttpRequest, instrument_id: int, body: SharesIO) -> dict[str, Any]:
    c = services.set_charge_shares(
        signed_in(request),
        instrument_id,
        late_cancellation=body.late_cancellation_share,
        no_show=body.no_show_share,
        now=timezone.now(),
    )
    return {"late_cancellation_share": c.late_cancellation_share, "no_show_share": c.no_show_share}


@router.get("/instruments/{instrument_id}/quote", response=QuoteOut, summary="What a service would cost")
def quote(
    request: HttpRequest,
    instrument_id: int,
    mode: str,
    start: str | None = None,
    end: str | None = None,
    samples: int = 0,
    institution: int | None = None,
) -> dict[str, Any]:
    """For the signed-in user's institution, or ``institution`` when a manager quotes someone."""
    instrument = get_instrument(instrument_id)
    actor = current_actor(request)
    customer = Institution.objects.filter(pk=actor.institution_id).first() if actor.institution_id else None
    if institution is not None:
        check_instrument_manager(signed_in(request), instrument.institution_id)
        customer = Institution.objects.filter(pk=institution).first()
        if customer is None:
            raise NotFound(gettext("单位不存在"))
    zone = timeline.zone_of(instrument)
    return services.quote_for(
        instrument,
        institution=customer,
        mode=mode,
        start=moment(start, "start", zone) if start else None,
        end=moment(end, "end", zone) if end else None,
        samples=samples,
        now=timezone.now(),
    )


# --- orders ----------------------------------------------------------------------------------------------


def _fresh(request: HttpRequest, order_id: int) -> dict[str, Any]:
    """The order as it is after a service changed it, read again through the access layer."""
    return queries.order_out(services.access_order(signed_in(request), order_id))


@router.post("/orders", auth=SIGNED_IN, response={201: OrderOut}, summary="Submit samples for a test")
def create_order(request: HttpRequest, body: SampleOrderIn) -> Status[dict[str, Any]]:
    order = services.create_sample_order(
        signed_in(request),
        instrument_id=body.instrument,
        samples=body.samples,
        items=body.items,
        description=body.description,
        shipping=body.shipping,
        requested_turnaround_days=body.requested_turnaround_days,
        account_id=body.account,
        project=body.project,
        funding_source=body.funding_source,
        request_key=request.headers.get("Idempotency-Key", "")[:64],
        now=timezone.now(),
    )
    return Status(201, _fresh(request, order.pk))


@router.patch(
    "/orders/{order_id}", auth=SIGNED_IN, response=OrderOut, summary="Name the project an order serves"
)
def patch_order(request: HttpRequest, order_id: int, body: ProjectIn) -> dict[str, Any]:
    order = services.describe_project(
        signed_in(request),
        order_id,
        project=body.project,
        funding_source=body.funding_source,
        now=timezone.now(),
    )
    return _fresh(request, order.pk)


@router.get("/orders", auth=SIGNED_IN, response=OrderList, summary="Orders: your own, or your instruments'")
def list_orders(request: HttpRequest, params: Query[OrderParams]) -> dict[str, Any]:
    offset, limit = page_bounds(params.page, params.page_size)
    f = queries.OrderFilters(**params.dict(exclude={"page", "page_size"}))
    qs = queries.orders(signed_in(request), f)
    return {"count": qs.count(), "items": [queries.order_out(o) for o in qs[offset : offset + limit]]}


@router.get("/orders/{order_id}", auth=SIGNED_IN, response=OrderOut, summary="An order")
def get_order(request: HttpRequest, order_id: int) -> dict[str, Any]:
    return queries.order_out(services.access_order(signed_in(request), order_id))


def _transition(path: str, service: Any, summary: str) -> None:
    @router.post(f"/orders/{{order_id}}/{path}", auth=SIGNED_IN, response=OrderOut, summary=summary)
    def handler(request: HttpRequest, order_id: int) -> dict[str, Any]:
        service(signed_in(request), order_id, now=timezone.now())
        return _fresh(request, order_id)

    handler.__name__ = f"order_{path.replace('-', '_')}"


_transition("accept", services.accept_order, "Accept")
_transition("receive-samples", services.receive_samples, "The samples have arrived")
_transition("start", services.start_order, "Start the service")
_transition("complete", services.complete_order, "Complete, computing the charge")
_transition("charge", services.charge_order, "Charge (from the account, if any)")
_transition("settle", services.settle_order, "Settled")


@router.post("/orders/{order_id}/reject", auth=SIGNED_IN, response=OrderOut, summary="Reject, with a reason")
def reject(request: HttpRequest, order_id: int, body: ReasonIn) -> dict[str, Any]:
    services.reject_order(signed_in(request), order_id, reason=body.reason, now=timezone.now())
    return _fresh(request, order_id)


@router.post("/orders/{order_id}/cancel", auth=SIGNED_IN, response=OrderOut, summary="Cancel, with a reason")
def cancel(request: HttpRequest, order_id: int, body: ReasonIn) -> dict[str, Any]:
    services.cancel_order(signed_in(request), order_id, reason=body.reason, now=timezone.now())
    return _fresh(request, order_id)


@router.post("/orders/{order_id}/corrections", auth=SIGNED_IN, response=OrderOut, summary="Correct a charge")
def correct(request: HttpRequest, order_id: int, body: CorrectionIn) -> dict[str, Any]:
    services.correct_charge(
        signed_in(request), order_id, amount=body.amount, note=body.note, now=timezone.now()
    )
    return _fresh(request, order_id)


class OrderPriceIn(Schema):
    amount: Decimal
    note: str = ""


@router.post(
    "/orders/{order_id}/price",
    auth=SIGNED_IN,
    response=OrderOut,
    summary="Set the amount of work taken at a price on request",
    description=(
        "The provider's managers set the amount of an order its instrument's price list did not cover (the"
        " instrument takes such work 'price on request'); until then it cannot be charged. 409"
        " `invalid_state` for an order priced by the list, or already charged or closed."
    ),
)
def set_price(request: HttpRequest, order_id: int, body: OrderPriceIn) -> dict[str, Any]:
    services.set_order_price(
        signed_in(request), order_id, amount=body.amount, note=body.note, now=timezone.now()
    )
    return _fresh(request, order_id)


class RefundIn(Schema):
    amount: Decimal
    note: str


@router.post(
    "/orders/{order_id}/refunds", auth=SIGNED_IN, response=OrderOut, summary="Refund a settled order"
)
def refund(request: HttpRequest, order_id: int, body: RefundIn) -> dict[str, Any]:
    services.refund_order(
        signed_in(request), order_id, amount=body.amount, note=body.note, now=timezone.now()
    )
    return _fresh(request, order_id)


# --- accounts --------------------------------------------------------------------------------------------


def _account_out(a: Account) -> dict[str, Any]:
    return {
        "id": a.pk,
        "name": a.name,
        "institution": a.institution_id,
        "pi": a.pi_id,
        "members": sorted(a.members.values_list("pk", flat=True)),
        "balance": fmt(a.balance),
    }


@router.post("/accounts", auth=SIGNED_IN, response={201: AccountOut}, summary="Open a research-group account")
def open_account(request: HttpRequest, body: AccountIn) -> Status[dict[str, Any]]:
    account = services.open_account(
        signed_in(request), name=body.name, institution_id=body.institution, pi_id=body.pi, now=timezone.now()
    )
    return Status(201, _account_out(account))


@router.get(
    "/accounts/{account_id}", auth=SIGNED_IN, response=AccountOut, summary="An account and its balance"
)
def get_account(request: HttpRequest, account_id: int) -> dict[str, Any]:
    return _account_out(access_account(signed_in(request), account_id))


@router.post("/accounts/{account_id}/members", auth=SIGNED_IN, response=AccountOut, summary="Add a member")
def add_member(request: HttpRequest, account_id: int, body: AccountMemberIn) -> dict[str, Any]:
    account = services.add_member(signed_in(request), account_id, user_id=body.user, now=timezone.now())
    return _account_out(account)


def _top_up_out(t: TopUp) -> dict[str, Any]:
    return {
        "id": t.pk,
        "account": t.account_id,
        "amount": fmt(t.amount),
        "method": t.method,
        "reference": t.reference,
        "status": t.status,
        "requested_by": t.requested_by_id,
        "requested": t.requested.isoformat(),
        "decided_by": t.decided_by_id,
        "decided": t.decided.isoformat() if t.decided else None,
        "reason": t.reason,
    }


@router.post(
    "/accounts/{account_id}/top-ups",
    auth=SIGNED_IN,
    response={201: TopUpOut},
    summary="Ask for a top-up (counted once a finance officer confirms it)",
)
def top_up(request: HttpRequest, account_id: int, body: TopUpIn) -> Status[dict[str, Any]]:
    t = services.request_top_up(
        signed_in(request),
        account_id,
        amount=str(body.amount),
        method=body.method,
        reference=body.reference,
        now=timezone.now(),
    )
    return Status(201, _top_up_out(t))


@router.get(
    "/top-ups", auth=SIGNED_IN, response=TopUpList, summary="Pending top-ups a finance officer may decide"
)
def pending_top_ups(request: HttpRequest, page: int = 1, page_size: int = 50) -> dict[str, Any]:
    offset, limit = page_bounds(page, page_size)
    qs = top_ups_to_decide(signed_in(request))
    return {"count": qs.count(), "items": [_top_up_out(t) for t in qs[offset : offset + limit]]}


@router.post("/top-ups/{top_up_id}/confirm", auth=SIGNED_IN, response=TopUpOut, summary="Confirm a top-up")
def confirm_top_up(request: HttpRequest, top_up_id: int) -> dict[str, Any]:
    return _top_up_out(services.confirm_top_up(signed_in(request), top_up_id, now=timezone.now()))


@router.post("/top-ups/{top_up_id}/reject", auth=SIGNED_IN, response=TopUpOut, summary="Reject a top-up")
def reject_top_up(request: HttpRequest, top_up_id: int, body: TopUpReasonIn) -> dict[str, Any]:
    t = services.reject_top_up(signed_in(request), top_up_id, reason=body.reason, now=timezone.now())
    return _top_up_out(t)


@router.post(
    "/top-ups/{top_up_id}/reverse", auth=SIGNED_IN, response=TopUpOut, summary="Reverse a confirmed top-up"
)
def reverse_top_up(request: HttpRequest, top_up_id: int, body: TopUpReasonIn) -> dict[str, Any]:
    t = services.reverse_top_up(signed_in(request), top_up_id, reason=body.reason, now=timezone.now())
    return _top_up_out(t)
