"""The error shape everywhere under /api/v1, the site's own error pages, /healthz and CSRF on the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dayi.directory.models import Instrument

pytestmark = pytest.mark.django_db


def assert_error(res: Any, status: int, code: str) -> dict[str, Any]:
    assert res.status_code == status, res.content
    assert res["Content-Type"].startswith("application/json")
    error = res.json()["error"]
    assert error["code"] == code
    assert error["message"]
    return error


def test_an_unknown_api_path_is_a_404_in_the_error_shape(anon: Any) -> None:
    res = anon.get("/api/v1/no-such-thing")

    assert_error(res, 404, "not_found")


def test_an_unknown_api_object_is_a_404_in_the_error_shape(anon: Any) -> None:
    res = anon.get("/api/v1/instruments/987654321")

    assert_error(res, 404, "not_found")


def test_a_wrong_method_is_a_405_in_the_error_shape(anon: Any) -> None:
    res = anon.put("/api/v1/instruments", {})

    error = assert_error(res, 405, "method_not_allowed")
    assert "PUT" in error["message"]
    assert {"GET", "POST"} <= {m.strip() for m in res["Allow"].split(",")}


def test_malformed_json_is_a_400_bad_request(network: Any, api_as: Any) -> None:
    client = api_as("alice")

    res = client.post("/api/v1/instruments", '{"name": "oops",', content_type="application/json")

    error = assert_error(res, 400, "bad_request")
    assert error["message"].startswith("请求格式错误")
    assert not Instrument.objects.exists()


def test_a_json_body_of_the_wrong_shape_is_a_400(network: Any, api_as: Any) -> None:
    res = api_as("alice").post("/api/v1/instruments", "[1, 2, 3]", content_type="application/json")

    assert_error(res, 400, "bad_request")


def test_healthz_answers_ok(db: Any) -> None:
    res = Client().get("/healthz")

    assert res.status_code == 200
    assert res.json() == {"status": "ok"}


def test_an_unknown_page_renders_html(db: Any) -> None:
    res = Client().get("/no-such-page/")

    assert res.status_code == 404
    assert res["Content-Type"].startswith("text/html")
    assert b"<html" in res.content.lower()
    assert not res.content.lstrip().startswith(b"{")
    assert "页面不存在" in res.content.decode()


# --- CSRF: the API accepts the session cookie, so unsafe methods must carry the CSRF token ----------------

BODY = {
    "inventory_no": "CSRF-1",
    "name": "扫描电子显微镜",
    "category": "0101",
    "original_value": "1800000.00",
}


def _session_client(people: Any, name: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people[name])
    return client


def test_a_session_post_without_the_csrf_token_is_refused(network: Any, people: Any) -> None:
    client = _session_client(people, "alice")

    res = client.post(
        "/api/v1/instruments", {**BODY, "institution": network["zju"].pk}, content_type="application/json"
    )

    assert_error(res, 403, "forbidden")
    assert not Instrument.objects.exists()


def test_a_session_post_with_the_csrf_token_is_accepted(network: Any, people: Any) -> None:
    client = _session_client(people, "alice")
    client.get("/login/")  # the page sets the csrftoken cookie
    token = client.cookies["csrftoken"].value

    res = client.post(
        "/api/v1/instruments",
        {**BODY, "institution": network["zju"].pk},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )

    assert res.status_code == 201, res.content
    assert Instrument.objects.count() == 1


def test_a_session_get_needs_no_csrf_token(network: Any, people: Any) -> None:
    client = _session_client(people, "eve")

    res = client.get("/api/v1/me")

    assert res.status_code == 200
    assert res.json()["username"] == "eve"


def test_a_session_patch_without_the_csrf_token_is_refused(network: Any, people: Any) -> None:
    client = _session_client(people, "amy")
    zju = network["zju"]

    res = client.patch(f"/api/v1/institutions/{zju.pk}", {"name": "改名"}, content_type="application/json")

    assert_error(res, 403, "forbidden")
    zju.refresh_from_db()
    assert zju.name == "浙江大学"


def test_the_openapi_document_is_still_served(db: Any) -> None:
    res = Client().get("/api/v1/openapi.json")

    assert res.status_code == 200
    assert "/api/v1/instruments" in res.json()["paths"]


def test_a_bad_token_on_a_public_endpoint_is_401(network: Any, anon: Any) -> None:
    res = anon.get("/api/v1/instruments", HTTP_AUTHORIZATION="Bearer dayi_not-a-real-token")
    assert res.status_code == 401
    assert res.json()["error"]["code"] == "not_authenticated"


def test_a_public_endpoint_without_a_token_answers(network: Any, anon: Any) -> None:
    assert anon.get("/api/v1/instruments").status_code == 200
