"""Error codes of the search domain."""

from dayi.core.errors import Conflict


class DuplicateSynonym(Conflict):
    """The synonym table already has that term."""

    code = "duplicate"
