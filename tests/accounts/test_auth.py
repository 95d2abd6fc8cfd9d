"""POST /api/v1/auth/token, bearer tokens (hashed, revocable, expiring), sign-in throttling and GET /me."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from dayi.accounts.models import ApiToken, LoginFailure
from tests.conftest import PASSWORD, ApiClient

pytestmark = pytest.mark.django_db


def sign_in(username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return ApiClient().post("/api/v1/auth/token", {"username": username, "password": password}, **extra)


def token_of(username: str) -> str:
    res = sign_in(username)
    assert res.status_code == 200, res.content
    return str(res.json()["token"])


def assert_error(res: Any, status: int, code: str) -> dict[str, Any]:
    assert res.status_code == status, res.content
    error = res.json()["error"]
    assert error["code"] == code
    return error


# --- issuing tokens -----------------------------------------------------------------------------------------


def test_good_credentials_give_a_token_that_works_as_a_bearer(people: Any) -> None:
    res = sign_in("alice")

    assert res.status_code == 200, res.content
    body = res.json()
    assert body["user"]["username"] == "alice"
    assert body["user"]["id"] == people["alice"].pk
    assert "instrument_manager" in body["user"]["roles"]
    me = ApiClient(body["token"]).get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["username"] == "alice"


def test_a_wrong_password_is_401(people: Any) -> None:
    res = sign_in("alice", "not-the-password")

    assert_error(res, 401, "not_authenticated")
    assert not ApiToken.objects.exists()


def test_an_unknown_username_is_401(people: Any) -> None:
    assert_error(sign_in("mallory"), 401, "not_authenticated")


def test_an_inactive_user_gets_no_token(people: Any) -> None:
    people["alice"].is_active = False
    people["alice"].save()

    assert_error(sign_in("alice"), 401, "not_authenticated")


def test_a_missing_password_is_400(people: Any) -> None:
    res = ApiClient().post("/api/v1/auth/token", {"username": "alice"})

    assert_error(res, 400, "bad_request")


# --- throttling ---------------------------------------------------------------------------------------------


def test_the_sixth_failure_in_the_window_is_rate_limited(people: Any) -> None:
    for _ in range(5):
        assert_error(sign_in("alice", "guess"), 401, "not_authenticated")

    assert_error(sign_in("alice", "guess"), 429, "rate_limited")


def test_even_the_right_password_is_refused_while_throttled(people: Any) -> None:
    for _ in range(5):
        sign_in("alice", "guess")

    assert_error(sign_in("alice"), 429, "rate_limited")
    assert not ApiToken.objects.exists()


def test_failures_of_another_username_do_not_count(people: Any) -> None:
    for _ in range(5):
        sign_in("bob", "guess")

    assert sign_in("alice").status_code == 200


def test_failures_older_than_the_window_do_not_count(people: Any, settings: Any) -> None:
    long_ago = timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 60)
    LoginFailure.objects.bulk_create(
        [LoginFailure(username="alice", address="127.0.0.1", at=long_ago) for _ in range(10)]
    )

    assert sign_in("alice").status_code == 200


@override_settings(LOGIN_MAX_FAILURES=2)
def test_one_address_guessing_many_usernames_is_rate_limited(people: Any) -> None:
    # Per address the limit is four times the per-username one: 8 here.
    for i in range(8):
        assert_error(sign_in(f"user{i}", "guess"), 401, "not_authenticated")

    assert_error(sign_in("alice"), 429, "rate_limited")


def test_a_strangers_guesses_do_not_lock_the_owner_out_of_another_address(people: Any) -> None:
    # Hole 7b: five wrong passwords for "alice" from anywhere used to lock alice out everywhere.
    for _ in range(5):
        sign_in("alice", "guess", REMOTE_ADDR="203.0.113.9")
    assert_error(sign_in("alice", REMOTE_ADDR="203.0.113.9"), 429, "rate_limited")

    res = sign_in("alice", REMOTE_ADDR="198.51.100.7")

    assert res.status_code == 200, res.content


def test_a_rate_limited_answer_says_when_to_retry(people: Any, settings: Any) -> None:
    for _ in range(5):
        sign_in("alice", "guess")

    res = sign_in("alice")

    error = assert_error(res, 429, "rate_limited")
    retry = int(res["Retry-After"])
    assert 0 < retry <= settings.LOGIN_FAILURE_WINDOW_SECONDS
    assert error["retry_after"] == retry


def test_retry_after_counts_from_the_failure_that_must_expire(people: Any, settings: Any) -> None:
    now = timezone.now()
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    # Six failures: the oldest two must leave the window before alice is under five again.
    ages = [window - 60, window - 120, 300, 200, 100, 50]
    LoginFailure.objects.bulk_create(
        [LoginFailure(username="alice", address="127.0.0.1", at=now - dt.timedelta(seconds=a)) for a in ages]
    )

    res = sign_in("alice")

    assert res.status_code == 429
    assert 110 <= int(res["Retry-After"]) <= 121


def test_behind_a_trusted_proxy_each_client_is_counted_apart(people: Any, settings: Any) -> None:
    settings.DAYI_TRUSTED_PROXIES = ["10.0.0.2"]
    via_proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(5):
        sign_in("alice", "guess", HTTP_X_FORWARDED_FOR="203.0.113.9", **via_proxy)
    assert_error(sign_in("alice", HTTP_X_FORWARDED_FOR="203.0.113.9", **via_proxy), 429, "rate_limited")

    res = sign_in("alice", HTTP_X_FORWARDED_FOR="198.51.100.7", **via_proxy)

    assert res.status_code == 200, res.content
    assert LoginFailure.objects.filter(address="203.0.113.9").count() == 5


def test_a_forwarded_for_header_from_an_untrusted_client_is_ignored(people: Any, settings: Any) -> None:
    # A guesser cannot dodge the count by inventing a new X-Forwarded-For for every try
    settings.DAYI_TRUSTED_PROXIES = ["10.0.0.2"]
    for n in range(5):
        sign_in("alice", "guess", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

    res = sign_in("alice", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.99")

    assert_error(res, 429, "rate_limited")


# --- how tokens are kept ------------------------------------------------------------------------------------


def _rows_containing(text: str) -> list[str]:
    """The tables that hold ``text`` anywhere in any column (each row cast to text)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT count(*) FROM {quoted} AS r WHERE strpos(r::text, %s) > 0", [text])
            if cursor.fetchone()[0]:
                found.append(table)
    return found


def test_the_database_never_holds_the_token_text(people: Any) -> None:
    token = token_of("alice")
    secret = token.removeprefix("dayi_")

    assert _rows_containing(secret[8:]) == []  # the first characters are kept as a visible prefix
    row = ApiToken.objects.get(user=people["alice"])
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    assert row.digest != token


def test_a_revoked_token_is_401(people: Any) -> None:
    token = token_of("alice")
    client = ApiClient(token)
    row = ApiToken.objects.get(user=people["alice"])

    assert client.delete(f"/api/v1/auth/tokens/{row.pk}").status_code == 204

    assert_error(client.get("/api/v1/me"), 401, "not_authenticated")
    row.refresh_from_db()
    assert row.revoked is not None


def test_one_cannot_revoke_another_users_token(people: Any) -> None:
    token_of("alice")
    row = ApiToken.objects.get(user=people["alice"])

    res = ApiClient(token_of("bob")).delete(f"/api/v1/auth/tokens/{row.pk}")

    assert_error(res, 404, "not_found")
    row.refresh_from_db()
    assert row.revoked is None


def test_an_expired_token_is_401(people: Any) -> None:
    token = token_of("alice")
    ApiToken.objects.update(expires=timezone.now() - dt.timedelta(seconds=1))

    assert_error(ApiClient(token).get("/api/v1/me"), 401, "not_authenticated")


def test_a_token_of_a_deactivated_user_is_401(people: Any) -> None:
    token = token_of("alice")
    people["alice"].is_active = False
    people["alice"].save()

    assert_error(ApiClient(token).get("/api/v1/me"), 401, "not_authenticated")


def test_tokens_expire_after_the_configured_days(people: Any, settings: Any) -> None:
    before = timezone.now()
    token_of("alice")

    row = ApiToken.objects.get()
    lifetime = row.expires - before
    assert (
        dt.timedelta(days=settings.API_TOKEN_DAYS)
        <= lifetime
        < dt.timedelta(days=settings.API_TOKEN_DAYS, minutes=1)
    )


@pytest.mark.parametrize(
    "header",
    [
        "Token abc",
        "Bearer",
        "Bearer ",
        "Basic YWxpY2U6Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5LTk=",
        "bearer dayi_not-a-real-token",
        "dayi_not-a-real-token",
    ],
)
def test_a_malformed_or_unknown_authorization_header_is_401(people: Any, header: str) -> None:
    res = ApiClient().get("/api/v1/me", HTTP_AUTHORIZATION=header)

    assert_error(res, 401, "not_authenticated")


def test_a_malformed_authorization_header_is_401_on_a_write_too(network: Any, people: Any) -> None:
    res = ApiClient().post(
        "/api/v1/platforms",
        {"code": "x", "name": "X", "level": "national"},
        HTTP_AUTHORIZATION="Token abc",
    )

    assert_error(res, 401, "not_authenticated")


# --- /me ----------------------------------------------------------------------------------------------------


def test_me_names_the_user_institution_and_roles(network: Any, people: Any) -> None:
    res = ApiClient(token_of("amy")).get("/api/v1/me")

    assert res.status_code == 200
    body = res.json()
    assert body["username"] == "amy"
    assert body["institution"] == network["zju"].pk
    assert body["roles"] == ["institution_admin", "customer"]
    assert body["grants"] == [{"role": "institution_admin", "institution": network["zju"].pk}]


def test_me_of_a_platform_admin_names_the_platform(people: Any) -> None:
    body = ApiClient(token_of("carol")).get("/api/v1/me").json()

    assert body["grants"] == [{"role": "platform_admin", "platform": "yrd"}]
    assert body["institution"] is None


def test_me_of_a_superuser_says_so(people: Any) -> None:
    assert ApiClient(token_of("root")).get("/api/v1/me").json()["roles"][0] == "superuser"


def test_me_of_a_customer_is_only_a_customer(people: Any) -> None:
    assert ApiClient(token_of("eve")).get("/api/v1/me").json()["roles"] == ["customer"]


def test_me_needs_sign_in(people: Any) -> None:
    assert_error(ApiClient().get("/api/v1/me"), 401, "not_authenticated")
