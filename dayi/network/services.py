"""Every write of the network domain: platforms, their members, institutions."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from dayi.accounts.access import (
    Actor,
    administered_institution_ids,
    administered_platforms,
    administers_institution,
    administers_platform,
    administers_platform_above,
    can_create_institutions,
    check_institution_admin,
    check_platform_admin,
    is_superuser,
    platform_oversees_institution,
    require_signed_in,
)
from dayi.core import audit
from dayi.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from dayi.network import credit_code
from dayi.network.errors import DuplicateRecord, NotAMember, OutsideRegions
from dayi.network.models import (
    PLATFORM_LEVEL_ORDER,
    POWERS,
    Delegation,
    Institution,
    InstitutionKind,
    Membership,
    MembershipStatus,
    Platform,
    PlatformLevel,
    Region,
    region_prefix,
)

# --- look-ups ----------------------------------------------------------------------------------------------


def get_platform(code: str, *, for_update: bool = False) -> Platform:
    qs = Platform.objects.select_for_update() if for_update else Platform.objects
    platform = qs.filter(code=code).first()
    if platform is None:
        raise NotFound(gettext("平台 %(code)s 不存在") % {"code": code})
    return platform


def get_institution(institution_id: int, *, for_update: bool = False) -> Institution:
    qs = Institution.objects.select_for_update() if for_update else Institution.objects
    institution = qs.filter(pk=institution_id).first()
    if institution is None:
        raise NotFound(gettext("单位不存在"))
    return institution


def _regions(codes: list[str], field: str) -> list[Region]:
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationFailed(
            fields={field: [gettext("未知的行政区划代码 %(choices)s") % {"choices": ", ".join(missing)}]}
        )
    return [found[c] for c in codes]


def _region(code: str, field: str = "region") -> Region:
    return _regions([code], field)[0]


# --- platforms ---------------------------------------------------------------------------------------------


def _check_level(level: str, parent: Platform | None) -> None:
    if level not in PlatformLevel.values:
        raise ValidationFailed(
            fields={"level": [gettext("未知的平台级别 %(level)s") % {"level": f"{level!r}"}]}
        )
    if parent is not None and PLATFORM_LEVEL_ORDER.index(level) < PLATFORM_LEVEL_ORDER.index(parent.level):
        raise ValidationFailed(fields={"level": [gettext("下级平台的级别不能高于上级")]})


def _check_level_above_children(level: str, platform: Platform) -> None:
    rank = PLATFORM_LEVEL_ORDER.index(level)
    if any(PLATFORM_LEVEL_ORDER.index(c.level) < rank for c in platform.children.all()):
        raise ValidationFailed(fields={"level": [gettext("不能低于其下级平台的级别")]})


@transaction.atomic
def create_platform(
    actor: Actor,
    *,
    code: str,
    name: str,
    level: str,
    parent_code: str | None = None,
    regions: list[str] | None = None,
    name_en: str = "",
    description: str = "",
    now: dt.datetime,
) -> Platform:
    require_signed_in(actor.user)
    parent = get_platform(parent_code) if parent_code else None
    if parent is None:
        if not is_superuser(actor):
            raise Forbidden(gettext("只有超级管理员可以创建顶级平台"))
    else:
        check_platform_admin(actor, parent)
    _check_level(level, parent)
    if not code or not code.replace("-", "").replace("_", "").isalnum() or len(code) > 32:
        raise ValidationFailed(fields={"code": [gettext("代码只能包含字母、数字、- 和 _")]})
    if not name.strip():
        raise ValidationFailed(fields={"name": [gettext("不能为空")]})
    if Platform.objects.filter(code=code).exists():
        raise DuplicateRecord(
            gettext("平台代码 %(code)s 已存在") % {"code": code}, fields={"code": [gettext("已存在")]}
        )
    platform = Platform.objects.create(
        code=code,
        name=name,
        name_en=name_en,
        level=level,
        parent=parent,
        path=f"{parent.path if parent else '/'}{code}/",
        description=description,
    )
    platform.regions.set(_regions(regions or [], "regions"))
    audit.record("platform.create", platform, actor=actor.user, after=platform_dict(platform), now=now)
    return platform


@transaction.atomic
def update_platform(actor: Actor, code: str, changes: dict[str, Any], *, now: dt.datetime) -> Platform:
    require_signed_in(actor.user)
    platform = get_platform(code, for_update=True)
    check_platform_admin(actor, platform)
    before = platform_dict(platform)
    for key in ("name", "name_en", "description"):
        if key in changes and changes[key] is not None:
            setattr(platform, key, changes[key])
    if "name" in changes and not str(changes["name"] or "").strip():
        raise ValidationFailed(fields={"name": [gettext("不能为空")]})
    if changes.get("level") is not None:
        _check_level(changes["level"], platform.parent)
        _check_level_above_children(changes["level"], platform)
        platform.level = changes["level"]
    if "parent" in changes and changes["parent"] != (platform.parent.code if platform.parent else None):
        _move(actor, platform, changes["parent"])
    platform.save()
    if changes.get("regions") is not None:
        platform.regions.set(_regions(changes["regions"], "regions"))
    b, a = audit.changes(before, platform_dict(platform))
    audit.record("platform.update", platform, actor=actor.user, before=b, after=a, now=now)
    return platform


def _move(actor: Actor, platform: Platform, parent_code: str | None) -> None:
    """Re-hang a platform under another parent, rewriting the paths of its whole subtree in one update."""
    if not parent_code:
        if not is_superuser(actor):
            raise Forbidden(gettext("只有超级管理员可以创建顶级平台"))
        new_parent = None
    else:
        new_parent = get_platform(parent_code)
        check_platform_admin(actor, new_parent)
        if new_parent.path.startswith(platform.path):
            raise ValidationFailed(fields={"parent": [gettext("不能移到自己的下级")]})
        _check_level(platform.level, new_parent)
    old_path = platform.path
    new_path = f"{new_parent.path if new_parent else '/'}{platform.code}/"
    Platform.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1))
    )
    platform.parent = new_parent
    platform.path = new_path


def _region_codes(platform: Platform) -> list[str]:
    return [r.code for r in platform.regions.all()]


def platform_contains_region(platform: Platform, region_code: str) -> bool:
    """A national platform spans the country; any other spans the regions it lists (GB/T 2260 codes nest
    by prefix, so 330000 contains 330100 and 330106)."""
    if platform.level == PlatformLevel.NATIONAL:
        return True
    return any(region_code.startswith(region_prefix(code)) for code in _region_codes(platform))


def _check_regions(actor: Actor, platform: Platform, institution: Institution, reason: str) -> bool:
    """Whether the join overrides the region rule; raises OutsideRegions when it may not."""
    if platform_contains_region(platform, institution.region_id):
        return False
    if reason.strip() and administers_platform_above(actor, platform):
        return True
    raise OutsideRegions(
        gettext("%(institution)s 不在平台 %(platform)s 的地区范围内；上级平台管理员可附理由加入")
        % {"institution": institution.name, "platform": platform.code},
        fields={"institution": [gettext("不在平台的地区范围内")]},
    )


def _may_decide(actor: Actor, membership: Membership) -> bool:
    """The institution's own admin, or the admin of a platform strictly above the target platform whose
    subtree already holds the institution (it oversees it already, so accepting widens no one's reach
    beyond the platform tree it heads)."""
    if administers_institution(actor, membership.institution_id):
        return True
    platform = membership.platform
    return administers_platform_above(actor, platform) and platform_oversees_institution(
        actor, membership.institution_id
    )


@transaction.atomic
def request_membership(
    actor: Actor, code: str, institution_id: int, *, reason: str = "", now: dt.datetime
) -> Membership:
    """A platform admin asks an institution to join; the institution's admin decides. The region rule holds
    unless an admin of a platform above the target overrides it with a reason."""
    require_signed_in(actor.user)
    platform = get_platform(code)
    check_platform_admin(actor, platform)
    institution = Institution.objects.filter(pk=institution_id).first()
    if institution is None:
        raise ValidationFailed(fields={"institution": [gettext("单位不存在")]})
    override = _check_regions(actor, platform, institution, reason)
    existing = (
        Membership.requests.select_for_update().filter(platform=platform, institution=institution).first()
    )
    if existing is not None and existing.status != MembershipStatus.REFUSED:
        raise DuplicateRecord(gettext("该单位已是平台成员或已有待确认的申请"))
    membership = existing or Membership(platform=platform, institution=institution)
    membership.status = MembershipStatus.PENDING
    membership.requested_by = actor.user
    membership.reason = reason.strip()
    membership.decided = None
    membership.decided_by = None
    membership.refusal = ""
    membership.save()
    audit.record(
        "platform.request_member",
        membership,
        actor=actor.user,
        after={"platform": platform.code, "institution": institution.pk, "override_regions": override},
        institution_id=institution.pk,
        reason=membership.reason,
        now=now,
    )
    return membership


def add_member(
    actor: Actor, code: str, institution_id: int, *, reason: str = "", now: dt.datetime
) -> Membership:
    """Kept for callers of the old name: adding a member is now a request."""
    return request_membership(actor, code, institution_id, reason=reason, now=now)


def _pending(membership_id: int) -> Membership:
    membership = (
        Membership.requests.select_for_update(of=("self",))
        .select_related("platform")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None:
        raise NotFound(gettext("成员申请不存在"))
    return membership


def _decide(
    actor: Actor, membership_id: int, status: str, *, reason: str, may: Any, now: dt.datetime
) -> Membership:
    require_signed_in(actor.user)
    membership = _pending(membership_id)
    if not may(actor, membership):
        # Deny by default: one who may not decide learns nothing about the request.
        raise NotFound(gettext("成员申请不存在"))
    if membership.status != MembershipStatus.PENDING:
        raise Conflict(gettext("该申请已处理") % {"status": membership.status}, code="already_decided")
    membership.status = status
    membership.decided = now
    membership.decided_by = actor.user
    membership.refusal = reason.strip() if status == MembershipStatus.REFUSED else ""
    membership.save(update_fields=["status", "decided", "decided_by", "refusal"])
    audit.record(
        f"membership.{'accept' if status == MembershipStatus.ACCEPTED else 'refuse'}",
        membership,
        actor=actor.user,
        before={"status": MembershipStatus.PENDING},
        after={"status": status, "platform": membership.platform.code},
        institution_id=membership.institution_id,
        reason=membership.refusal,
        now=now,
    )
    return membership


@transaction.atomic
def accept_membership(actor: Actor, membership_id: int, *, now: dt.datetime) -> Membership:
    return _decide(actor, membership_id, MembershipStatus.ACCEPTED, reason="", may=_may_decide, now=now)


@transaction.atomic
def refuse_membership(actor: Actor, membership_id: int, *, reason: str = "", now: dt.datetime) -> Membership:
    """Only the institution's own admin refuses (an upper platform may accept on its behalf, not refuse)."""
    return _decide(
        actor,
        membership_id,
        MembershipStatus.REFUSED,
        reason=reason,
        may=lambda a, m: administers_institution(a, m.institution_id),
        now=now,
    )


@transaction.atomic
def remove_member(actor: Actor, code: str, institution_id: int, *, now: dt.datetime) -> None:
    """The platform's admins remove a member, or the institution's admin leaves."""
    require_signed_in(actor.user)
    platform = get_platform(code)
    if not (administers_platform(actor, platform) or administers_institution(actor, institution_id)):
        raise Forbidden(gettext("只有该平台或该单位的管理员可以这样做"))
    deleted, _ = Membership.requests.filter(platform=platform, institution_id=institution_id).delete()
    if not deleted:
        raise NotFound(gettext("该单位不是平台成员"))
    # Leaving ends what the institution delegated to that platform: no power outlives the membership.
    ended = Delegation.objects.filter(
        platform=platform, institution_id=institution_id, revoked__isnull=True
    ).update(revoked=now, revoked_by=actor.user)
    audit.record(
        "platform.remove_member",
        platform,
        actor=actor.user,
        before={"institution": institution_id, "delegations_ended": ended},
        institution_id=institution_id,
        now=now,
    )


def institution_memberships(actor: Actor, institution_id: int) -> QuerySet[Membership]:
    """Every membership row of an institution (requests too), for its own admin."""
    if not administers_institution(actor, institution_id):
        raise NotFound(gettext("单位不存在"))
    return (
        Membership.requests.filter(institution_id=institution_id)
        .select_related("platform")
        .order_by("-joined", "-pk")
    )


def pending_requests_for(actor: Actor) -> QuerySet[Membership]:
    """Pending requests the actor may decide as an institution's admin."""
    ids = administered_institution_ids(actor)
    qs = Membership.requests.filter(status=MembershipStatus.PENDING).select_related("platform", "institution")
    return (qs if ids is None else qs.filter(institution_id__in=ids)).order_by("joined", "pk")


def invitations_sent(actor: Actor) -> QuerySet[Membership]:
    """Pending requests to join the platforms the actor administers (what a platform admin awaits)."""
    return (
        Membership.requests.filter(
            status=MembershipStatus.PENDING, platform__in=administered_platforms(actor)
        )
        .select_related("platform", "institution")
        .order_by("joined", "pk")
    )


# --- delegations -------------------------------------------------------------------------------------------


def _clean_powers(powers: list[str]) -> list[str]:
    unknown = [p for p in powers if p not in POWERS]
    if unknown or not powers:
        raise ValidationFailed(
            fields={"powers": [gettext("应为 %(choices)s 中的一个或多个") % {"choices": ", ".join(POWERS)}]}
        )
    return [p for p in POWERS if p in powers]


@transaction.atomic
def delegate(
    actor: Actor,
    institution_id: int,
    *,
    platform_code: str,
    powers: list[str],
    until: dt.date | None = None,
    now: dt.datetime,
) -> Delegation:
    """The institution's admin lets the admins of a platform it belongs to (directly or below) operate it."""
    require_signed_in(actor.user)
    institution = get_institution(institution_id, for_update=True)
    if not administers_institution(actor, institution.pk):
        raise NotFound(gettext("单位不存在"))
    platform = get_platform(platform_code)
    clean = _clean_powers(powers)
    if until is not None and until < now.date():
        raise ValidationFailed(fields={"until": [gettext("不能早于今天")]})
    belongs = Membership.objects.filter(
        institution=institution, platform__path__startswith=platform.path
    ).exists()
    if not belongs:
        raise NotAMember(
            gettext("单位不是平台 %(code)s 的成员") % {"code": platform.code},
            fields={"platform": [gettext("单位不是该平台或其下级平台的成员")]},
        )
    delegation = Delegation.objects.create(
        institution=institution,
        platform=platform,
        powers=clean,
        until=until,
        created=now,
        created_by=actor.user,
    )
    audit.record(
        "institution.delegate",
        delegation,
        actor=actor.user,
        after={"platform": platform.code, "powers": clean, "until": until.isoformat() if until else None},
        institution_id=institution.pk,
        now=now,
    )
    return delegation


@transaction.atomic
def revoke_delegation(
    actor: Actor, institution_id: int, delegation_id: int, *, now: dt.datetime
) -> Delegation:
    require_signed_in(actor.user)
    if not administers_institution(actor, institution_id):
        raise NotFound(gettext("授权不存在"))
    delegation = (
        Delegation.objects.select_for_update(of=("self",))
        .select_related("platform")
        .filter(pk=delegation_id, institution_id=institution_id)
        .first()
    )
    if delegation is None:
        raise NotFound(gettext("授权不存在"))
    if delegation.revoked is not None:
        raise Conflict(gettext("该授权已撤销"), code="already_revoked")
    delegation.revoked = now
    delegation.revoked_by = actor.user
    delegation.save(update_fields=["revoked", "revoked_by"])
    audit.record(
        "institution.revoke_delegation",
        delegation,
        actor=actor.user,
        before={"platform": delegation.platform.code, "powers": delegation.powers},
        after={"revoked": now.isoformat()},
        institution_id=institution_id,
        now=now,
    )
    return delegation


def institution_delegations(actor: Actor, institution_id: int) -> QuerySet[Delegation]:
    """Every delegation of an institution, revoked ones too, for its own admin."""
    if not administers_institution(actor, institution_id):
        raise NotFound(gettext("单位不存在"))
    return Delegation.objects.filter(institution_id=institution_id).select_related("platform")


def delegations_received(actor: Actor, *, today: dt.date) -> QuerySet[Delegation]:
    """Live delegations to the platforms the actor administers: what that platform admin may operate."""
    return (
        Delegation.objects.filter(platform__in=administered_platforms(actor), revoked__isnull=True)
        .exclude(until__lt=today)
        .select_related("platform", "institution")
        .order_by("institution__name", "pk")
    )


def platform_dict(platform: Platform) -> dict[str, Any]:
    return {
        "code": platform.code,
        "name": platform.name,
        "name_en": platform.name_en,
        "level": platform.level,
        "parent": platform.parent.code if platform.parent is not None else None,
        "regions": sorted(r.code for r in platform.regions.all()) if platform.pk else [],
        "description": platform.description,
    }


# --- institutions ------------------------------------------------------------------------------------------

INSTITUTION_FIELDS = (
    "name",
    "name_en",
    "credit_code",
    "kind",
    "region",
    "is_sme",
    "founded",
    "department",
    "website",
    "email_domains",
)

# A DNS name: labels of letters, digits and hyphens, at least one dot ("zju.edu.cn").
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def clean_domains(raw: Any) -> list[str]:
    """E-mail domains from a list or a text (commas, spaces or new lines), lowercased, without "@" and
    duplicates; ValidationFailed names the ones that are not domains."""
    items = raw if isinstance(raw, list | tuple) else re.split(r"[\s,，;；]+", str(raw))
    domains = list(dict.fromkeys(str(d).strip().lower().lstrip("@") for d in items if str(d).strip()))
    bad = [d for d in domains if not _DOMAIN.match(d)]
    if bad:
        message = _("不是有效的域名：%(domains)s") % {"domains": ", ".join(bad)}
        raise ValidationFailed(message, fields={"email_domains": [message]})
    return domains


def _clean_institution(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for key in INSTITUTION_FIELDS:
        if key in data and data[key] is not None:
            clean[key] = data[key]
    if "name" in clean and not str(clean["name"]).strip():
        errors["name"] = [gettext("不能为空")]
    if "credit_code" in clean:
        clean["credit_code"] = str(clean["credit_code"]).strip().upper()
        why = credit_code.problem(clean["credit_code"])
        if why:
            errors["credit_code"] = [why]
    if "email_domains" in clean:
        clean["email_domains"] = clean_domains(clean["email_domains"])
    if "kind" in clean and clean["kind"] not in InstitutionKind.values:
        errors["kind"] = [gettext("未知类型 %(clean)s") % {"clean": f"{clean['kind']!r}"}]
    if "region" in clean:
        region = Region.objects.filter(code=clean["region"]).first()
        if region is None:
            errors["region"] = [gettext("未知的行政区划代码 %(clean)s") % {"clean": clean["region"]}]
        clean["region"] = region
    if errors:
        raise ValidationFailed(gettext("单位信息有误"), fields=errors)
    return clean


def _check_credit_code_free(code: str, exclude_pk: int | None = None) -> None:
    qs = Institution.objects.filter(credit_code=code)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise DuplicateRecord(
            gettext("统一社会信用代码已被登记"),
            fields={"credit_code": [gettext("已存在")]},
        )


@transaction.atomic
def create_institution(
    actor: Actor,
    data: dict[str, Any],
    *,
    platforms: list[str] | None = None,
    reason: str = "",
    now: dt.datetime,
) -> Institution:
    """A platform admin onboards a new institution into their platforms: it has no admin yet to accept, so
    it joins at once (accepted), within the platforms' regions unless an upper admin gives a reason."""
    require_signed_in(actor.user)
    if not can_create_institutions(actor):
        raise Forbidden(gettext("只有平台管理员可以登记单位"))
    missing = [k for k in ("name", "credit_code", "kind", "region") if data.get(k) in (None, "")]
    if missing:
        raise ValidationFailed(fields={k: [gettext("必填")] for k in missing})
    targets = [get_platform(code) for code in platforms or []]
    for platform in targets:
        check_platform_admin(actor, platform)
    if not targets and not is_superuser(actor):
        raise ValidationFailed(fields={"platforms": [gettext("请指定加入的平台")]})
    clean = _clean_institution(data)
    _check_credit_code_free(clean["credit_code"])
    institution = Institution(**clean)
    overrides = [p.code for p in targets if _check_regions(actor, p, institution, reason)]
    institution.save()
    for platform in targets:
        Membership.objects.create(
            platform=platform,
            institution=institution,
            status=MembershipStatus.ACCEPTED,
            requested_by=actor.user,
            decided=now,
            decided_by=actor.user,
            reason=reason.strip() if platform.code in overrides else "",
        )
    audit.record(
        "institution.create",
        institution,
        actor=actor.user,
        after={
            **audit.snapshot(institution),
            "platforms": [p.code for p in targets],
            "override_regions": overrides,
        },
        institution_id=institution.pk,
        now=now,
    )
    return institution


@transaction.atomic
def update_institution(
    actor: Actor, institution_id: int, data: dict[str, Any], *, now: dt.datetime
) -> Institution:
    require_signed_in(actor.user)
    institution = get_institution(institution_id, for_update=True)
    check_institution_admin(actor, institution.pk)
    clean = _clean_institution(data)
    if "credit_code" in clean:
        _check_credit_code_free(clean["credit_code"], exclude_pk=institution.pk)
    before = audit.snapshot(institution)
    for key, value in clean.items():
        setattr(institution, key, value)
    institution.save()
    b, a = audit.changes(before, audit.snapshot(institution))
    audit.record(
        "institution.update",
        institution,
        actor=actor.user,
        before=b,
        after=a,
        institution_id=institution.pk,
        now=now,
    )
    return institution
