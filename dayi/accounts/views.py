"""Signing in and out (the page; the API signs in with tokens, ``dayi.accounts.api``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from dayi.accounts import services as account_services
from dayi.core.errors import DayiError
from dayi.core.limits import client_address


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
            for name, value in exc.headers().items():  # Retry-After of a throttled sign-in
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
