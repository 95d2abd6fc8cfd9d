"""Schemes, provider listings, recognition agreements between schemes, and declared related parties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from dayi.accounts.access import Actor, check_institution_admin
from dayi.accounts.access.vouchers import (
    check_officer,
    check_scheme_admin,
    declaring_scheme,
    may_declare_related,
    may_set_up_scheme,
    works_in_voucher_office,
)
from dayi.accounts.models import Role, RoleGrant
from dayi.core import audit
from dayi.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from dayi.core.money import yuan
from dayi.directory.models import Category, ServiceMode
from dayi.network.models import Institution, Platform, Region
from dayi.vouchers.models import (
    CreditEntryKind,
    ListingStatus,
    Payer,
    ProviderCreditEntry,
    ProviderRule,
    Recognition,
    RedemptionMode,
    RelatedParties,
    VoucherListing,
    VoucherScheme,
)
from dayi.vouchers.services.common import get_scheme, user_of

NOTICE_PERIOD = dt.timedelta(days=7)  # the default of VoucherScheme.notice_days

# The fields a PATCH may change; the code, the funder and the money counters never change this way.
EDITABLE = (
    "name",
    "budget",
    "subsidy_ratio",
    "cap_per_company",
    "period_start",
    "period_end",
    "use_days",
    "redemption_days",
    "notice_days",
    "eligible_regions",
    "sme_only",
    "max_company_age_years",
    "modes",
    "categories",
    "provider_rule",
    "provider_platform",
    "mode",
)


def create_scheme(actor: Actor, data: dict[str, Any], *, now: dt.datetime) -> VoucherScheme:
    """A new scheme, by a superuser or a platform admin over the funding institution."""
    funder_id = data["funder"]
    if not may_set_up_scheme(actor, funder_id):
        raise Forbidden(gettext("只有资助单位所在平台的管理员可以设立券种"))
    if not Institution.objects.filter(pk=funder_id).exists():
        raise ValidationFailed(gettext("资助单位不存在"), fields={"funder": ["not found"]})
    if not Region.objects.filter(pk=data["region"]).exists():
        raise ValidationFailed(gettext("地区不存在"), fields={"region": ["not found"]})
    values = _clean({k: v for k, v in data.items() if k in EDITABLE})
    if VoucherScheme.objects.filter(code=data["code"]).exists():
        raise Conflict(gettext("券种代码已存在"), code="duplicate")
    with transaction.atomic():
        scheme = VoucherScheme.objects.create(
            code=data["code"], funder_id=funder_id, region_id=data["region"], created=now, **values
        )
        audit.record(
            "voucher_scheme.create", scheme, actor=user_of(actor), after=audit.snapshot(scheme), now=now
        )
        if works_in_voucher_office(actor):
            _make_officer(actor, scheme, now=now)
    return scheme


def _make_officer(actor: Actor, scheme: VoucherScheme, *, now: dt.datetime) -> None:
    """An officer who sets up a scheme becomes one of its officers, so the scheme they made is theirs to
    run (its terms, its queue); a platform admin who sets one up names the officers separately."""
    grant = RoleGrant.objects.create(user=actor.user, role=Role.VOUCHER_OFFICER, scheme=scheme.code)
    audit.record(
        "role.grant",
        grant,
        actor=actor.user,
        after={"user": actor.user.pk, "role": Role.VOUCHER_OFFICER, "scheme": scheme.code},
        now=now,
    )


def update_scheme(actor: Actor, code: str, changes: dict[str, Any], *, now: dt.datetime) -> VoucherScheme:
    """Change a scheme's terms. The budget may not fall below what is already reserved and spent: the
    conditional UPDATE states it, so an approval racing this edit cannot be left above the budget."""
    scheme = get_scheme(code)
    check_scheme_admin(actor, scheme)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationFailed(fields={k: [gettext("不可修改")] for k in unknown})
    merged = {f: getattr(scheme, f) for f in EDITABLE if f != "provider_platform"}
    merged["provider_platform"] = scheme.provider_platform.code if scheme.provider_platform else None
    values = _clean({**merged, **changes})
    values = {k: v for k, v in values.items() if k in changes}
    with transaction.atomic():
        before = audit.snapshot(scheme)
        query = VoucherScheme.objects.filter(pk=scheme.pk)
        if "budget" in values:
            query = query.filter(reserved__lte=values["budget"] - F("spent"))
        if values and not query.update(**values):
            raise ValidationFailed(
                gettext("预算不能低于已预留与已使用之和"),
                fields={"budget": [f"≥ {scheme.reserved + scheme.spent}"]},
            )
        scheme.refresh_from_db()
        audit.record(
            "voucher_scheme.update",
            scheme,
            actor=user_of(actor),
            before=before,
            after=audit.snapshot(scheme),
            now=now,
        )
    return scheme


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """The scheme's fields, checked together; every problem named by its field."""
    fields: dict[str, list[str]] = {}
    out = dict(data)

    def money_field(name: str, *, positive: bool) -> None:
        if name not in data:
            return
        try:
            value = yuan(data[name])
        except (InvalidOperation, ValueError, TypeError):
            fields[name] = [gettext("应为金额")]
            return
        if value < 0 or (positive and value == 0):
            fields[name] = [gettext("须大于零") if positive else gettext("不能为负")]
        out[name] = value

    money_field("budget", positive=False)
    money_field("cap_per_company", positive=True)
    if "subsidy_ratio" in data:
        try:
            ratio = Decimal(str(data["subsidy_ratio"]))
            if not Decimal(0) < ratio <= 1:
                fields["subsidy_ratio"] = [gettext("应在 (0, 1] 之间")]
            out["subsidy_ratio"] = ratio
        except InvalidOperation:
            fields["subsidy_ratio"] = [gettext("应为小数")]
    start, end = data.get("period_start"), data.get("period_end")
    if start and end and end < start:
        fields["period_end"] = [gettext("不能早于开始日期")]
    for name in ("use_days", "redemption_days", "notice_days"):
        if name in data and (not isinstance(data[name], int) or data[name] < 1):
            fields[name] = [gettext("须为正整数")]
    _check_codes(data, out, fields)
    if fields:
        raise ValidationFailed(gettext("券种参数无效"), fields=fields)
    return out


def _check_codes(data: dict[str, Any], out: dict[str, Any], fields: dict[str, list[str]]) -> None:
    regions = list(data.get("eligible_regions") or [])
    if regions and Region.objects.filter(pk__in=regions).count() != len(set(regions)):
        fields["eligible_regions"] = [gettext("含未知地区代码")]
    modes = list(data.get("modes") or [])
    if any(m not in ServiceMode.values for m in modes):
        fields["modes"] = [gettext("应为 %(choices)s") % {"choices": ", ".join(ServiceMode.values)}]
    categories = list(data.get("categories") or [])
    if categories and Category.objects.filter(pk__in=categories).count() != len(set(categories)):
        fields["categories"] = [gettext("含未知分类代码")]
    if data.get("mode", RedemptionMode.TONGDUI) not in RedemptionMode.values:
        fields["mode"] = ["应为 tongdui 或 tongyong"]
    rule = data.get("provider_rule", ProviderRule.LISTED)
    if rule not in ProviderRule.values:
        fields["provider_rule"] = [
            gettext("应为 %(choices)s 之一") % {"choices": ", ".join(ProviderRule.values)}
        ]
    platform_code = data.get("provider_platform")
    platform = Platform.objects.filter(code=platform_code).first() if platform_code else None
    if platform_code and platform is None:
        fields["provider_platform"] = [gettext("平台不存在")]
    if rule == ProviderRule.PLATFORM and platform is None:
        fields.setdefault("provider_platform", [gettext("按平台成员付费时须指明平台")])
    if "provider_platform" in data:
        out["provider_platform"] = platform
    out["eligible_regions"] = regions
    out["modes"] = modes
    out["categories"] = categories


# --- provider listings ----------------------------------------------------------------------------------


def request_listing(actor: Actor, scheme_code: str, provider_id: int, *, now: dt.datetime) -> VoucherListing:
    """A provider's admin asks to be listed; the request is public for the notice period."""
    check_institution_admin(actor, provider_id)
    scheme = get_scheme(scheme_code)
    if VoucherListing.objects.filter(scheme=scheme, provider_id=provider_id).exists():
        raise Conflict(gettext("已申请入库"), code="duplicate")
    with transaction.atomic():
        listing = VoucherListing.objects.create(
            scheme=scheme,
            provider_id=provider_id,
            notice_until=now + dt.timedelta(days=scheme.notice_days),
            created=now,
        )
        audit.record(
            "voucher_listing.request", listing, actor=user_of(actor), institution_id=provider_id, now=now
        )
    return listing


def approve_listing(actor: Actor, scheme_code: str, listing_id: int, *, now: dt.datetime) -> VoucherListing:
    scheme = get_scheme(scheme_code)
    check_officer(actor, scheme)
    with transaction.atomic():
        listing = VoucherListing.objects.select_for_update().filter(pk=listing_id, scheme=scheme).first()
        if listing is None:
            raise NotFound(gettext("入库申请不存在"))
        if listing.status != ListingStatus.PENDING:
            raise Conflict(gettext("该入库申请已处理"), code="invalid_state")
        if now < listing.notice_until:
            raise Conflict(
                gettext("公示期未满"),
                code="invalid_state",
                notice_until=listing.notice_until,
            )
        listing.status = ListingStatus.APPROVED
        listing.save(update_fields=["status"])
        audit.record(
            "voucher_listing.approve",
            listing,
            actor=user_of(actor),
            institution_id=listing.provider_id,
            now=now,
        )
    return listing


def delist_provider(
    actor: Actor, scheme_code: str, provider_id: int, *, reason: str, now: dt.datetime
) -> VoucherListing:
    """The scheme's officer bars a provider from the scheme for a stated reason: a listed provider comes
    off the list, a pending request is refused, and a provider the scheme pays by rule (its region, a
    platform's members) gets a delisted record that overrides the rule. The listing stays as the public
    record; the provider's credit record gets an entry that every scheme's officers read before they list
    it; vouchers of the scheme no longer pay it (``checks.provider_eligible``)."""
    scheme = get_scheme(scheme_code)
    check_officer(actor, scheme)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [_("请说明移出的理由")]})
    if not Institution.objects.filter(pk=provider_id).exists():
        raise ValidationFailed(fields={"provider": [_("服务机构不存在")]})
    with transaction.atomic():
        # The scheme's row first (the lock order of common.py), so two officers delisting a provider that
        # has no listing yet cannot both insert one; then the listing's, so an approval racing this
        # delisting waits and then sees it delisted.
        VoucherScheme.objects.select_for_update().filter(pk=scheme.pk).first()
        listing = (
            VoucherListing.objects.select_for_update().filter(scheme=scheme, provider_id=provider_id).first()
        )
        if listing is not None and listing.status == ListingStatus.DELISTED:
            raise Conflict(_("该服务机构已被移出"), code="invalid_state")
        before = {"status": listing.status if listing else None}
        if listing is None:
            listing = VoucherListing(scheme=scheme, provider_id=provider_id, notice_until=now, created=now)
        listing.status, listing.delisted, listing.reason = ListingStatus.DELISTED, now, reason
        listing.save()
        ProviderCreditEntry.objects.create(
            provider_id=provider_id,
            scheme=scheme,
            listing=listing,
            kind=CreditEntryKind.DELISTED,
            reason=reason,
            actor=user_of(actor),
            created=now,
        )
        audit.record(
            "voucher_listing.delist",
            listing,
            actor=user_of(actor),
            before=before,
            after={"status": ListingStatus.DELISTED},
            institution_id=provider_id,
            reason=reason,
            now=now,
        )
    return listing


# --- recognitions ----------------------------------------------------------------------------------------


def add_recognition(
    actor: Actor, scheme_code: str, *, accepts: str, payer: str, mode: str, now: dt.datetime
) -> Recognition:
    """Scheme ``scheme_code`` lets its companies use vouchers at providers of ``accepts``. The issuing
    scheme's officers sign for it; when the other scheme is to pay, its officers must sign too (an officer
    of both, or a superuser), since it is their budget."""
    scheme = get_scheme(scheme_code)
    check_officer(actor, scheme)
    other = get_scheme(accepts)
    fields: dict[str, list[str]] = {}
    if payer not in Payer.values:
        fields["payer"] = ["应为 issuer 或 provider"]
    if mode not in RedemptionMode.values:
        fields["mode"] = ["应为 tongdui 或 tongyong"]
    if other.pk == scheme.pk:
        fields["scheme"] = [gettext("不能互认自身")]
    if fields:
        raise ValidationFailed(gettext("互认参数无效"), fields=fields)
    if payer == Payer.PROVIDER:
        check_officer(actor, other)
    if Recognition.objects.filter(scheme=scheme, accepts=other).exists():
        raise Conflict(gettext("已存在该互认"), code="duplicate")
    with transaction.atomic():
        recognition = Recognition.objects.create(
            scheme=scheme, accepts=other, payer=payer, mode=mode, created=now
        )
        audit.record(
            "voucher_recognition.create",
            recognition,
            actor=user_of(actor),
            after=audit.snapshot(recognition),
            now=now,
        )
    return recognition


# --- related parties -------------------------------------------------------------------------------------


def declare_related(
    actor: Actor,
    first_id: int,
    second_id: int,
    *,
    reason: str,
    scheme: str | None = None,
    now: dt.datetime,
) -> RelatedParties:
    """Record that two institutions are related, for one scheme's fraud checks (its officer declares) or for
    all of them (an admin of either party declares: declaring oneself related only ever restricts)."""
    code = declaring_scheme(actor, scheme)
    if not may_declare_related(actor, first_id, second_id, code):
        raise Forbidden(gettext("只有该创新券方案的经办人员或相关单位管理员可以申报"))
    scheme_row = VoucherScheme.objects.filter(code=code).first() if code else None
    if code and scheme_row is None:
        raise ValidationFailed(fields={"scheme": [gettext("创新券方案不存在")]})
    if first_id == second_id:
        raise ValidationFailed(fields={"second": [gettext("须为另一单位")]})
    if Institution.objects.filter(pk__in=[first_id, second_id]).count() != 2:
        raise ValidationFailed(fields={"institution": [gettext("单位不存在")]})
    if not reason.strip():
        raise ValidationFailed(fields={"reason": [gettext("请说明关联关系")]})
    first, second = sorted((first_id, second_id))
    if RelatedParties.objects.filter(first_id=first, second_id=second, scheme=scheme_row).exists():
        raise Conflict(gettext("已申报"), code="duplicate")
    with transaction.atomic():
        pair = RelatedParties.objects.create(
            first_id=first,
            second_id=second,
            scheme=scheme_row,
            reason=reason.strip(),
            declared_by=user_of(actor),
            created=now,
        )
        audit.record(
            "related_parties.declare",
            pair,
            actor=user_of(actor),
            after={"first": first, "second": second, "scheme": code},
            reason=pair.reason,
            now=now,
        )
    return pair
