"""/api/v1 for innovation vouchers (issue 6). Thin: parse, call a service or a query, serialise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Query, Router, Schema, Status
from pydantic import Field

from dayi.accounts.access import actor_for
from dayi.accounts.access import vouchers as access
from dayi.accounts.access.vouchers import check_officer, check_scheme_admin
from dayi.api import SIGNED_IN, page_bounds, signed_in
from dayi.core.errors import ValidationFailed
from dayi.core.money import fmt
from dayi.vouchers import queries, services
from dayi.vouchers.models import VoucherApplication, VoucherListing

router = Router(tags=["vouchers"])


class PageParams(Schema):
    page: int = 1
    page_size: int = 50


class SchemeIn(Schema):
    code: str
    name: str
    funder: int
    region: str
    budget: Decimal
    subsidy_ratio: Decimal
    cap_per_company: Decimal
    period_start: dt.date
    period_end: dt.date
    use_days: int = 365
    redemption_days: int = 90
    notice_days: int = 7
    eligible_regions: list[str] = []
    sme_only: bool = False
    max_company_age_years: int | None = None
    modes: list[str] = []
    categories: list[str] = []
    provider_rule: str = "listed"
    provider_platform: str | None = None
    mode: str = "tongdui"


class SchemePatch(Schema):
    name: str | None = None
    budget: Decimal | None = None
    subsidy_ratio: Decimal | None = None
    cap_per_company: Decimal | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    use_days: int | None = None
    redemption_days: int | None = None
    notice_days: int | None = None
    eligible_regions: list[str] | None = None
    sme_only: bool | None = None
    max_company_age_years: int | None = None
    modes: list[str] | None = None
    categories: list[str] | None = None
    provider_rule: str | None = None
    provider_platform: str | None = None
    mode: str | None = None


class SchemeOut(Schema):
    code: str
    name: str
    funder: int
    region: str
    budget: str
    subsidy_ratio: str
    cap_per_company: str
    period_start: dt.date
    period_end: dt.date
    use_days: int
    redemption_days: int
    notice_days: int
    eligible_regions: list[str]
    sme_only: bool
    max_company_age_years: int | None
    modes: list[str]
    categories: list[str]
    provider_rule: str
    provider_platform: str | None
    mode: str
    reserved: str
    spent: str
    settled: str
    remaining: str


class SchemePage(Schema):
    count: int
    items: list[SchemeOut]


class ApplicationIn(Schema):
    scheme: str
    company: int
    amount: Decimal
    purpose: str
    provider: int | None = None


class ApplicationOut(Schema):
    id: int
    scheme: str
    company: int
    amount: str
    purpose: str
    provider: int | None
    status: str
    reason: str
    voucher: str | None = None
    eligibility: str = ""


class ApplicationPage(Schema):
    count: int
    items: list[ApplicationOut]


class ListingIn(Schema):
    provider: int


class ListingOut(Schema):
    id: int
    scheme: str
    provider: int
    status: str
    notice_until: dt.datetime
    delisted: dt.datetime | None = None
    reason: str = ""


class DelistIn(Schema):
    provider: int
    reason: str


class CreditEntryOut(Schema):
    id: int
    provider: int
    scheme: str
    kind: str
    reason: str
    created: dt.datetime


class RecognitionIn(Schema):
    scheme: str
    payer: str = "issuer"
    mode: str = "tongdui"


class RecognitionOut(Schema):
    id: int
    scheme: str
    accepts: str
    payer: str
    mode: str


class RequiredReasonIn(Schema):
    reason: str


class VoucherOut(Schema):
    number: str
    scheme: str
    company: int
    application: int
    amount: str
    balance: str
    use_by: dt.date
    redeem_by: dt.date
    status: str


class VoucherPage(Schema):
    count: int
    items: list[VoucherOut]


class UseIn(Schema):
    voucher: str


class CoverOut(Schema):
    covered: str
    payable: str
    payer: str
    mode: str


class EntryOut(Schema):
    id: int
    kind: str
    voucher: str | None
    order: int | None
    claim: int | None
    amount: str
    created: dt.datetime


class ClaimOut(Schema):
    id: int
    order: int
    scheme: str
    claimant: int
    mode: str
    amount: str
    status: str
    evidence: dict[str, Any]
    notes: list[str]
    reason: str
    created: dt.datetime
    decided: dt.datetime | None


class ClaimPage(Schema):
    count: int
    items: list[ClaimOut]


class ClaimFilters(PageParams):
    scheme: str
    status: str = ""


class MonthIn(Schema):
    month: str  # YYYY-MM


class BatchOut(Schema):
    settled: int
    total: str


class ReconcileOut(Schema):
    ok: bool
    checks: dict[str, bool]
    remaining: str
    ledger: dict[str, str]


class FundedOut(Schema):
    company: str
    provider: str
    instrument: int
    service: str
    mode: str
    amount: str
    scheme: str
    date: dt.date


class FundedPage(Schema):
    count: int
    items: list[FundedOut]


class FlowOut(Schema):
    from_code: str
    from_name: str
    to_code: str
    to_name: str
    amount: str
    count: int


class RelatedIn(Schema):
    first: int
    second: int
    reason: str
    scheme: str | None = Field(
        None,
        description="The scheme whose fraud checks the declaration counts in (an officer's; defaults to"
        " their only scheme). Omitted by an admin of either party: it then counts in every scheme.",
    )


class RelatedOut(Schema):
    id: int
    first: int
    second: int
    reason: str
    scheme: str | None = None


def _listing_out(listing: VoucherListing) -> dict[str, Any]:
    return {
        "id": listing.pk,
        "scheme": listing.scheme.code,
        "provider": listing.provider_id,
        "status": listing.status,
        "notice_until": listing.notice_until,
        "delisted": listing.delisted,
        "reason": listing.reason,
    }


def _application_out(a: VoucherApplication) -> dict[str, Any]:
    voucher = getattr(a, "voucher", None) if a.status == "approved" else None
    return {
        "id": a.pk,
        "scheme": a.scheme.code,
        "company": a.company_id,
        "amount": fmt(a.amount),
        "purpose": a.purpose,
        "provider": a.provider_id,
        "status": a.status,
        "reason": a.reason,
        "voucher": voucher.number if voucher else None,
    }


# --- schemes ---------------------------------------------------------------------------------------------


@router.post("/voucher-schemes", auth=SIGNED_IN, response={201: SchemeOut}, summary="Set up a voucher scheme")
def create_scheme(request: HttpRequest, body: SchemeIn) -> Status[dict[str, Any]]:
    scheme = services.create_scheme(signed_in(request), body.dict(), now=timezone.now())
    return Status(201, queries.scheme_out(scheme))


@router.get("/voucher-schemes", response=SchemePage, summary="List voucher schemes")
def list_schemes(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    offset, limit = page_bounds(params.page, params.page_size)
    # Public: the caller's session (if any) is enough, a token is not looked at (as before).
    rows = access.visible_schemes(actor_for(request.user)).select_related("provider_platform")
    return {"count": rows.count(), "items": [queries.scheme_out(s) for s in rows[offset : offset + limit]]}


@router.get("/voucher-schemes/{code}", response=SchemeOut, summary="A scheme with its budget figures")
def get_scheme(request: HttpRequest, code: str) -> dict[str, Any]:
    return queries.scheme_out(services.get_scheme(code))


@router.patch(
    "/voucher-schemes/{code}", auth=SIGNED_IN, response=SchemeOut, summary="Change a scheme's terms"
)
def update_scheme(request: HttpRequest, code: str, body: SchemePatch) -> dict[str, Any]:
    changes = body.dict(exclude_unset=True)
    scheme = services.update_scheme(signed_in(request), code, changes, now=timezone.now())
    return queries.scheme_out(scheme)


@router.get(
    "/voucher-schemes/{code}/ledger", auth=SIGNED_IN, response=list[EntryOut], summary="A scheme's ledger"
)
def get_ledger(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    scheme = services.get_scheme(code)
    check_officer(signed_in(request), scheme)
    return queries.ledger_out(scheme)


@router.get(
    "/voucher-schemes/{code}/reconciliation",
    auth=SIGNED_IN,
    response=ReconcileOut,
    summary="Check that the ledger accounts for every yuan of the scheme",
)
def reconciliation(request: HttpRequest, code: str) -> dict[str, Any]:
    scheme = services.get_scheme(code)
    check_scheme_admin(signed_in(request), scheme)
    result = queries.reconcile(scheme)
    return {
        **result,
        "remaining": fmt(result["remaining"]),
        "ledger": {k: fmt(v) for k, v in result["ledger"].items()},
    }


# --- listings and recognitions ---------------------------------------------------------------------------


@router.post(
    "/voucher-schemes/{code}/providers",
    auth=SIGNED_IN,
    response={201: ListingOut},
    summary="A provider applies to be listed for a scheme (public for the notice period)",
)
def request_listing(request: HttpRequest, code: str, body: ListingIn) -> Status[dict[str, Any]]:
    listing = services.request_listing(signed_in(request), code, body.provider, now=timezone.now())
    return Status(201, _listing_out(listing))


@router.get(
    "/voucher-schemes/{code}/providers", response=list[ListingOut], summary="Listed and pending providers"
)
def list_listings(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    return [_listing_out(x) for x in services.get_scheme(code).listings.select_related("scheme")]


@router.post(
    "/voucher-schemes/{code}/providers/{listing_id}/approve",
    auth=SIGNED_IN,
    response=ListingOut,
    summary="Approve a listing after its notice period",
)
def approve_listing(request: HttpRequest, code: str, listing_id: int) -> dict[str, Any]:
    listing = services.approve_listing(signed_in(request), code, listing_id, now=timezone.now())
    return _listing_out(listing)


@router.post(
    "/voucher-schemes/{code}/delistings",
    auth=SIGNED_IN,
    response=ListingOut,
    summary="Bar a provider from the scheme with a reason (kept on the provider's credit record)",
)
def delist_provider(request: HttpRequest, code: str, body: DelistIn) -> dict[str, Any]:
    listing = services.delist_provider(
        signed_in(request), code, body.provider, reason=body.reason, now=timezone.now()
    )
    return _listing_out(listing)


@router.get(
    "/voucher-providers/{institution_id}/credit-record",
    auth=SIGNED_IN,
    response=list[CreditEntryOut],
    summary="A provider's credit record (voucher officers, and the provider's admins)",
)
def credit_record(request: HttpRequest, institution_id: int) -> list[dict[str, Any]]:
    rows = access.visible_credit_entries(signed_in(request)).filter(provider_id=institution_id)
    return [
        {
            "id": e.pk,
            "provider": e.provider_id,
            "scheme": e.scheme.code,
            "kind": e.kind,
            "reason": e.reason,
            "created": e.created,
        }
        for e in rows.select_related("scheme")
    ]


def _recognition_out(r: Any) -> dict[str, Any]:
    return {"id": r.pk, "scheme": r.scheme.code, "accepts": r.accepts.code, "payer": r.payer, "mode": r.mode}


@router.post(
    "/voucher-schemes/{code}/recognitions",
    auth=SIGNED_IN,
    response={201: RecognitionOut},
    summary="The scheme accepts providers of another scheme (通兑 or 通用; which scheme pays)",
)
def add_recognition(request: HttpRequest, code: str, body: RecognitionIn) -> Status[dict[str, Any]]:
    recognition = services.add_recognition(
        signed_in(request), code, accepts=body.scheme, payer=body.payer, mode=body.mode, now=timezone.now()
    )
    return Status(201, _recognition_out(recognition))


@router.get(
    "/voucher-schemes/{code}/recognitions", response=list[RecognitionOut], summary="A scheme's recognitions"
)
def list_recognitions(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    scheme = services.get_scheme(code)
    return [_recognition_out(r) for r in scheme.recognitions.select_related("scheme", "accepts")]


@router.post(
    "/related-parties",
    auth=SIGNED_IN,
    response={201: RelatedOut},
    summary="Declare two institutions related: vouchers may not pass between them",
)
def declare_related(request: HttpRequest, body: RelatedIn) -> Status[dict[str, Any]]:
    pair = services.declare_related(
        signed_in(request),
        body.first,
        body.second,
        reason=body.reason,
        scheme=body.scheme,
        now=timezone.now(),
    )
    scheme = pair.scheme.code if pair.scheme else None
    body_out = {"id": pair.pk, "first": pair.first_id, "second": pair.second_id, "reason": pair.reason}
    return Status(201, {**body_out, "scheme": scheme})


# --- applications and vouchers ---------------------------------------------------------------------------


@router.post(
    "/voucher-applications", auth=SIGNED_IN, response={201: ApplicationOut}, summary="Apply for a voucher"
)
def apply(request: HttpRequest, body: ApplicationIn) -> Status[dict[str, Any]]:
    application = services.apply_for_voucher(
        signed_in(request),
        scheme_code=body.scheme,
        company_id=body.company,
        amount=body.amount,
        purpose=body.purpose,
        provider_id=body.provider,
        now=timezone.now(),
    )
    return Status(201, _application_out(application))


class ApplicationFilters(PageParams):
    scheme: str
    status: str = ""


@router.get(
    "/voucher-applications",
    auth=SIGNED_IN,
    response=ApplicationPage,
    summary="A scheme's applications (its officers)",
)
def list_applications(request: HttpRequest, params: Query[ApplicationFilters]) -> dict[str, Any]:
    scheme = services.get_scheme(params.scheme)
    check_officer(signed_in(request), scheme)
    offset, limit = page_bounds(params.page, params.page_size)
    rows = scheme.applications.select_related("scheme", "voucher")
    if params.status:
        rows = rows.filter(status=params.status)
    return {"count": rows.count(), "items": [_application_out(a) for a in rows[offset : offset + limit]]}


@router.post(
    "/voucher-applications/{application_id}/approve",
    auth=SIGNED_IN,
    response=ApplicationOut,
    summary="Approve an application: issue the voucher and reserve its budget",
)
def approve(request: HttpRequest, application_id: int) -> dict[str, Any]:
    actor = signed_in(request)
    services.approve_application(actor, application_id, now=timezone.now())
    return _application_out(access.access_application(actor, application_id))


@router.post(
    "/voucher-applications/{application_id}/reject",
    auth=SIGNED_IN,
    response=ApplicationOut,
    summary="Reject an application with a reason",
)
def reject(request: HttpRequest, application_id: int, body: RequiredReasonIn) -> dict[str, Any]:
    application = services.reject_application(
        signed_in(request), application_id, reason=body.reason, now=timezone.now()
    )
    return _application_out(application)


class WalletParams(PageParams):
    company: int


@router.get(
    "/vouchers", auth=SIGNED_IN, response=VoucherPage, summary="A company's vouchers (its members and admins)"
)
def wallet(request: HttpRequest, params: Query[WalletParams]) -> dict[str, Any]:
    actor = signed_in(request)
    offset, limit = page_bounds(params.page, params.page_size)
    # The company's members and admins see all its vouchers; an officer sees those of their schemes.
    rows = access.visible_vouchers(actor).filter(company_id=params.company).select_related("scheme")
    return {"count": rows.count(), "items": [queries.voucher_out(v) for v in rows[offset : offset + limit]]}


@router.get("/vouchers/{number}", auth=SIGNED_IN, response=VoucherOut, summary="A voucher and its balance")
def get_voucher(request: HttpRequest, number: str) -> dict[str, Any]:
    return queries.voucher_out(services.get_voucher(signed_in(request), number))


@router.post(
    "/vouchers/{number}/cancel",
    auth=SIGNED_IN,
    response=VoucherOut,
    summary="Cancel a voucher (fraud, collusion): its unspent balance returns to the budget",
)
def cancel_voucher(request: HttpRequest, number: str, body: RequiredReasonIn) -> dict[str, Any]:
    voucher = services.cancel_voucher(signed_in(request), number, reason=body.reason, now=timezone.now())
    return queries.voucher_out(voucher)


@router.post(
    "/orders/{order_id}/vouchers",
    auth=SIGNED_IN,
    response=CoverOut,
    summary="Pay part of a completed order with a voucher",
)
def use_voucher(request: HttpRequest, order_id: int, body: UseIn) -> dict[str, Any]:
    result = services.apply_voucher_to_order(signed_in(request), order_id, body.voucher, now=timezone.now())
    return {
        "covered": fmt(Decimal(result["covered"])),
        "payable": fmt(Decimal(result["payable"])),
        "payer": str(result["payer"]),
        "mode": str(result["mode"]),
    }


# --- redemption ------------------------------------------------------------------------------------------


@router.post(
    "/orders/{order_id}/redemption-claims",
    auth=SIGNED_IN,
    response={201: ClaimOut},
    summary="Claim what vouchers paid on a completed, charged order (provider in 通兑, company in 通用)",
)
def claim(request: HttpRequest, order_id: int) -> Status[dict[str, Any]]:
    actor = signed_in(request)
    made = services.claim_redemption(actor, order_id, now=timezone.now())
    return Status(201, queries.claim_out(access.access_claim(actor, made.pk)))


@router.get(
    "/redemption-claims", auth=SIGNED_IN, response=ClaimPage, summary="A scheme's claims (its officers)"
)
def list_claims(request: HttpRequest, params: Query[ClaimFilters]) -> dict[str, Any]:
    scheme = services.get_scheme(params.scheme)
    check_officer(signed_in(request), scheme)
    offset, limit = page_bounds(params.page, params.page_size)
    rows = queries.claims(scheme, status=params.status)
    return {"count": rows.count(), "items": [queries.claim_out(c) for c in rows[offset : offset + limit]]}


@router.post(
    "/redemption-claims/{claim_id}/settle", auth=SIGNED_IN, response=ClaimOut, summary="Settle (pay) a claim"
)
def settle(request: HttpRequest, claim_id: int) -> dict[str, Any]:
    return queries.claim_out(services.settle_claim(signed_in(request), claim_id, now=timezone.now()))


@router.post(
    "/redemption-claims/{claim_id}/reject",
    auth=SIGNED_IN,
    response=ClaimOut,
    summary="Reject a claim with a reason: the amount returns to the company's liability",
)
def reject_claim(request: HttpRequest, claim_id: int, body: RequiredReasonIn) -> dict[str, Any]:
    result = services.reject_claim(signed_in(request), claim_id, reason=body.reason, now=timezone.now())
    return queries.claim_out(result)


@router.post(
    "/voucher-schemes/{code}/settlements",
    auth=SIGNED_IN,
    response=BatchOut,
    summary="Settle every submitted claim of a month at once (all or none)",
)
def settle_month(request: HttpRequest, code: str, body: MonthIn) -> dict[str, Any]:
    try:
        month = dt.date.fromisoformat(f"{body.month}-01")
    except ValueError:
        raise ValidationFailed(fields={"month": [gettext("应为 YYYY-MM")]}) from None
    result = services.settle_month(signed_in(request), code, month=month, now=timezone.now())
    return {"settled": result["settled"], "total": fmt(Decimal(str(result["total"])))}


# --- public ----------------------------------------------------------------------------------------------


@router.get(
    "/voucher-funded-services",
    response=FundedPage,
    summary="The public list of voucher-funded services: company, provider, service, amount",
)
def funded_services(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    offset, limit = page_bounds(params.page, params.page_size)
    rows = queries.funded_services()
    return {"count": rows.count(), "items": [queries.funded_out(u) for u in rows[offset : offset + limit]]}


@router.get(
    "/voucher-flows",
    response=list[FlowOut],
    summary="Voucher money between provinces (company's → provider's), optionally for one scheme",
)
def flows(request: HttpRequest, scheme: str = "") -> list[dict[str, Any]]:
    chosen = services.get_scheme(scheme) if scheme else None
    return [{**f, "amount": fmt(f["amount"])} for f in queries.region_flows(scheme=chosen)]
