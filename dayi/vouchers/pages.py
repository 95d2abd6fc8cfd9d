"""Read helpers of the voucher pages: what a page shows, shaped for its template. Writes never happen here
(they go through ``dayi.vouchers.services``); the figures come from ``dayi.vouchers.queries``. Private rows
are read through ``dayi.accounts.access.vouchers`` (``visible_*``), or from a scheme whose officer the view
has checked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_noop

from dayi.accounts.access import Actor
from dayi.accounts.access import vouchers as access
from dayi.accounts.models import User
from dayi.core.money import yuan
from dayi.network.models import Institution, Platform, Region, RegionLevel
from dayi.orders.models import Order
from dayi.vouchers.models import (
    ApplicationStatus,
    ClaimStatus,
    ListingStatus,
    Recognition,
    RedemptionClaim,
    RedemptionMode,
    Voucher,
    VoucherListing,
    VoucherScheme,
    VoucherStatus,
)
from dayi.vouchers.services.claims import CLAIMABLE
from dayi.vouchers.services.uses import USABLE

ZERO = Decimal("0.00")

# Labels of the evidence keys that ``services.checks.evidence_for`` writes.
EVIDENCE_LABELS = {
    "result": gettext_noop("检测结果"),
    "recorded_by": gettext_noop("记录人"),
    "at": gettext_noop("记录时间"),
    "usage_records": gettext_noop("使用记录"),
    "hours": gettext_noop("有效机时"),
}


def percent(part: Decimal, whole: Decimal) -> str:
    """A share of a bar as CSS wants it ("12.5"); 0 when the whole is 0."""
    if not whole:
        return "0"
    return f"{max(Decimal(0), min(Decimal(100), part * 100 / whole)):.1f}"


def figures(scheme: VoucherScheme) -> dict[str, Any]:
    """The budget as four parts that add up to it: paid out (settled), spent awaiting payment, reserved by
    issued vouchers, and what remains; each with its share of the bar."""
    remaining = scheme.budget - scheme.reserved - scheme.spent
    unsettled = scheme.spent - scheme.settled
    return {
        "ratio": f"{float(scheme.subsidy_ratio * 100):g}",  # percent: "50", "12.5"
        "budget": scheme.budget,
        "reserved": scheme.reserved,
        "spent": scheme.spent,
        "settled": scheme.settled,
        "unsettled": unsettled,
        "remaining": remaining,
        "bar": {
            "settled": percent(scheme.settled, scheme.budget),
            "unsettled": percent(unsettled, scheme.budget),
            "reserved": percent(scheme.reserved, scheme.budget),
            "remaining": percent(remaining, scheme.budget),
        },
    }


def scheme_rows(actor: Actor) -> list[dict[str, Any]]:
    rows = access.visible_schemes(actor).select_related("region", "funder").order_by("code")
    return [{"s": s, "f": figures(s)} for s in rows]


def officer_schemes(actor: Actor) -> list[VoucherScheme]:
    """The schemes whose queues the actor may open."""
    return list(access.officer_schemes(actor).order_by("code"))


def region_names(codes: list[str]) -> list[str]:
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return [names.get(c, c) for c in codes]


def listings(scheme: VoucherScheme) -> dict[str, list[VoucherListing]]:
    rows = list(scheme.listings.select_related("provider", "provider__region").order_by("created", "id"))
    return {
        "approved": [x for x in rows if x.status == ListingStatus.APPROVED],
        "pending": [x for x in rows if x.status == ListingStatus.PENDING],
        "delisted": [x for x in rows if x.status == ListingStatus.DELISTED],
    }


def listing_rows(actor: Actor, scheme: VoucherScheme) -> QuerySet[VoucherListing]:
    """The scheme's listings as the officer's queue shows them: with what the actor may read of each
    provider's credit record (an officer reads every provider's), newest entry first."""
    entries = Prefetch(
        "provider__voucher_credit_entries",
        queryset=access.visible_credit_entries(actor).select_related("scheme").order_by("-created", "-id"),
    )
    return scheme.listings.select_related("provider", "provider__region").prefetch_related(entries)


def other_schemes(actor: Actor, scheme: VoucherScheme) -> list[tuple[str, str]]:
    """The schemes this one may recognise (choices of the recognition form): every other, not yet
    recognised."""
    taken = scheme.recognitions.values_list("accepts_id", flat=True)
    rows = access.visible_schemes(actor).exclude(pk=scheme.pk).exclude(pk__in=taken).order_by("code")
    return [(s.code, f"{s.name} ({s.code})") for s in rows]


def scheme_form_choices(actor: Actor, *, creating: bool) -> dict[str, Any]:
    """The options of the scheme form: the funders the actor may set up a scheme for, the provinces and
    cities a scheme may belong to, and the platforms whose members a scheme may pay."""
    platforms = [(p.code, p.name) for p in Platform.objects.order_by("path")]
    if not creating:
        return {"platforms": platforms}
    funders = [(i.pk, i.name) for i in access.scheme_funders(actor).order_by("name")]
    regions = Region.objects.filter(level__in=[RegionLevel.PROVINCE, RegionLevel.CITY]).order_by("code")
    return {
        "funders": funders,
        "regions": [(r.code, f"{r.code} {r.name}") for r in regions],
        "platforms": platforms,
    }


def recognitions(scheme: VoucherScheme) -> dict[str, list[Recognition]]:
    """Both directions: the schemes whose providers this scheme's companies may use, and the schemes whose
    companies may use this scheme's providers."""
    related = Recognition.objects.select_related("scheme", "accepts", "scheme__region", "accepts__region")
    return {
        "accepts": list(related.filter(scheme=scheme).order_by("accepts__code")),
        "accepted_by": list(related.filter(accepts=scheme).order_by("scheme__code")),
    }


def listable_providers(actor: Actor, scheme: VoucherScheme) -> list[Institution]:
    """Institutions the actor administers directly that have not asked to be listed for the scheme yet
    (the service checks the admin right again on the press)."""
    taken = scheme.listings.values_list("provider_id", flat=True)
    return list(access.listing_candidates(actor).exclude(pk__in=taken).order_by("name"))


# --- the company's wallet --------------------------------------------------------------------------------


def company_of(actor: Actor) -> Institution | None:
    if actor.institution_id is None:
        return None
    return Institution.objects.select_related("region").filter(pk=actor.institution_id).first()


def wallet(actor: Actor, company: Institution) -> dict[str, Any]:
    """The company's vouchers, uses, claims and open applications (the actor is one of its members)."""
    vouchers = list(
        access.visible_vouchers(actor)
        .filter(company=company)
        .select_related("scheme")
        .order_by("-created", "-id")
    )
    uses = list(
        access.visible_voucher_uses(actor)
        .filter(voucher__company=company)
        .select_related("voucher", "payer", "order__instrument", "order__provider")
        .order_by("-created", "-id")[:100]
    )
    claims = list(
        access.visible_claims(actor)
        .filter(order__customer_institution=company)
        .select_related("scheme", "claimant", "order__instrument")
        .order_by("-created", "-id")[:100]
    )
    applications = list(
        access.visible_applications(actor)
        .filter(company=company, status__in=[ApplicationStatus.SUBMITTED, "rejected"])
        .select_related("scheme")
        .order_by("-created", "-id")[:50]
    )
    # 通用: the company paid in full and claims the subsidy itself, once the order is charged.
    claimed = {c.order_id for c in claims} | set(
        access.visible_claims(actor)
        .filter(order_id__in=[u.order_id for u in uses])
        .values_list("order_id", flat=True)
    )
    claimable = {
        u.order_id
        for u in uses
        if u.mode == RedemptionMode.TONGYONG and u.order_id not in claimed and u.order.status in CLAIMABLE
    }
    return {
        "vouchers": vouchers,
        "uses": uses,
        "claims": claims,
        "applications": applications,
        "claimable": claimable,
    }


def usable_vouchers(actor: Actor, company: Institution, *, today: dt.date) -> list[Voucher]:
    return list(
        access.visible_vouchers(actor)
        .filter(company=company, status=VoucherStatus.ACTIVE, balance__gt=0, use_by__gte=today)
        .select_related("scheme")
        .order_by("use_by", "number")
    )


def subsidy_covered(order: Order) -> bool:
    """A voucher already paid the order's whole subsidised share (its scheme's ratio of the amount), so no
    voucher can pay more of it. Reads ``order.voucher_uses`` (prefetch it with their vouchers' schemes)."""
    uses = list(order.voucher_uses.all())
    if not uses:
        return False
    share = yuan(uses[0].voucher.scheme.subsidy_ratio * order.amount)
    return sum((u.amount for u in uses), ZERO) >= share


def _payable_rows(actor: Actor, company: Institution) -> QuerySet[Order]:
    return (
        access.voucher_payable_orders(actor, company.pk)
        .filter(status__in=USABLE, redemption_claim__isnull=True)
        .select_related("instrument", "provider")
        .prefetch_related("voucher_uses__voucher__scheme")
        .order_by("-created", "-id")
    )


def payable_orders(actor: Actor, company: Institution, *, limit: int = 200) -> list[Order]:
    """The company's completed or charged orders not yet claimed whose subsidised share a voucher has not
    covered yet: those a voucher may still pay. The signed-in user's own orders, or all the company's when
    they administer it."""
    rows = _payable_rows(actor, company)[: limit * 2]
    return [o for o in rows if not subsidy_covered(o)][:limit]


def order_panel(actor: Actor, order: Order, *, today: dt.date) -> dict[str, Any]:
    """The voucher part of an order's page: what vouchers paid of it, and — for the company's people while
    a voucher may still pay it — the vouchers they may apply (the service checks again on the press)."""
    uses = list(
        access.visible_voucher_uses(actor)
        .filter(order=order)
        .select_related("voucher", "voucher__scheme", "payer")
        .order_by("created", "id")
    )
    company = company_of(actor)
    vouchers: list[Voucher] = []
    if company is not None and order.customer_institution_id == company.pk:
        payable = _payable_rows(actor, company).filter(pk=order.pk).first()
        if payable is not None and not subsidy_covered(payable):
            vouchers = usable_vouchers(actor, company, today=today)
    return {"uses": uses, "vouchers": vouchers}


# --- the officer's queue ---------------------------------------------------------------------------------


def evidence_rows(evidence: dict[str, Any], people: dict[int, str]) -> list[tuple[str, str]]:
    """The evidence as label/value pairs in a fixed order: the recorder by name, the time in Asia/Shanghai."""
    evidence = evidence or {}
    keys = [k for k in EVIDENCE_LABELS if k in evidence] + [k for k in evidence if k not in EVIDENCE_LABELS]
    out = []
    for key in keys:
        value = evidence[key]
        if key == "recorded_by" and isinstance(value, int):
            value = people.get(value, value)
        elif key == "at" and isinstance(value, str):
            value = _local_time(value)
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        out.append((EVIDENCE_LABELS.get(key, key), str(value)))
    return out


def _local_time(text: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(moment) else text


def recorders(claims: list[RedemptionClaim]) -> dict[int, str]:
    """The names of the people who recorded the claims' evidence, in one query."""
    ids = {c.evidence.get("recorded_by") for c in claims if isinstance(c.evidence, dict)}
    rows = User.objects.filter(pk__in=[i for i in ids if isinstance(i, int)])
    return {pk: name or username for pk, name, username in rows.values_list("pk", "display_name", "username")}


def claim_row(
    claim: RedemptionClaim, *, people: dict[int, str] | None = None, error: str = "", message: str = ""
) -> dict[str, Any]:
    people = recorders([claim]) if people is None else people
    return {"c": claim, "evidence": evidence_rows(claim.evidence, people), "error": error, "message": message}


def queue(actor: Actor, scheme: VoucherScheme) -> dict[str, Any]:
    applications = list(
        scheme.applications.filter(status=ApplicationStatus.SUBMITTED)
        .select_related("company", "company__region", "provider", "applicant")
        .order_by("created", "id")
    )
    pending = list(
        listing_rows(actor, scheme).filter(status=ListingStatus.PENDING).order_by("notice_until", "id")
    )
    listed = list(
        listing_rows(actor, scheme).filter(status=ListingStatus.APPROVED).order_by("provider__name")
    )
    claims = list(
        scheme.claims.filter(status=ClaimStatus.SUBMITTED)
        .select_related("claimant", "order__instrument", "order__customer_institution", "order__provider")
        .order_by("created", "id")
    )
    people = recorders(claims)
    decided = list(
        scheme.claims.exclude(status=ClaimStatus.SUBMITTED)
        .select_related("claimant", "order__instrument", "order__customer_institution")
        .order_by("-decided", "-id")[:20]
    )
    return {
        "applications": [{"a": a} for a in applications],
        "pending_listings": [{"x": x} for x in pending],
        "listed": [{"x": x} for x in listed],
        "claims": [claim_row(c, people=people) for c in claims],
        "decided": decided,
        "months": claim_months(scheme),
    }


def claim_months(scheme: VoucherScheme) -> list[dict[str, Any]]:
    """Submitted claims by month (Asia/Shanghai), for the monthly batch."""
    rows = (
        scheme.claims.filter(status=ClaimStatus.SUBMITTED)
        .annotate(month=TruncMonth("created"))
        .values("month")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by("month")
    )
    return [{"month": r["month"].strftime("%Y-%m"), "n": r["n"], "total": yuan(r["total"])} for r in rows]


# --- flows -----------------------------------------------------------------------------------------------


def flow_chart(flows: list[dict[str, Any]]) -> dict[str, Any]:
    """The chart's data: one node per province (at its longitude and latitude, sized by the money that
    stays in or leaves it) and one link per pair of different provinces."""
    codes = sorted({f[k] for f in flows for k in ("from_code", "to_code")})
    places = {
        r.code: r
        for r in Region.objects.filter(code__in=codes).only("code", "name", "short_name", "lon", "lat")
    }
    totals: dict[str, dict[str, Decimal]] = {c: {"out": ZERO, "in": ZERO, "within": ZERO} for c in codes}
    links = []
    for f in flows:
        src, dst, amount = f["from_code"], f["to_code"], f["amount"]
        if src == dst:
            totals[src]["within"] += amount
            continue
        totals[src]["out"] += amount
        totals[dst]["in"] += amount
        links.append({"source": src, "target": dst, "amount": str(amount), "count": f["count"]})
    nodes = []
    for code in codes:
        region = places.get(code)
        nodes.append(
            {
                "id": code,
                "name": (region.short_name or region.name) if region else code,
                "lon": region.lon if region else None,
                "lat": region.lat if region else None,
                "out": str(totals[code]["out"]),
                "in": str(totals[code]["in"]),
                "within": str(totals[code]["within"]),
            }
        )
    return {"nodes": nodes, "links": links}


def flows_total(flows: list[dict[str, Any]]) -> Decimal:
    return sum((f["amount"] for f in flows), ZERO)
