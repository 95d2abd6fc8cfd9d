"""Access to instruments: reading a listed one is public; operating one is its institution's power."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from dayi.accounts.access import (
    Actor,
    administered_institution_ids,
    fetch,
    is_platform_admin,
    operated_institution_ids,
    operates,
    require_signed_in,
)
from dayi.core.errors import NotFound
from dayi.directory.models import Expert, Instrument
from dayi.network.models import Institution


def get_listed_instrument(
    instrument_id: int, *, for_update: bool = False, include_retired: bool = False
) -> Instrument:
    """A listed instrument (public), or NotFound."""
    qs = Instrument.objects.select_for_update() if for_update else Instrument.objects
    qs = qs.select_related("institution", "category", "region") if not for_update else qs
    if not include_retired:
        qs = qs.filter(retired__isnull=True)
    instrument = qs.filter(pk=instrument_id).first()
    if instrument is None:
        raise NotFound(gettext("仪器不存在"))
    return instrument


def access_instrument(actor: Actor, instrument_id: int, *, for_update: bool = False) -> Instrument:
    """The instrument if ``actor`` operates its institution's instruments; NotFound if missing or not
    theirs (deny by default: the same answer for both)."""
    require_signed_in(actor.user)
    instrument = get_listed_instrument(instrument_id, for_update=for_update)
    if not operates(actor, instrument.institution_id, "instruments"):
        raise NotFound(gettext("仪器不存在或您无权管理"))
    return instrument


def manages_instrument(actor: Actor, instrument: Instrument) -> bool:
    return actor.is_authenticated and operates(actor, instrument.institution_id, "instruments")


def operated_instruments(actor: Actor) -> QuerySet[Instrument]:
    """Every instrument (retired ones too) of the institutions whose instruments the actor operates."""
    if not actor.is_authenticated:
        return Instrument.objects.none()
    ids = operated_institution_ids(actor, "instruments")
    return Instrument.objects.all() if ids is None else Instrument.objects.filter(institution_id__in=ids)


def may_name_experts_without_institution(actor: Actor) -> bool:
    """Experts not attached to an institution are listed by platform admins (and superusers)."""
    return is_platform_admin(actor)


def manages_experts_of(actor: Actor, institution_id: int | None) -> bool:
    """Who lists, edits and retires an institution's experts: whoever operates its instruments (its admins
    and instrument managers, a platform it delegated them to); experts of no institution, platform admins."""
    if institution_id is None:
        return actor.is_authenticated and may_name_experts_without_institution(actor)
    return actor.is_authenticated and operates(actor, institution_id, "instruments")


def managed_experts(actor: Actor) -> QuerySet[Expert]:
    """The experts the actor manages (``manages_experts_of``), retired ones too."""
    if not actor.is_authenticated:
        return Expert.objects.none()
    ids = operated_institution_ids(actor, "instruments")
    if ids is None:
        return Expert.objects.all()
    q = Q(institution_id__in=ids)
    if may_name_experts_without_institution(actor):
        q |= Q(institution__isnull=True)
    return Expert.objects.filter(q)


def access_expert(actor: Actor, expert_id: int, *, for_update: bool = False) -> Expert:
    """An expert the actor manages; NotFound for missing and not theirs alike."""
    require_signed_in(actor.user)
    return fetch(
        managed_experts(actor).select_related("institution"),
        gettext("专家不存在或您无权管理"),
        for_update=for_update,
        pk=expert_id,
    )


def access_administered_institution(
    actor: Actor, institution_id: int, *, for_update: bool = False
) -> Institution:
    """The institution if ``actor`` is its own admin (its default booking rules are theirs to set);
    NotFound if missing or not theirs."""
    require_signed_in(actor.user)
    message = gettext("单位不存在或您无权管理")
    return fetch(administered_institutions(actor), message, for_update=for_update, pk=institution_id)


def administered_institutions(actor: Actor) -> QuerySet[Institution]:
    if not actor.is_authenticated:
        return Institution.objects.none()
    ids = administered_institution_ids(actor)
    return Institution.objects.all() if ids is None else Institution.objects.filter(pk__in=ids)
