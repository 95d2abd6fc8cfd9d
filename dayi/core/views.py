"""Site-wide views: health check, error pages (JSON under /api/, HTML elsewhere), sign-in and sign-out."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import login, logout
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from dayi.accounts import services as account_services
from dayi.core.errors import DayiError
from dayi.core.limits import client_address


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": code, "message": message}}, status=status)
    return render(request, "core/error.html", {"status": status, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, "bad_request", "请求有误 (bad request)")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "forbidden", "没有权限 (forbidden)")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "not_found", "页面不存在 (not found)")


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, "server_error", "服务器内部错误 (internal error)")


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"next": request.GET.get("next", "/")}
    if request.method == "POST":
        nxt = request.POST.get("next") or "/"
        try:
            user = account_services.sign_in(
                request.POST.get("username", ""),
                request.POST.get("password", ""),
                address=client_address(request),
                now=timezone.now(),
            )
        except DayiError as exc:
            context.update(error=exc.message, username=request.POST.get("username", ""), next=nxt)
            response = render(request, "core/login.html", context, status=exc.status)
            for name, value in exc.headers().items():
                response[name] = value
            return response
        login(request, user)
        if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
            nxt = "/"
        return redirect(nxt)
    return render(request, "core/login.html", context)


@require_http_methods(["POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("/")
