"""Input the fuzzer found answering 500: deep pages, NUL bytes, bad multipart, oversized bodies (hole 8)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import MULTIPART_CONTENT

from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db

HUGE_PAGE = 10**19


def assert_error(res: Any, status: int, code: str) -> dict[str, Any]:
    assert res.status_code == status, res.content
    error = res.json()["error"]
    assert error["code"] == code
    return error


# --- pages past the end -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/regions", "/api/v1/platforms", "/api/v1/experts"])
def test_a_huge_page_is_422_not_an_overflow(network: Any, path: str) -> None:
    error = assert_error(ApiClient().get(path, {"page": HUGE_PAGE}), 422, "validation_error")

    assert "page" in error["fields"]


def test_a_huge_page_of_evaluations_is_422(api_as: Any) -> None:
    res = api_as("carol").get("/api/v1/evaluations", {"page": HUGE_PAGE})

    assert_error(res, 422, "validation_error")


def test_the_last_allowed_page_is_an_empty_page(network: Any) -> None:
    res = ApiClient().get("/api/v1/regions", {"page": 1_000_000, "page_size": 200})

    assert res.status_code == 200, res.content
    assert res.json()["items"] == []


# --- NUL bytes ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/api/v1/demands", "/api/v1/voucher-applications", "/api/v1/orders/1/vouchers"],
)
def test_a_nul_in_a_json_body_is_422_naming_the_field(api_as: Any, path: str) -> None:
    body = {"title": "显微镜\x00", "items": [{"note": "a\x00b"}], "amount": "1.00"}

    error = assert_error(api_as("eve").post(path, body), 422, "validation_error")

    assert set(error["fields"]) == {"title", "items.0.note"}


def test_a_nul_in_the_query_is_422(api_as: Any) -> None:
    res = api_as("eve").get("/api/v1/redemption-claims", {"scheme": "zj\x00"})

    error = assert_error(res, 422, "validation_error")
    assert "scheme" in error["fields"]


def test_a_nul_in_a_public_search_is_422(network: Any) -> None:
    assert_error(ApiClient().get("/api/v1/instruments", {"q": "\x00"}), 422, "validation_error")


def test_an_anonymous_write_with_a_nul_is_still_401(network: Any) -> None:
    res = ApiClient().post("/api/v1/demands", {"title": "\x00"})

    assert_error(res, 401, "not_authenticated")


def test_an_escaped_backslash_before_u0000_is_not_a_nul(api_as: Any) -> None:
    raw = json.dumps({"title": "C:\\u0000"})  # the text is backslash, u, 0, 0, 0, 0
    assert "\\\\u0000" in raw

    res = api_as("eve").post("/api/v1/demands", raw)

    assert res.status_code != 422 or "title" not in res.json()["error"].get("fields", {})


# --- multipart and oversized bodies -------------------------------------------------------------------------


def test_a_multipart_import_without_a_boundary_is_400(api_as: Any) -> None:
    res = api_as("alice").post(
        "/api/v1/instruments/import", b"--x\r\n\r\n", content_type="multipart/form-data"
    )

    assert_error(res, 400, "bad_request")


def test_a_multipart_page_post_without_a_boundary_is_400_not_500(people: Any) -> None:
    res = Client().post("/login/", b"--x\r\n", content_type="multipart/form-data")

    assert res.status_code == 400
    assert res["Content-Type"].startswith("text/html")


def test_a_json_body_over_the_limit_is_413_in_the_error_shape(api_as: Any, settings: Any) -> None:
    big = json.dumps({"title": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})

    res = api_as("eve").post("/api/v1/demands", big)

    assert_error(res, 413, "payload_too_large")


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(network: Any) -> None:
    # A 3 GB declared body with almost nothing behind it: answered from the headers alone.
    res = Client().generic(
        "POST",
        "/api/v1/auth/token",
        b"{}",
        content_type="application/json",
        CONTENT_LENGTH=str(3 * 1024**3),
    )

    assert_error(res, 413, "payload_too_large")


def test_an_oversized_form_post_gets_the_message_page(network: Any, settings: Any) -> None:
    res = Client().post(
        "/login/",
        "username=" + "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        content_type="application/x-www-form-urlencoded",
    )

    assert res.status_code == 413
    assert res["Content-Type"].startswith("text/html")


def test_an_upload_may_be_larger_than_a_json_body(api_as: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    csv = "inventory_no,name\n" + "\n".join(f"{i},x" for i in range(400))

    res = api_as("alice").post(
        "/api/v1/instruments/import",
        {"file": SimpleUploadedFile("a.csv", csv.encode()), "institution": "0", "dry_run": "true"},
        content_type=MULTIPART_CONTENT,
    )

    assert res.status_code != 413, res.content
