"""The evaluation pages: runs, results with the national history, drill-down, editors, exports."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

from dayi.accounts.access import actor_for
from dayi.evaluation import queries, services
from dayi.evaluation.models import Evaluation
from tests.conftest import PASSWORD
from tests.evaluation.conftest import NOW, YEAR

pytestmark = pytest.mark.django_db


def signed_in(name: str) -> Client:
    client = Client()
    assert client.login(username=name, password=PASSWORD)
    return client


@pytest.fixture
def evaluation(people: dict[str, Any], small: dict[str, Any], figures: Any) -> Evaluation:
    services.save_manual_input(
        actor_for(people["carol"]),
        "yrd",
        YEAR,
        small["zju"].pk,
        technical_staff=1,
        rules_published=True,
        online_platform=True,
        now=NOW,
    )
    return services.run_evaluation(actor_for(people["carol"]), "yrd", YEAR, now=NOW)


def test_the_results_page_shows_ranks_grades_and_the_national_history(
    evaluation: Evaluation, people: dict[str, Any]
) -> None:
    page = signed_in("carol").get(f"/evaluations/{evaluation.pk}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("浙江大学") < html.index("复旦大学")  # ranked
    assert "73.10" in html and "较差" in html
    assert 'class="grade grade-excellent" title="2024 浙江大学"' in html  # the national grade beside it
    assert "公布结果" in html  # carol may publish


def test_the_results_page_is_hidden_from_others_until_published(
    evaluation: Evaluation, people: dict[str, Any]
) -> None:
    assert signed_in("dave").get(f"/evaluations/{evaluation.pk}/").status_code == 404
    assert Client().get(f"/evaluations/{evaluation.pk}/").status_code == 404

    signed_in("carol").post(f"/evaluations/{evaluation.pk}/publish/")

    page = Client().get(f"/evaluations/{evaluation.pk}/")
    assert page.status_code == 200 and "公布结果" not in page.content.decode()


def test_the_drill_down_shows_each_indicator_with_its_explanation(
    evaluation: Evaluation, people: dict[str, Any]
) -> None:
    zju = people["amy"].institution_id

    page = signed_in("carol").get(f"/evaluations/{evaluation.pk}/institutions/{zju}/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "收入率" in html and "3.50 %" in html and "70.00" in html
    assert "(校内收入 200000 元 + 1.5 × 校外收入 100000 元)" in html
    assert "2024" in html  # the national history


def test_the_runs_page_offers_a_run_to_platform_admins_only(people: dict[str, Any], figures: Any) -> None:
    assert "运行评价" in signed_in("carol").get("/evaluations/").content.decode()
    assert "运行评价" not in signed_in("eve").get("/evaluations/").content.decode()

    answer = signed_in("carol").post("/evaluations/", {"platform": "yrd", "year": YEAR})

    evaluation = Evaluation.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/evaluations/{evaluation.pk}/"


def test_a_wrong_platform_admin_cannot_run_from_the_page(people: dict[str, Any], figures: Any) -> None:
    answer = signed_in("dave").post("/evaluations/", {"platform": "yrd", "year": YEAR}, follow=True)

    assert "只有该平台的管理员" in answer.content.decode()
    assert not Evaluation.objects.exists()


def test_the_config_editor_saves_and_names_bad_fields(people: dict[str, Any], network: Any) -> None:
    carol = signed_in("carol")
    page = carol.get(f"/evaluations/config/yrd/{YEAR}/")
    assert page.status_code == 200 and "默认配置" in page.content.decode()
    form = {
        "rows": "2",
        "groups.organisation": "50",
        "groups.operation": "0",
        "groups.service": "50",
        "ind-0-code": "open",
        "ind-0-group": "organisation",
        "ind-0-metric": "opening_rate",
        "ind-0-method": "linear",
        "ind-0-weight": "1",
        "ind-0-floor": "0",
        "ind-0-target": "100",
        "ind-1-code": "share",
        "ind-1-group": "service",
        "ind-1-metric": "sharing_rate",
        "ind-1-method": "linear",
        "ind-1-weight": "1",
        "ind-1-floor": "0",
        "ind-1-target": "40",
        "grading.method": "quotas",
        "thresholds.excellent": "90",
        "thresholds.good": "80",
        "thresholds.qualified": "60",
        "quotas.excellent": "10",
        "quotas.good": "20",
        "quotas.poor": "5",
    }

    assert carol.post(f"/evaluations/config/yrd/{YEAR}/", form).status_code == 302
    config, is_default = queries.config_of(network["yrd"], YEAR)
    assert not is_default and [i["code"] for i in config["indicators"]] == ["open", "share"]
    assert config["grading"]["method"] == "quotas"

    bad = carol.post(f"/evaluations/config/yrd/{YEAR}/", {**form, "ind-1-target": "-1"})
    assert bad.status_code == 422 and "indicators.1.target" in bad.content.decode()


def test_a_wrong_platform_admin_cannot_open_the_editors(people: dict[str, Any], network: Any) -> None:
    dave = signed_in("dave")
    assert dave.get(f"/evaluations/config/yrd/{YEAR}/").status_code == 403
    assert dave.post(f"/evaluations/config/yrd/{YEAR}/", {"rows": "0"}).status_code == 403
    assert dave.get(f"/evaluations/inputs/yrd/{YEAR}/").status_code == 403


def test_the_inputs_form_saves_changed_rows(people: dict[str, Any], small: dict[str, Any]) -> None:
    carol, zju, fudan = signed_in("carol"), small["zju"].pk, small["fudan"].pk
    page = carol.get(f"/evaluations/inputs/yrd/{YEAR}/")
    assert "浙江大学" in page.content.decode() and "某检测公司" not in page.content.decode()

    answer = carol.post(
        f"/evaluations/inputs/yrd/{YEAR}/",
        {f"{zju}-staff": "3", f"{zju}-rules": "yes", f"{zju}-online": "no", f"{fudan}-staff": ""},
    )

    assert answer.status_code == 302
    saved = {i.pk: m for i, m in queries.manual_inputs(small["yrd"], YEAR)}
    assert (saved[zju].technical_staff, saved[zju].rules_published, saved[zju].online_platform) == (
        3,
        True,
        False,
    )
    assert saved[fudan] is None  # unchanged: not written

    bad = carol.post(f"/evaluations/inputs/yrd/{YEAR}/", {f"{zju}-staff": "-2"})
    assert bad.status_code == 422


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_the_exports_download(evaluation: Evaluation, people: dict[str, Any], fmt: str) -> None:
    answer = signed_in("carol").get(f"/evaluations/{evaluation.pk}/export.{fmt}")

    assert answer.status_code == 200
    body = b"".join(answer.streaming_content) if answer.streaming else answer.content
    if fmt == "pdf":
        assert body.startswith(b"%PDF")
    else:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body))
        assert book.sheetnames == ["评价结果", "指标得分", "评价配置"]
        rows = list(book["评价结果"].iter_rows(values_only=True))
        assert rows[2][:4] == (1, "浙江大学", people["amy"].institution_id, 73.1)
        assert rows[2][-1] == "优秀"  # 浙江大学's national grade of 2024


def test_the_national_history_page_filters(db: Any) -> None:
    page = Client().get("/evaluations/history/", {"year": "2024", "grade": "poor"})

    assert page.status_code == 200
    assert "共 5 条" in page.content.decode()  # 2024: 5 poor
    second = Client().get("/evaluations/history/", {"year": "2024", "page": "2"}).content.decode()
    assert "共 344 条" in second and "2 / 4" in second  # 344 in 2024, 100 a page


def test_the_results_read_in_english(
    evaluation: Evaluation, people: dict[str, Any], small: dict[str, Any]
) -> None:
    carol = signed_in("carol")
    carol.post("/i18n/setlang/", {"language": "en"})

    html = carol.get(f"/evaluations/{evaluation.pk}/institutions/{small['zju'].pk}/").content.decode()

    assert "Income rate" in html and "Shared service" in html and "National grades by year" in html
    assert 'aria-current="page">Evaluation</a>' in html  # the nav link, from this domain's catalogue
    assert "internal income 200000 + 1.5 × external income 100000 yuan" in html


def test_bad_form_input_is_a_4xx_never_a_5xx(evaluation: Evaluation, people: dict[str, Any]) -> None:
    carol = signed_in("carol")

    assert carol.get(f"/evaluations/{evaluation.pk}/export.doc").status_code == 404
    assert carol.post(f"/evaluations/config/yrd/{YEAR}/", {"rows": "many"}).status_code == 422
    assert carol.post("/evaluations/", {"platform": "yrd", "year": "next"}).status_code == 302
    assert carol.get("/evaluations/history/", {"year": "20x4", "grade": "best"}).status_code == 200
