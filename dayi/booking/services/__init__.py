"""Every write of the booking domain. Split by stage: making a booking, its transitions, usage.

Each function takes the acting ``Actor`` first and a keyword-only ``now``, runs in one transaction, checks
permission through the access layer (bookings and usage: ``dayi.accounts.access.bookings``), writes an
audit row and emits its event after commit.
"""

from dayi.booking.services.create import create_booking
from dayi.booking.services.transitions import (
    approve_booking,
    cancel_booking,
    check_in,
    check_out,
    close_open_sessions,
    expire_due_pending,
    mark_due_no_shows,
    mark_no_show,
    reject_booking,
    shorten_booking,
)
from dayi.booking.services.usage import confirm_usage, correct_usage, grant_qualification, record_usage

# The manager's desk (issue 12): its modules are imported where used — ``services.desk``,
# ``services.training`` and ``services.problems`` — so this list stays the engine's.

__all__ = [
    "approve_booking",
    "cancel_booking",
    "check_in",
    "check_out",
    "close_open_sessions",
    "confirm_usage",
    "correct_usage",
    "create_booking",
    "expire_due_pending",
    "grant_qualification",
    "mark_due_no_shows",
    "mark_no_show",
    "record_usage",
    "reject_booking",
    "shorten_booking",
]
