"""Domain events of bookings, emitted after commit (``transaction.on_commit``).

Today each function only records the event (a log line and a short in-memory trail the tests read). The
notifications work (e-mails, reminders, calendar feeds) fills these in; the services already call them at
the right moment and only once the transaction has committed, so a rolled-back booking never notifies.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    name: str
    booking_id: int


# The last events emitted in this process, newest last (for tests and debugging; bounded).
RECENT: deque[Event] = deque(maxlen=1000)


def _record(name: str, booking_id: int) -> None:
    RECENT.append(Event(name, booking_id))
    logger.info("booking event %s #%s", name, booking_id)


def booking_requested(booking_id: int) -> None:
    """A booking awaits approval."""
    _record("requested", booking_id)


def booking_confirmed(booking_id: int) -> None:
    """A booking holds its time without approval (or was booked by a manager)."""
    _record("confirmed", booking_id)


def booking_approved(booking_id: int) -> None:
    _record("approved", booking_id)


def booking_rejected(booking_id: int) -> None:
    _record("rejected", booking_id)


def booking_cancelled(booking_id: int) -> None:
    _record("cancelled", booking_id)


def booking_checked_in(booking_id: int) -> None:
    _record("checked_in", booking_id)


def booking_checked_out(booking_id: int) -> None:
    _record("checked_out", booking_id)


def booking_no_show(booking_id: int) -> None:
    _record("no_show", booking_id)


def warmup_restored(booking_id: int) -> None:
    """A booking took its warm-up back because the session before it went away (its start is unchanged)."""
    _record("warmup_restored", booking_id)
