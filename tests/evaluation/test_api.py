"""/api/v1/evaluations and friends: each endpoint allowed and refused, in the API's error shape."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dayi.accounts.access import actor_for
from dayi.evaluation import engine, services
from dayi.evaluation.models import Evaluation
from tests.evaluation.conftest import NOW, YEAR

pytestmark = pytest.mark.django_db


def run(api: Any, platform: str = "yrd", year: int = YEAR) -> Any:
    return api.post("/api/v1/evaluations", {"platform": platform, "year": year})


def test_a_platform_admin_runs_an_evaluation(api_as: Any, figures: Any) -> None:
    answer = run(api_as("carol"))

    assert answer.status_code == 201
    body = answer.json()
    assert (body["platform"], body["year"], body["institutions"]) == ("yrd", YEAR, 2)
    assert [r["institution_name"] for r in body["results"]] == ["浙江大学", "复旦大学"]
    first = body["results"][0]
    assert (first["rank"], first["total"], first["grade"]) == (1, "49.10", "poor")  # no manual inputs
    assert first["national"][0] == {
        "year": 2024,
        "grade": "excellent",
        "grade_label": "优秀",
        "name": "浙江大学",
    }
    assert body["config"]["groups"] == {"organisation": "40.00", "operation": "40.00", "service": "20.00"}


def test_a_wrong_platform_admin_is_refused_a_run(api_as: Any, figures: Any) -> None:
    answer = run(api_as("dave"))

    assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden"
    assert not Evaluation.objects.exists()


def test_running_needs_a_sign_in_and_good_input(api_as: Any, figures: Any) -> None:
    assert run(api_as(None)).status_code == 401
    assert api_as("carol").post("/api/v1/evaluations", {"platform": "yrd"}).status_code == 400
    assert run(api_as("carol"), year=1900).json()["error"]["fields"] == {"year": ["应在 2000 到 2100 之间"]}
    assert run(api_as("carol"), platform="nowhere").status_code == 404


def test_the_list_filters_and_counts_grades_in_few_queries(
    api_as: Any, people: dict[str, Any], figures: Any, django_assert_max_num_queries: Any
) -> None:
    for year in (2024, 2025, 2025):
        services.run_evaluation(actor_for(people["carol"]), "yrd", year, now=NOW)
    carol = api_as("carol")

    with django_assert_max_num_queries(8):  # token, grants, the page, its grade counts, the count
        answer = carol.get("/api/v1/evaluations", {"platform": "yrd", "year": 2025})

    body = answer.json()
    assert body["count"] == 2 and len(body["items"]) == 2
    assert body["items"][0]["grades"] == {"excellent": 0, "good": 0, "qualified": 0, "poor": 2}


def test_unpublished_runs_are_listed_for_their_admins_only(
    api_as: Any, people: dict[str, Any], figures: Any
) -> None:
    e = services.run_evaluation(actor_for(people["carol"]), "yrd", YEAR, now=NOW)

    assert api_as("dave").get("/api/v1/evaluations").json()["count"] == 0
    assert api_as(None).get(f"/api/v1/evaluations/{e.pk}").status_code == 404

    published = api_as("carol").post(f"/api/v1/evaluations/{e.pk}/publish")

    assert published.status_code == 200 and published.json()["published"]
    assert api_as(None).get(f"/api/v1/evaluations/{e.pk}").status_code == 200
    assert api_as("carol").post(f"/api/v1/evaluations/{e.pk}/publish").status_code == 409
    assert api_as("dave").post(f"/api/v1/evaluations/{e.pk}/publish").status_code == 403


def test_the_drill_down_gives_every_indicator(
    api_as: Any, people: dict[str, Any], small: Any, figures: Any
) -> None:
    e = services.run_evaluation(actor_for(people["carol"]), "yrd", YEAR, now=NOW)

    body = api_as("carol").get(f"/api/v1/evaluations/{e.pk}/results/{small['fudan'].pk}").json()

    assert len(body["indicators"]) == len(engine.default_config()["indicators"])
    rating = next(i for i in body["indicators"] if i["code"] == "average_rating")
    assert (rating["value"], rating["score"], rating["weight"]) == (None, "0.00", "30.00")
    assert "无数据" in rating["explanation"] and "no data" in rating["explanation_en"]
    assert body["inputs"]["instruments"] == 2
    missing = api_as("carol").get(f"/api/v1/evaluations/{e.pk}/results/{small['pku'].pk}")
    assert missing.status_code == 404


def test_the_config_is_read_and_replaced_by_the_platforms_admins(api_as: Any, network: Any) -> None:
    carol = api_as("carol")
    got = carol.get(f"/api/v1/evaluation-configs/yrd/{YEAR}").json()
    assert got["is_default"] is True
    config = copy.deepcopy(got["config"])
    config["grading"]["method"] = "quotas"

    put = carol.put(f"/api/v1/evaluation-configs/yrd/{YEAR}", config)

    assert put.status_code == 200 and put.json()["is_default"] is False
    assert (
        carol.get(f"/api/v1/evaluation-configs/yrd/{YEAR}").json()["config"]["grading"]["method"] == "quotas"
    )
    assert carol.delete(f"/api/v1/evaluation-configs/yrd/{YEAR}").json()["is_default"] is True


def test_a_wrong_platform_admin_cannot_read_or_edit_the_config(api_as: Any, network: Any) -> None:
    dave = api_as("dave")

    assert dave.get(f"/api/v1/evaluation-configs/yrd/{YEAR}").status_code == 403
    assert dave.put(f"/api/v1/evaluation-configs/yrd/{YEAR}", engine.default_config()).status_code == 403
    assert dave.delete(f"/api/v1/evaluation-configs/yrd/{YEAR}").status_code == 403


def test_a_bad_config_is_422_naming_the_fields(api_as: Any, network: Any) -> None:
    config = copy.deepcopy(engine.default_config())
    config["indicators"][0]["metric"] = "eval(__import__('os'))"

    answer = api_as("carol").put(f"/api/v1/evaluation-configs/yrd/{YEAR}", config)

    assert answer.status_code == 422
    assert list(answer.json()["error"]["fields"]) == ["indicators.0.metric"]


def test_manual_inputs_through_the_api(api_as: Any, small: dict[str, Any]) -> None:
    carol, zju = api_as("carol"), small["zju"].pk
    body = {"technical_staff": 4, "rules_published": True, "online_platform": None, "note": "2025年填报"}

    put = carol.put(f"/api/v1/evaluation-inputs/yrd/{YEAR}/{zju}", body)

    assert put.status_code == 200 and put.json()["technical_staff"] == 4
    listed = carol.get(f"/api/v1/evaluation-inputs/yrd/{YEAR}").json()
    assert listed["count"] == 2
    assert {i["institution_name"]: i["technical_staff"] for i in listed["items"]} == {
        "浙江大学": 4,
        "复旦大学": None,
    }
    assert api_as("dave").put(f"/api/v1/evaluation-inputs/yrd/{YEAR}/{zju}", body).status_code == 403
    assert api_as("dave").get(f"/api/v1/evaluation-inputs/yrd/{YEAR}").status_code == 403
    outside = carol.put(f"/api/v1/evaluation-inputs/yrd/{YEAR}/{small['pku'].pk}", body)
    assert outside.status_code == 422 and "institution" in outside.json()["error"]["fields"]


@pytest.mark.parametrize(("fmt", "kind"), [("xlsx", "spreadsheetml"), ("pdf", "application/pdf")])
def test_the_exports(api_as: Any, people: dict[str, Any], figures: Any, fmt: str, kind: str) -> None:
    e = services.run_evaluation(actor_for(people["carol"]), "yrd", YEAR, now=NOW)

    answer = api_as("carol").get(f"/api/v1/evaluations/{e.pk}/export", {"format": fmt})

    assert answer.status_code == 200 and kind in answer["Content-Type"]
    assert api_as("carol").get(f"/api/v1/evaluations/{e.pk}/export", {"format": "doc"}).status_code == 422
    assert api_as("dave").get(f"/api/v1/evaluations/{e.pk}/export", {"format": fmt}).status_code == 404


def test_the_national_history_and_the_metrics_are_public(anon: Any) -> None:
    history = anon.get(
        "/api/v1/evaluation-history", {"year": 2021, "grade": "excellent", "page_size": 5}
    ).json()
    assert history["count"] == 50 and len(history["items"]) == 5
    assert anon.get("/api/v1/evaluation-history", {"grade": "best"}).status_code == 422
    metrics = anon.get("/api/v1/evaluation-metrics").json()
    assert "sharing_rate" in {m["code"] for m in metrics["metrics"]}


def test_the_openapi_document_describes_the_endpoints(anon: Any) -> None:
    paths = anon.get("/api/v1/openapi.json").json()["paths"]

    for path in (
        "/api/v1/evaluations",
        "/api/v1/evaluations/{evaluation_id}",
        "/api/v1/evaluations/{evaluation_id}/results/{institution_id}",
        "/api/v1/evaluations/{evaluation_id}/export",
        "/api/v1/evaluations/{evaluation_id}/publish",
        "/api/v1/evaluation-configs/{platform}/{year}",
        "/api/v1/evaluation-inputs/{platform}/{year}/{institution_id}",
        "/api/v1/evaluation-history",
    ):
        assert all(op.get("summary") for op in paths[path].values()), path
