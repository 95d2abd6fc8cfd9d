"""Every write of the network domain: platforms, their members, institutions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from dayi.accounts.access import (
    Actor,
    can_create_institutions,
    check_institution_admin,
    check_platform_admin,
    require_signed_in,
)
from dayi.core import audit
from dayi.core.errors import Forbidden, NotFound, ValidationFailed
from dayi.network import credit_code
from dayi.network.errors import DuplicateRecord
from dayi.network.models import (
    PLATFORM_LEVEL_ORDER,
    Institution,
    InstitutionKind,
    Membership,
    Platform,
    PlatformLevel,
    Region,
)

# --- look-ups ----------------------------------------------------------------------------------------------


def get_platform(code: str, *, for_update: bool = False) -> Platform:
    qs = Platform.objects.select_for_update() if for_update else Platform.objects
    platform = qs.filter(code=code).first()
    if platform is None:
        raise NotFound(f"平台 {code} 不存在 (no such platform)")
    return platform


def get_institution(institution_id: int, *, for_update: bool = False) -> Institution:
    qs = Institution.objects.select_for_update() if for_update else Institution.objects
    institution = qs.filter(pk=institution_id).first()
    if institution is None:
        raise NotFound("单位不存在 (no such institution)")
    return institution


def _regions(codes: list[str], field: str) -> list[Region]:
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationFailed(
            fields={field: [f"未知的行政区划代码 {', '.join(missing)} (unknown region codes)"]}
        )
    return [found[c] for c in codes]


def _region(code: str, field: str = "region") -> Region:
    return _regions([code], field)[0]


# --- platforms ---------------------------------------------------------------------------------------------


def _check_level(level: str, parent: Platform | None) -> None:
    if level not in PlatformLevel.values:
        raise ValidationFailed(fields={"level": [f"未知的平台级别 {level!r} (unknown level)"]})
    if parent is not None and PLATFORM_LEVEL_ORDER.index(level) < PLATFORM_LEVEL_ORDER.index(parent.level):
        raise ValidationFailed(
            fields={"level": ["下级平台的级别不能高于上级 (a child cannot rank above its parent)"]}
        )


def _check_level_above_children(level: str, platform: Platform) -> None:
    rank = PLATFORM_LEVEL_ORDER.index(level)
    if any(PLATFORM_LEVEL_ORDER.index(c.level) < rank for c in platform.children.all()):
        raise ValidationFailed(
            fields={"level": ["不能低于其下级平台的级别 (a platform cannot rank below its children)"]}
        )


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
        if not actor.is_superuser:
            raise Forbidden("只有超级管理员可以创建顶级平台 (only a superuser creates a root platform)")
    else:
        check_platform_admin(actor, parent)
    _check_level(level, parent)
    if not code or not code.replace("-", "").replace("_", "").isalnum() or len(code) > 32:
        raise ValidationFailed(fields={"code": ["代码只能包含字母、数字、- 和 _ (letters, digits, - and _)"]})
    if not name.strip():
        raise ValidationFailed(fields={"name": ["不能为空 (required)"]})
    if Platform.objects.filter(code=code).exists():
        raise DuplicateRecord(
            f"平台代码 {code} 已存在 (platform code taken)", fields={"code": ["已存在 (taken)"]}
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
        raise ValidationFailed(fields={"name": ["不能为空 (required)"]})
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
        if not actor.is_superuser:
            raise Forbidden("只有超级管理员可以创建顶级平台 (only a superuser creates a root platform)")
        new_parent = None
    else:
        new_parent = get_platform(parent_code)
        check_platform_admin(actor, new_parent)
        if new_parent.path.startswith(platform.path):
            raise ValidationFailed(fields={"parent": ["不能移到自己的下级 (would make a cycle)"]})
        _check_level(platform.level, new_parent)
    old_path = platform.path
    new_path = f"{new_parent.path if new_parent else '/'}{platform.code}/"
    Platform.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1))
    )
    platform.parent = new_parent
    platform.path = new_path


@transaction.atomic
def add_member(actor: Actor, code: str, institution_id: int, *, now: dt.datetime) -> Membership:
    require_signed_in(actor.user)
    platform = get_platform(code)
    check_platform_admin(actor, platform)
    institution = Institution.objects.filter(pk=institution_id).first()
    if institution is None:
        raise ValidationFailed(fields={"institution": ["单位不存在 (no such institution)"]})
    membership, created = Membership.objects.get_or_create(platform=platform, institution=institution)
    if not created:
        raise DuplicateRecord("该单位已是平台成员 (already a member)")
    audit.record(
        "platform.add_member",
        platform,
        actor=actor.user,
        after={"institution": institution.pk},
        institution_id=institution.pk,
        now=now,
    )
    return membership


@transaction.atomic
def remove_member(actor: Actor, code: str, institution_id: int, *, now: dt.datetime) -> None:
    require_signed_in(actor.user)
    platform = get_platform(code)
    check_platform_admin(actor, platform)
    deleted, _ = Membership.objects.filter(platform=platform, institution_id=institution_id).delete()
    if not deleted:
        raise NotFound("该单位不是平台成员 (not a member)")
    audit.record(
        "platform.remove_member",
        platform,
        actor=actor.user,
        before={"institution": institution_id},
        institution_id=institution_id,
        now=now,
    )


def platform_dict(platform: Platform) -> dict[str, Any]:
    return {
        "code": platform.code,
        "name": platform.name,
        "name_en": platform.name_en,
        "level": platform.level,
        "parent": platform.parent.code if platform.parent_id else None,  # type: ignore[union-attr]
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
)


def _clean_institution(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for key in INSTITUTION_FIELDS:
        if key in data and data[key] is not None:
            clean[key] = data[key]
    if "name" in clean and not str(clean["name"]).strip():
        errors["name"] = ["不能为空 (required)"]
    if "credit_code" in clean:
        clean["credit_code"] = str(clean["credit_code"]).strip().upper()
        why = credit_code.problem(clean["credit_code"])
        if why:
            errors["credit_code"] = [why]
    if "kind" in clean and clean["kind"] not in InstitutionKind.values:
        errors["kind"] = [f"未知类型 {clean['kind']!r} (unknown kind)"]
    if "region" in clean:
        region = Region.objects.filter(code=clean["region"]).first()
        if region is None:
            errors["region"] = [f"未知的行政区划代码 {clean['region']} (unknown region)"]
        clean["region"] = region
    if errors:
        raise ValidationFailed("单位信息有误 (the institution has invalid fields)", fields=errors)
    return clean


def _check_credit_code_free(code: str, exclude_pk: int | None = None) -> None:
    qs = Institution.objects.filter(credit_code=code)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise DuplicateRecord(
            "统一社会信用代码已被登记 (credit code already registered)",
            fields={"credit_code": ["已存在 (taken)"]},
        )


@transaction.atomic
def create_institution(
    actor: Actor, data: dict[str, Any], *, platforms: list[str] | None = None, now: dt.datetime
) -> Institution:
    require_signed_in(actor.user)
    if not can_create_institutions(actor):
        raise Forbidden("只有平台管理员可以登记单位 (only platform admins onboard institutions)")
    missing = [k for k in ("name", "credit_code", "kind", "region") if data.get(k) in (None, "")]
    if missing:
        raise ValidationFailed(fields={k: ["必填 (required)"] for k in missing})
    targets = [get_platform(code) for code in platforms or []]
    for platform in targets:
        check_platform_admin(actor, platform)
    if not targets and not actor.is_superuser:
        raise ValidationFailed(fields={"platforms": ["请指定加入的平台 (name the platform it joins)"]})
    clean = _clean_institution(data)
    _check_credit_code_free(clean["credit_code"])
    institution = Institution.objects.create(**clean)
    for platform in targets:
        Membership.objects.create(platform=platform, institution=institution)
    audit.record(
        "institution.create",
        institution,
        actor=actor.user,
        after={**audit.snapshot(institution), "platforms": [p.code for p in targets]},
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
