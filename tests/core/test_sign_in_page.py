"""The sign-in page: the same throttled sign-in as the API, and CSRF on its form."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_good_credentials_sign_in_and_redirect(people: Any) -> None:
    client = Client()

    res = client.post("/login/", {"username": "alice", "password": PASSWORD, "next": "/manage/"})

    assert res.status_code == 302
    assert res["Location"] == "/manage/"
    assert client.get("/api/v1/me").json()["username"] == "alice"


def test_an_offsite_next_is_ignored(people: Any) -> None:
    res = Client().post(
        "/login/", {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"}
    )

    assert res.status_code == 302
    assert res["Location"] == "/"


def test_a_wrong_password_shows_the_form_again_with_401(people: Any) -> None:
    res = Client().post("/login/", {"username": "alice", "password": "guess"})

    assert res.status_code == 401
    assert res["Content-Type"].startswith("text/html")
    assert "alice" in res.content.decode()  # the username is kept in the form


def test_the_page_is_throttled_like_the_api(people: Any) -> None:
    client = Client()
    for _ in range(5):
        assert client.post("/login/", {"username": "alice", "password": "guess"}).status_code == 401

    assert client.post("/login/", {"username": "alice", "password": PASSWORD}).status_code == 429
    # and the API shares the count
    res = client.post(
        "/api/v1/auth/token", {"username": "alice", "password": PASSWORD}, content_type="application/json"
    )
    assert res.status_code == 429


def test_a_throttled_page_says_how_long_to_wait_and_sends_retry_after(people: Any) -> None:
    client = Client()
    for _ in range(5):
        client.post("/login/", {"username": "alice", "password": "guess"})

    res = client.post("/login/", {"username": "alice", "password": PASSWORD})

    assert res.status_code == 429
    assert int(res["Retry-After"]) > 0
    assert "分钟后再试" in res.content.decode()


def test_the_owner_signs_in_on_the_page_from_another_address(people: Any) -> None:
    for _ in range(6):
        Client(REMOTE_ADDR="203.0.113.9").post("/login/", {"username": "alice", "password": "guess"})

    res = Client(REMOTE_ADDR="198.51.100.7").post("/login/", {"username": "alice", "password": PASSWORD})

    assert res.status_code == 302


def test_the_form_needs_its_csrf_token(people: Any) -> None:
    client = Client(enforce_csrf_checks=True)

    res = client.post("/login/", {"username": "alice", "password": PASSWORD})

    assert res.status_code == 403
    assert "_auth_user_id" not in client.session


def test_sign_out_needs_a_post(people: Any) -> None:
    client = Client()
    client.force_login(people["alice"])

    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/api/v1/me").status_code == 401
