"""Error codes of the network domain."""

from dayi.core.errors import Conflict, ValidationFailed


class DuplicateRecord(Conflict):
    """A record with that key exists already."""

    code = "duplicate"


class OutsideRegions(ValidationFailed):
    """The institution's region is outside the platform's regions."""

    code = "outside_regions"


class NotAMember(ValidationFailed):
    """The institution is not an accepted member of that platform or of a platform below it."""

    code = "not_a_member"
