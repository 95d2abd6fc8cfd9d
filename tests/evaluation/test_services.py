"""Running, configuring, filling in and publishing a platform's evaluation: each rule allowed and refused."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from dayi.accounts.access import actor_for
from dayi.core.errors import Conflict, Forbidden, NotAuthenticated, NotFound, RuleViolation, ValidationFailed
from dayi.core.models import AuditEvent
from dayi.evaluation import engine, queries, services
from dayi.evaluation.models import Evaluation, EvaluationResult, IndicatorScore
from tests.evaluation.conftest import NOW, YEAR

pytestmark = pytest.mark.django_db
D = Decimal


def run(user: Any, platform: str = "yrd") -> Evaluation:
    return services.run_evaluation(actor_for(user), platform, YEAR, now=NOW)


def fill_zju(user: Any, small: dict[str, Any], platform: str = "yrd") -> None:
    services.save_manual_input(
        actor_for(user),
        platform,
        YEAR,
        small["zju"].pk,
        technical_staff=1,
        rules_published=True,
        online_platform=True,
        now=NOW,
    )


def test_the_evaluation_of_a_small_platform_matches_a_hand_computation(
    people: dict[str, Any], small: dict[str, Any], figures: Any
) -> None:
    # Given carol's manual inputs for 浙江大学 (1 technical staff, rules published, an online platform)
    fill_zju(people["carol"], small)

    # When carol runs the yrd evaluation with the default configuration
    evaluation = run(people["carol"])

    # Then the holders in yrd's subtree are evaluated (not the company without instruments, not 北京大学)
    results = {r.institution_name: r for r in evaluation.results.all()}
    assert set(results) == {"浙江大学", "复旦大学"} and evaluation.institutions == 2
    zju, fudan = results["浙江大学"], results["复旦大学"]
    # 浙江大学: opening 3/4 = 75 % → 50; staff 1 × 10 / 4 = 2.5 → 100; rules 100; online 100
    #   organisation (50×40 + 100×20×3) / 100 = 80
    #   1,500 h per instrument → 60 × 1500 / 1599 = 56.29; income (200,000 + 1.5 × 100,000) / 10,000,000
    #   = 3.5 % → 70; operation (56.29×60 + 70×40) / 100 = 61.774 → 61.77
    #   375 external h per instrument → 60 × 375 / 273 = 82.42; sharing 1,500 / 6,000 = 25 % → 83.33;
    #   rating 4.6 → 80; service (82.42×40 + 83.33×30 + 80×30) / 100 = 81.967 → 81.97
    #   total (80×40 + 61.77×40 + 81.97×20) / 100 = 73.102 → 73.10: qualified
    assert (zju.organisation_score, zju.operation_score, zju.service_score) == (
        D("80.00"),
        D("61.77"),
        D("81.97"),
    )
    assert (zju.total, zju.grade, zju.rank) == (D("73.10"), "qualified", 1)
    # 复旦大学: opening 1/2 = 50 % → 0, nothing reported → organisation 0
    #   1,000 h per instrument → 37.52; income 50,000 / 5,000,000 = 1 % → 20; operation 30.512 → 30.51
    #   100 external h → 21.98; sharing 10 % → 33.33; no ratings → 0; service 18.791 → 18.79
    #   total (0 + 30.51×40 + 18.79×20) / 100 = 15.962 → 15.96: poor
    assert (fudan.organisation_score, fudan.operation_score, fudan.service_score) == (
        D(0),
        D("30.51"),
        D("18.79"),
    )
    assert (fudan.total, fudan.grade, fudan.rank) == (D("15.96"), "poor", 2)
    # And each indicator is stored with its value, score, weight and explanation
    income = IndicatorScore.objects.get(result=zju, code="income_rate")
    assert (income.value, income.score, income.weight) == (D("3.50"), D("70.00"), D("40.00"))
    assert "1.5 × 校外收入 100000 元" in income.explanation
    assert zju.inputs["technical_staff"] == 1 and zju.inputs["external_instruments"] == 3
    assert AuditEvent.objects.filter(action="evaluation.run", object_id=str(evaluation.pk)).exists()


def test_a_run_is_frozen_against_later_edits_of_the_config_and_inputs(
    people: dict[str, Any], small: dict[str, Any], figures: Any
) -> None:
    carol = people["carol"]
    first = run(carol)
    before = list(EvaluationResult.objects.filter(evaluation=first).values_list("total", "grade"))

    # When carol changes the config (thresholds so low all are excellent) and the inputs, and runs again
    config = copy.deepcopy(engine.default_config())
    config["grading"]["thresholds"] = {"excellent": "10", "good": "5", "qualified": "1"}
    services.save_config(actor_for(carol), "yrd", YEAR, config, now=NOW)
    fill_zju(carol, small)
    second = run(carol)

    # Then the first run is unchanged and the second uses the new configuration
    assert list(EvaluationResult.objects.filter(evaluation=first).values_list("total", "grade")) == before
    assert first.config == engine.default_config()
    assert set(second.results.values_list("grade", flat=True)) == {"excellent"}


@pytest.mark.parametrize("who", ["carol", "root"])
def test_the_platforms_admins_run_its_evaluation(people: dict[str, Any], figures: Any, who: str) -> None:
    assert run(people[who]).institutions == 2


def test_an_admin_above_runs_a_sub_platforms_evaluation(people: dict[str, Any], figures: Any) -> None:
    assert run(people["carol"], "g60").institutions == 1  # g60 is under yrd: only 浙江大学


@pytest.mark.parametrize("who", ["dave", "amy", "alice", "eve"])
def test_anyone_else_is_refused_a_run(people: dict[str, Any], figures: Any, who: str) -> None:
    with pytest.raises(Forbidden):
        run(people[who])  # dave administers another platform (bj); amy only her institution
    assert not Evaluation.objects.exists()


def test_an_anonymous_user_is_refused_a_run(people: dict[str, Any], figures: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAuthenticated):
        run(AnonymousUser())


def test_a_platform_without_holders_has_nothing_to_evaluate(
    people: dict[str, Any], small: dict[str, Any]
) -> None:
    # Given the bj platform, whose only member 北京大学 retired its one instrument
    small["pku"].instruments.update(retired=NOW)

    with pytest.raises(RuleViolation) as caught:
        run(people["dave"], "bj")
    assert caught.value.rule == "nothing_to_evaluate"


def test_an_unknown_platform_is_not_found(people: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        run(people["root"], "nowhere")


def test_a_year_out_of_range_is_refused(people: dict[str, Any], figures: Any) -> None:
    with pytest.raises(ValidationFailed):
        services.run_evaluation(actor_for(people["carol"]), "yrd", 1999, now=NOW)


# --- configuration -----------------------------------------------------------------------------------------


def test_the_platform_admin_saves_a_config_with_an_audit_row(people: dict[str, Any], network: Any) -> None:
    config = copy.deepcopy(engine.default_config())
    config["groups"] = {"organisation": "30", "operation": "50", "service": "20"}

    stored = services.save_config(actor_for(people["carol"]), "yrd", YEAR, config, now=NOW)

    assert queries.config_of(network["yrd"], YEAR) == (stored.config, False)
    assert stored.config["groups"]["operation"] == "50.00"
    assert AuditEvent.objects.filter(action="evaluation.config", object_id=str(stored.pk)).count() == 1
    services.reset_config(actor_for(people["carol"]), "yrd", YEAR, now=NOW)
    assert queries.config_of(network["yrd"], YEAR) == (engine.default_config(), True)


def test_a_wrong_platform_admin_cannot_edit_the_config(people: dict[str, Any], network: Any) -> None:
    with pytest.raises(Forbidden):
        services.save_config(actor_for(people["dave"]), "yrd", YEAR, engine.default_config(), now=NOW)
    with pytest.raises(Forbidden):
        services.reset_config(actor_for(people["dave"]), "yrd", YEAR, now=NOW)
    assert queries.config_of(network["yrd"], YEAR)[1] is True


def test_a_bad_config_is_refused_and_nothing_is_saved(people: dict[str, Any], network: Any) -> None:
    config = copy.deepcopy(engine.default_config())
    config["groups"]["service"] = "50"

    with pytest.raises(ValidationFailed) as caught:
        services.save_config(actor_for(people["carol"]), "yrd", YEAR, config, now=NOW)

    assert "groups" in caught.value.fields
    assert queries.config_of(network["yrd"], YEAR)[1] is True


# --- manual inputs -----------------------------------------------------------------------------------------


def test_the_platform_admin_records_manual_inputs(people: dict[str, Any], small: dict[str, Any]) -> None:
    fill_zju(people["carol"], small)
    fill_zju(people["carol"], small)  # again: the same row, updated

    [(inst, row)] = [p for p in queries.manual_inputs(small["yrd"], YEAR) if p[1] is not None]
    assert inst == small["zju"] and (row.technical_staff, row.rules_published) == (1, True)
    assert AuditEvent.objects.filter(action="evaluation.manual_input").count() == 2


def test_a_wrong_platform_admin_cannot_record_manual_inputs(
    people: dict[str, Any], small: dict[str, Any]
) -> None:
    with pytest.raises(Forbidden):
        fill_zju(people["dave"], small)
    with pytest.raises(Forbidden):
        fill_zju(people["amy"], small)  # zju's own admin: the platform judges, not the judged


def test_manual_inputs_only_for_the_platforms_members(people: dict[str, Any], small: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.save_manual_input(actor_for(people["carol"]), "yrd", YEAR, small["pku"].pk, now=NOW)
    assert "institution" in caught.value.fields


def test_a_negative_staff_count_is_refused(people: dict[str, Any], small: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed):
        services.save_manual_input(
            actor_for(people["carol"]), "yrd", YEAR, small["zju"].pk, technical_staff=-1, now=NOW
        )


# --- publication and visibility ----------------------------------------------------------------------------


def test_publishing_makes_a_run_visible_to_everyone_once(people: dict[str, Any], figures: Any) -> None:
    evaluation = run(people["carol"])
    eve = actor_for(people["eve"])
    with pytest.raises(NotFound):
        queries.get_evaluation(eve, evaluation.pk)

    services.publish_evaluation(actor_for(people["carol"]), evaluation.pk, now=NOW)

    assert queries.get_evaluation(eve, evaluation.pk) == evaluation
    with pytest.raises(Conflict):
        services.publish_evaluation(actor_for(people["carol"]), evaluation.pk, now=NOW)


def test_a_wrong_platform_admin_cannot_see_or_publish_a_run(people: dict[str, Any], figures: Any) -> None:
    evaluation = run(people["carol"])

    with pytest.raises(NotFound):
        services.publish_evaluation(actor_for(people["dave"]), evaluation.pk, now=NOW)
    services.publish_evaluation(actor_for(people["carol"]), evaluation.pk, now=NOW)
    with pytest.raises(Forbidden):  # visible now, but still not dave's to publish
        services.publish_evaluation(actor_for(people["dave"]), evaluation.pk, now=NOW)


def test_the_national_history_shows_beside_an_institution_by_name(small: dict[str, Any]) -> None:
    # 浙江大学 and 复旦大学 were graded nationally? Only institutions in the lists are: 中国农业大学 is.
    history = queries.national_history([(small["zju"].pk, "中国农业大学"), (small["fudan"].pk, "无此单位")])

    years = [h.year for h in history[small["zju"].pk]]
    assert years == sorted(years, reverse=True) and years[0] == 2024 and len(years) == len(set(years))
    assert small["fudan"].pk not in history


def test_a_run_takes_the_same_queries_for_2_institutions_as_for_12(
    people: dict[str, Any], small: dict[str, Any], figures: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import make_institution, make_instrument

    carol = actor_for(people["carol"])
    with CaptureQueriesContext(connection) as few:
        services.run_evaluation(carol, "yrd", YEAR, now=NOW)
    for n in range(10):
        inst = make_institution(f"单位{n}", f"12100000{n:09d}X", "310000", small["yrd"])
        make_instrument(inst, "A1")
        services.save_manual_input(carol, "yrd", YEAR, inst.pk, technical_staff=n, now=NOW)

    with CaptureQueriesContext(connection) as many:
        evaluation = services.run_evaluation(carol, "yrd", YEAR, now=NOW)

    assert evaluation.institutions == 12
    assert len(many) == len(few) <= 16  # in bulk: no query per institution or per indicator


def test_the_default_references_are_the_years_national_averages(network: dict[str, Any]) -> None:
    def references(year: int) -> list[str]:
        config, is_default = queries.config_of(network["yrd"], year)
        assert is_default
        return [i["reference"] for i in config["indicators"] if i["method"] == "national_ratio"]

    assert references(2018) == ["1340.00", "226.00"]  # published (DOMAIN.md)
    assert references(2025) == ["1599.00", "273.00"]
    assert references(2021) == ["1451.00", "246.00"]  # 1340 + 3/7 × 259 = 1451; 226 + 3/7 × 47 = 246.1
