"""The permission matrix: every write endpoint × every persona × own and other institution / platform.

The two sides of the network (see tests/conftest.py):
    zju side: 浙江大学, a member of g60 (under yrd) — alice manages, amy administers, carol oversees
    pku side: 北京大学, a member of bj              — bob manages, dave oversees
So each persona meets its own side and the other one. A refused write must change nothing (every row of the
domain tables, and no audit row); an allowed write writes exactly one audit row naming the actor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import models

from dayi.accounts.models import RoleGrant, User
from dayi.core.models import AuditEvent
from dayi.directory.models import Expert, Instrument
from dayi.network.models import Delegation, Institution, Membership, Platform
from tests.conftest import NOW, make_institution, make_instrument

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "eve", "alice", "bob", "amy", "carol", "dave", "root")
SIDES = {"zju": ("zju", "g60"), "pku": ("pku", "bj")}  # side → (institution, platform)

# The expected status of each write, per persona in the order of PERSONAS.
#                                     anon eve  alice bob  amy  carol dave root
MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    # A platform admin oversees its member institutions but operates none of them (no delegation here);
    # someone else's instrument is not found (deny by default), not forbidden.
    ("create instrument", "zju"):     (401, 403, 201, 403, 201, 403, 403, 201),
    ("create instrument", "pku"):     (401, 403, 403, 201, 403, 403, 403, 201),
    ("edit instrument", "zju"):       (401, 404, 200, 404, 200, 404, 404, 200),
    ("edit instrument", "pku"):       (401, 404, 404, 200, 404, 404, 404, 200),
    ("retire instrument", "zju"):     (401, 404, 204, 404, 204, 404, 404, 204),
    ("retire instrument", "pku"):     (401, 404, 404, 204, 404, 404, 404, 204),
    ("create platform", "zju"):       (401, 403, 403, 403, 403, 201, 403, 201),
    ("create platform", "pku"):       (401, 403, 403, 403, 403, 403, 201, 201),
    ("edit platform", "zju"):         (401, 403, 403, 403, 403, 200, 403, 200),
    ("edit platform", "pku"):         (401, 403, 403, 403, 403, 403, 200, 200),
    ("add member", "zju"):            (401, 403, 403, 403, 403, 202, 403, 202),
    ("add member", "pku"):            (401, 403, 403, 403, 403, 403, 202, 202),
    ("remove member", "zju"):         (401, 403, 403, 403, 204, 204, 403, 204),
    ("remove member", "pku"):         (401, 403, 403, 403, 403, 403, 204, 204),
    ("create institution", "zju"):    (401, 403, 403, 403, 403, 201, 403, 201),
    ("create institution", "pku"):    (401, 403, 403, 403, 403, 403, 201, 201),
    ("edit institution", "zju"):      (401, 403, 403, 403, 200, 403, 403, 200),
    ("edit institution", "pku"):      (401, 403, 403, 403, 403, 403, 403, 200),
    ("create user", "zju"):           (401, 403, 403, 403, 201, 403, 403, 201),
    ("create user", "pku"):           (401, 403, 403, 403, 403, 403, 403, 201),
    ("create expert", "zju"):         (401, 403, 201, 403, 201, 403, 403, 201),
    ("create expert", "pku"):         (401, 403, 403, 201, 403, 403, 403, 201),
    ("edit expert", "zju"):           (401, 404, 200, 404, 200, 404, 404, 200),
    ("edit expert", "pku"):           (401, 404, 404, 200, 404, 404, 404, 200),
    ("retire expert", "zju"):         (401, 404, 200, 404, 200, 404, 404, 200),
    ("retire expert", "pku"):         (401, 404, 404, 200, 404, 404, 404, 200),
    # Deciding a membership request and delegating are the institution's own admin's (pku has none here).
    ("accept membership", "zju"):     (401, 404, 404, 404, 200, 404, 404, 200),
    ("accept membership", "pku"):     (401, 404, 404, 404, 404, 404, 404, 200),
    ("refuse membership", "zju"):     (401, 404, 404, 404, 200, 404, 404, 200),
    ("refuse membership", "pku"):     (401, 404, 404, 404, 404, 404, 404, 200),
    ("delegate", "zju"):              (401, 404, 404, 404, 201, 404, 404, 201),
    ("delegate", "pku"):              (401, 404, 404, 404, 404, 404, 404, 201),
    ("revoke delegation", "zju"):     (401, 404, 404, 404, 204, 404, 404, 204),
    ("revoke delegation", "pku"):     (401, 404, 404, 404, 404, 404, 404, 204),
}  # fmt: skip

# What an allowed write records: (audit action, it has a "before", it has an "after").
AUDIT = {
    "create instrument": ("instrument.create", False, True),
    "edit instrument": ("instrument.update", True, True),
    "retire instrument": ("instrument.retire", True, True),
    "create platform": ("platform.create", False, True),
    "edit platform": ("platform.update", True, True),
    "add member": ("platform.request_member", False, True),
    "remove member": ("platform.remove_member", True, False),
    "create institution": ("institution.create", False, True),
    "edit institution": ("institution.update", True, True),
    "create user": ("user.create", False, True),
    "create expert": ("expert.create", False, True),
    "edit expert": ("expert.update", True, True),
    "retire expert": ("expert.retire", True, True),
    "accept membership": ("membership.accept", True, True),
    "refuse membership": ("membership.refuse", True, True),
    "delegate": ("institution.delegate", False, True),
    "revoke delegation": ("institution.revoke_delegation", True, True),
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Argon2 costs ~0.1 s a hash by design; this matrix creates the personas 176 times."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(network: dict[str, Any], people: dict[str, Any]) -> dict[str, Any]:
    """The network, the personas, an instrument on each side, and an institution on no platform yet."""
    return {
        **network,
        "people": people,
        "zju_instrument": make_instrument(network["zju"], "ZJU-0001"),
        "pku_instrument": make_instrument(network["pku"], "PKU-0001"),
        "zju_expert": Expert.objects.create(name="李明", institution=network["zju"]),
        "pku_expert": Expert.objects.create(name="王芳", institution=network["pku"]),
        # One newcomer within each side's platform regions (Hangzhou for g60, Beijing for bj).
        "newcomer_zju": make_institution("浙江工业大学", "12330000470003231X", "330106"),
        "newcomer_pku": make_institution("清华大学", "12100000400000624D", "110108"),
        # A pending request on each side, to a platform above the member's own (no persona heads it)
        "zju_request": Membership.requests.create(platform=network["yrd"], institution=network["zju"]),
        "pku_request": Membership.requests.create(platform=network["cn"], institution=network["pku"]),
        # A live delegation on each side; of bookings, which no write here needs
        "zju_delegation": Delegation.objects.create(
            institution=network["zju"],
            platform=network["g60"],
            powers=["bookings"],
            created=NOW,
            created_by=people["amy"],
        ),
        "pku_delegation": Delegation.objects.create(
            institution=network["pku"],
            platform=network["bj"],
            powers=["bookings"],
            created=NOW,
            created_by=people["root"],
        ),
    }


Request = tuple[str, str, dict[str, Any] | None]


def _write(action: str, side: str, w: dict[str, Any]) -> Request:
    inst_key, plat_code = SIDES[side]
    inst = w[inst_key]
    instrument = w[f"{side}_instrument"]
    writes: dict[str, Callable[[], Request]] = {
        "create instrument": lambda: (
            "post",
            "/api/v1/instruments",
            {"institution": inst.pk, "inventory_no": "NEW-1", "name": "核磁共振波谱仪", "category": "0106",
             "original_value": "6000000.00", "modes": ["sample"]},
        ),
        "edit instrument": lambda: (
            "patch", f"/api/v1/instruments/{instrument.pk}", {"status": "awaiting_repair"}
        ),
        "retire instrument": lambda: ("delete", f"/api/v1/instruments/{instrument.pk}", None),
        "create platform": lambda: (
            "post",
            "/api/v1/platforms",
            {"code": "new-plat", "name": "新平台", "level": "institutional", "parent": plat_code},
        ),
        "edit platform": lambda: ("patch", f"/api/v1/platforms/{plat_code}", {"name": "改名的平台"}),
        "add member": lambda: (
            "post", f"/api/v1/platforms/{plat_code}/members", {"institution": w[f"newcomer_{side}"].pk}
        ),
        "remove member": lambda: ("delete", f"/api/v1/platforms/{plat_code}/members/{inst.pk}", None),
        "create institution": lambda: (
            "post",
            "/api/v1/institutions",
            {"name": "某科技有限公司", "credit_code": "91110000802100433B", "kind": "enterprise",
             "region": inst.region_id, "is_sme": True, "platforms": [plat_code]},
        ),
        "edit institution": lambda: ("patch", f"/api/v1/institutions/{inst.pk}", {"name_en": "Changed"}),
        "create user": lambda: (
            "post",
            "/api/v1/users",
            {"username": "newbie", "password": "Tiegelzange-4711-Quarz", "institution": inst.pk,
             "roles": [{"role": "instrument_manager", "institution": inst.pk}]},
        ),
        "create expert": lambda: (
            "post",
            "/api/v1/experts",
            {"name": "张三", "institution": inst.pk, "title": "研究员",
             "fields_of_expertise": ["电子显微学"]},
        ),
        "edit expert": lambda: ("patch", f"/api/v1/experts/{w[f'{side}_expert'].pk}", {"title": "研究员"}),
        "retire expert": lambda: (
            "post", f"/api/v1/experts/{w[f'{side}_expert'].pk}/retire", {"reason": "已退休"}
        ),
        "accept membership": lambda: (
            "post", f"/api/v1/memberships/{w[f'{side}_request'].pk}/accept", None
        ),
        "refuse membership": lambda: (
            "post", f"/api/v1/memberships/{w[f'{side}_request'].pk}/refuse", {"reason": "不加入"}
        ),
        "delegate": lambda: (
            "post", f"/api/v1/institutions/{inst.pk}/delegations",
            {"platform": plat_code, "powers": ["orders"]},
        ),
        "revoke delegation": lambda: (
            "delete", f"/api/v1/institutions/{inst.pk}/delegations/{w[f'{side}_delegation'].pk}", None
        ),
    }  # fmt: skip
    return writes[action]()


DOMAIN_MODELS: list[type[models.Model]] = [
    Instrument,
    Platform,
    Platform.regions.through,
    Membership,
    Delegation,
    Institution,
    User,
    RoleGrant,
    Expert,
    AuditEvent,
]


def everything() -> dict[str, list[dict[str, Any]]]:
    """Every row of the tables a write of this issue may touch (API tokens aside: reads touch last_used)."""
    # The base manager: every row, membership requests too (the default manager counts accepted ones).
    return {m._meta.label: list(m._base_manager.order_by("pk").values()) for m in DOMAIN_MODELS}


CASES = [
    pytest.param(action, side, persona, MATRIX[action, side][i], id=f"{action}-{side}-{persona}")
    for (action, side) in MATRIX
    for i, persona in enumerate(PERSONAS)
]


@pytest.mark.parametrize(("action", "side", "persona", "expected"), CASES)
def test_the_permission_matrix(
    world: dict[str, Any], api_as: Any, action: str, side: str, persona: str, expected: int
) -> None:
    # Given a client for the persona (issuing its token writes an audit row: take the snapshot after it)
    client = api_as(None if persona == "anonymous" else persona)
    method, path, body = _write(action, side, world)
    before = everything()
    audit_high = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    # When it tries the write
    res = getattr(client, method)(path, body)

    # Then the status is the one in the table
    assert res.status_code == expected, res.content
    new_events = list(AuditEvent.objects.filter(pk__gt=audit_high))
    if expected >= 400:
        assert (
            res.json()["error"]["code"]
            == {401: "not_authenticated", 403: "forbidden", 404: "not_found"}[expected]
        )
        assert everything() == before, "a refused write changed something"
        assert new_events == []
    else:
        name, has_before, has_after = AUDIT[action]
        assert [e.action for e in new_events] == [name]
        event = new_events[0]
        assert event.actor_id == world["people"][persona].pk
        assert bool(event.before) is has_before
        assert bool(event.after) is has_after
        assert everything() != before


def test_the_matrix_covers_every_write_on_both_sides() -> None:
    assert {action for action, _ in MATRIX} == set(AUDIT)
    assert all((action, side) in MATRIX for action in AUDIT for side in SIDES)
    assert all(len(row) == len(PERSONAS) for row in MATRIX.values())


def test_the_matrix_covers_every_write_route_of_the_api() -> None:
    """A new write endpoint of accounts, network or directory must join the matrix (or be named here)."""
    from dayi.api import api

    elsewhere = {
        "/api/v1/auth/token",  # anyone: it is how one signs in
        "/api/v1/auth/tokens/{token_id}",  # one's own tokens only: tests/accounts/test_auth.py
        "/api/v1/instruments/import",  # the import's own tests
        # People administration (issue 12): both sides of every write in tests/accounts/test_people.py
        # and test_people_api.py, and every persona in tests/reliability/test_permission_matrix.py.
        "/api/v1/invitations",
        "/api/v1/invitations/{invitation_id}",
        "/api/v1/users/{user_id}/deactivate",
        "/api/v1/users/{user_id}/reactivate",
        "/api/v1/users/{user_id}/roles",
        "/api/v1/roles/{grant_id}",
    }
    covered = {
        ("POST", "/api/v1/instruments"),
        ("PATCH", "/api/v1/instruments/{instrument_id}"),
        ("DELETE", "/api/v1/instruments/{instrument_id}"),
        ("POST", "/api/v1/platforms"),
        ("PATCH", "/api/v1/platforms/{code}"),
        ("POST", "/api/v1/platforms/{code}/members"),
        ("DELETE", "/api/v1/platforms/{code}/members/{institution_id}"),
        ("POST", "/api/v1/institutions"),
        ("PATCH", "/api/v1/institutions/{institution_id}"),
        ("POST", "/api/v1/users"),
        ("POST", "/api/v1/experts"),
        ("PATCH", "/api/v1/experts/{expert_id}"),
        ("POST", "/api/v1/experts/{expert_id}/retire"),
        ("POST", "/api/v1/memberships/{membership_id}/accept"),
        ("POST", "/api/v1/memberships/{membership_id}/refuse"),
        ("POST", "/api/v1/institutions/{institution_id}/delegations"),
        ("DELETE", "/api/v1/institutions/{institution_id}/delegations/{delegation_id}"),
    }
    schema = api.get_openapi_schema()
    writes = {
        (method.upper(), path)
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if method in ("post", "put", "patch", "delete")
        and path not in elsewhere
        and set(op.get("tags") or ["?"]) <= {"accounts", "network", "directory"}
    }
    assert writes == covered
