"""Error codes of the directory domain."""

from dayi.core.errors import Conflict, ValidationFailed


class DuplicateInventoryNo(Conflict):
    """The institution already lists an instrument with that inventory number."""

    code = "duplicate"


class ImportRejected(ValidationFailed):
    """The file has bad rows; nothing was imported. ``rows`` names each bad row and field."""
