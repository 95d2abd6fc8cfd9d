"""Every write of the booking domain. Split by stage: making a booking, its transitions, usage.

Each function takes the acting ``Actor`` first and a keyword-only ``now``, runs in one transaction, checks
permission through ``dayi.accounts.access``, writes an audit row and emits its event after commit.
"""

from dayi.booking.services.common import access_booking
from dayi.booking.services.create import create_booking
from dayi.booking.services.transitions import (
    approve_booking,
    cancel_booking,
    check_in,
    check_out,
    mark_due_no_shows,
    mark_no_show,
    reject_booking,
)
from dayi.booking.services.usage import correct_usage, grant_qualification, record_usage

__all__ = [
    "access_booking",
    "approve_booking",
    "cancel_booking",
    "check_in",
    "check_out",
    "correct_usage",
    "create_booking",
    "grant_qualification",
    "mark_due_no_shows",
    "mark_no_show",
    "record_usage",
    "reject_booking",
]
