"""Error codes of the directory domain."""

from dayi.core.errors import Conflict, DayiError, ValidationFailed


class DuplicateInventoryNo(Conflict):
    """The institution already lists an instrument with that inventory number."""

    code = "duplicate"


class ImportRejected(ValidationFailed):
    """The file has bad rows; nothing was imported. ``rows`` names each bad row and field."""


class ImportFileTooLarge(DayiError):
    """The file is larger than an import accepts; split it."""

    status = 413
    code = "file_too_large"


class UnsupportedImportFormat(DayiError):
    """The file is neither CSV nor XLSX (nor a format named by ``format``)."""

    status = 415
    code = "unsupported_format"
