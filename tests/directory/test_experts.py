"""Experts (issue 12): an institution's admins and instrument managers list, edit and retire its experts
from the pages and the API (the same services), and the pages and the API find experts with one matching.

Personas: amy is 浙江大学's admin, alice its instrument manager; bob manages 北京大学's instruments; eve is a
plain member of 浙江大学; carol a platform admin; root a superuser.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dayi.accounts.access import actor_for
from dayi.core.errors import Conflict, NotFound, ValidationFailed
from dayi.core.models import AuditEvent
from dayi.directory import queries, services
from dayi.directory.models import Expert
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def li(network: dict[str, Any]) -> Expert:
    return Expert.objects.create(
        name="李明", institution=network["zju"], title="教授", fields_of_expertise=["电子显微学", "材料表征"]
    )


@pytest.fixture
def wang(network: dict[str, Any]) -> Expert:
    return Expert.objects.create(name="王芳", institution=network["pku"], fields_of_expertise=["质谱分析"])


def client_of(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# --- services and who may --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["amy", "alice"])
def test_the_institutions_admin_and_manager_list_an_expert(
    people: dict[str, Any], network: dict[str, Any], who: str
) -> None:
    data = {"name": " 张伟 ", "institution": network["zju"].pk, "fields_of_expertise": ["色谱", " "]}
    expert = services.create_expert(actor_for(people[who]), data, now=NOW)
    assert (expert.name, expert.fields_of_expertise) == ("张伟", ["色谱"])
    assert AuditEvent.objects.filter(action="expert.create", actor=people[who]).exists()


def test_a_manager_of_another_institution_edits_nothing(people: dict[str, Any], li: Expert) -> None:
    with pytest.raises(NotFound):
        services.update_expert(actor_for(people["bob"]), li.pk, {"title": "研究员"}, now=NOW)
    with pytest.raises(NotFound):
        services.retire_expert(actor_for(people["bob"]), li.pk, now=NOW)
    li.refresh_from_db()
    assert li.title == "教授" and li.retired is None


def test_a_plain_member_edits_nothing(people: dict[str, Any], li: Expert) -> None:
    with pytest.raises(NotFound):
        services.update_expert(actor_for(people["eve"]), li.pk, {"title": "研究员"}, now=NOW)


def test_the_manager_edits_an_expert_and_the_audit_keeps_before_and_after(
    people: dict[str, Any], li: Expert
) -> None:
    services.update_expert(
        actor_for(people["alice"]), li.pk, {"title": "研究员", "contact": "li@zju"}, now=NOW
    )
    li.refresh_from_db()
    assert (li.title, li.contact) == ("研究员", "li@zju")
    event = AuditEvent.objects.get(action="expert.update")
    assert event.before["title"] == "教授" and event.after["title"] == "研究员"


def test_an_edit_may_not_move_the_expert_or_blank_the_name(people: dict[str, Any], li: Expert) -> None:
    with pytest.raises(ValidationFailed) as moved:
        services.update_expert(actor_for(people["amy"]), li.pk, {"institution": 1}, now=NOW)
    assert "institution" in moved.value.fields
    with pytest.raises(ValidationFailed):
        services.update_expert(actor_for(people["amy"]), li.pk, {"name": "  "}, now=NOW)
    li.refresh_from_db()
    assert li.name == "李明"


def test_a_retired_expert_leaves_the_lists_and_cannot_be_retired_twice(
    people: dict[str, Any], li: Expert
) -> None:
    services.retire_expert(actor_for(people["amy"]), li.pk, reason="已退休", now=NOW)
    assert not queries.match_experts(q="李明").exists()
    assert AuditEvent.objects.get(action="expert.retire").reason == "已退休"
    with pytest.raises(Conflict):
        services.retire_expert(actor_for(people["amy"]), li.pk, now=NOW)


# --- one matching ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("电子显微", ["李明"]),  # part of a field of expertise
        ("浙江大学 表征", ["李明"]),  # every word: the institution and a field
        ("教授", ["李明"]),  # the title
        ("质谱", ["王芳"]),
        ("北京大学 显微", []),
        ("", ["李明", "王芳"]),
    ],
)
def test_the_api_and_the_public_list_find_the_same_experts(
    li: Expert, wang: Expert, q: str, found: list[str]
) -> None:
    api = Client().get("/api/v1/experts", {"q": q}).json()
    assert [e["name"] for e in api["items"]] == found
    page = Client().get("/experts/", {"q": q}).content.decode()
    for name in ("李明", "王芳"):
        assert (name in page) == (name in found)


def test_retired_experts_are_neither_listed_nor_matched(people: dict[str, Any], li: Expert) -> None:
    services.retire_expert(actor_for(people["amy"]), li.pk, now=NOW)
    assert Client().get("/api/v1/experts").json()["count"] == 0
    assert "李明" not in Client().get("/experts/").content.decode()


# --- the API ---------------------------------------------------------------------------------------------


def test_the_api_edits_and_retires_an_expert(api_as: Any, li: Expert) -> None:
    client = api_as("alice")
    edited = client.patch(f"/api/v1/experts/{li.pk}", {"fields_of_expertise": ["冷冻电镜"]})
    assert edited.status_code == 200 and edited.json()["fields_of_expertise"] == ["冷冻电镜"]
    retired = client.post(f"/api/v1/experts/{li.pk}/retire", {"reason": "调离"})
    assert retired.status_code == 200 and retired.json()["retired"]


def test_the_api_answers_404_to_another_institutions_manager(api_as: Any, li: Expert) -> None:
    assert api_as("bob").patch(f"/api/v1/experts/{li.pk}", {"title": "x"}).status_code == 404


# --- the pages -------------------------------------------------------------------------------------------


def test_the_admin_adds_an_expert_from_the_page(people: dict[str, Any], network: dict[str, Any]) -> None:
    client = client_of(people["amy"])
    assert "浙江大学" in client.get("/manage/experts/new/").content.decode()
    answer = client.post(
        "/manage/experts/new/",
        {"institution": network["zju"].pk, "name": "陈静", "title": "副教授",
         "fields_of_expertise": "核磁共振、波谱学", "contact": ""},
    )  # fmt: skip
    assert answer.status_code == 302
    expert = Expert.objects.get(name="陈静")
    assert expert.fields_of_expertise == ["核磁共振", "波谱学"]
    assert "陈静" in client.get("/manage/experts/").content.decode()


def test_a_refused_expert_keeps_what_was_typed(people: dict[str, Any], network: dict[str, Any]) -> None:
    answer = client_of(people["amy"]).post(
        "/manage/experts/new/",
        {"institution": network["zju"].pk, "name": "", "title": "副教授", "fields_of_expertise": "核磁共振"},
    )
    page = answer.content.decode()
    assert answer.status_code == 422
    assert 'value="副教授"' in page and "核磁共振" in page and "has-error" in page
    assert not Expert.objects.exists()


def test_the_page_offers_only_institutions_the_user_manages(
    people: dict[str, Any], network: dict[str, Any]
) -> None:
    answer = client_of(people["amy"]).post(
        "/manage/experts/new/", {"institution": network["pku"].pk, "name": "冒名"}
    )
    assert answer.status_code == 422 and not Expert.objects.exists()


def test_the_manager_edits_and_retires_from_the_page(people: dict[str, Any], li: Expert) -> None:
    client = client_of(people["alice"])
    form = client.get(f"/manage/experts/{li.pk}/edit/").content.decode()
    assert "电子显微学、材料表征" in form
    saved = client.post(
        f"/manage/experts/{li.pk}/edit/",
        {"name": "李明", "title": "研究员", "fields_of_expertise": "冷冻电镜"},
    )
    assert saved.status_code == 302
    retired = client.post(f"/manage/experts/{li.pk}/retire/", {"reason": "已退休"})
    assert retired.status_code == 302
    li.refresh_from_db()
    assert li.title == "研究员" and li.retired is not None


def test_another_institutions_manager_cannot_open_the_edit_page(people: dict[str, Any], li: Expert) -> None:
    assert client_of(people["bob"]).get(f"/manage/experts/{li.pk}/edit/").status_code == 404
    assert client_of(people["bob"]).post(f"/manage/experts/{li.pk}/retire/").status_code == 404


def test_the_managers_list_uses_the_same_matching(people: dict[str, Any], li: Expert, wang: Expert) -> None:
    page = client_of(people["amy"]).get("/manage/experts/", {"q": "浙江大学 显微"}).content.decode()
    assert "李明" in page and "王芳" not in page
