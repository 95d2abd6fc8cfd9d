"""Error codes of the network domain."""

from dayi.core.errors import Conflict


class DuplicateRecord(Conflict):
    """A record with that key exists already."""

    code = "duplicate"
