"""Monthly statements, computed by the database from the ledger.

A statement covers one customer — an institution (its orders' ``customer_institution``) or a research-group
account (its orders' ``account``) — for one calendar month in Asia/Shanghai. Its figures are sums of
``LedgerEntry.amount`` (signs as in ``dayi.orders.models``: charges and corrections add to what is owed,
payments take from it):

- opening: what the customer owed at the start of the month (every earlier entry of its orders);
- charges, corrections, payments: the month's entries of each kind (an innovation voucher's share, 通兑,
  counts as a payment: a funder paid that part of the order);
- total: charges + corrections, what the month's services cost;
- closing: opening + charges + corrections + payments.

Every sum is a SQL aggregate (``SUM … FILTER``); Python only arranges the grouped rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from dayi.accounts.access import (
    Actor,
    operated_institution_ids,
    oversees_institution_records,
    records_overseen_ids,
)
from dayi.accounts.access.money import reads_company_books
from dayi.core.errors import NotFound, ValidationFailed
from dayi.core.money import yuan
from dayi.network.models import Institution
from dayi.orders.models import Account, EntryKind, LedgerEntry, Order

SHANGHAI = ZoneInfo("Asia/Shanghai")
KINDS = ("institution", "account")
ZERO = Decimal("0.00")
# The entries of an order, as opposed to an account's own top-ups and refunds.
ORDER_KINDS = (EntryKind.CHARGE, EntryKind.CORRECTION, EntryKind.PAYMENT, EntryKind.VOUCHER)
PAID = (EntryKind.PAYMENT, EntryKind.VOUCHER)


@dataclass
class OrderLine:
    order_id: int
    instrument: str
    mode: str
    customer: str
    provider: str
    status: str
    charges: Decimal
    corrections: Decimal
    payments: Decimal

    @property
    def total(self) -> Decimal:
        return self.charges + self.corrections


@dataclass
class EntryLine:
    id: int
    order_id: int
    kind: str
    amount: Decimal
    created: dt.datetime
    note: str


@dataclass
class Statement:
    kind: str  # "institution" or "account"
    subject_id: int
    name: str
    year: int
    month: int
    opening: Decimal = ZERO
    charges: Decimal = ZERO
    corrections: Decimal = ZERO
    payments: Decimal = ZERO
    orders: list[OrderLine] = field(default_factory=list)
    entries: list[EntryLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return self.charges + self.corrections

    @property
    def closing(self) -> Decimal:
        return self.opening + self.charges + self.corrections + self.payments

    @property
    def period(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """[first instant, first instant of the next month) in Asia/Shanghai."""
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise ValidationFailed(fields={"month": [gettext("应为 YYYY-MM")]})
    start = dt.datetime(year, month, 1, tzinfo=SHANGHAI)
    after = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=SHANGHAI)
    return start, after


def parse_month(text: str) -> tuple[int, int]:
    try:
        year, month = (int(p) for p in text.split("-"))
    except ValueError:
        raise ValidationFailed(fields={"month": [gettext("应为 YYYY-MM")]}) from None
    month_bounds(year, month)
    return year, month


def _sum(kinds: tuple[str, ...], prefix: str, start: dt.datetime, after: dt.datetime) -> Any:
    month = Q(**{f"{prefix}created__gte": start, f"{prefix}created__lt": after, f"{prefix}kind__in": kinds})
    return Coalesce(Sum(f"{prefix}amount", filter=month), ZERO)


def _month_sums(prefix: str, start: dt.datetime, after: dt.datetime) -> dict[str, Any]:
    return {
        "charges": _sum((EntryKind.CHARGE,), prefix, start, after),
        "corrections": _sum((EntryKind.CORRECTION,), prefix, start, after),
        "payments": _sum(PAID, prefix, start, after),
    }


def _statements(
    group: str, orders_q: Q, year: int, month: int, *, with_entries: bool
) -> dict[int, Statement]:
    """Statements of every customer (``group``: ``customer_institution_id`` or ``account_id``) whose orders
    match ``orders_q`` and have entries in the month or owe something from before it."""
    start, after = month_bounds(year, month)
    entries = LedgerEntry.objects.filter(kind__in=ORDER_KINDS, order__in=Order.objects.filter(orders_q))
    key = f"order__{group}"
    out: dict[int, Statement] = {}

    def get(subject_id: int) -> Statement:
        if subject_id not in out:
            kind = "account" if group == "account_id" else "institution"
            out[subject_id] = Statement(kind, subject_id, "", year, month)
        return out[subject_id]

    for row in (
        entries.filter(created__lt=start).values(key).annotate(s=Sum("amount")).exclude(s=0).order_by()
    ):
        get(row[key]).opening = yuan(row["s"])
    month_entries = entries.filter(created__gte=start, created__lt=after)
    for row in month_entries.values(key).annotate(**_month_sums("", start, after)).order_by():
        s = get(row[key])
        s.charges, s.corrections, s.payments = row["charges"], row["corrections"], row["payments"]
    _add_orders(out, group, orders_q, start, after)
    if with_entries:
        _add_entries(out, key, month_entries)
    _add_names(out, group)
    out.pop(None, None)  # type: ignore[call-overload]  # orders without a customer institution
    return out


def _add_orders(
    out: dict[int, Statement], group: str, orders_q: Q, start: dt.datetime, after: dt.datetime
) -> None:
    in_month = Q(ledger__created__gte=start, ledger__created__lt=after)
    rows = (
        Order.objects.filter(orders_q)
        .filter(in_month)
        .values(group, "id", "instrument__name", "mode", "customer__username", "provider__name", "status")
        .annotate(**_month_sums("ledger__", start, after))
        .order_by(group, "id")
    )
    for row in rows:
        statement = out.get(row[group])
        if statement is None:
            continue
        statement.orders.append(
            OrderLine(
                row["id"],
                row["instrument__name"],
                row["mode"],
                row["customer__username"],
                row["provider__name"],
                row["status"],
                row["charges"],
                row["corrections"],
                row["payments"],
            )
        )


def _add_entries(out: dict[int, Statement], key: str, month_entries: Any) -> None:
    fields = ("id", "order_id", "kind", "amount", "created", "note")
    for row in month_entries.values(key, *fields).order_by("created", "id"):
        statement = out.get(row[key])
        if statement is not None:
            statement.entries.append(EntryLine(*(row[f] for f in fields)))


def _add_names(out: dict[int, Statement], group: str) -> None:
    model: Any = Account if group == "account_id" else Institution
    for pk, name in model.objects.filter(pk__in=[k for k in out if k is not None]).values_list("pk", "name"):
        out[pk].name = name


def statement(
    *,
    institution_id: int | None = None,
    account_id: int | None = None,
    year: int,
    month: int,
    providers: set[int] | None = None,
) -> Statement:
    """One customer's statement; ``providers`` limits it to the lines of those providers (None: all)."""
    if (institution_id is None) == (account_id is None):
        raise ValidationFailed(fields={"institution": [gettext("给出单位或课题组账户之一")]})
    group = "account_id" if account_id is not None else "customer_institution_id"
    subject_id = account_id if account_id is not None else institution_id
    assert subject_id is not None  # one of the two, checked above
    q = Q(**{group: subject_id})
    if providers is not None:
        q &= Q(provider_id__in=providers)
    found = _statements(group, q, year, month, with_entries=True)
    if subject_id in found:
        return found[subject_id]
    empty = Statement("account" if account_id else "institution", subject_id, "", year, month)
    _add_names({subject_id: empty}, group)
    return empty


def monthly_statements(year: int, month: int, *, kind: str = "institution") -> dict[int, Statement]:
    """Every customer's statement for the month at once (the batch): a handful of grouped queries."""
    group = "account_id" if kind == "account" else "customer_institution_id"
    return _statements(group, Q(**{f"{group}__isnull": False}), year, month, with_entries=False)


# --- who may see ------------------------------------------------------------------------------------------


def visible_statement(actor: Actor, kind: str, subject_id: int, year: int, month: int) -> Statement:
    """The statement as the actor may see it, or 404 (missing and forbidden look the same).

    The customer's side (institution admins, platform admins above, superusers; an account's PI and
    members) sees all of it; a provider's instrument managers see only their own institution's lines.
    """
    if kind not in KINDS:
        raise NotFound(gettext("没有这种对账单"))
    providers = _scope(actor, kind, subject_id)
    key = "account_id" if kind == "account" else "institution_id"
    return statement(**{key: subject_id}, year=year, month=month, providers=providers)


def _scope(actor: Actor, kind: str, subject_id: int) -> set[int] | None:
    if not actor.is_authenticated:
        raise NotFound(gettext("对账单不存在"))
    if kind == "institution":
        exists = Institution.objects.filter(pk=subject_id).exists()
        if exists and (
            oversees_institution_records(actor, subject_id) or reads_company_books(actor, subject_id)
        ):
            return None
    else:
        account = Account.objects.filter(pk=subject_id).first()
        exists = account is not None
        if account is not None and (
            account.pi_id == actor.user.pk
            or account.members.filter(pk=actor.user.pk).exists()
            or oversees_institution_records(actor, account.institution_id)
        ):
            return None
    managed = operated_institution_ids(actor, "orders") or set()
    group = "account_id" if kind == "account" else "customer_institution_id"
    if exists and managed and Order.objects.filter(**{group: subject_id}, provider_id__in=managed).exists():
        return managed
    raise NotFound(gettext("对账单不存在"))


def customers_for(actor: Actor) -> dict[str, list[tuple[int, str]]]:
    """The customers whose statements the actor may open, for the picker on /statements/."""
    if not actor.is_authenticated:
        return {"institution": [], "account": []}
    managed = operated_institution_ids(actor, "orders")
    inst = Institution.objects.all()
    acc = Account.objects.all()
    if managed is not None:
        admin = set(records_overseen_ids(actor) or set())
        own = actor.institution_id
        if own is not None and reads_company_books(actor, own):
            admin.add(own)
        served = Order.objects.filter(provider_id__in=managed)
        inst = inst.filter(Q(pk__in=admin) | Q(pk__in=served.values("customer_institution_id")))
        acc = acc.filter(
            Q(pi=actor.user)
            | Q(members=actor.user)
            | Q(institution_id__in=admin)
            | Q(pk__in=served.values("account_id"))
        ).distinct()
    return {
        "institution": list(inst.order_by("name").values_list("pk", "name")[:500]),
        "account": list(acc.order_by("name").values_list("pk", "name")[:500]),
    }
