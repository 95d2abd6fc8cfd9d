"""Domain events of bookings: one typed hook inside the transaction, and the events emitted after commit.

The hook (``subscribe``/``publish``): an app above booking (orders) follows a booking's changes by
subscribing a function in its ``AppConfig.ready``; the booking services publish each change inside their
transaction, after the booking's audit row, so what a subscriber writes commits or rolls back with the
booking. Booking imports nothing of its subscribers.

After commit, each function below records the event (a log line and a short in-memory trail the tests
read) and defers the job that tells people: an e-mail through procrastinate (``dayi.booking.tasks``), sent
by ``dayi worker``. The services call these only once their transaction has committed, so a rolled-back
booking never notifies. Deferring is one INSERT into the jobs table; if it fails the booking still stands,
so the failure is logged and swallowed rather than turned into an error for a request that succeeded.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from dayi.accounts.access import Actor
    from dayi.booking.models import Booking
    from dayi.directory.models import Instrument

logger = logging.getLogger(__name__)

# --- the hook, inside the booking's transaction ----------------------------------------------------------

Change = Literal["created", "approved", "rejected", "cancelled", "expired"]


@dataclass(frozen=True)
class BookingChanged:
    """A booking was made or changed state; told inside the booking's transaction."""

    change: Change
    booking: Booking
    actor: Actor  # who acted; the booking service has checked their permission for this change
    now: dt.datetime
    account_id: int | None = None  # "created": the research-group account the booker named, if any


BookingSubscriber = Callable[[BookingChanged], None]

_subscribers: list[BookingSubscriber] = []


def subscribe(subscriber: BookingSubscriber) -> None:
    """Follow every booking change (once: a second subscription of the same function is ignored)."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def publish(change: BookingChanged) -> None:
    """Run every subscriber now, in the caller's transaction. A subscriber that raises rolls the booking
    back with it: a booking whose order cannot be made is not made either."""
    for subscriber in list(_subscribers):
        subscriber(change)


# --- the vetting hook, before a booking is made ---------------------------------------------------------


@dataclass(frozen=True)
class BookingAsked:
    """A booking that passed booking's own rules and is about to be made (under the instrument lock)."""

    actor: Actor
    instrument: Instrument
    start: dt.datetime
    end: dt.datetime
    mode: str
    now: dt.datetime


BookingVetter = Callable[[BookingAsked], None]

_vetters: list[BookingVetter] = []


def vet_with(vetter: BookingVetter) -> None:
    """Have ``vetter`` look at every booking before it is made; it refuses one by raising a domain error
    (orders: work the price list does not cover). Subscribed once, like ``subscribe``."""
    if vetter not in _vetters:
        _vetters.append(vetter)


def vet(asked: BookingAsked) -> None:
    for vetter in list(_vetters):
        vetter(asked)


# --- after commit ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    name: str
    booking_id: int


# The last events emitted in this process, newest last (for tests and debugging; bounded).
RECENT: deque[Event] = deque(maxlen=1000)


def _record(name: str, booking_id: int) -> None:
    RECENT.append(Event(name, booking_id))
    logger.info("booking event %s #%s", name, booking_id)


def _email(kind: str, booking_id: int) -> None:
    from dayi.booking.tasks import send_booking_email  # here: tasks imports the services, which import us

    try:
        send_booking_email.defer(booking_id=booking_id, kind=kind)
    except Exception:
        logger.exception("could not queue the %s e-mail of booking %s", kind, booking_id)


def booking_requested(booking_id: int) -> None:
    """A booking awaits approval: the booker is told it was received, the managers that it waits."""
    _record("requested", booking_id)
    _email("requested", booking_id)


def booking_confirmed(booking_id: int) -> None:
    """A booking holds its time without approval (or was booked by a manager)."""
    _record("confirmed", booking_id)
    _email("confirmed", booking_id)


def booking_approved(booking_id: int) -> None:
    _record("approved", booking_id)
    _email("approved", booking_id)


def booking_rejected(booking_id: int) -> None:
    _record("rejected", booking_id)
    _email("rejected", booking_id)


def booking_cancelled(booking_id: int) -> None:
    _record("cancelled", booking_id)
    _email("cancelled", booking_id)


def booking_expired(booking_id: int) -> None:
    """A pending booking nobody approved within the policy's approval window: the booker is told."""
    _record("expired", booking_id)
    _email("expired", booking_id)


def booking_shortened(booking_id: int) -> None:
    """A manager shortened the booking (with a reason): the booker is told its new end."""
    _record("shortened", booking_id)
    _email("shortened", booking_id)


def booking_checked_in(booking_id: int) -> None:
    _record("checked_in", booking_id)


def booking_checked_out(booking_id: int) -> None:
    _record("checked_out", booking_id)


def booking_no_show(booking_id: int) -> None:
    _record("no_show", booking_id)
    _email("no_show", booking_id)


def session_auto_closed(booking_id: int) -> None:
    """Nobody checked out: the job closed the session at the booking's end plus the policy's grace."""
    _record("auto_closed", booking_id)


def warmup_restored(booking_id: int) -> None:
    """A booking took its warm-up back because the session before it went away (its start is unchanged)."""
    _record("warmup_restored", booking_id)


def booking_moved(booking_id: int) -> None:
    """A manager moved the booking to another time (with a reason): the booker is told its new time."""
    _record("moved", booking_id)
    _email("moved", booking_id)
