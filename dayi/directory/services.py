"""Every write of the directory: instruments (create, edit, retire) and experts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from dayi.accounts.access import Actor, check_operates, require_signed_in
from dayi.accounts.access.directory import (
    access_expert,
    access_instrument,
    get_listed_instrument,
    may_name_experts_without_institution,
)
from dayi.booking.policy import starting_policy
from dayi.core import audit
from dayi.core.errors import Conflict, ValidationFailed
from dayi.directory.errors import DuplicateInventoryNo
from dayi.directory.models import Expert, Instrument
from dayi.directory.records import Lookups, clean_instrument
from dayi.network.models import Institution
from dayi.search.segment import instrument_words

# A listed instrument, public (the directory's own read; the access layer keeps the one definition).
get_instrument = get_listed_instrument


def _raise_if_invalid(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed(gettext("仪器信息有误"), fields=errors)


@transaction.atomic
def create_instrument(actor: Actor, data: dict[str, Any], *, now: dt.datetime) -> Instrument:
    require_signed_in(actor.user)
    institution = Institution.objects.filter(pk=data.get("institution") or 0).first()
    if institution is None:
        raise ValidationFailed(fields={"institution": [gettext("单位不存在")]})
    check_operates(actor, institution.pk, "instruments")
    clean, errors = clean_instrument(data, Lookups.load())
    _raise_if_invalid(errors)
    clean.setdefault("region", institution.region)
    if not clean.get("booking_policy"):  # the institution's default, not "open round the clock"
        clean["booking_policy"] = starting_policy(institution.default_booking_policy)
    instrument = Instrument(institution=institution, **clean)
    instrument.search_words = instrument_words(instrument)
    try:
        with transaction.atomic():
            instrument.save()
    except IntegrityError:
        raise DuplicateInventoryNo(
            gettext("本单位已有资产编号为 %(clean)s 的仪器") % {"clean": clean["inventory_no"]},
            fields={"inventory_no": [gettext("已存在")]},
        ) from None
    audit.record(
        "instrument.create",
        instrument,
        actor=actor.user,
        after=audit.snapshot(instrument),
        institution_id=institution.pk,
        now=now,
    )
    return instrument


@transaction.atomic
def update_instrument(
    actor: Actor, instrument_id: int, data: dict[str, Any], *, now: dt.datetime
) -> Instrument:
    instrument = access_instrument(actor, instrument_id, for_update=True)
    data = {k: v for k, v in data.items() if k not in ("id", "institution", "created", "updated")}
    clean, errors = clean_instrument(data, Lookups.load(), partial=True)
    _raise_if_invalid(errors)
    before = audit.snapshot(instrument)
    for key, value in clean.items():
        setattr(instrument, key, value)
    instrument.search_words = instrument_words(instrument)
    try:
        with transaction.atomic():
            instrument.save()
    except IntegrityError:
        raise DuplicateInventoryNo(
            gettext("本单位已有该资产编号的仪器"), fields={"inventory_no": [gettext("已存在")]}
        ) from None
    b, a = audit.changes(before, audit.snapshot(instrument))
    audit.record(
        "instrument.update",
        instrument,
        actor=actor.user,
        before=b,
        after=a,
        institution_id=instrument.institution_id,
        now=now,
    )
    return instrument


@transaction.atomic
def retire_instrument(actor: Actor, instrument_id: int, *, now: dt.datetime, reason: str = "") -> Instrument:
    """Take an instrument out of the directory. Its history (bookings, usage) stays; it is not deleted."""
    instrument = access_instrument(actor, instrument_id, for_update=True)
    Instrument.objects.filter(pk=instrument.pk).update(retired=now, updated=now)
    audit.record(
        "instrument.retire",
        instrument,
        actor=actor.user,
        before={"retired": None},
        after={"retired": now.isoformat()},
        institution_id=instrument.institution_id,
        reason=reason,
        now=now,
    )
    instrument.retired = now
    return instrument


# --- experts ---------------------------------------------------------------------------------------------

EXPERT_FIELDS = ("name", "title", "fields_of_expertise", "contact")


def _expert_values(data: dict[str, Any]) -> dict[str, Any]:
    """The expert's own fields from the input, trimmed; every problem named by its field."""
    values: dict[str, Any] = {}
    if "name" in data:
        name = str(data.get("name") or "").strip()
        if not name or len(name) > 64:
            raise ValidationFailed(fields={"name": [gettext("必填，不超过64字")]})
        values["name"] = name
    if "title" in data:
        values["title"] = str(data.get("title") or "").strip()[:64]
    if "fields_of_expertise" in data:
        fields = [str(f).strip()[:64] for f in data.get("fields_of_expertise") or []]
        values["fields_of_expertise"] = [f for f in fields if f]
    if "contact" in data:
        values["contact"] = str(data.get("contact") or "").strip()[:128]
    return values


@transaction.atomic
def create_expert(actor: Actor, data: dict[str, Any], *, now: dt.datetime) -> Expert:
    require_signed_in(actor.user)
    institution_id = data.get("institution")
    if institution_id is None:
        if not may_name_experts_without_institution(actor):
            raise ValidationFailed(fields={"institution": [gettext("必填")]})
    else:
        if not Institution.objects.filter(pk=institution_id).exists():
            raise ValidationFailed(fields={"institution": [gettext("单位不存在")]})
        check_operates(actor, institution_id, "instruments")
    values = _expert_values({"name": "", **data})
    expert = Expert.objects.create(institution_id=institution_id, **values)
    audit.record(
        "expert.create",
        expert,
        actor=actor.user,
        after=audit.snapshot(expert),
        institution_id=institution_id,
        now=now,
    )
    return expert


@transaction.atomic
def update_expert(actor: Actor, expert_id: int, changes: dict[str, Any], *, now: dt.datetime) -> Expert:
    """Change an expert's name, title, fields or contact (their institution does not change: an expert who
    moves is retired and listed again by the new institution)."""
    expert = access_expert(actor, expert_id, for_update=True)
    unknown = sorted(set(changes) - set(EXPERT_FIELDS))
    if unknown:
        raise ValidationFailed(fields={k: [_("不可修改")] for k in unknown})
    values = _expert_values(changes)
    before = audit.snapshot(expert)
    for name, value in values.items():
        setattr(expert, name, value)
    if values:
        expert.save(update_fields=list(values))
    audit.record(
        "expert.update",
        expert,
        actor=actor.user,
        before=before,
        after=audit.snapshot(expert),
        institution_id=expert.institution_id,
        now=now,
    )
    return expert


@transaction.atomic
def retire_expert(actor: Actor, expert_id: int, *, reason: str = "", now: dt.datetime) -> Expert:
    """Take an expert off the lists and out of matching; the record stays."""
    expert = access_expert(actor, expert_id, for_update=True)
    if expert.retired is not None:
        raise Conflict(_("该专家已退出"), code="invalid_state")
    Expert.objects.filter(pk=expert.pk).update(retired=now)
    expert.retired = now
    audit.record(
        "expert.retire",
        expert,
        actor=actor.user,
        before={"retired": None},
        after={"retired": now.isoformat()},
        institution_id=expert.institution_id,
        reason=reason.strip(),
        now=now,
    )
    return expert
