"""Site-wide views: the health check and the error pages (JSON under /api/, HTML elsewhere, a fragment for
htmx: ``dayi.core.pages``). Sign-in and sign-out are ``dayi.accounts.views``."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext

from dayi.core.pages import refusal


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    return refusal(request, status, message, code=code)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, "bad_request", gettext("请求有误"))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "forbidden", gettext("没有权限"))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "not_found", gettext("页面不存在"))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form or htmx press without a valid CSRF token (an old tab after signing out, often): say so, and
    for htmx answer the fragment, never a whole page swapped into a row."""
    message = gettext("CSRF 校验失败，请刷新页面后重试")
    return _error(request, 403, "forbidden", message)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, "server_error", gettext("服务器内部错误"))
