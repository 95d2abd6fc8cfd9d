"""Error codes of the booking domain (API.md): 409 ``booking_conflict`` and ``invalid_state``, 422 rules."""

from __future__ import annotations

from dayi.core.errors import Conflict, RuleViolation

# The rule names of API.md, "Booking instrument time"; RuleViolation(rule, message) names one of them.
RULES = (
    "outside_opening_hours",
    "closed",
    "slot_alignment",
    "too_short",
    "too_long",
    "notice_too_short",
    "too_far_ahead",
    "warmup_outside_opening_hours",
    "quota_exceeded",
    "not_qualified",
    "mode_not_offered",
    "instrument_unavailable",
    # The policy's limits on one user's future bookings of the instrument (issue 11, hole 5).
    "future_bookings_exceeded",
    "future_hours_exceeded",
)


class BookingConflict(Conflict):
    """The time is taken. ``clash`` names the occupied time it collides with."""

    code = "booking_conflict"


class InvalidState(Conflict):
    """The booking is not in a state that allows this."""

    code = "invalid_state"


class DuplicateRequest(Conflict):
    """The Idempotency-Key was already used for a different request."""

    code = "duplicate"


def broken(rule: str, message: str) -> RuleViolation:
    assert rule in RULES, rule
    return RuleViolation(rule, message)
