"""What every page shares: one error path, the htmx test and the base form.

The one error path: a ``DayiError`` that a page view does not handle itself reaches ``PageErrors`` (a
middleware), which answers with the error's status — the message page for an ordinary request, a short
fragment for htmx. A view catches a ``DayiError`` only to show it beside what the user typed or pressed
(a form again with its fields, a queue row again with its message), so a page never loses what the user
did not change. The API maps the same errors to its JSON shape in ``dayi.api``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext

from dayi.core.errors import DayiError
from dayi.core.formats import ISO_DATETIME

# The wall-clock format of ``<input type="datetime-local">``: an instrument's local time, no offset. Every
# date and time widget renders ISO in every language (settings.FORMAT_MODULE_PATH, dayi/core/formats).
LOCAL_FORMAT = ISO_DATETIME

# Where an htmx refusal is shown: the top of the page's <main>, whatever element the user pressed in
# (a row would lose its buttons if the message replaced it).
REFUSAL_TARGET = "#main"

_ACCESS = (401, 403, 404)


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request that wants a fragment (a history restore wants the whole page)."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def shown_in_place(exc: DayiError) -> bool:
    """Whether a refusal may be shown where the user acted (409, 422 …). A refusal of access (401, 403,
    404) goes to the message page instead, and shows nothing of the object it refuses."""
    return exc.status not in _ACCESS


def refusal(request: HttpRequest, status: int, message: str, *, code: str = "") -> HttpResponse:
    """The answer to a refused request: the message page, an htmx fragment, or the API's error shape."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": code or "error", "message": message}}, status=status)
    if is_htmx(request):
        response = render(request, "core/_refused.html", {"message": message}, status=status)
        response["HX-Retarget"] = REFUSAL_TARGET
        response["HX-Reswap"] = "afterbegin"
        return response
    return render(request, "core/error.html", {"status": status, "message": message}, status=status)


def message_of(exc: DayiError) -> str:
    """What a page says of a refusal: the fields' own messages ("give the reason"), else the error's."""
    details = [m for messages in exc.fields.values() for m in messages]
    return "；".join(details) if details else exc.message


def refused(request: HttpRequest, exc: DayiError) -> HttpResponse:
    message = exc.message if request.path.startswith("/api/") else message_of(exc)
    response = refusal(request, exc.status, message, code=exc.code)
    for name, value in exc.headers().items():  # e.g. Retry-After on a 429
        response[name] = value
    return response


class PageErrors:
    """The pages' one error mapping (as ``dayi.api`` is the API's): a ``DayiError`` a view lets through
    becomes its refusal with the error's status. For htmx, a ``Http404`` or ``PermissionDenied`` becomes the
    fragment too, so a refused button never swaps a whole error page into a table row."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DayiError):
            return refused(request, exception)
        if is_htmx(request) and isinstance(exception, Http404):
            return refusal(request, 404, gettext("未找到"), code="not_found")
        if is_htmx(request) and isinstance(exception, PermissionDenied):
            return refusal(request, 403, gettext("没有权限"), code="forbidden")
        return None


class PageForm(forms.Form):
    """Labels above fields without Django's ":"; required ones marked."""

    required_css_class = "required"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def add_service_error(self, exc: DayiError) -> None:
        """Put a service's field errors on the fields this form has; the rest is the page's message."""
        for name, messages in exc.fields.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


def set_choices(form: forms.Form, name: str, choices: Sequence[tuple[Any, Any]]) -> None:
    """A choice field's options, read when the form is made (not when its module is imported)."""
    cast(forms.ChoiceField, form.fields[name]).choices = choices
