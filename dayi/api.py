"""The /api/v1 root: one NinjaAPI, authentication, the error shape and pagination.

Domain routers are mounted in ``dayi.urls``. Domain errors become HTTP statuses here and only here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import inspect
import json
import logging
import re
import zoneinfo
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from django.utils.translation import gettext
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from dayi.accounts.access import Actor, actor_for
from dayi.accounts.tokens import user_for_token
from dayi.core.errors import DayiError, Forbidden, NotAuthenticated, ValidationFailed

logger = logging.getLogger(__name__)

MAX_PAGE_SIZE = 200
_SPACE_OFFSET = re.compile(r" (\d\d(:?\d\d)?)$")  # "+08:00" unencoded in a query string
# The deepest page a list serves: past it the offset would overflow PostgreSQL's bigint (a fuzzer sent
# page=10**19) and, long before that, no list of Dayi has rows to show. Deeper pages answer 422.
MAX_PAGE = 1_000_000


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None


class ErrorOut(Schema):
    error: ErrorBody


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` — for scripts and other platforms."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        # The same look-up as current_actor(), cached on the request: one token query per request.
        actor = current_actor(request)
        return actor.user if actor.is_authenticated else None


class SessionAuth:
    """The web pages' session cookie; unsafe methods must carry the CSRF token."""

    openapi_type = "apiKey"
    openapi_in = "cookie"
    openapi_name = "sessionid"

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS") and not _csrf_ok(request):
            raise Forbidden(gettext("CSRF 校验失败"))
        return user


def _csrf_ok(request: HttpRequest) -> bool:
    check = CsrfViewMiddleware(lambda r: HttpResponse())
    check.process_request(request)
    return check.process_view(request, lambda r: HttpResponse(), (), {}) is None


SIGNED_IN = [TokenAuth(), SessionAuth()]


def current_actor(request: HttpRequest) -> Actor:
    """The caller, signed in or anonymous. A bad bearer token is an error, not anonymity."""
    cached = getattr(request, "_dayi_actor", None)
    if cached is not None:
        return cached
    header = request.headers.get("Authorization", "")
    user: Any = getattr(request, "user", None)
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated(gettext("Authorization 头格式应为 Bearer <token>"))
        user = user_for_token(token.strip(), now=timezone.now())
        if user is None:
            raise NotAuthenticated(gettext("令牌无效或已过期"))
        request.user = user
    actor = actor_for(user)
    request._dayi_actor = actor  # type: ignore[attr-defined]  # the per-request cache of the caller
    return actor


def signed_in(request: HttpRequest) -> Actor:
    actor = current_actor(request)
    if not actor.is_authenticated:
        raise NotAuthenticated(gettext("请先登录"))
    return actor


def _answer_405_in_the_error_shape(view: Callable[..., Any]) -> Callable[..., Any]:
    """Ninja answers a wrong method itself with a bare text body, outside every exception handler."""

    @functools.wraps(view)  # keeps ninja's csrf_exempt mark: CSRF is checked by SessionAuth
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.headers.get("Authorization"):
            # A bad token is an error even on a public endpoint: a client whose token expired must be
            # told, not silently served the anonymous answer.
            try:
                current_actor(request)
            except NotAuthenticated as exc:
                return error_response(request, exc.status, exc.as_dict())
        response = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        allowed = response["Allow"]
        message = gettext("不支持 %(method)s 方法，可用：%(allowed)s") % {
            "method": request.method,
            "allowed": allowed,
        }
        body = {"error": {"code": "method_not_allowed", "message": message}}
        answer = error_response(request, 405, body)
        answer["Allow"] = allowed
        return answer

    return wrapper


def _fields_with_nul(request: HttpRequest) -> dict[str, list[str]]:
    """Where a NUL (\\x00) hides in the query, the path or a JSON body: PostgreSQL text cannot hold it.

    Checked once for every operation, before any schema, so no endpoint can forget it (the fuzzer found
    four that answered 500). Multipart bodies carry files, which may hold any byte.
    """
    found: dict[str, list[str]] = {}
    message = [gettext("不能包含 NUL 字符")]
    if "\x00" in request.path:
        found["path"] = message
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            found[key.replace("\x00", "")] = message
    if "json" in (request.content_type or "") and b"\\u0000" in request.body:
        with contextlib.suppress(ValueError):  # malformed JSON: the schema answers 400
            _walk_for_nul(json.loads(request.body), "", found, message)
    return found


def _walk_for_nul(value: Any, where: str, found: dict[str, list[str]], message: list[str]) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            found[where or "body"] = message
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{where}.{key}" if where else str(key)
            if "\x00" in str(key):
                found[name.replace("\x00", "")] = message
            _walk_for_nul(item, name.replace("\x00", ""), found, message)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk_for_nul(item, f"{where}.{i}" if where else str(i), found, message)


class DayiAPI(NinjaAPI):
    def create_temporal_response(self, request: HttpRequest) -> HttpResponse:
        # Ninja calls this for every operation after authentication and before parsing the input, inside
        # its exception handling: the one place to refuse a NUL for all endpoints with the API's answer.
        nul = _fields_with_nul(request)
        if nul:
            message = gettext("文本不能包含 NUL 字符")
            raise ValidationFailed(message, fields=nul)
        return super().create_temporal_response(request)

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern) and not inspect.iscoroutinefunction(pattern.callback):
                pattern.callback = _answer_405_in_the_error_shape(pattern.callback)
        return urls


api = DayiAPI(
    title="Dayi API",
    version="1",
    description="The public HTTP API of Dayi (大仪), version 1. See API.md for the contract.",
    urls_namespace="api-v1",
    docs_url="/docs",
)


def error_response(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
    return api.create_response(request, body, status=status)


@api.exception_handler(DayiError)
def _dayi_error(request: HttpRequest, exc: DayiError) -> HttpResponse:
    response = error_response(request, exc.status, exc.as_dict())
    for name, value in exc.headers().items():
        response[name] = value
    return response


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "form", "payload")]
        fields.setdefault(".".join(loc) or "body", []).append(str(err.get("msg", "invalid")))
    body = {"code": "bad_request", "message": gettext("请求格式或类型错误"), "fields": fields}
    return error_response(request, 400, {"error": body})


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _dayi_error(request, NotAuthenticated(gettext("请先登录")))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, {"error": {"code": "not_found", "message": gettext("未找到")}})


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code, zh = _HTTP_ERRORS.get(exc.status_code, _HTTP_ERRORS[400])
    # Ninja's own messages ("Cannot parse request body") are English only: put the Chinese first.
    body = {"error": {"code": code, "message": f"{zh} ({exc})"}}
    return error_response(request, exc.status_code, body)


_HTTP_ERRORS = {
    400: ("bad_request", "请求格式错误"),
    401: ("not_authenticated", "请先登录"),
    403: ("forbidden", "没有权限"),
    404: ("not_found", "未找到"),
}


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # A body without Content-Length, found too big while read (RequestLimitsMiddleware catches the rest).
    body = {"code": "payload_too_large", "message": gettext("请求体过大")}
    return error_response(request, 413, {"error": body})


@api.exception_handler(MultiPartParserError)
def _bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    body = {"code": "bad_request", "message": gettext("multipart 请求格式错误") % {"exc": exc}}
    return error_response(request, 400, {"error": body})


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unhandled error in %s %s", request.method, request.path)
    body = {"code": "server_error", "message": gettext("服务器内部错误")}
    return error_response(request, 500, {"error": body})


def moment(text: str, key: str, zone: zoneinfo.ZoneInfo | None = None) -> dt.datetime:
    """An ISO 8601 time with offset from a query string. An unencoded "+08:00" arrives as " 08:00" and is
    read as meant; a bare date means local midnight in ``zone`` when one is given."""
    text = _SPACE_OFFSET.sub(r"+\1", text.strip())
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(fields={key: [gettext("应为 ISO 8601 时间")]}) from None
    if value.tzinfo is None:
        if zone is None or len(text) != 10:
            raise ValidationFailed(fields={key: [gettext("须带时区偏移，如 +08:00")]})
        value = value.replace(tzinfo=zone)
    return value


def page_bounds(page: int, page_size: int) -> tuple[int, int]:
    """Validated (offset, limit) for ``?page=&page_size=``."""
    if not 1 <= page <= MAX_PAGE:
        raise ValidationFailed(
            fields={"page": [gettext("必须在 1 到 %(MAX_PAGE)s 之间") % {"MAX_PAGE": MAX_PAGE}]}
        )
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed(
            fields={
                "page_size": [
                    gettext("必须在 1 到 %(MAX_PAGE_SIZE)s 之间") % {"MAX_PAGE_SIZE": MAX_PAGE_SIZE}
                ]
            }
        )
    return (page - 1) * page_size, page_size
