"""/api/v1 for innovation vouchers (issue 6, core). Thin: parse, call, serialise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from dayi.core.api import SIGNED_IN, signed_in
from dayi.core.money import fmt
from dayi.vouchers import queries, services
from dayi.vouchers.models import VoucherApplication, VoucherScheme

router = Router(tags=["vouchers"])


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
    eligible_regions: list[str] = []
    sme_only: bool = False


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
    eligible_regions: list[str]
    sme_only: bool
    reserved: str
    spent: str
    settled: str
    remaining: str


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


class ListingIn(Schema):
    provider: int


class ListingOut(Schema):
    id: int
    scheme: str
    provider: int
    status: str
    notice_until: dt.datetime


def _listing_out(listing: Any) -> dict[str, Any]:
    return {
        "id": listing.pk,
        "scheme": listing.scheme.code,
        "provider": listing.provider_id,
        "status": listing.status,
        "notice_until": listing.notice_until,
    }


class ReasonIn(Schema):
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


class UseIn(Schema):
    voucher: str


class CoverOut(Schema):
    covered: str
    payable: str


class EntryOut(Schema):
    id: int
    kind: str
    voucher: str | None
    order: int | None
    amount: str
    created: dt.datetime


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


@router.post("/voucher-schemes", auth=SIGNED_IN, response={201: SchemeOut}, summary="Set up a voucher scheme")
def create_scheme(request: HttpRequest, body: SchemeIn) -> Status[dict[str, Any]]:
    scheme = services.create_scheme(signed_in(request), body.dict(), now=timezone.now())
    return Status(201, queries.scheme_out(scheme))


@router.get("/voucher-schemes", response=list[SchemeOut], summary="List voucher schemes")
def list_schemes(request: HttpRequest) -> list[dict[str, Any]]:
    return [queries.scheme_out(s) for s in VoucherScheme.objects.all()]


@router.get("/voucher-schemes/{code}", response=SchemeOut, summary="A scheme with its budget figures")
def get_scheme(request: HttpRequest, code: str) -> dict[str, Any]:
    return queries.scheme_out(services.get_scheme(code))


@router.get(
    "/voucher-schemes/{code}/ledger", auth=SIGNED_IN, response=list[EntryOut], summary="A scheme's ledger"
)
def get_ledger(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    scheme = services.get_scheme(code)
    services.check_officer(signed_in(request), scheme)
    return queries.ledger_out(scheme)


@router.post(
    "/voucher-schemes/{code}/providers",
    auth=SIGNED_IN,
    response={201: ListingOut},
    summary="A provider applies to be listed for a scheme",
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


@router.post(
    "/voucher-applications/{application_id}/approve",
    auth=SIGNED_IN,
    response=ApplicationOut,
    summary="Approve an application: issue the voucher and reserve its budget",
)
def approve(request: HttpRequest, application_id: int) -> dict[str, Any]:
    services.approve_application(signed_in(request), application_id, now=timezone.now())
    return _application_out(VoucherApplication.objects.select_related("scheme").get(pk=application_id))


@router.post(
    "/voucher-applications/{application_id}/reject",
    auth=SIGNED_IN,
    response=ApplicationOut,
    summary="Reject an application with a reason",
)
def reject(request: HttpRequest, application_id: int, body: ReasonIn) -> dict[str, Any]:
    application = services.reject_application(
        signed_in(request), application_id, reason=body.reason, now=timezone.now()
    )
    return _application_out(application)


@router.get("/vouchers/{number}", auth=SIGNED_IN, response=VoucherOut, summary="A voucher and its balance")
def get_voucher(request: HttpRequest, number: str) -> dict[str, Any]:
    return queries.voucher_out(services.get_voucher(signed_in(request), number))


@router.post(
    "/orders/{order_id}/vouchers",
    auth=SIGNED_IN,
    response=CoverOut,
    summary="Pay part of an order with a voucher",
)
def use_voucher(request: HttpRequest, order_id: int, body: UseIn) -> dict[str, Any]:
    result = services.apply_voucher_to_order(signed_in(request), order_id, body.voucher, now=timezone.now())
    return {"covered": fmt(result["covered"]), "payable": fmt(result["payable"])}
