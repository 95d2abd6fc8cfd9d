"""Who may see and act on training requests, qualifications and problem reports (the manager's desk).

- Any signed-in user asks for training on a listed instrument and reports a fault on it; they see their
  own requests and reports.
- Whoever operates the instrument's institution's ``instruments`` power (its admins and instrument
  managers, or a platform it delegated that to) schedules training, records results, grants and revokes
  qualifications and handles problem reports — the same power ``grant_qualification`` always asked for.
- Anyone else is told the object does not exist (deny by default, NotFound for missing and forbidden).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from dayi.accounts.access import Actor, fetch, operated_institution_ids, operates, require_signed_in
from dayi.accounts.access.directory import get_listed_instrument
from dayi.booking.models import ProblemReport, Qualification, TrainingRequest
from dayi.core.errors import NotFound
from dayi.directory.models import Instrument


def _operated(actor: Actor, prefix: str = "") -> Q | None:
    """Rows of instruments whose institution's instruments the actor operates; None for none at all."""
    ids = operated_institution_ids(actor, "instruments")
    if ids is None:
        return Q()
    return Q(**{f"{prefix}instrument__institution_id__in": ids}) if ids else None


def managed_training(actor: Actor) -> QuerySet[TrainingRequest]:
    """Training requests of the instruments the actor manages."""
    q = _operated(actor) if actor.is_authenticated else None
    return TrainingRequest.objects.none() if q is None else TrainingRequest.objects.filter(q)


def own_training(actor: Actor) -> QuerySet[TrainingRequest]:
    if not actor.is_authenticated:
        return TrainingRequest.objects.none()
    return TrainingRequest.objects.filter(user=actor.user)


def managed_qualifications(actor: Actor) -> QuerySet[Qualification]:
    q = _operated(actor) if actor.is_authenticated else None
    return Qualification.objects.none() if q is None else Qualification.objects.filter(q)


def own_qualifications(actor: Actor) -> QuerySet[Qualification]:
    if not actor.is_authenticated:
        return Qualification.objects.none()
    return Qualification.objects.filter(user=actor.user)


def managed_problems(actor: Actor) -> QuerySet[ProblemReport]:
    q = _operated(actor) if actor.is_authenticated else None
    return ProblemReport.objects.none() if q is None else ProblemReport.objects.filter(q)


def own_problems(actor: Actor) -> QuerySet[ProblemReport]:
    if not actor.is_authenticated:
        return ProblemReport.objects.none()
    return ProblemReport.objects.filter(reporter=actor.user)


def access_own_training(actor: Actor, request_id: int, *, for_update: bool = False) -> TrainingRequest:
    """The actor's own training request (to withdraw it); NotFound otherwise."""
    require_signed_in(actor.user)
    return fetch(
        own_training(actor).select_related("instrument", "user"),
        _("培训申请不存在"),
        for_update=for_update,
        pk=request_id,
    )


def access_managed_training(actor: Actor, request_id: int, *, for_update: bool = False) -> TrainingRequest:
    """A training request of an instrument the actor manages; NotFound otherwise (the requester too)."""
    require_signed_in(actor.user)
    return fetch(
        managed_training(actor).select_related("instrument", "user"),
        _("培训申请不存在"),
        for_update=for_update,
        pk=request_id,
    )


def access_managed_qualification(
    actor: Actor, qualification_id: int, *, for_update: bool = False
) -> Qualification:
    require_signed_in(actor.user)
    return fetch(
        managed_qualifications(actor).select_related("instrument", "user"),
        _("上机资格不存在"),
        for_update=for_update,
        pk=qualification_id,
    )


def access_managed_problem(actor: Actor, report_id: int, *, for_update: bool = False) -> ProblemReport:
    require_signed_in(actor.user)
    return fetch(
        managed_problems(actor).select_related("instrument", "reporter"),
        _("故障报告不存在"),
        for_update=for_update,
        pk=report_id,
    )


def manages_some_instruments(actor: Actor) -> bool:
    return actor.is_authenticated and _operated(actor) is not None


def access_booking_instrument(actor: Actor, instrument_id: int) -> Instrument:
    """A listed instrument whose bookings the actor operates (to book on someone's behalf); NotFound
    otherwise."""
    require_signed_in(actor.user)
    instrument = get_listed_instrument(instrument_id)
    if not operates(actor, instrument.institution_id, "bookings"):
        raise NotFound(_("仪器不存在或您无权管理"))
    return instrument


def day_instruments(actor: Actor) -> QuerySet[Instrument]:
    """The listed instruments whose bookings the actor operates (the manager's day shows them)."""
    if not actor.is_authenticated:
        return Instrument.objects.none()
    ids = operated_institution_ids(actor, "bookings")
    listed = Instrument.objects.filter(retired__isnull=True)
    return listed if ids is None else listed.filter(institution_id__in=ids)
