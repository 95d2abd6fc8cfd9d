"""/api/v1 for the evaluation domain (issue 7). Thin: parse, call a service or a query, serialise.

Reading a run: anyone once it is published, otherwise the admins of its platform (or above); others get
404. Configuring, filling in, running and publishing: the platform's admins only (403 for others).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext, override
from ninja import Query, Router, Schema, Status

from dayi.api import SIGNED_IN, current_actor, page_bounds, signed_in
from dayi.core.errors import ValidationFailed
from dayi.evaluation import engine, exporting, queries, services
from dayi.evaluation.models import Evaluation, EvaluationResult, Grade, NationalResult

router = Router(tags=["evaluation"])
with override("zh-hans"):  # the API's labels are the Chinese names of the grades (API.md)
    GRADE_LABELS = {g.value: str(g.label) for g in Grade}


class EvaluationIn(Schema):
    platform: str  # a platform code
    year: int


class EvaluationOut(Schema):
    id: int
    platform: str
    platform_name: str
    year: int
    institutions: int
    grades: dict[str, int]  # excellent / good / qualified / poor → how many
    created: dt.datetime
    seconds: str
    published: dt.datetime | None


class EvaluationList(Schema):
    count: int
    items: list[EvaluationOut]


class NationalGradeOut(Schema):
    year: int
    grade: str
    grade_label: str
    name: str  # the name the ministry published


class ResultOut(Schema):
    institution: int
    institution_name: str
    rank: int
    grade: str
    grade_label: str
    total: str
    organisation: str
    operation: str
    service: str
    national: list[NationalGradeOut]  # the national grades of 2018–2024, newest first


class EvaluationDetail(EvaluationOut):
    config: dict[str, Any]
    results: list[ResultOut]


class IndicatorOut(Schema):
    code: str
    name: str
    name_en: str
    group: str
    metric: str
    value: str | None
    unit: str
    score: str
    weight: str
    explanation: str
    explanation_en: str


class ResultDetail(ResultOut):
    evaluation: int
    inputs: dict[str, Any]
    indicators: list[IndicatorOut]


class ListParams(Schema):
    platform: str | None = None
    year: int | None = None
    page: int = 1
    page_size: int = 50


class EvaluationExportParams(Schema):
    format: str = "xlsx"


class ConfigIn(Schema):
    """A configuration; cleaned by ``engine.clean_config``, which names each bad field (422)."""

    groups: dict[str, Any] = {}  # organisation / operation / service → weight (adding up to 100)
    indicators: list[dict[str, Any]] = []  # code, group, metric, method, weight, and the method's parameters
    grading: dict[str, Any] = {}  # method (thresholds | quotas), thresholds, quotas


class ConfigOut(Schema):
    platform: str
    year: int
    is_default: bool
    config: dict[str, Any]


class InputIn(Schema):
    technical_staff: int | None = None
    rules_published: bool | None = None
    online_platform: bool | None = None
    note: str = ""


class InputOut(Schema):
    institution: int
    institution_name: str
    technical_staff: int | None
    rules_published: bool | None
    online_platform: bool | None
    note: str
    updated: dt.datetime | None


class InputList(Schema):
    count: int
    items: list[InputOut]


class HistoryParams(Schema):
    year: int | None = None
    grade: str | None = None
    q: str | None = None
    page: int = 1
    page_size: int = 50


class HistoryOut(Schema):
    year: int
    institution_name: str
    name_group: str
    institution: int | None
    grade: str
    grade_label: str
    list_order: int
    department: str
    province: str


class HistoryList(Schema):
    count: int
    items: list[HistoryOut]


# --- serialisers -------------------------------------------------------------------------------------------


def evaluation_out(e: Evaluation, grades: dict[str, int]) -> dict[str, Any]:
    return {
        "id": e.pk,
        "platform": e.platform.code,
        "platform_name": e.platform.name,
        "year": e.year,
        "institutions": e.institutions,
        "grades": {g: grades.get(g, 0) for g in GRADE_LABELS},
        "created": e.created,
        "seconds": str(e.seconds),
        "published": e.published,
    }


def national_out(rows: list[NationalResult]) -> list[dict[str, Any]]:
    return [
        {"year": n.year, "grade": n.grade, "grade_label": GRADE_LABELS[n.grade], "name": n.institution_name}
        for n in rows
    ]


def result_out(r: EvaluationResult, national: list[NationalResult]) -> dict[str, Any]:
    return {
        "institution": r.institution_id,
        "institution_name": r.institution_name,
        "rank": r.rank,
        "grade": r.grade,
        "grade_label": GRADE_LABELS[r.grade],
        "total": str(r.total),
        "organisation": str(r.organisation_score),
        "operation": str(r.operation_score),
        "service": str(r.service_score),
        "national": national_out(national),
    }


def _config_out(code: str, year: int, config: dict[str, Any], is_default: bool) -> dict[str, Any]:
    return {"platform": code, "year": year, "is_default": is_default, "config": config}


# --- runs --------------------------------------------------------------------------------------------------


@router.get(
    "/evaluations",
    response=EvaluationList,
    summary="List evaluation runs",
    description=(
        "`platform=` (a code), `year=`. Published runs, and every run of the platforms the caller"
        " administers; newest first, with the count of each grade."
    ),
)
def list_evaluations(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
    offset, limit = page_bounds(params.page, params.page_size)
    qs = queries.visible_evaluations(current_actor(request))
    if params.platform:
        qs = qs.filter(platform__code=params.platform)
    if params.year:
        qs = qs.filter(year=params.year)
    page = list(qs[offset : offset + limit])
    counts = queries.grade_counts(e.pk for e in page)
    return {"count": qs.count(), "items": [evaluation_out(e, counts.get(e.pk, {})) for e in page]}


@router.post(
    "/evaluations",
    auth=SIGNED_IN,
    response={201: EvaluationDetail},
    summary="Run a platform's evaluation for a year",
    description=(
        '`{"platform", "year"}`. Evaluates every member institution of the platform and its sub-platforms'
        " that holds an instrument, with the year's configuration (or the default), the statistics' figures"
        " and the manual inputs, and freezes all of them with the results. Platform admins only (403);"
        " 422 `rule_violation` `nothing_to_evaluate`; 409 `figures_unavailable` without statistics."
    ),
)
def run_evaluation(request: HttpRequest, body: EvaluationIn) -> Status[dict[str, Any]]:
    e = services.run_evaluation(signed_in(request), body.platform, body.year, now=timezone.now())
    return Status(201, _detail(e))


def _detail(e: Evaluation) -> dict[str, Any]:
    results = list(queries.results(e))
    history = queries.national_history((r.institution_id, r.institution_name) for r in results)
    grades: dict[str, int] = {}
    for r in results:
        grades[r.grade] = grades.get(r.grade, 0) + 1
    return {
        **evaluation_out(e, grades),
        "config": e.config,
        "results": [result_out(r, history.get(r.institution_id, [])) for r in results],
    }


@router.get(
    "/evaluations/{evaluation_id}",
    response=EvaluationDetail,
    summary="An evaluation run: its frozen configuration and every institution's result",
    description="Results best first (ties on the total broken by the shared-service score), with the national"
    " grades of 2018–2024 beside each. 404 when not published and not the caller's platform.",
)
def get_evaluation(request: HttpRequest, evaluation_id: int) -> dict[str, Any]:
    return _detail(queries.get_evaluation(current_actor(request), evaluation_id))


@router.get(
    "/evaluations/{evaluation_id}/results/{institution_id}",
    response=ResultDetail,
    summary="One institution's result: each indicator's value, score, weight and explanation",
)
def get_result(request: HttpRequest, evaluation_id: int, institution_id: int) -> dict[str, Any]:
    r = queries.result_detail(current_actor(request), evaluation_id, institution_id)
    history = queries.national_history([(r.institution_id, r.institution_name)])
    indicators = []
    for s in r.indicators.all():
        metric = engine.METRICS[s.metric]
        indicators.append(
            {
                "code": s.code,
                "name": metric.zh,
                "name_en": metric.en,
                "group": s.group,
                "metric": s.metric,
                "value": None if s.value is None else str(s.value),
                "unit": metric.unit,
                "score": str(s.score),
                "weight": str(s.weight),
                "explanation": s.explanation,
                "explanation_en": s.explanation_en,
            }
        )
    return {
        **result_out(r, history.get(r.institution_id, [])),
        "evaluation": r.evaluation_id,
        "inputs": r.inputs,
        "indicators": indicators,
    }


def export_response(e: Evaluation, file_format: str) -> HttpResponseBase:
    name = f"dayi-evaluation-{e.platform.code}-{e.year}-{e.pk}.{file_format}"
    if file_format == "xlsx":
        return FileResponse(
            exporting.as_xlsx(e),
            as_attachment=True,
            filename=name,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    if file_format == "pdf":
        response = HttpResponse(exporting.as_pdf(e), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    raise ValidationFailed(fields={"format": [gettext("应为 xlsx 或 pdf")]})


@router.get(
    "/evaluations/{evaluation_id}/export",
    response={200: Any},
    summary="Export a run's results: XLSX (results, indicator scores, configuration) or PDF",
    description="`format=xlsx|pdf`. The same visibility as the run.",
)
def export_evaluation(
    request: HttpRequest, evaluation_id: int, params: Query[EvaluationExportParams]
) -> HttpResponseBase:
    if params.format not in ("xlsx", "pdf"):
        raise ValidationFailed(fields={"format": [gettext("应为 xlsx 或 pdf")]})
    return export_response(queries.get_evaluation(current_actor(request), evaluation_id), params.format)


@router.post(
    "/evaluations/{evaluation_id}/publish",
    auth=SIGNED_IN,
    response=EvaluationOut,
    summary="Publish a run: anyone may read it from then on",
    description="Platform admins only. 409 `invalid_state` when already published.",
)
def publish_evaluation(request: HttpRequest, evaluation_id: int) -> dict[str, Any]:
    e = services.publish_evaluation(signed_in(request), evaluation_id, now=timezone.now())
    return evaluation_out(e, queries.grade_counts([e.pk]).get(e.pk, {}))


# --- configuration and manual inputs -----------------------------------------------------------------------


@router.get(
    "/evaluation-configs/{platform}/{year}",
    auth=SIGNED_IN,
    response=ConfigOut,
    summary="A platform's indicator configuration for a year (the default until one is saved)",
)
def get_config(request: HttpRequest, platform: str, year: int) -> dict[str, Any]:
    p = services.administered_platform(signed_in(request), platform)
    config, is_default = queries.config_of(p, services.check_year(year))
    return _config_out(p.code, year, config, is_default)


@router.put(
    "/evaluation-configs/{platform}/{year}",
    auth=SIGNED_IN,
    response=ConfigOut,
    summary="Replace a platform's indicator configuration for a year",
    description=(
        'Body: `{"groups": {"organisation", "operation", "service"} (weights adding up to 100),'
        ' "indicators": [{"code", "group", "metric", "method" (linear | national_ratio | yes_no),'
        ' "weight", "floor", "target" | "reference", "points"}], "grading": {"method" (thresholds'
        ' | quotas), "thresholds": {"excellent", "good", "qualified"}, "quotas": {"excellent",'
        ' "good", "poor"} (percent)}}`. Metrics and methods: `GET /evaluation-metrics`. 422 names each bad'
        " field. Runs already made keep their own copy."
    ),
)
def put_config(request: HttpRequest, platform: str, year: int, body: ConfigIn) -> dict[str, Any]:
    stored = services.save_config(signed_in(request), platform, year, body.dict(), now=timezone.now())
    return _config_out(platform, year, stored.config, False)


@router.delete(
    "/evaluation-configs/{platform}/{year}",
    auth=SIGNED_IN,
    response=ConfigOut,
    summary="Go back to the default configuration for a year",
)
def delete_config(request: HttpRequest, platform: str, year: int) -> dict[str, Any]:
    config = services.reset_config(signed_in(request), platform, year, now=timezone.now())
    return _config_out(platform, year, config, True)


@router.get(
    "/evaluation-metrics",
    response={200: Any},
    summary="The metrics, scoring methods and groups a configuration may use",
)
def metrics(request: HttpRequest) -> dict[str, Any]:
    return {
        "metrics": [
            {
                "code": m.code,
                "name": m.zh,
                "name_en": m.en,
                "unit": m.unit,
                "yes_no": m.yes_no,
                "manual": m.manual,
            }
            for m in engine.METRICS.values()
        ],
        "methods": [{"code": k, "name": zh, "name_en": en} for k, (zh, en) in engine.METHODS.items()],
        "groups": [{"code": k, "name": zh, "name_en": en} for k, (zh, en) in engine.GROUPS.items()],
        "default": engine.default_config(),
    }


def input_rows(platform_code: str, year: int, actor: Any) -> list[dict[str, Any]]:
    p = services.administered_platform(actor, platform_code)
    rows = []
    for inst, m in queries.manual_inputs(p, services.check_year(year)):
        rows.append(
            {
                "institution": inst.pk,
                "institution_name": inst.name,
                "technical_staff": m.technical_staff if m else None,
                "rules_published": m.rules_published if m else None,
                "online_platform": m.online_platform if m else None,
                "note": m.note if m else "",
                "updated": m.updated if m else None,
            }
        )
    return rows


@router.get(
    "/evaluation-inputs/{platform}/{year}",
    auth=SIGNED_IN,
    response=InputList,
    summary="The manual inputs of a platform's evaluated institutions for a year (blank: not reported)",
)
def list_inputs(request: HttpRequest, platform: str, year: int) -> dict[str, Any]:
    rows = input_rows(platform, year, signed_in(request))
    return {"count": len(rows), "items": rows}


@router.put(
    "/evaluation-inputs/{platform}/{year}/{institution_id}",
    auth=SIGNED_IN,
    response=InputOut,
    summary="Record an institution's manual inputs: technical staff, rules published, online platform",
    description="Platform admins only; the institution must be a member of the platform or below (422).",
)
def put_input(
    request: HttpRequest, platform: str, year: int, institution_id: int, body: InputIn
) -> dict[str, Any]:
    row = services.save_manual_input(
        signed_in(request),
        platform,
        year,
        institution_id,
        technical_staff=body.technical_staff,
        rules_published=body.rules_published,
        online_platform=body.online_platform,
        note=body.note,
        now=timezone.now(),
    )
    return {
        "institution": row.institution_id,
        "institution_name": row.institution.name,
        "technical_staff": row.technical_staff,
        "rules_published": row.rules_published,
        "online_platform": row.online_platform,
        "note": row.note,
        "updated": row.updated,
    }


# --- national history --------------------------------------------------------------------------------------


@router.get(
    "/evaluation-history",
    response=HistoryList,
    summary="The national evaluation results 2018–2024 (MOST and MOF notices)",
    description="`year=`, `grade=` (excellent / good / qualified / poor), `q=` (part of a name).",
)
def history(request: HttpRequest, params: Query[HistoryParams]) -> dict[str, Any]:
    offset, limit = page_bounds(params.page, params.page_size)
    if params.grade and params.grade not in GRADE_LABELS:
        raise ValidationFailed(fields={"grade": [gettext("应为 excellent, good, qualified, poor 之一")]})
    qs = queries.national_results(year=params.year, grade=params.grade or "", q=(params.q or "").strip())
    items = [
        {
            "year": n.year,
            "institution_name": n.institution_name,
            "name_group": n.name_group,
            "institution": n.institution_id,
            "grade": n.grade,
            "grade_label": GRADE_LABELS[n.grade],
            "list_order": n.list_order,
            "department": n.department,
            "province": n.province,
        }
        for n in qs[offset : offset + limit]
    ]
    return {"count": qs.count(), "items": items}
