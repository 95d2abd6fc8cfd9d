from __future__ import annotations

from typing import Any

import pytest

from dayi.core.models import AuditEvent
from dayi.directory.models import Instrument
from tests.conftest import make_instrument

pytestmark = pytest.mark.django_db

BODY = {
    "inventory_no": "ZJU-2020-0001",
    "name": "液相色谱-质谱联用仪",
    "category": "0102",
    "original_value": "3200000.00",
    "modes": ["sample", "assisted"],
    "model": "Xevo TQ-XS",
    "manufacturer": "Waters",
}


def test_it_creates_an_instrument_for_a_manager_of_the_institution(network: Any, api_as: Any) -> None:
    res = api_as("alice").post("/api/v1/instruments", {**BODY, "institution": network["zju"].pk})
    assert res.status_code == 201, res.content
    body = res.json()
    assert body["original_value"] == "3200000.00"
    assert body["region"] == "330100"  # defaults to the institution's
    assert AuditEvent.objects.filter(action="instrument.create", object_id=str(body["id"])).count() == 1


def test_it_refuses_a_manager_of_another_institution(network: Any, api_as: Any) -> None:
    res = api_as("bob").post("/api/v1/instruments", {**BODY, "institution": network["zju"].pk})
    assert res.status_code == 403
    assert res.json()["error"]["code"] == "forbidden"
    assert not Instrument.objects.exists()


def test_it_requires_sign_in(network: Any, anon: Any) -> None:
    res = anon.post("/api/v1/instruments", {**BODY, "institution": network["zju"].pk})
    assert res.status_code == 401
    assert res.json()["error"]["code"] == "not_authenticated"


def test_it_names_bad_fields(network: Any, api_as: Any) -> None:
    res = api_as("alice").post(
        "/api/v1/instruments",
        {**BODY, "institution": network["zju"].pk, "category": "9999", "status": "broken"},
    )
    assert res.status_code == 422
    err = res.json()["error"]
    assert err["code"] == "validation_error"
    assert set(err["fields"]) == {"category", "status"}


def test_wrong_types_are_400(network: Any, api_as: Any) -> None:
    res = api_as("alice").post("/api/v1/instruments", {**BODY, "institution": "zju"})
    assert res.status_code == 400
    assert res.json()["error"]["code"] == "bad_request"


def test_duplicate_inventory_no_is_409(network: Any, api_as: Any) -> None:
    make_instrument(network["zju"], inventory_no=BODY["inventory_no"])
    res = api_as("alice").post("/api/v1/instruments", {**BODY, "institution": network["zju"].pk})
    assert res.status_code == 409
    assert res.json()["error"]["code"] == "duplicate"


def test_patch_and_retire(network: Any, api_as: Any) -> None:
    inst = make_instrument(network["zju"])
    client = api_as("alice")
    res = client.patch(f"/api/v1/instruments/{inst.pk}", {"status": "awaiting_repair"})
    assert res.status_code == 200
    assert res.json()["status"] == "awaiting_repair"
    assert client.delete(f"/api/v1/instruments/{inst.pk}").status_code == 204
    assert client.get(f"/api/v1/instruments/{inst.pk}").status_code == 404


def test_search_filters_by_region_subtree(network: Any, anon: Any) -> None:
    make_instrument(network["zju"], "a")
    make_instrument(network["pku"], "b")
    res = anon.get("/api/v1/instruments", {"region": "330000"})
    assert res.status_code == 200
    assert res.json()["count"] == 1
    assert res.json()["facets"]["region"]["330100"]["count"] == 1
