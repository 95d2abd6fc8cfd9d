"""Request limits checked before a body is read: its declared size and a multipart body's boundary.

Django refuses a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` only when a view reads it, by raising an error
that the API turned into a 500 and that a page turns into a bare 400. This middleware answers first, from
the headers alone: 413 for a body larger than the configured limit (uploads, which are multipart, have
their own larger limit), 400 for a multipart body without a boundary. Under /api/ the answer has the API's
error shape; elsewhere it is the message page.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import parse_header_parameters
from django.utils.translation import gettext


def body_limit(content_type: str) -> int:
    """The largest body, in bytes, a request of this content type may declare."""
    if content_type == "multipart/form-data":
        return int(settings.DAYI_UPLOAD_MAX_BYTES)
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)


def error_page(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": code, "message": message}}, status=status)
    return render(request, "core/error.html", {"status": status, "message": message}, status=status)


class RequestLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = self.refusal(request)
        return refused if refused is not None else self.get_response(request)

    def refusal(self, request: HttpRequest) -> HttpResponse | None:
        content_type, params = parse_header_parameters(request.META.get("CONTENT_TYPE", ""))
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_page(request, 400, "bad_request", gettext("Content-Length 无效"))
        limit = body_limit(content_type)
        if limit and length > limit:
            mb = f"{limit / (1024 * 1024):.1f}"
            message = gettext("请求体超过 %(mb)s MB") % {"mb": mb}
            return error_page(request, 413, "payload_too_large", message)
        if content_type == "multipart/form-data" and length and not params.get("boundary"):
            message = gettext("multipart 请求缺少 boundary")
            return error_page(request, 400, "bad_request", message)
        return None


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address: ``REMOTE_ADDR``, or behind a trusted reverse proxy (``DAYI_TRUSTED_PROXIES``)
    the nearest address in ``X-Forwarded-For`` that is not itself a trusted proxy.

    Sign-in throttling counts by this address: behind a proxy, ``REMOTE_ADDR`` alone would put every
    client under one address's cap. Addresses a client writes into the header itself (the leftmost) are
    never trusted: only what the proxies appended is read, from the right.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = set(settings.DAYI_TRUSTED_PROXIES)
    if remote not in trusted:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop if _is_ip(hop) else remote
    return remote


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
