"""POST /api/v1/users: who may create which roles, the refusals, and how passwords are kept."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.hashers import make_password

from dayi import settings as project_settings
from dayi.accounts.models import RoleGrant, User
from dayi.core.models import AuditEvent
from dayi.network.models import Delegation
from tests.conftest import NOW, PASSWORD, ApiClient

pytestmark = pytest.mark.django_db

STRONG = "Tiegelzange-4711-Quarz"


def new_user(username: str = "newbie", **extra: Any) -> dict[str, Any]:
    return {"username": username, "password": STRONG, "email": f"{username}@example.org", **extra}


def grant(role: str, **scope: Any) -> dict[str, Any]:
    return {"role": role, **scope}


def assert_refused(res: Any, status: int, code: str, users_before: int) -> dict[str, Any]:
    assert res.status_code == status, res.content
    error = res.json()["error"]
    assert error["code"] == code
    assert User.objects.count() == users_before
    assert not AuditEvent.objects.filter(action="user.create").exists()
    return error


# --- who may create which roles ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "roles"),
    [
        ("root", [grant("platform_admin", platform="cn")]),
        ("root", [grant("voucher_officer", scheme="bj-2026")]),
        ("amy", [grant("instrument_manager", institution="zju")]),
        ("amy", [grant("institution_admin", institution="zju")]),
        ("amy", []),
    ],
)
def test_an_admin_creates_users_with_roles_in_their_scope(
    network: Any, api_as: Any, persona: str, roles: list[dict[str, Any]]
) -> None:
    roles = [{**g, "institution": network[g["institution"]].pk} if "institution" in g else g for g in roles]
    home = network["pku"] if persona == "dave" else network["zju"]

    res = api_as(persona).post("/api/v1/users", new_user(institution=home.pk, roles=roles))

    assert res.status_code == 201, res.content
    body = res.json()
    assert body["username"] == "newbie"
    assert body["institution"] == home.pk
    assert sorted(body["grants"], key=str) == sorted(roles, key=str)
    user = User.objects.get(username="newbie")
    assert sorted((g.as_dict() for g in user.grants.all()), key=str) == sorted(roles, key=str)
    audit = AuditEvent.objects.get(action="user.create")
    assert audit.object_id == str(user.pk)
    assert audit.after["roles"] == roles
    assert "password" not in audit.after


@pytest.mark.parametrize("platform", ["yrd", "g60"])
def test_a_platform_admin_may_create_a_user_without_an_institution(
    network: Any, api_as: Any, platform: str
) -> None:
    res = api_as("carol").post("/api/v1/users", new_user(roles=[grant("platform_admin", platform=platform)]))

    assert res.status_code == 201, res.content
    assert res.json()["institution"] is None


def test_with_users_delegated_a_platform_admin_appoints_managers_but_not_admins(
    network: Any, api_as: Any, people: Any
) -> None:
    zju = network["zju"]
    Delegation.objects.create(
        institution=zju, platform=network["g60"], powers=["users"], created=NOW, created_by=people["amy"]
    )
    manager = [grant("instrument_manager", institution=zju.pk)]
    admin = [grant("institution_admin", institution=zju.pk)]

    assert (
        api_as("carol").post("/api/v1/users", new_user(institution=zju.pk, roles=manager)).status_code == 201
    )
    res = api_as("carol").post("/api/v1/users", new_user("mole", institution=zju.pk, roles=admin))
    assert res.status_code == 403, res.content
    assert not User.objects.filter(username="mole").exists()


@pytest.mark.parametrize(
    ("persona", "home", "roles"),
    [
        # a platform admin outside their subtree
        ("carol", "zju", [grant("platform_admin", platform="bj")]),
        ("carol", "zju", [grant("platform_admin", platform="cn")]),  # above their own platform
        ("carol", "pku", []),
        ("carol", "zju", [grant("instrument_manager", institution="pku")]),
        ("dave", "zju", []),
        ("dave", "pku", [grant("platform_admin", platform="g60")]),
        # a platform admin oversees its members but does not run their users (no delegation here)
        ("carol", "zju", [grant("platform_admin", platform="yrd")]),
        ("carol", "zju", [grant("institution_admin", institution="zju")]),
        ("carol", "zju", [grant("instrument_manager", institution="zju")]),
        ("dave", "pku", [grant("instrument_manager", institution="pku")]),
        # an institution admin outside their institution, or above it
        ("amy", "pku", []),
        ("amy", "zju", [grant("instrument_manager", institution="pku")]),
        ("amy", "zju", [grant("platform_admin", platform="g60")]),
        ("amy", "zju", [grant("voucher_officer", scheme="bj-2026")]),
        ("carol", "zju", [grant("voucher_officer", scheme="bj-2026")]),
        # no admin role at all
        ("alice", "zju", []),
        ("alice", "zju", [grant("instrument_manager", institution="zju")]),
        ("bob", "pku", []),
        ("eve", "zju", []),
    ],
)
def test_it_refuses_roles_outside_the_actors_scope(
    network: Any, api_as: Any, people: Any, persona: str, home: str, roles: list[dict[str, Any]]
) -> None:
    roles = [{**g, "institution": network[g["institution"]].pk} if "institution" in g else g for g in roles]
    client = api_as(persona)
    before = User.objects.count()

    res = client.post("/api/v1/users", new_user(institution=network[home].pk, roles=roles))

    assert_refused(res, 403, "forbidden", before)
    assert RoleGrant.objects.count() == 7 - 2  # root holds no grant, eve none


def test_it_requires_sign_in(network: Any, anon: Any) -> None:
    before = User.objects.count()

    res = anon.post("/api/v1/users", new_user(institution=network["zju"].pk))

    assert_refused(res, 401, "not_authenticated", before)


def test_an_institution_admin_must_name_the_institution(network: Any, api_as: Any) -> None:
    client = api_as("amy")
    before = User.objects.count()

    error = assert_refused(client.post("/api/v1/users", new_user()), 422, "validation_error", before)

    assert "institution" in error["fields"]


def test_a_duplicate_username_is_409(network: Any, api_as: Any) -> None:
    client = api_as("amy")
    before = User.objects.count()

    res = client.post("/api/v1/users", new_user("alice", institution=network["zju"].pk))

    error = assert_refused(res, 409, "duplicate", before)
    assert "username" in error["fields"]


@pytest.mark.parametrize("password", ["short1", "12345678901234", "password123", "qwertyuiop"])
def test_a_weak_password_is_422_naming_the_password(network: Any, api_as: Any, password: str) -> None:
    client = api_as("amy")
    before = User.objects.count()

    res = client.post("/api/v1/users", {**new_user(institution=network["zju"].pk), "password": password})

    error = assert_refused(res, 422, "validation_error", before)
    assert error["fields"]["password"]


def test_an_unknown_role_is_422(network: Any, api_as: Any) -> None:
    client = api_as("root")
    before = User.objects.count()

    res = client.post("/api/v1/users", new_user(roles=[grant("emperor", platform="cn")]))

    error = assert_refused(res, 422, "validation_error", before)
    assert "roles.0.role" in error["fields"]


@pytest.mark.parametrize(
    ("role", "field"),
    [
        (grant("platform_admin"), "roles.0.platform"),
        (grant("platform_admin", platform="nowhere"), "roles.0.platform"),
        (grant("instrument_manager"), "roles.0.institution"),
        (grant("institution_admin", institution=987654), "roles.0.institution"),
        (grant("voucher_officer"), "roles.0.scheme"),
    ],
)
def test_a_role_without_its_scope_is_422(network: Any, api_as: Any, role: dict[str, Any], field: str) -> None:
    client = api_as("root")
    before = User.objects.count()

    res = client.post("/api/v1/users", new_user(roles=[role]))

    error = assert_refused(res, 422, "validation_error", before)
    assert field in error["fields"]


def test_an_unknown_institution_is_422(network: Any, api_as: Any) -> None:
    client = api_as("root")
    before = User.objects.count()

    error = assert_refused(
        client.post("/api/v1/users", new_user(institution=987654)), 422, "validation_error", before
    )
    assert "institution" in error["fields"]


@pytest.mark.parametrize("username", ["has space", "semi;colon", "   "])
def test_a_malformed_username_is_422(network: Any, api_as: Any, username: str) -> None:
    client = api_as("root")
    before = User.objects.count()

    error = assert_refused(client.post("/api/v1/users", new_user(username)), 422, "validation_error", before)
    assert "username" in error["fields"]


def test_a_malformed_email_is_422(network: Any, api_as: Any) -> None:
    client = api_as("root")
    before = User.objects.count()

    res = client.post("/api/v1/users", {**new_user(), "email": "not an address"})

    error = assert_refused(res, 422, "validation_error", before)
    assert "email" in error["fields"]


def test_the_same_role_named_twice_is_granted_once(network: Any, api_as: Any) -> None:
    zju = network["zju"].pk
    roles = [grant("instrument_manager", institution=zju), grant("instrument_manager", institution=zju)]

    res = api_as("amy").post("/api/v1/users", new_user(institution=zju, roles=roles))

    assert res.status_code == 201, res.content
    assert RoleGrant.objects.filter(user__username="newbie").count() == 1


def test_the_new_user_can_sign_in_with_the_roles_granted(network: Any, api_as: Any, anon: Any) -> None:
    zju = network["zju"].pk
    api_as("amy").post(
        "/api/v1/users", new_user(institution=zju, roles=[grant("instrument_manager", institution=zju)])
    )

    res = anon.post("/api/v1/auth/token", {"username": "newbie", "password": STRONG})

    assert res.status_code == 200, res.content
    assert res.json()["user"]["roles"] == ["instrument_manager", "customer"]


# --- passwords --------------------------------------------------------------------------------------------


@pytest.fixture
def project_hashers(settings: Any) -> None:
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def test_passwords_are_hashed_with_argon2id(network: Any, api_as: Any, project_hashers: None) -> None:
    api_as("amy").post("/api/v1/users", new_user(institution=network["zju"].pk))

    stored = User.objects.get(username="newbie").password
    assert stored.startswith("argon2$argon2id$")
    assert STRONG not in stored


def test_an_old_pbkdf2_hash_is_upgraded_to_argon2_at_sign_in(people: Any, project_hashers: None) -> None:
    alice = people["alice"]
    alice.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    alice.save()

    res = ApiClient().post("/api/v1/auth/token", {"username": "alice", "password": PASSWORD})

    assert res.status_code == 200
    alice.refresh_from_db()
    assert alice.password.startswith("argon2$argon2id$")
