"""The permission matrix: every write operation of the OpenAPI document × every outsider is refused.

Generated from ``/api/v1/openapi.json``: each POST/PUT/PATCH/DELETE operation is sent by each outsider of
world.OUTSIDERS against objects of world.build that belong to someone else, and must answer 401, 403 or
404 and change nothing (a fingerprint of every Dayi table, the audit log included, is the same after).

How a request is made, so a new endpoint is covered without anyone remembering it:
- each path parameter is mapped to a world object by PATH_PARAMS (its name, and for an ambiguous name the
  start of the path); an unmapped parameter fails the test naming it;
- the body holds the schema's required fields with plausible values (FIELD_VALUES, by field name) that
  point at the target's objects, merged with BODY[operation] where an operation needs more. A valid body
  matters: an outsider must be refused for who they are, not for a malformed body, so 400 and 422 count as
  failures (a 422 before authorisation tells an outsider about objects they must not see);
- OPEN lists the (operation, outsider) pairs that are allowed by design (anyone may ask for a token, any
  signed-in user may post a need), each with its reason; KNOWN_HOLES the pairs the issue lists that other
  branches are closing (strict xfail: the test fails once they pass, so the entry must go).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from dayi.accounts.models import User
from tests.reliability import world
from tests.reliability.world import OUTSIDERS

# The document as clients get it (wherever the API object lives).
SCHEMA: dict[str, Any] = Client().get("/api/v1/openapi.json").json()
WRITES = [
    (method.upper(), path, op)
    for path, ops in SCHEMA["paths"].items()
    for method, op in ops.items()
    if method in ("post", "put", "patch", "delete")
]

W = dict[str, Any]

# name → the world object's value; or a list of (path prefix, value) for names used by several kinds.
PATH_PARAMS: dict[str, Callable[[W], Any] | list[tuple[str, Callable[[W], Any]]]] = {
    "token_id": lambda w: w["token"].pk,
    "code": [
        ("/api/v1/platforms/", lambda w: w["g60"].code),
        ("/api/v1/voucher-schemes/", lambda w: w["scheme"].code),
    ],
    "institution_id": lambda w: w["zju"].pk,
    "instrument_id": lambda w: w["bet"].pk,
    "synonym_id": lambda w: w["synonym"].pk,
    "booking_id": lambda w: w["booking"].pk,
    "order_id": [
        ("/api/v1/orders/{order_id}/rating", lambda w: w["rated_order"].pk),
        ("/api/v1/orders/{order_id}/redemption-claims", lambda w: w["claimed_order"].pk),
        ("/api/v1/orders/{order_id}/vouchers", lambda w: w["claimed_order"].pk),
        ("/api/v1/orders/", lambda w: w["order"].pk),
    ],
    "account_id": lambda w: w["account"].pk,
    "rating_id": lambda w: w["rating"].pk,
    "demand_id": lambda w: w["demand"].pk,
    "quote_id": lambda w: w["quote"].pk,
    "listing_id": lambda w: w["listing"].pk,
    "application_id": lambda w: w["application"].pk,
    "number": lambda w: w["voucher"].number,
    "claim_id": lambda w: w["claim"].pk,
    "expert_id": lambda w: w["expert"].pk,
    "evaluation_id": lambda w: w["evaluation"].pk,
    "platform": lambda w: w["yrd"].code,
    "year": lambda w: 2025,
    # Operations of the branches merged with this one (issue 11): their objects are built in world.py.
    "record_id": lambda w: w["usage"].pk,
    "membership_id": lambda w: needs(w, "membership").pk,
    "delegation_id": lambda w: needs(w, "delegation").pk,
    "top_up_id": lambda w: needs(w, "top_up").pk,
    # People administration: zju's invitation, its manager alice and her role grant.
    "invitation_id": lambda w: needs(w, "invitation").pk,
    "user_id": lambda w: w["alice"].pk,
    "grant_id": lambda w: needs(w, "alice_grant").pk,
    # The manager's desk (issue 12)
    "request_id": lambda w: w["training"].pk,
    "qualification_id": lambda w: w["qualification"].pk,
    "report_id": lambda w: w["problem"].pk,
}


def needs(w: W, key: str) -> Any:
    if key not in w:
        pytest.fail(f"the world has no {key!r}: build one in tests/reliability/world.py")
    return w[key]


# Required body fields by name: plausible values that aim at the target's objects.
FIELD_VALUES: dict[str, Callable[[W], Any]] = {
    "username": lambda w: "mallory",
    "email": lambda w: "mallory@zju.edu.cn",
    "role": lambda w: "instrument_manager",
    "password": lambda w: "correct-horse-battery-9",
    "code": lambda w: "zz-new",
    "name": lambda w: "新名称",
    "level": lambda w: "institutional",
    "credit_code": lambda w: "91330100MA2YYYYY2B",
    "kind": lambda w: "university",
    "region": lambda w: "330100",
    "institution": lambda w: w["zju"].pk,
    "inventory_no": lambda w: "NEW-001",
    "category": lambda w: "0104",
    "original_value": lambda w: "100000.00",
    "term": lambda w: "质谱",
    "expansions": lambda w: ["质谱仪"],
    "user": lambda w: w["eve"].pk,
    "instrument": lambda w: w["bet"].pk,
    "start": lambda w: "2026-12-01T10:00:00+08:00",
    "end": lambda w: "2026-12-01T11:00:00+08:00",
    "mode": lambda w: "assisted",
    "reason": lambda w: "理由 (a reason)",
    "late_cancellation_share": lambda w: "0.5",
    "no_show_share": lambda w: "1",
    "samples": lambda w: {"count": 1, "kind": "粉末", "hazards": "", "return_or_dispose": "dispose"},
    "amount": lambda w: "100.00",
    "note": lambda w: "备注",
    "pi": lambda w: w["alice"].pk,
    "reply": lambda w: "谢谢",
    "title": lambda w: "需求",
    "description": lambda w: "描述",
    "deadline": lambda w: "2026-12-31",
    "funder": lambda w: w["zju"].pk,
    "budget": lambda w: "100000",
    "subsidy_ratio": lambda w: "0.5",
    "cap_per_company": lambda w: "10000",
    "period_start": lambda w: "2026-01-01",
    "period_end": lambda w: "2026-12-31",
    "provider": lambda w: w["zju"].pk,
    "scheme": lambda w: w["scheme"].code,
    "first": lambda w: w["acme"].pk,
    "second": lambda w: w["sme"].pk,
    "company": lambda w: w["sme"].pk,
    "purpose": lambda w: "检测",
    "voucher": lambda w: w["voucher"].number,
    "month": lambda w: "2026-03",
    "value": lambda w: "1000000",
    "to_institution": lambda w: w["pku"].pk,
    "platform": lambda w: w["yrd"].code,
    "year": lambda w: 2025,
    "method": lambda w: "bank_transfer",
    "reference": lambda w: "BANK-2026-0001",
    "powers": lambda w: ["instruments", "bookings", "orders", "users"],
    "at": lambda w: "2026-12-01T10:00:00+08:00",
    "passed": lambda w: True,
    "resolution": lambda w: "已修复",
    "status": lambda w: "awaiting_repair",
    "file": lambda w: SimpleUploadedFile(
        "instruments.csv", "inventory_no,name,category,original_value\nNEW-002,质谱仪,0104,500000\n".encode()
    ),
}

# Operation → body fields beyond the required ones (or instead of a generic value).
BODY: dict[str, Callable[[W], dict[str, Any]]] = {
    "POST /api/v1/platforms": lambda w: {"parent": w["yrd"].code, "level": "municipal"},
    "POST /api/v1/platforms/{code}/members": lambda w: {"institution": w["acme"].pk},
    "POST /api/v1/rating": lambda w: {"level": 5},
    "POST /api/v1/orders/{order_id}/rating": lambda w: {"level": 5},
    "POST /api/v1/users": lambda w: {
        "institution": w["zju"].pk,
        "roles": [{"role": "instrument_manager", "institution": w["zju"].pk}],
    },
    "POST /api/v1/accounts/{account_id}/members": lambda w: {"user": w["eve"].pk},
    "POST /api/v1/voucher-schemes/{code}/recognitions": lambda w: {"scheme": "other"},
    "POST /api/v1/instruments/import": lambda w: {},
    "POST /api/v1/institutions": lambda w: {"platforms": [w["g60"].code]},
    "POST /api/v1/experts": lambda w: {"institution": w["zju"].pk},
    "POST /api/v1/bookings": lambda w: {"instrument": w["internal_instrument"].pk},
    "POST /api/v1/orders": lambda w: {"instrument": w["internal_instrument"].pk},
    # A manager names the user by username or e-mail (a string).
    "POST /api/v1/instruments/{instrument_id}/bookings-for-user": lambda w: {"user": "eve"},
    "POST /api/v1/instruments/{instrument_id}/walk-up-usage": lambda w: {"user": "eve"},
}
# Operation → the whole body, for a body that is not an object.
WHOLE_BODY: dict[str, Callable[[W], Any]] = {
    "PUT /api/v1/instruments/{instrument_id}/prices": lambda w: [
        {"unit": "hour", "mode": "assisted", "user_class": "enterprise", "amount": "1.00",
         "valid_from": "2026-01-01"}
    ],
}  # fmt: skip

# (operation, outsider) → why that outsider may do it: allowed by design, on their own behalf.
ANYONE = {"anonymous": "", "customer": "", "manager of another institution": "",
          "admin of an unrelated platform": ""}  # fmt: skip
SIGNED_IN = {k: "" for k in ANYONE if k != "anonymous"}
OPEN: dict[str, dict[str, str]] = {
    "POST /api/v1/auth/token": {k: "anyone may ask for a token (this one is refused: no such user)"
                                for k in ANYONE},
    "POST /api/v1/demands": {k: "any signed-in user posts a need for their institution" for k in SIGNED_IN},
    "POST /api/v1/stats/duplicate-check": {k: "a read: anyone may check a purchase" for k in ANYONE},
    "POST /api/v1/instruments/{instrument_id}/training-requests": {
        k: "any signed-in user asks for training on a listed instrument" for k in SIGNED_IN},
    "POST /api/v1/instruments/{instrument_id}/problem-reports": {
        k: "any signed-in user reports a fault on a listed instrument" for k in SIGNED_IN},
    # On zju's internal-only instrument: eve, at zju, may; the others may not.
    "POST /api/v1/bookings": {"customer": "eve is of the holder: she may book it"},
    "POST /api/v1/orders": {"customer": "eve is of the holder: she may order"},
    # search/services.py: "the table serves every platform of the deployment, so any platform admin edits
    # it" — a municipal admin can change the national synonyms: a design question for the integrator.
    **{f"{m} /api/v1/search/synonyms{p}": {"admin of an unrelated platform": "platform admins edit synonyms"}
       for m, p in (("POST", ""), ("PATCH", "/{synonym_id}"), ("DELETE", "/{synonym_id}"))},
}  # fmt: skip

# Operation → the rule whose 422 is a refusal too: the instrument is public, its share mode is the rule.
RULE_REFUSALS: dict[str, str] = {
    "POST /api/v1/bookings": "instrument_unavailable",
    "POST /api/v1/orders": "instrument_unavailable",
}

# (operation, outsider) → the branch closing that hole. Refused once it lands: then remove the entry. Empty:
# the holes the issue listed and the one this matrix found (a redemption claim answering an outsider 409)
# are closed.
KNOWN_HOLES: dict[tuple[str, str], str] = {}


def resolve(path: str, w: W) -> str:
    def value(match: re.Match[str]) -> str:
        name = match[1]
        rule = PATH_PARAMS.get(name)
        if rule is None:
            pytest.fail(f"no fixture for the path parameter {{{name}}} of {path}: add it to PATH_PARAMS")
        if isinstance(rule, list):
            for prefix, get in rule:
                if path.startswith(prefix):
                    return str(get(w))
            pytest.fail(f"no fixture for {{{name}}} under {path}: add its prefix to PATH_PARAMS")
        return str(rule(w))

    return re.sub(r"\{(\w+)\}", value, path)


def body_schema(op: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    content = op.get("requestBody", {}).get("content", {})
    for media, spec in content.items():
        schema = spec["schema"]
        if "$ref" in schema:
            schema = SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        return media, schema
    return None


def body_for(label: str, op: dict[str, Any], w: W) -> tuple[str, Any] | None:
    found = body_schema(op)
    if found is None:
        return None
    media, schema = found
    if label in WHOLE_BODY:
        return media, WHOLE_BODY[label](w)
    data: dict[str, Any] = {}
    for field in schema.get("required", []):
        if field not in FIELD_VALUES:
            pytest.fail(
                f"no plausible value for the required field {field!r} of {label}: add it to FIELD_VALUES"
            )
        data[field] = FIELD_VALUES[field](w)
    data.update(BODY.get(label, lambda w: {})(w))
    return media, data


def dayi_tables() -> list[str]:
    """Every table of Dayi's apps but the reference data no API writes (regions, categories)."""
    return sorted(
        m._meta.db_table
        for m in apps.get_models(include_auto_created=True)
        if m.__module__.startswith("dayi.")
        and m._meta.managed
        and m._meta.db_table not in ("network_region", "directory_category")
    )


def fingerprint(tables: list[str]) -> dict[str, str]:
    """Each table's row count and a digest of its rows: a write of any kind changes one of them."""
    parts = [
        f"SELECT '{t}', count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM {t} x"
        for t in tables
    ]
    with connection.cursor() as cur:
        cur.execute(" UNION ALL ".join(parts))
        return {name: f"{n}:{digest}" for name, n, digest in cur.fetchall()}


def send(client: Client, method: str, url: str, body: tuple[str, Any] | None) -> Any:
    if body is None:
        return client.generic(method, url)
    media, data = body
    if media.startswith("multipart"):
        return client.post(url, data)  # the test client encodes a multipart form
    return client.generic(method, url, json.dumps(data), content_type="application/json")


@pytest.fixture
def target(network: dict[str, Any], people: dict[str, User]) -> W:
    return world.build(network, people)


def test_every_write_operation_has_a_fixture_and_a_plausible_body(target: W) -> None:
    for method, path, op in WRITES:
        label = f"{method} {path}"
        resolve(path, target)
        body_for(label, op, target)


def test_every_write_operation_refuses_every_outsider_and_changes_nothing(target: W) -> None:
    tables = dayi_tables()
    clients: dict[str, Client] = {}
    for role, username in OUTSIDERS.items():
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        clients[role] = client
    before = fingerprint(tables)
    failures: list[str] = []
    attempts = 0
    for method, path, op in WRITES:
        label = f"{method} {path}"
        url = resolve(path, target)
        body = body_for(label, op, target)
        for role, client in clients.items():
            if role in OPEN.get(label, {}):
                continue
            attempts += 1
            response = send(client, method, url, body)
            after = fingerprint(tables)
            changed = [t for t in tables if after[t] != before[t]]
            refused = response.status_code in (401, 403, 404) or (
                response.status_code == 422
                and label in RULE_REFUSALS
                and response.json()["error"].get("rule") == RULE_REFUSALS[label]
            )
            hole = KNOWN_HOLES.get((label, role))
            if (not refused or changed) and not hole:
                failures.append(
                    f"{label} as {role}: {response.status_code} {response.content[:160]!r}"
                    + (f"; changed {changed}" if changed else "")
                )
            elif refused and not changed and hole:
                failures.append(f"{label} as {role} is refused now: remove it from KNOWN_HOLES ({hole})")
            before = after
    print(
        f"\npermission matrix: {len(WRITES)} write operations × {len(clients)} outsiders, {attempts} attempts"
    )
    assert not failures, f"{len(failures)} of {attempts} attempts were not refused:\n" + "\n".join(failures)
