"""/api/v1/institutions: onboarding legal entities, their credit codes, and who may change them."""

from __future__ import annotations

from typing import Any

import pytest

from dayi.core.models import AuditEvent
from dayi.network.models import Institution, Membership

pytestmark = pytest.mark.django_db

TSINGHUA = "12100000400000624D"


def body(credit_code: str = TSINGHUA, platforms: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "name": "清华大学",
        "name_en": "Tsinghua University",
        "credit_code": credit_code,
        "kind": "university",
        "region": "110108",
        "platforms": ["bj"] if platforms is None else platforms,
        **extra,
    }


def assert_error(res: Any, status: int, code: str) -> dict[str, Any]:
    assert res.status_code == status, res.content
    error = res.json()["error"]
    assert error["code"] == code
    return error


def without_updated(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if k != "updated"}


def assert_nothing_created() -> None:
    assert Institution.objects.count() == 2
    assert not AuditEvent.objects.filter(action="institution.create").exists()


# --- onboarding -------------------------------------------------------------------------------------------


def test_a_platform_admin_onboards_an_institution_into_their_platform(network: Any, api_as: Any) -> None:
    res = api_as("dave").post("/api/v1/institutions", body(is_sme=False, department="教育部"))

    assert res.status_code == 201, res.content
    out = res.json()
    assert out["credit_code"] == TSINGHUA
    assert out["region"] == "110108"
    assert out["platforms"] == ["bj"]
    assert out["is_sme"] is False
    inst = Institution.objects.get(pk=out["id"])
    assert Membership.objects.filter(institution=inst, platform__code="bj").exists()
    audit = AuditEvent.objects.get(action="institution.create")
    assert audit.institution_id == inst.pk
    assert audit.after["credit_code"] == TSINGHUA and audit.after["platforms"] == ["bj"]


def test_a_platform_admin_may_onboard_into_a_sub_platform(network: Any, api_as: Any) -> None:
    res = api_as("carol").post(
        "/api/v1/institutions",
        body("91110000802100433B", ["g60"], name="某企业", kind="enterprise", is_sme=True, region="330106"),
    )

    assert res.status_code == 201, res.content
    assert res.json()["platforms"] == ["g60"]
    assert res.json()["is_sme"] is True


def test_onboarding_outside_the_platforms_regions_is_422(network: Any, api_as: Any) -> None:
    res = api_as("carol").post("/api/v1/institutions", body(platforms=["g60"]))  # Beijing into G60

    assert_error(res, 422, "outside_regions")
    assert_nothing_created()


def test_an_admin_above_the_platform_onboards_outside_its_regions_with_a_reason(
    network: Any, api_as: Any
) -> None:
    res = api_as("carol").post("/api/v1/institutions", body(platforms=["g60"], reason="G60 联合实验室"))

    assert res.status_code == 201, res.content
    audit = AuditEvent.objects.get(action="institution.create")
    assert audit.after["override_regions"] == ["g60"]


def test_a_superuser_may_onboard_without_a_platform(network: Any, api_as: Any) -> None:
    res = api_as("root").post("/api/v1/institutions", body(platforms=[]))

    assert res.status_code == 201, res.content
    assert res.json()["platforms"] == []


def test_a_platform_admin_must_name_the_platform(network: Any, api_as: Any) -> None:
    res = api_as("dave").post("/api/v1/institutions", body(platforms=[]))

    assert "platforms" in assert_error(res, 422, "validation_error")["fields"]
    assert_nothing_created()


@pytest.mark.parametrize(
    ("persona", "platforms"), [("carol", ["bj"]), ("dave", ["g60"]), ("dave", ["bj", "g60"])]
)
def test_it_refuses_a_platform_one_does_not_administer(
    network: Any, api_as: Any, persona: str, platforms: list[str]
) -> None:
    assert_error(api_as(persona).post("/api/v1/institutions", body(platforms=platforms)), 403, "forbidden")
    assert_nothing_created()


@pytest.mark.parametrize("persona", ["amy", "alice", "bob", "eve"])
def test_only_platform_admins_onboard(network: Any, api_as: Any, persona: str) -> None:
    assert_error(api_as(persona).post("/api/v1/institutions", body()), 403, "forbidden")
    assert_nothing_created()


def test_onboarding_requires_sign_in(network: Any, anon: Any) -> None:
    assert_error(anon.post("/api/v1/institutions", body()), 401, "not_authenticated")
    assert_nothing_created()


@pytest.mark.parametrize("code", ["9144030071526726XG", "914403001922038216", "91110000802100433B", TSINGHUA])
def test_it_accepts_real_credit_codes(network: Any, api_as: Any, code: str) -> None:
    assert api_as("root").post("/api/v1/institutions", body(code)).status_code == 201


def test_a_lowercase_credit_code_is_stored_upper_case(network: Any, api_as: Any) -> None:
    res = api_as("root").post("/api/v1/institutions", body(" 9144030071526726xg "))

    assert res.status_code == 201, res.content
    assert res.json()["credit_code"] == "9144030071526726XG"


@pytest.mark.parametrize(
    "code",
    [
        "12100000400000624E",  # wrong check character
        "1210000040000062",  # 16 characters
        "12100000400000624DD",  # 19 characters
        "12100000400O00624D",  # the letter O for a zero
        "121000004I0000624D",  # I is not in the alphabet
        "",
    ],
)
def test_an_invalid_credit_code_is_422(network: Any, api_as: Any, code: str) -> None:
    res = api_as("root").post("/api/v1/institutions", body(code))

    assert "credit_code" in assert_error(res, 422, "validation_error")["fields"]
    assert_nothing_created()


def test_a_registered_credit_code_is_409(network: Any, api_as: Any) -> None:
    res = api_as("dave").post("/api/v1/institutions", body(network["pku"].credit_code))

    assert "credit_code" in assert_error(res, 409, "duplicate")["fields"]
    assert_nothing_created()


def test_a_registered_credit_code_typed_in_lowercase_is_409_too(network: Any, api_as: Any) -> None:
    res = api_as("dave").post("/api/v1/institutions", body(network["pku"].credit_code.lower()))

    assert_error(res, 409, "duplicate")


@pytest.mark.parametrize(("field", "value"), [("kind", "club"), ("region", "999999"), ("region", "11")])
def test_an_unknown_kind_or_region_is_422(network: Any, api_as: Any, field: str, value: str) -> None:
    res = api_as("root").post("/api/v1/institutions", body(**{field: value}))

    assert field in assert_error(res, 422, "validation_error")["fields"]
    assert_nothing_created()


def test_several_bad_fields_are_named_together(network: Any, api_as: Any) -> None:
    res = api_as("root").post("/api/v1/institutions", body("X", kind="club", region="999999"))

    assert set(assert_error(res, 422, "validation_error")["fields"]) == {"credit_code", "kind", "region"}


# --- reading ----------------------------------------------------------------------------------------------


def test_anyone_reads_an_institution(network: Any, anon: Any) -> None:
    res = anon.get(f"/api/v1/institutions/{network['zju'].pk}")

    assert res.status_code == 200
    assert res.json()["credit_code"] == "12100000470095016Q"
    assert res.json()["platforms"] == ["g60"]


def test_an_unknown_institution_is_404(network: Any, anon: Any) -> None:
    assert_error(anon.get("/api/v1/institutions/987654"), 404, "not_found")


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({}, ["北京大学", "浙江大学"]),
        ({"platform": "yrd"}, ["浙江大学"]),  # a member of g60, which is under yrd
        ({"platform": "bj"}, ["北京大学"]),
        ({"region": "330000"}, ["浙江大学"]),  # zju is in Hangzhou, 330100
        ({"q": "北京"}, ["北京大学"]),
        ({"q": "12100000470095016q"}, ["浙江大学"]),
        ({"kind": "enterprise"}, []),
    ],
)
def test_the_institution_list_filters(
    network: Any, anon: Any, params: dict[str, str], names: list[str]
) -> None:
    res = anon.get("/api/v1/institutions", params)

    assert res.status_code == 200
    assert sorted(i["name"] for i in res.json()["items"]) == names
    assert res.json()["count"] == len(names)


# --- changing ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["amy", "root"])
def test_its_admins_change_an_institution(network: Any, api_as: Any, persona: str) -> None:
    zju = network["zju"]

    res = api_as(persona).patch(
        f"/api/v1/institutions/{zju.pk}", {"name_en": "Zhejiang University", "is_sme": False}
    )

    assert res.status_code == 200, res.content
    assert res.json()["name_en"] == "Zhejiang University"
    audit = AuditEvent.objects.get(action="institution.update")
    assert without_updated(audit.before) == {"name_en": ""}
    assert without_updated(audit.after) == {"name_en": "Zhejiang University"}
    assert audit.institution_id == zju.pk


@pytest.mark.parametrize("persona", ["carol", "dave", "alice", "bob", "eve"])
def test_it_refuses_changes_from_anyone_else(network: Any, api_as: Any, persona: str) -> None:
    zju = network["zju"]

    res = api_as(persona).patch(f"/api/v1/institutions/{zju.pk}", {"name": "改名"})

    assert_error(res, 403, "forbidden")
    zju.refresh_from_db()
    assert zju.name == "浙江大学"
    assert not AuditEvent.objects.filter(action="institution.update").exists()


def test_an_institution_admin_cannot_change_another_institution(network: Any, api_as: Any) -> None:
    assert_error(
        api_as("amy").patch(f"/api/v1/institutions/{network['pku'].pk}", {"name": "x"}), 403, "forbidden"
    )


def test_changing_to_a_registered_credit_code_is_409(network: Any, api_as: Any) -> None:
    zju = network["zju"]

    res = api_as("amy").patch(f"/api/v1/institutions/{zju.pk}", {"credit_code": network["pku"].credit_code})

    assert_error(res, 409, "duplicate")
    zju.refresh_from_db()
    assert zju.credit_code == "12100000470095016Q"


def test_keeping_ones_own_credit_code_is_fine(network: Any, api_as: Any) -> None:
    zju = network["zju"]

    res = api_as("amy").patch(f"/api/v1/institutions/{zju.pk}", {"credit_code": zju.credit_code.lower()})

    assert res.status_code == 200
    assert without_updated(AuditEvent.objects.get(action="institution.update").after) == {}


def test_changing_to_an_invalid_credit_code_is_422(network: Any, api_as: Any) -> None:
    res = api_as("amy").patch(
        f"/api/v1/institutions/{network['zju'].pk}", {"credit_code": "12100000470095016R"}
    )

    assert "credit_code" in assert_error(res, 422, "validation_error")["fields"]


def test_a_name_cannot_be_blanked(network: Any, api_as: Any) -> None:
    res = api_as("amy").patch(f"/api/v1/institutions/{network['zju'].pk}", {"name": " "})

    assert "name" in assert_error(res, 422, "validation_error")["fields"]


def test_changing_an_unknown_institution_is_404(network: Any, api_as: Any) -> None:
    assert_error(api_as("root").patch("/api/v1/institutions/987654", {"name": "x"}), 404, "not_found")
