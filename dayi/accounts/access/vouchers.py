"""Who may see and do what in the innovation-voucher schemes (the vouchers part of the one access layer).

- Schemes, their provider listings and recognitions are public records: anyone reads them.
- A scheme's ``voucher_officer`` (``acts_for_scheme``) works its queue: applications, listings, claims, the
  ledger. The scheme itself is changed by its officers or by an admin of a platform that oversees its
  funder (``administers_scheme``); a new scheme is set up only by the latter (``may_set_up_scheme``).
- A company's vouchers, applications, uses and claims are read by its members and admins
  (``acts_for_company``) and by the officers of the schemes concerned; a provider's managers read the claims
  their institution made. Each ``access_<noun>`` helper returns the object or raises NotFound, for missing
  and forbidden alike (a voucher number says nothing to others).
- A voucher pays an order of its company placed by the signed-in user, or any of the company's orders when
  they administer it (``may_use_voucher_on``). The claim on a voucher-paid order is made by the company in
  通用 mode, by whoever operates the provider's orders in 通兑 mode.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from dayi.accounts.access import (
    Actor,
    acts_for_scheme,
    administers_institution,
    fetch,
    operated_institution_ids,
    operates,
    platform_oversees_institution,
    require_signed_in,
)
from dayi.accounts.access.orders import visible_orders
from dayi.core.errors import Forbidden, NotFound
from dayi.network.models import Institution
from dayi.orders.models import Order
from dayi.vouchers.models import (
    ProviderCreditEntry,
    RedemptionClaim,
    Voucher,
    VoucherApplication,
    VoucherLedgerEntry,
    VoucherListing,
    VoucherScheme,
    VoucherUse,
)

# --- schemes ---------------------------------------------------------------------------------------------


def visible_schemes(actor: Actor) -> QuerySet[VoucherScheme]:
    """Schemes are public: their terms and budget figures are published for companies to apply."""
    return VoucherScheme.objects.all()


def visible_listings(actor: Actor) -> QuerySet[VoucherListing]:
    """Listings are public: a request is published for its notice period, an approval after it."""
    return VoucherListing.objects.all()


def officer_schemes(actor: Actor) -> QuerySet[VoucherScheme]:
    """The schemes whose queues the actor works (all, for a superuser)."""
    if not actor.is_authenticated:
        return VoucherScheme.objects.none()
    if actor.is_superuser:
        return VoucherScheme.objects.all()
    return VoucherScheme.objects.filter(code__in=actor.schemes)


def check_officer(actor: Actor, scheme: VoucherScheme) -> None:
    if not acts_for_scheme(actor, scheme.code):
        raise Forbidden(gettext("只有该券种的经办人员可以这样做"))


def _officer_funders(actor: Actor) -> set[int]:
    """The funders of the schemes the actor is an officer of (whose voucher office they work in)."""
    if not actor.is_authenticated or not actor.schemes:
        return set()
    return set(VoucherScheme.objects.filter(code__in=actor.schemes).values_list("funder_id", flat=True))


def may_set_up_scheme(actor: Actor, funder_id: int) -> bool:
    """A new scheme is set up by an admin of a platform that oversees the funding institution, or by an
    officer of one of the funder's schemes (the funder's voucher office sets up next year's scheme)."""
    return platform_oversees_institution(actor, funder_id) or funder_id in _officer_funders(actor)


def works_in_voucher_office(actor: Actor) -> bool:
    """An officer of some scheme (not merely a superuser): who becomes an officer of a scheme they set up."""
    return actor.is_authenticated and bool(actor.schemes)


def scheme_funders(actor: Actor) -> QuerySet[Institution]:
    """The institutions the actor may set up a scheme for (``may_set_up_scheme``)."""
    if actor.is_superuser:
        return Institution.objects.all()
    return Institution.objects.filter(pk__in=set(actor.overseen_institutions) | _officer_funders(actor))


def may_set_up_schemes(actor: Actor) -> bool:
    """Whether the actor may set up a scheme for some funder (the index page offers the form)."""
    return actor.is_superuser or bool(actor.platform_paths) or bool(_officer_funders(actor))


def administers_scheme(actor: Actor, scheme: VoucherScheme) -> bool:
    """The scheme's officers, or a platform admin over its funder, change the scheme itself and read its
    reconciliation."""
    return acts_for_scheme(actor, scheme.code) or platform_oversees_institution(actor, scheme.funder_id)


def check_scheme_admin(actor: Actor, scheme: VoucherScheme) -> None:
    if not administers_scheme(actor, scheme):
        raise Forbidden(gettext("只有该券种的经办人员或资助方平台管理员可以这样做"))


def visible_ledger_entries(actor: Actor) -> QuerySet[VoucherLedgerEntry]:
    """A scheme's ledger is its officers' (and a superuser's)."""
    if actor.is_superuser:
        return VoucherLedgerEntry.objects.all()
    if not actor.is_authenticated:
        return VoucherLedgerEntry.objects.none()
    return VoucherLedgerEntry.objects.filter(scheme__code__in=actor.schemes)


# --- a provider's credit record ----------------------------------------------------------------------------


def reads_credit_records(actor: Actor) -> bool:
    """Voucher officers of any scheme read every provider's credit record: they check it before they
    approve a listing, whichever scheme wrote the entry."""
    return actor.is_superuser or (actor.is_authenticated and bool(actor.schemes))


def visible_credit_entries(actor: Actor) -> QuerySet[ProviderCreditEntry]:
    """Credit record entries: all of them for officers; a provider's own for its admins."""
    if reads_credit_records(actor):
        return ProviderCreditEntry.objects.all()
    if not actor.is_authenticated:
        return ProviderCreditEntry.objects.none()
    return ProviderCreditEntry.objects.filter(provider_id__in=actor.admin_institutions)


# --- companies -------------------------------------------------------------------------------------------


def acts_for_company(actor: Actor, company_id: int | None) -> bool:
    """A member of the company (its users) or an admin of it: who applies for, holds and spends its
    vouchers, and claims in 通用 mode."""
    if company_id is None or not actor.is_authenticated:
        return False
    return actor.institution_id == company_id or administers_institution(actor, company_id)


def _companies(actor: Actor) -> set[int]:
    """The companies the actor acts for (besides a superuser's all)."""
    ids = set(actor.admin_institutions)
    if actor.institution_id is not None:
        ids.add(actor.institution_id)
    return ids


def listing_candidates(actor: Actor) -> QuerySet[Institution]:
    """The institutions the actor administers in person, which may ask to be listed as providers (a
    superuser has none of their own here; the service allows them on the press)."""
    if not actor.is_authenticated or not actor.admin_institutions:
        return Institution.objects.none()
    return Institution.objects.filter(pk__in=actor.admin_institutions)


# --- vouchers, applications, uses ------------------------------------------------------------------------


def visible_vouchers(actor: Actor) -> QuerySet[Voucher]:
    """The vouchers of the companies the actor acts for, and those of the schemes they are an officer of."""
    if actor.is_superuser:
        return Voucher.objects.all()
    if not actor.is_authenticated:
        return Voucher.objects.none()
    return Voucher.objects.filter(Q(company_id__in=_companies(actor)) | Q(scheme__code__in=actor.schemes))


def sees_voucher(actor: Actor, voucher: Voucher) -> bool:
    return acts_for_scheme(actor, voucher.scheme.code) or acts_for_company(actor, voucher.company_id)


def access_voucher(actor: Actor, number: str, *, for_update: bool = False) -> Voucher:
    """The voucher with this number if the actor may see it; NotFound otherwise (not 403: a number says
    nothing to others)."""
    return fetch(
        visible_vouchers(actor).select_related("scheme"),
        gettext("创新券不存在"),
        for_update=for_update,
        number=number,
    )


def visible_applications(actor: Actor) -> QuerySet[VoucherApplication]:
    """Applications of the companies the actor acts for, and those to the schemes they are an officer of."""
    if actor.is_superuser:
        return VoucherApplication.objects.all()
    if not actor.is_authenticated:
        return VoucherApplication.objects.none()
    q = Q(company_id__in=_companies(actor)) | Q(scheme__code__in=actor.schemes)
    return VoucherApplication.objects.filter(q)


def access_application(actor: Actor, application_id: int, *, for_update: bool = False) -> VoucherApplication:
    require_signed_in(actor.user)
    return fetch(
        visible_applications(actor).select_related("scheme"),
        gettext("申请不存在"),
        for_update=for_update,
        pk=application_id,
    )


def visible_voucher_uses(actor: Actor) -> QuerySet[VoucherUse]:
    """Uses of the vouchers the actor may see, and uses their schemes paid."""
    if actor.is_superuser:
        return VoucherUse.objects.all()
    if not actor.is_authenticated:
        return VoucherUse.objects.none()
    q = (
        Q(voucher__company_id__in=_companies(actor))
        | Q(voucher__scheme__code__in=actor.schemes)
        | Q(payer__code__in=actor.schemes)
    )
    return VoucherUse.objects.filter(q)


def may_use_voucher_on(actor: Actor, order: Order, voucher: Voucher) -> bool:
    """The order's customer, or an admin of the voucher's company, spends the voucher on the order."""
    return (actor.is_authenticated and order.customer_id == actor.user.pk) or administers_institution(
        actor, voucher.company_id
    )


def voucher_payable_orders(actor: Actor, company_id: int) -> QuerySet[Order]:
    """The company's orders the actor may pay with its vouchers: their own, or all of the company's when
    they administer it (``may_use_voucher_on``)."""
    if not acts_for_company(actor, company_id):
        return Order.objects.none()
    rows = Order.objects.filter(customer_institution_id=company_id)
    return rows if administers_institution(actor, company_id) else rows.filter(customer=actor.user)


def voucher_party_orders(actor: Actor) -> QuerySet[Order]:
    """The orders the actor may see (``visible_orders``) and every order of a company they act for: the
    orders on which they may spend or claim a voucher."""
    if actor.is_superuser:
        return Order.objects.all()
    return visible_orders(actor) | Order.objects.filter(customer_institution_id__in=_companies(actor))


def access_voucher_order(actor: Actor, order_id: int) -> Order:
    """An order the actor may spend a voucher on or claim for (its customer side, or its provider); NotFound
    otherwise, before anything of the order (whether a voucher paid it, its state) is told."""
    require_signed_in(actor.user)
    qs = voucher_party_orders(actor).select_related(
        "booking", "instrument", "provider", "customer_institution"
    )
    order = qs.filter(pk=order_id).first()
    if order is None:
        raise NotFound(gettext("订单不存在"))
    return order


# --- redemption claims -----------------------------------------------------------------------------------


def claims_for_provider(actor: Actor, order: Order) -> bool:
    """In 通兑 mode the provider claims: whoever operates its orders."""
    return operates(actor, order.provider_id, "orders")


def claims_for_company(actor: Actor, order: Order) -> bool:
    """In 通用 mode the company claims: its members or admins."""
    return acts_for_company(actor, order.customer_institution_id)


def visible_claims(actor: Actor) -> QuerySet[RedemptionClaim]:
    """Claims to the schemes the actor is an officer of, claims their institution made (as a company or as
    a provider whose orders they operate), and claims on their companies' orders."""
    if actor.is_superuser:
        return RedemptionClaim.objects.all()
    if not actor.is_authenticated:
        return RedemptionClaim.objects.none()
    companies = _companies(actor)
    claimants = companies | (operated_institution_ids(actor, "orders") or set())
    q = (
        Q(scheme__code__in=actor.schemes)
        | Q(claimant_id__in=claimants)
        | Q(order__customer_institution_id__in=companies)
    )
    return RedemptionClaim.objects.filter(q)


def access_claim(actor: Actor, claim_id: int, *, for_update: bool = False) -> RedemptionClaim:
    require_signed_in(actor.user)
    return fetch(
        visible_claims(actor).select_related("scheme"),
        gettext("兑付申请不存在"),
        for_update=for_update,
        pk=claim_id,
    )


# --- related parties -------------------------------------------------------------------------------------


def declaring_scheme(actor: Actor, scheme_code: str | None) -> str | None:
    """The scheme a declaration of related parties is made for: the one named, or the officer's only one."""
    if scheme_code:
        return scheme_code
    if len(actor.schemes) == 1 and not actor.is_superuser:
        return next(iter(actor.schemes))
    return None


def may_declare_related(actor: Actor, first_id: int, second_id: int, scheme_code: str | None) -> bool:
    """A scheme's officer declares for that scheme only: the declaration counts in that scheme's checks
    and no other (a Zhejiang officer's word does not weigh on Shanghai's vouchers). Without a scheme, the
    declaration counts in every scheme, so only an admin of one of the parties (declaring oneself related
    only ever restricts oneself) or a superuser may make it."""
    if scheme_code:
        return acts_for_scheme(actor, scheme_code)
    return (
        actor.is_superuser
        or administers_institution(actor, first_id)
        or administers_institution(actor, second_id)
    )
