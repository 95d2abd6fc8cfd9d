"""/api/v1/platforms: the tree of sharing platforms, who may grow and change it, and its members."""

from __future__ import annotations

from typing import Any

import pytest

from dayi.accounts.access import actor_for, oversees_institution
from dayi.core.models import AuditEvent
from dayi.network.models import Membership, Platform
from tests.conftest import make_institution

pytestmark = pytest.mark.django_db


def child(
    code: str = "hz", parent: str | None = "g60", level: str = "municipal", **extra: Any
) -> dict[str, Any]:
    return {"code": code, "name": f"{code} 平台", "level": level, "parent": parent, **extra}


def assert_error(res: Any, status: int, code: str) -> dict[str, Any]:
    assert res.status_code == status, res.content
    error = res.json()["error"]
    assert error["code"] == code
    return error


def paths() -> dict[str, str]:
    return dict(Platform.objects.values_list("code", "path"))


# --- reading ----------------------------------------------------------------------------------------------


def test_anyone_lists_the_platforms(network: Any, anon: Any) -> None:
    res = anon.get("/api/v1/platforms")

    assert res.status_code == 200
    assert res.json()["count"] == 4
    assert [p["code"] for p in res.json()["items"]] == ["cn", "bj", "yrd", "g60"]  # depth-first by path


def test_the_list_filters_by_parent(network: Any, anon: Any) -> None:
    res = anon.get("/api/v1/platforms", {"parent": "cn"})

    assert sorted(p["code"] for p in res.json()["items"]) == ["bj", "yrd"]


def test_a_platform_names_its_parent_regions_and_member_count(network: Any, anon: Any) -> None:
    res = anon.get("/api/v1/platforms/g60")

    assert res.status_code == 200
    body = res.json()
    assert body["parent"] == "yrd"
    assert body["level"] == "regional"
    assert body["regions"] == ["310117", "330100", "330400"]  # the corridor spans three provinces' cities
    assert body["members"] == 1


def test_an_unknown_platform_is_404(network: Any, anon: Any) -> None:
    assert_error(anon.get("/api/v1/platforms/atlantis"), 404, "not_found")


# --- creating ---------------------------------------------------------------------------------------------


def test_only_a_superuser_creates_a_root_platform(network: Any, api_as: Any) -> None:
    body = child("world", parent=None, level="national")

    assert_error(api_as("carol").post("/api/v1/platforms", body), 403, "forbidden")
    res = api_as("root").post("/api/v1/platforms", body)

    assert res.status_code == 201, res.content
    assert res.json()["parent"] is None
    assert paths()["world"] == "/world/"


def test_a_platform_admin_creates_a_child_under_a_platform_they_administer(network: Any, api_as: Any) -> None:
    res = api_as("carol").post("/api/v1/platforms", child(regions=["330100"], name_en="Hangzhou"))

    assert res.status_code == 201, res.content
    body = res.json()
    assert body == {
        "code": "hz",
        "name": "hz 平台",
        "name_en": "Hangzhou",
        "level": "municipal",
        "parent": "g60",
        "regions": ["330100"],
        "description": "",
        "members": 0,
    }
    assert paths()["hz"] == "/cn/yrd/g60/hz/"
    audit = AuditEvent.objects.get(action="platform.create")
    assert audit.object_id == str(Platform.objects.get(code="hz").pk)
    assert audit.after["parent"] == "g60"


@pytest.mark.parametrize("persona", ["dave", "amy", "alice", "eve"])
def test_it_refuses_a_child_under_a_platform_one_does_not_administer(
    network: Any, api_as: Any, persona: str
) -> None:
    assert_error(api_as(persona).post("/api/v1/platforms", child()), 403, "forbidden")
    assert "hz" not in paths()
    assert not AuditEvent.objects.filter(action="platform.create").exists()


def test_creating_a_platform_requires_sign_in(network: Any, anon: Any) -> None:
    assert_error(anon.post("/api/v1/platforms", child()), 401, "not_authenticated")


@pytest.mark.parametrize(
    ("parent", "level"),
    [("g60", "national"), ("bj", "regional"), ("bj", "provincial"), ("yrd", "national")],
)
def test_a_child_cannot_rank_above_its_parent(network: Any, api_as: Any, parent: str, level: str) -> None:
    res = api_as("root").post("/api/v1/platforms", child(parent=parent, level=level))

    assert "level" in assert_error(res, 422, "validation_error")["fields"]
    assert "hz" not in paths()


@pytest.mark.parametrize(
    ("parent", "level"), [("g60", "regional"), ("g60", "institutional"), ("bj", "municipal")]
)
def test_a_child_may_rank_level_with_or_below_its_parent(
    network: Any, api_as: Any, parent: str, level: str
) -> None:
    assert api_as("root").post("/api/v1/platforms", child(parent=parent, level=level)).status_code == 201


def test_an_unknown_level_is_422(network: Any, api_as: Any) -> None:
    res = api_as("root").post("/api/v1/platforms", child(level="galactic"))

    assert "level" in assert_error(res, 422, "validation_error")["fields"]


def test_a_duplicate_code_is_409(network: Any, api_as: Any) -> None:
    res = api_as("carol").post("/api/v1/platforms", child(code="bj"))

    assert "code" in assert_error(res, 409, "duplicate")["fields"]
    assert Platform.objects.filter(code="bj").get().parent.code == "cn"


@pytest.mark.parametrize("code", ["has space", "斜杠/", "a.b"])
def test_a_malformed_code_is_422(network: Any, api_as: Any, code: str) -> None:
    res = api_as("root").post("/api/v1/platforms", child(code=code))

    assert "code" in assert_error(res, 422, "validation_error")["fields"]


def test_unknown_regions_are_422_and_nothing_is_created(network: Any, api_as: Any) -> None:
    res = api_as("carol").post("/api/v1/platforms", child(regions=["330100", "999999"]))

    assert "regions" in assert_error(res, 422, "validation_error")["fields"]
    assert "hz" not in paths()


def test_an_unknown_parent_is_404(network: Any, api_as: Any) -> None:
    assert_error(api_as("root").post("/api/v1/platforms", child(parent="atlantis")), 404, "not_found")


# --- changing ---------------------------------------------------------------------------------------------


def test_a_platform_admin_changes_a_platform_in_their_subtree(network: Any, api_as: Any) -> None:
    res = api_as("carol").patch("/api/v1/platforms/g60", {"name": "G60科创走廊", "regions": ["330100"]})

    assert res.status_code == 200, res.content
    assert res.json()["name"] == "G60科创走廊"
    assert res.json()["regions"] == ["330100"]
    audit = AuditEvent.objects.get(action="platform.update")
    assert audit.before == {"name": "G60", "regions": ["310117", "330100", "330400"]}
    assert audit.after == {"name": "G60科创走廊", "regions": ["330100"]}


@pytest.mark.parametrize(
    ("persona", "code"), [("dave", "g60"), ("carol", "bj"), ("carol", "cn"), ("amy", "g60")]
)
def test_it_refuses_a_change_outside_ones_subtree(network: Any, api_as: Any, persona: str, code: str) -> None:
    res = api_as(persona).patch(f"/api/v1/platforms/{code}", {"name": "changed"})

    assert_error(res, 403, "forbidden")
    assert Platform.objects.get(code=code).name == code.upper()
    assert not AuditEvent.objects.filter(action="platform.update").exists()


def test_changing_an_unknown_platform_is_404(network: Any, api_as: Any) -> None:
    assert_error(api_as("root").patch("/api/v1/platforms/atlantis", {"name": "x"}), 404, "not_found")


def test_a_name_cannot_be_blanked(network: Any, api_as: Any) -> None:
    res = api_as("carol").patch("/api/v1/platforms/g60", {"name": "  "})

    assert "name" in assert_error(res, 422, "validation_error")["fields"]
    assert Platform.objects.get(code="g60").name == "G60"


def test_moving_a_platform_rewrites_the_paths_of_its_whole_subtree(network: Any, api_as: Any) -> None:
    hz = Platform.objects.create(
        code="hz", name="杭州", level="municipal", parent=network["g60"], path="/cn/yrd/g60/hz/"
    )
    Platform.objects.create(
        code="hz-zju", name="浙大", level="institutional", parent=hz, path="/cn/yrd/g60/hz/hz-zju/"
    )

    res = api_as("root").patch("/api/v1/platforms/g60", {"parent": "bj", "level": "municipal"})

    assert res.status_code == 200, res.content
    assert res.json()["parent"] == "bj"
    assert paths() == {
        "cn": "/cn/",
        "yrd": "/cn/yrd/",
        "bj": "/cn/bj/",
        "g60": "/cn/bj/g60/",
        "hz": "/cn/bj/g60/hz/",
        "hz-zju": "/cn/bj/g60/hz/hz-zju/",
    }
    audit = AuditEvent.objects.get(action="platform.update")
    assert audit.before["parent"] == "yrd" and audit.after["parent"] == "bj"


def test_after_a_move_the_old_parents_admins_lose_the_subtree(network: Any, api_as: Any, people: Any) -> None:
    api_as("root").patch("/api/v1/platforms/g60", {"parent": "bj", "level": "municipal"})

    assert_error(api_as("carol").patch("/api/v1/platforms/g60", {"name": "x"}), 403, "forbidden")
    assert api_as("dave").patch("/api/v1/platforms/g60", {"name": "x"}).status_code == 200
    # zju is a member of g60, so it is now overseen from bj (and operated, as before, by no platform)
    assert oversees_institution(actor_for(people["dave"]), network["zju"].pk)
    assert not oversees_institution(actor_for(people["carol"]), network["zju"].pk)


def test_moving_needs_admin_of_the_new_parent(network: Any, api_as: Any) -> None:
    res = api_as("carol").patch("/api/v1/platforms/g60", {"parent": "bj", "level": "municipal"})

    assert_error(res, 403, "forbidden")
    assert paths()["g60"] == "/cn/yrd/g60/"


def test_only_a_superuser_makes_a_platform_a_root(network: Any, api_as: Any) -> None:
    assert_error(api_as("carol").patch("/api/v1/platforms/g60", {"parent": None}), 403, "forbidden")

    assert api_as("root").patch("/api/v1/platforms/g60", {"parent": None}).status_code == 200
    assert paths()["g60"] == "/g60/"


def test_a_platform_cannot_move_under_its_own_descendant(network: Any, api_as: Any) -> None:
    res = api_as("root").patch("/api/v1/platforms/yrd", {"parent": "g60"})

    assert "parent" in assert_error(res, 422, "validation_error")["fields"]
    assert paths()["yrd"] == "/cn/yrd/"


def test_a_move_must_respect_the_level_order(network: Any, api_as: Any) -> None:
    # g60 is regional; bj is municipal
    res = api_as("root").patch("/api/v1/platforms/g60", {"parent": "bj"})

    assert "level" in assert_error(res, 422, "validation_error")["fields"]
    assert paths()["g60"] == "/cn/yrd/g60/"


def test_a_level_change_cannot_rank_a_platform_above_its_parent(network: Any, api_as: Any) -> None:
    res = api_as("carol").patch("/api/v1/platforms/g60", {"level": "national"})

    assert "level" in assert_error(res, 422, "validation_error")["fields"]


def test_a_level_change_cannot_rank_a_platform_below_its_children(network: Any, api_as: Any) -> None:
    # yrd (regional) has g60 (regional) below it: yrd cannot become municipal
    res = api_as("root").patch("/api/v1/platforms/yrd", {"level": "municipal"})

    assert "level" in assert_error(res, 422, "validation_error")["fields"]
    assert Platform.objects.get(code="yrd").level == "regional"


# --- members ----------------------------------------------------------------------------------------------


@pytest.fixture
def newcomer(network: Any) -> Any:
    return make_institution("浙江工业大学", "12330000470003231X", "330106")  # Hangzhou: within g60


def test_a_platform_admin_asks_an_institution_to_join(network: Any, api_as: Any, newcomer: Any) -> None:
    res = api_as("carol").post("/api/v1/platforms/g60/members", {"institution": newcomer.pk})

    assert res.status_code == 202, res.content
    request = Membership.requests.get(platform__code="g60", institution=newcomer)
    assert res.json() == {"id": request.pk, "status": "pending"}
    # A request is not belonging
    assert not Membership.objects.filter(institution=newcomer).exists()
    assert api_as(None).get("/api/v1/platforms/g60").json()["members"] == 1
    audit = AuditEvent.objects.get(action="platform.request_member")
    assert audit.institution_id == newcomer.pk and audit.actor_id is not None


def test_a_member_may_join_several_platforms(network: Any, api_as: Any) -> None:
    res = api_as("carol").post("/api/v1/platforms/yrd/members", {"institution": network["zju"].pk})
    assert res.status_code == 202, res.content

    assert api_as("amy").post(f"/api/v1/memberships/{res.json()['id']}/accept").status_code == 200

    body = api_as(None).get(f"/api/v1/institutions/{network['zju'].pk}").json()
    assert body["platforms"] == ["g60", "yrd"]


def test_joining_twice_is_409(network: Any, api_as: Any) -> None:
    res = api_as("carol").post("/api/v1/platforms/g60/members", {"institution": network["zju"].pk})

    assert_error(res, 409, "duplicate")
    assert Membership.requests.filter(platform__code="g60").count() == 1


@pytest.mark.parametrize("persona", ["dave", "amy", "alice", "eve"])
def test_it_refuses_members_from_non_admins(network: Any, api_as: Any, newcomer: Any, persona: str) -> None:
    res = api_as(persona).post("/api/v1/platforms/g60/members", {"institution": newcomer.pk})

    assert_error(res, 403, "forbidden")
    assert not Membership.requests.filter(institution=newcomer).exists()


def test_an_unknown_member_is_422_and_an_unknown_platform_404(
    network: Any, api_as: Any, newcomer: Any
) -> None:
    client = api_as("root")

    res = client.post("/api/v1/platforms/g60/members", {"institution": 987654})
    assert "institution" in assert_error(res, 422, "validation_error")["fields"]
    assert_error(
        client.post("/api/v1/platforms/atlantis/members", {"institution": newcomer.pk}), 404, "not_found"
    )


def test_a_member_leaves(network: Any, api_as: Any) -> None:
    res = api_as("carol").delete(f"/api/v1/platforms/g60/members/{network['zju'].pk}")

    assert res.status_code == 204
    assert not Membership.requests.filter(platform__code="g60").exists()
    assert_error(
        api_as("carol").delete(f"/api/v1/platforms/g60/members/{network['zju'].pk}"), 404, "not_found"
    )
