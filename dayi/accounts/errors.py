"""Error codes of the accounts domain."""

from dayi.core.errors import Conflict, NotAuthenticated, RateLimited, ValidationFailed

BAD_CREDENTIALS = NotAuthenticated
TOO_MANY_ATTEMPTS = RateLimited


class DuplicateUser(Conflict):
    """That username is taken."""

    code = "duplicate"


class BadPassword(ValidationFailed):
    """The password is too weak."""
