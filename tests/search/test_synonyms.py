"""The synonym table: its data, expansion at query time, and who may edit it through the API."""

from __future__ import annotations

from typing import Any

import pytest

from dayi.core.models import AuditEvent
from dayi.directory.queries import InstrumentFilters, search
from dayi.search.models import Synonym
from tests.search.conftest import add_instrument

pytestmark = pytest.mark.django_db

URL = "/api/v1/search/synonyms"


def found(q: str) -> list[str]:
    return [i.inventory_no for i in search(InstrumentFilters(q=q))]


def test_the_table_is_loaded_with_at_least_60_entries_across_the_classes(db: Any) -> None:
    assert Synonym.objects.count() >= 60
    classes = set(Synonym.objects.exclude(category=None).values_list("category__code", flat=True))
    assert {c[:2] for c in classes} >= {"01", "02", "09", "10", "12"}
    tem = Synonym.objects.get(term="TEM")
    assert "透射电子显微镜" in tem.expansions


def test_anyone_reads_the_table(anon: Any) -> None:
    body = anon.get(URL, {"q": "tem"}).json()
    assert "TEM" in [s["term"] for s in body["items"]]


def test_a_platform_admin_adds_a_synonym_that_takes_effect_at_once(holders: Any, api_as: Any) -> None:
    # Given a holder that lists its instrument under a name no table row knows
    add_instrument(holders["A"], "ebic", name="电子束诱导电流测试系统")
    assert found("EBIC") == []
    # When carol (platform admin of yrd) adds the abbreviation
    res = api_as("carol").post(URL, {"term": "EBIC", "expansions": ["电子束诱导电流"], "category": "0101"})
    # Then it is stored, audited, and the next search expands it
    assert res.status_code == 201, res.content
    assert res.json()["expansions"] == ["电子束诱导电流"]
    assert AuditEvent.objects.filter(action="synonym.create", object_id=str(res.json()["id"])).count() == 1
    assert found("EBIC") == ["ebic"]


def test_a_platform_admin_edits_and_removes_a_synonym(holders: Any, api_as: Any) -> None:
    add_instrument(holders["A"], "tem", name="透射电子显微镜")
    tem = Synonym.objects.get(term="TEM")
    carol = api_as("carol")
    res = carol.patch(f"{URL}/{tem.pk}", {"expansions": ["透射电镜"], "note": "narrowed"})
    assert res.status_code == 200, res.content
    assert res.json()["expansions"] == ["透射电镜"]
    assert found("TEM") == []  # the record says 透射电子显微镜, which TEM no longer stands for
    assert carol.delete(f"{URL}/{tem.pk}").status_code == 204
    assert not Synonym.objects.filter(pk=tem.pk).exists()
    actions = set(AuditEvent.objects.filter(object_id=str(tem.pk)).values_list("action", flat=True))
    assert actions == {"synonym.update", "synonym.delete"}


def test_a_superuser_may_edit_the_table(api_as: Any) -> None:
    res = api_as("root").post(URL, {"term": "EBIC", "expansions": ["电子束诱导电流"]})
    assert res.status_code == 201


@pytest.mark.parametrize("persona", ["alice", "amy", "eve"])
def test_it_refuses_users_who_are_not_platform_admins(persona: str, api_as: Any) -> None:
    tem = Synonym.objects.get(term="TEM")
    client = api_as(persona)
    assert client.post(URL, {"term": "EBIC", "expansions": ["x"]}).status_code == 403
    assert client.patch(f"{URL}/{tem.pk}", {"expansions": ["x"]}).status_code == 403
    assert client.delete(f"{URL}/{tem.pk}").status_code == 403
    assert Synonym.objects.get(pk=tem.pk).expansions != ["x"]
    assert not Synonym.objects.filter(term="EBIC").exists()


def test_it_requires_sign_in_to_write(people: Any, anon: Any) -> None:
    res = anon.post(URL, {"term": "EBIC", "expansions": ["电子束诱导电流"]})
    assert res.status_code == 401
    assert res.json()["error"]["code"] == "not_authenticated"


def test_a_term_is_unique_whatever_its_case(api_as: Any) -> None:
    res = api_as("carol").post(URL, {"term": "tem", "expansions": ["透射电镜"]})
    assert res.status_code == 409
    assert res.json()["error"]["code"] == "duplicate"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"term": "", "expansions": ["x"]}, "term"),
        ({"term": "!!!", "expansions": ["x"]}, "term"),
        ({"term": "EBIC", "expansions": []}, "expansions"),
        ({"term": "EBIC", "expansions": ["😀"]}, "expansions"),
        ({"term": "EBIC", "expansions": ["x"], "category": "9999"}, "category"),
    ],
)
def test_it_names_bad_fields(body: dict[str, Any], field: str, api_as: Any) -> None:
    res = api_as("carol").post(URL, body)
    assert res.status_code == 422, res.content
    assert field in res.json()["error"]["fields"]


def test_editing_a_missing_synonym_is_404(api_as: Any) -> None:
    assert api_as("carol").patch(f"{URL}/999999", {"note": "x"}).status_code == 404
