"""Hole 1: a platform admin oversees its member institutions but operates them only where they delegated.

carol (platform_admin of yrd) oversees zju (an accepted member of g60, under yrd); amy is zju's admin.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dayi.accounts.access import (
    actor_for,
    is_national_admin,
    operated_institution_ids,
    operates,
    oversees_institution,
)
from dayi.accounts.models import Role
from dayi.core.models import AuditEvent
from dayi.network.models import Delegation, Membership
from tests.conftest import make_institution, make_platform, make_user

pytestmark = pytest.mark.django_db

INSTRUMENT = {
    "inventory_no": "NEW-1",
    "name": "核磁共振波谱仪",
    "category": "0106",
    "original_value": "6000000.00",
    "modes": ["sample"],
}


def assert_error(res: Any, status: int, code: str) -> dict[str, Any]:
    assert res.status_code == status, res.content
    error = res.json()["error"]
    assert error["code"] == code
    return error


def delegate(api_as: Any, network: Any, powers: list[str], **extra: Any) -> Any:
    return api_as("amy").post(
        f"/api/v1/institutions/{network['zju'].pk}/delegations",
        {"platform": "g60", "powers": powers, **extra},
    )


# --- overseeing is not operating ------------------------------------------------------------------------


def test_a_platform_admin_oversees_a_member_but_does_not_operate_it(network: Any, people: Any) -> None:
    carol = actor_for(people["carol"])
    zju = network["zju"].pk

    assert oversees_institution(carol, zju)
    assert not any(operates(carol, zju, power) for power in ("instruments", "bookings", "orders", "users"))
    assert operated_institution_ids(carol, "instruments") == set()


def test_a_platform_admin_cannot_add_instruments_users_or_edit_a_member_institution(
    network: Any, api_as: Any
) -> None:
    carol, zju = api_as("carol"), network["zju"].pk

    assert_error(carol.post("/api/v1/instruments", {**INSTRUMENT, "institution": zju}), 403, "forbidden")
    assert_error(carol.patch(f"/api/v1/institutions/{zju}", {"name_en": "Taken over"}), 403, "forbidden")
    user = {"username": "mole", "password": "Tiegelzange-4711-Quarz", "institution": zju,
            "roles": [{"role": "institution_admin", "institution": zju}]}  # fmt: skip
    assert_error(carol.post("/api/v1/users", user), 403, "forbidden")


def test_a_municipal_admin_cannot_pull_an_institution_from_elsewhere(network: Any, api_as: Any) -> None:
    # dave (Beijing) asks Zhejiang University to join bj: outside its regions, and dave heads nothing above bj
    res = api_as("dave").post("/api/v1/platforms/bj/members", {"institution": network["zju"].pk})
    assert_error(res, 422, "outside_regions")

    res = api_as("dave").post(
        "/api/v1/platforms/bj/members", {"institution": network["zju"].pk, "reason": "我想要"}
    )
    assert_error(res, 422, "outside_regions")
    assert not Membership.requests.filter(platform__code="bj", institution=network["zju"]).exists()


def test_even_an_accepted_membership_gives_no_power_to_operate(
    network: Any, api_as: Any, people: Any
) -> None:
    res = api_as("carol").post("/api/v1/platforms/yrd/members", {"institution": network["zju"].pk})
    api_as("amy").post(f"/api/v1/memberships/{res.json()['id']}/accept")

    carol = actor_for(people["carol"])
    assert not operates(carol, network["zju"].pk, "instruments")


# --- joining is a request -------------------------------------------------------------------------------


@pytest.fixture
def newcomer(network: Any, people: Any) -> dict[str, Any]:
    inst = make_institution("浙江工业大学", "12330000470003231X", "330106")
    people["zjut-admin"] = make_user("zjut-admin", inst, Role.INSTITUTION_ADMIN, institution=inst)
    return {"institution": inst, "admin": people["zjut-admin"]}


def request_join(api_as: Any, inst: Any, platform: str = "g60", who: str = "carol", **extra: Any) -> Any:
    return api_as(who).post(f"/api/v1/platforms/{platform}/members", {"institution": inst.pk, **extra})


def test_the_institutions_admin_accepts_a_request(network: Any, api_as: Any, newcomer: Any) -> None:
    inst = newcomer["institution"]
    mid = request_join(api_as, inst).json()["id"]

    res = api_as("zjut-admin").post(f"/api/v1/memberships/{mid}/accept")

    assert res.status_code == 200, res.content
    assert res.json()["status"] == "accepted"
    assert Membership.objects.filter(pk=mid).exists()
    assert AuditEvent.objects.filter(action="membership.accept", institution_id=inst.pk).count() == 1


def test_until_accepted_the_platform_does_not_oversee(
    network: Any, api_as: Any, people: Any, newcomer: Any
) -> None:
    inst = newcomer["institution"]
    request_join(api_as, inst)

    assert not oversees_institution(actor_for(people["carol"]), inst.pk)


@pytest.mark.parametrize("persona", ["carol", "dave", "amy", "alice", "eve"])
def test_no_one_else_decides_a_request(network: Any, api_as: Any, newcomer: Any, persona: str) -> None:
    mid = request_join(api_as, newcomer["institution"]).json()["id"]

    assert_error(api_as(persona).post(f"/api/v1/memberships/{mid}/accept"), 404, "not_found")
    assert_error(api_as(persona).post(f"/api/v1/memberships/{mid}/refuse", {}), 404, "not_found")
    assert Membership.requests.get(pk=mid).status == "pending"


def test_a_refused_request_can_be_asked_again(network: Any, api_as: Any, people: Any) -> None:
    mid = request_join(api_as, network["zju"], "yrd").json()["id"]

    res = api_as("amy").post(f"/api/v1/memberships/{mid}/refuse", {"reason": "暂不加入"})
    assert res.status_code == 200 and res.json()["refusal"] == "暂不加入"
    assert_error(api_as("amy").post(f"/api/v1/memberships/{mid}/accept"), 409, "already_decided")

    again = request_join(api_as, network["zju"], "yrd")
    assert again.status_code == 202 and again.json()["id"] == mid


def test_an_admin_of_a_platform_above_both_may_accept(network: Any, api_as: Any, people: Any) -> None:
    # hz under g60; its admin asks zju (already in carol's yrd tree) to join; carol, above hz, accepts
    hz = make_platform("hz", "municipal", network["g60"], ("330100",))
    people["hz-admin"] = make_user("hz-admin", None, Role.PLATFORM_ADMIN, platform=hz)
    mid = request_join(api_as, network["zju"], "hz", who="hz-admin").json()["id"]

    res = api_as("carol").post(f"/api/v1/memberships/{mid}/accept")

    assert res.status_code == 200, res.content


def test_an_upper_admin_overrides_the_regions_with_a_reason(network: Any, api_as: Any) -> None:
    # pku (Beijing) into g60 (Hangzhou, Jiaxing, Songjiang): carol heads yrd, above g60
    assert_error(request_join(api_as, network["pku"]), 422, "outside_regions")

    res = request_join(api_as, network["pku"], reason="长三角—京津冀联合实验室")

    assert res.status_code == 202, res.content
    audit = AuditEvent.objects.get(action="platform.request_member")
    assert audit.after["override_regions"] is True and audit.reason == "长三角—京津冀联合实验室"


def test_a_platform_admin_cannot_override_their_own_platforms_regions(
    network: Any, api_as: Any, people: Any
) -> None:
    people["g60-admin"] = make_user("g60-admin", None, Role.PLATFORM_ADMIN, platform=network["g60"])
    res = request_join(api_as, network["pku"], who="g60-admin", reason="想要")

    assert_error(res, 422, "outside_regions")


# --- delegation -----------------------------------------------------------------------------------------


def test_a_delegation_lets_the_platforms_admins_operate_just_those_powers(
    network: Any, api_as: Any, people: Any
) -> None:
    res = delegate(api_as, network, ["instruments"])
    assert res.status_code == 201, res.content
    assert res.json()["powers"] == ["instruments"] and res.json()["live"] is True

    carol = api_as("carol")
    zju = network["zju"].pk
    assert carol.post("/api/v1/instruments", {**INSTRUMENT, "institution": zju}).status_code == 201
    user = {"username": "mole", "password": "Tiegelzange-4711-Quarz", "institution": zju}
    assert_error(carol.post("/api/v1/users", user), 403, "forbidden")  # users were not delegated
    assert not operates(actor_for(people["dave"]), zju, "instruments")  # bj is not above g60
    assert AuditEvent.objects.filter(action="institution.delegate", institution_id=zju).count() == 1


def test_a_revoked_delegation_gives_nothing(network: Any, api_as: Any) -> None:
    d = delegate(api_as, network, ["instruments", "orders"]).json()

    res = api_as("amy").delete(f"/api/v1/institutions/{network['zju'].pk}/delegations/{d['id']}")

    assert res.status_code == 204
    zju = network["zju"].pk
    assert_error(
        api_as("carol").post("/api/v1/instruments", {**INSTRUMENT, "institution": zju}), 403, "forbidden"
    )
    assert Delegation.objects.get(pk=d["id"]).revoked_by is not None
    assert_error(
        api_as("amy").delete(f"/api/v1/institutions/{zju}/delegations/{d['id']}"), 409, "already_revoked"
    )


def test_an_expired_delegation_gives_nothing(network: Any, people: Any) -> None:
    Delegation.objects.create(
        institution=network["zju"],
        platform=network["g60"],
        powers=["instruments"],
        until=dt.date(2020, 1, 1),
        created=dt.datetime(2019, 1, 1, tzinfo=dt.UTC),
        created_by=people["amy"],
    )
    assert not operates(actor_for(people["carol"]), network["zju"].pk, "instruments")


@pytest.mark.parametrize("persona", ["carol", "alice", "eve", "dave"])
def test_only_the_institutions_admin_delegates(network: Any, api_as: Any, persona: str) -> None:
    res = api_as(persona).post(
        f"/api/v1/institutions/{network['zju'].pk}/delegations", {"platform": "g60", "powers": ["orders"]}
    )
    assert_error(res, 404, "not_found")
    assert not Delegation.objects.exists()


def test_a_delegation_goes_only_to_a_platform_the_institution_belongs_to(network: Any, api_as: Any) -> None:
    res = api_as("amy").post(
        f"/api/v1/institutions/{network['zju'].pk}/delegations", {"platform": "bj", "powers": ["orders"]}
    )
    assert_error(res, 422, "not_a_member")


def test_a_delegation_names_known_powers_and_no_past_date(network: Any, api_as: Any) -> None:
    assert_error(delegate(api_as, network, ["everything"]), 422, "validation_error")
    assert_error(delegate(api_as, network, ["orders"], until="2001-01-01"), 422, "validation_error")


def test_the_institutions_admin_lists_its_memberships_and_delegations(network: Any, api_as: Any) -> None:
    delegate(api_as, network, ["bookings"])
    request_join(api_as, network["zju"], "yrd")
    url = f"/api/v1/institutions/{network['zju'].pk}/powers"

    body = api_as("amy").get(url).json()

    assert sorted((m["platform"], m["status"]) for m in body["memberships"]) == [
        ("g60", "accepted"),
        ("yrd", "pending"),
    ]
    assert [d["powers"] for d in body["delegations"]] == [["bookings"]]
    assert_error(api_as("carol").get(url), 404, "not_found")


# --- the national admin ---------------------------------------------------------------------------------


def test_only_admins_of_a_root_platform_are_national(network: Any, people: Any) -> None:
    cn_admin = make_user("cn-admin", None, Role.PLATFORM_ADMIN, platform=network["cn"])

    assert is_national_admin(actor_for(cn_admin))
    assert is_national_admin(actor_for(people["root"]))
    assert not is_national_admin(actor_for(people["carol"]))


def test_only_accepted_memberships_count_anywhere(network: Any, api_as: Any) -> None:
    from dayi.evaluation.queries import member_ids
    from dayi.network.queries import platform_institution_ids, platforms_of

    request_join(api_as, network["pku"], reason="联合实验室")  # pending in g60

    assert list(platform_institution_ids(network["g60"]).values_list("institution_id", flat=True)) == [
        network["zju"].pk
    ]
    assert list(member_ids(network["g60"])) == [network["zju"].pk]
    assert [p.code for p in platforms_of(network["pku"])] == ["bj"]


def test_leaving_a_platform_ends_the_delegations_to_it(network: Any, api_as: Any, people: Any) -> None:
    d = delegate(api_as, network, ["instruments"]).json()

    assert api_as("amy").delete(f"/api/v1/platforms/g60/members/{network['zju'].pk}").status_code == 204

    assert Delegation.objects.get(pk=d["id"]).revoked is not None
    assert not operates(actor_for(people["carol"]), network["zju"].pk, "instruments")
