"""Who may see and act on bookings and usage records (the booking part of the one access layer).

- A booking is visible to its booker and to whoever operates the bookings of its instrument's institution
  (its admins and instrument managers, or a platform it delegated ``bookings`` to); anyone else is told it
  does not exist.
- A usage record is visible to the user whose hours it holds, to the same operators, and to whoever
  oversees the institution (its platforms' admins: usage is the evidence behind the figures they judge).
- Only the instrument's managers approve, reject, shorten, mark no-shows, correct and confirm usage; the
  booker or a manager may cancel, check in and check out.

Every helper fetches and authorises in one step: the object, or ``NotFound`` for missing and forbidden
alike (deny by default). Pages and API handlers call these before anything else.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from dayi.accounts.access import (
    Actor,
    fetch,
    operated_institution_ids,
    operates,
    overseen_institution_ids,
    require_signed_in,
)
from dayi.booking.models import Booking, UsageRecord
from dayi.core.errors import Forbidden

# --- predicates ------------------------------------------------------------------------------------------


def manages_instrument_of(actor: Actor, obj: Booking | UsageRecord) -> bool:
    """The actor manages the instrument of this booking or usage record."""
    return operates(actor, obj.instrument.institution_id, "bookings")


def is_booker(actor: Actor, booking: Booking) -> bool:
    return actor.is_authenticated and booking.user_id == actor.user.pk


def manages_any_instruments(actor: Actor) -> bool:
    """The actor operates the bookings of at least one institution (the managers' queue is theirs)."""
    ids = operated_institution_ids(actor, "bookings")
    return ids is None or bool(ids)


def check_booking_manager(actor: Actor, booking: Booking) -> None:
    if not manages_instrument_of(actor, booking):
        raise Forbidden(gettext("只有该仪器的管理员可以这样做"))


def check_booker_or_manager(actor: Actor, booking: Booking) -> None:
    if not is_booker(actor, booking) and not manages_instrument_of(actor, booking):
        raise Forbidden(gettext("只有预约人或仪器管理员可以这样做"))


def check_usage_manager(actor: Actor, record: UsageRecord) -> None:
    if not manages_instrument_of(actor, record):
        raise Forbidden(gettext("只有该仪器的管理员可以这样做"))


# --- what an actor may see -------------------------------------------------------------------------------


def managed_filter(actor: Actor, prefix: str = "") -> Q:
    """Rows of the instruments the actor manages (``Q()`` for all, for a superuser)."""
    ids = operated_institution_ids(actor, "bookings")
    return Q() if ids is None else Q(**{f"{prefix}instrument__institution_id__in": ids})


def visible_bookings(actor: Actor) -> QuerySet[Booking]:
    """Bookings the actor may read: their own, and every booking of the instruments they manage."""
    if not actor.is_authenticated:
        return Booking.objects.none()
    ids = operated_institution_ids(actor, "bookings")
    if ids is None:
        return Booking.objects.all()
    return Booking.objects.filter(Q(user=actor.user) | Q(instrument__institution_id__in=ids))


def visible_usage(actor: Actor) -> QuerySet[UsageRecord]:
    """Usage records the actor may read: their own hours, and every record of the institutions whose
    bookings they operate or that they oversee."""
    if not actor.is_authenticated:
        return UsageRecord.objects.none()
    operated, overseen = operated_institution_ids(actor, "bookings"), overseen_institution_ids(actor)
    if operated is None or overseen is None:
        return UsageRecord.objects.all()
    ids = operated | overseen
    return UsageRecord.objects.filter(Q(user=actor.user) | Q(instrument__institution_id__in=ids))


def access_booking(actor: Actor, booking_id: int, *, for_update: bool = False) -> Booking:
    """The booking if the actor may see it (its booker or the instrument's managers); NotFound otherwise."""
    require_signed_in(actor.user)
    return fetch(
        visible_bookings(actor).select_related("instrument", "user"),
        gettext("预约不存在"),
        for_update=for_update,
        pk=booking_id,
    )


def access_usage(actor: Actor, record_id: int, *, for_update: bool = False) -> UsageRecord:
    """The usage record if the actor may see it (whose hours, or the instrument's managers); else NotFound."""
    require_signed_in(actor.user)
    return fetch(
        visible_usage(actor).select_related("instrument", "user", "booking"),
        gettext("使用记录不存在"),
        for_update=for_update,
        pk=record_id,
    )


def access_managed_usage(actor: Actor, record_id: int, *, for_update: bool = False) -> UsageRecord:
    """A usage record the actor manages; NotFound when they may not see it, Forbidden when only read it."""
    record = access_usage(actor, record_id, for_update=for_update)
    check_usage_manager(actor, record)
    return record
