"""Domain errors with stable codes; ``dayi.api`` maps them to HTTP statuses and the error shape.

Domain code raises these and never builds an HTTP response. Each domain's ``errors.py`` lists its
own codes as subclasses or instances of these.
"""

from __future__ import annotations

from typing import Any


class DayiError(Exception):
    status = 400
    code = "bad_request"
    # A domain error's own default message (a gettext_lazy Chinese msgid), read in the active language
    # when the error is raised; without one, the class's docstring.
    default_message: Any = None

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
        **extra: Any,
    ) -> None:
        fallback = str(self.default_message) if self.default_message else self.__class__.__doc__
        super().__init__(message or fallback or "")
        self.message = str(message or fallback or "")
        if code:
            self.code = code
        self.fields = fields or {}
        self.extra = extra

    def headers(self) -> dict[str, str]:
        """HTTP headers the answer carries (``Retry-After`` for a rate limit)."""
        return {}

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        body.update(self.extra)
        return {"error": body}


class BadRequest(DayiError):
    """The request is malformed."""

    status = 400
    code = "bad_request"


class NotAuthenticated(DayiError):
    """Sign in first."""

    status = 401
    code = "not_authenticated"


class Forbidden(DayiError):
    """You may not do this."""

    status = 403
    code = "forbidden"


class NotFound(DayiError):
    """Not found."""

    status = 404
    code = "not_found"


class Conflict(DayiError):
    """The current state forbids this."""

    status = 409
    code = "invalid_state"


class ValidationFailed(DayiError):
    """Some fields are not valid."""

    status = 422
    code = "validation_error"


class RuleViolation(DayiError):
    """The request breaks a rule. ``rule`` names it."""

    status = 422
    code = "rule_violation"

    def __init__(self, rule: str, message: str = "", **extra: Any) -> None:
        super().__init__(message, rule=rule, **extra)
        self.rule = rule


class RateLimited(DayiError):
    """Too many attempts; wait and try again."""

    status = 429
    code = "rate_limited"

    def headers(self) -> dict[str, str]:
        retry = self.extra.get("retry_after")
        return {"Retry-After": str(retry)} if retry else {}
