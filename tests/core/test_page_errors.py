"""The pages' one error path (``dayi.core.pages.PageErrors``): a ``DayiError`` a page view lets through
becomes the message page, or an htmx fragment, with the error's status."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

import dayi.urls
from dayi.core.errors import Conflict, DayiError, NotFound, RateLimited, RuleViolation

pytestmark = pytest.mark.django_db

RAISED: dict[str, Exception] = {
    "conflict": Conflict("这张券已用完 (the voucher is spent)"),
    "rule": RuleViolation("quota", "超出本周配额 (over the weekly quota)"),
    "missing": NotFound("仪器不存在 (no such instrument)"),
    "http404": Http404("no such thing"),
    "denied": PermissionDenied(),
    "throttled": RateLimited("请稍后再试 (try again later)", retry_after=120),
}


def refusing_view(request: HttpRequest, what: str) -> HttpResponse:
    raise RAISED[what]


urlpatterns = [path("test-refusal/<str:what>/", refusing_view), *dayi.urls.urlpatterns]
handler403 = dayi.urls.handler403
handler404 = dayi.urls.handler404


@pytest.fixture(autouse=True)
def _refusing_urls(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__


def htmx_get(client: Client, url: str) -> Any:
    return client.get(url, HTTP_HX_REQUEST="true")


@pytest.mark.parametrize(("what", "status"), [("conflict", 409), ("rule", 422), ("missing", 404)])
def test_a_refusal_in_a_page_view_answers_the_message_page_with_its_status(what: str, status: int) -> None:
    res = Client().get(f"/test-refusal/{what}/")

    assert res.status_code == status
    page = res.content.decode()
    assert "<html" in page
    assert f"<h1>{status}</h1>" in page
    error = RAISED[what]
    assert isinstance(error, DayiError)
    assert error.message in page


@pytest.mark.parametrize(("what", "status"), [("conflict", 409), ("rule", 422), ("missing", 404)])
def test_a_refusal_of_an_htmx_request_is_a_fragment_shown_at_the_top_of_the_page(
    what: str, status: int
) -> None:
    res = htmx_get(Client(), f"/test-refusal/{what}/")

    assert res.status_code == status
    fragment = res.content.decode()
    assert "<html" not in fragment
    assert 'role="alert"' in fragment
    error = RAISED[what]
    assert isinstance(error, DayiError)
    assert error.message in fragment
    assert res["HX-Retarget"] == "#main"
    assert res["HX-Reswap"] == "afterbegin"


@pytest.mark.parametrize(("what", "status"), [("http404", 404), ("denied", 403)])
def test_django_refusals_of_an_htmx_request_are_fragments_too(what: str, status: int) -> None:
    res = htmx_get(Client(), f"/test-refusal/{what}/")

    assert res.status_code == status
    assert "<html" not in res.content.decode()
    assert res["HX-Retarget"] == "#main"


def test_an_unknown_page_asked_by_htmx_is_a_fragment(db: Any) -> None:
    res = htmx_get(Client(), "/no-such-page/")

    assert res.status_code == 404
    assert "<html" not in res.content.decode()
    assert res["HX-Retarget"] == "#main"


def test_a_django_404_of_an_ordinary_request_is_still_the_whole_page() -> None:
    res = Client().get("/test-refusal/http404/")

    assert res.status_code == 404
    assert "<html" in res.content.decode()


def test_a_history_restore_gets_the_whole_page_not_a_fragment() -> None:
    res = Client().get(
        "/test-refusal/conflict/", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )

    assert res.status_code == 409
    assert "<html" in res.content.decode()


def test_an_htmx_press_without_a_csrf_token_is_a_fragment_not_a_whole_page(db: Any) -> None:
    res = Client(enforce_csrf_checks=True).post("/logout/", HTTP_HX_REQUEST="true")

    assert res.status_code == 403
    assert "<html" not in res.content.decode()
    assert "CSRF" in res.content.decode()
    assert res["HX-Retarget"] == "#main"


@pytest.mark.parametrize("htmx", [False, True])
def test_a_throttled_page_says_when_to_retry_on_the_page_and_in_the_header(htmx: bool) -> None:
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    res = Client().get("/test-refusal/throttled/", **extra)

    assert res.status_code == 429
    assert res["Retry-After"] == "120"
