"""The evaluation pages: the runs, a run's results with the national history beside them, one institution's
indicators, the configuration editor, the manual inputs form and the exports.

Thin: reads through ``dayi.evaluation.queries``, every write through ``dayi.evaluation.services`` — the same
functions the API calls, so what one refuses the other refuses too. A refusal is shown beside the form it
concerns or on the message page (``dayi.core.pages``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dayi.accounts.access import actor_for, administered_platforms, administers_platform
from dayi.core.errors import DayiError
from dayi.evaluation import engine, queries, services
from dayi.evaluation.api import export_response
from dayi.evaluation.exporting import HISTORY_YEARS
from dayi.evaluation.models import Grade

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _this_year() -> int:
    return timezone.now().astimezone(SHANGHAI).year


def _evaluation(request: HttpRequest, evaluation_id: int) -> Any:
    return queries.get_evaluation(actor_for(request.user), evaluation_id)


# --- runs --------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def runs(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    if request.method == "POST":
        if not actor.is_authenticated:
            return redirect("login")
        try:
            year = int(request.POST.get("year", ""))
            evaluation = services.run_evaluation(
                actor, request.POST.get("platform", ""), year, now=timezone.now()
            )
        except ValueError:
            messages.error(request, _("请填写年份"))
            return redirect("evaluation:runs")
        except DayiError as exc:
            messages.error(request, exc.message)
            return redirect("evaluation:runs")
        messages.success(request, _("评价已完成，共 %(n)s 家单位") % {"n": evaluation.institutions})
        return redirect("evaluation:detail", evaluation.pk)
    page = list(queries.visible_evaluations(actor)[:100])
    counts = queries.grade_counts(e.pk for e in page)
    context = {
        "runs": [(e, [counts.get(e.pk, {}).get(g, 0) for g in Grade.values]) for e in page],
        "grades": Grade.choices,
        "platforms": list(administered_platforms(actor)) if actor.is_authenticated else [],
        "year": _this_year() - 1,
    }
    return render(request, "evaluation/runs.html", context)


def detail(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    evaluation = _evaluation(request, evaluation_id)
    results = list(queries.results(evaluation))
    history = queries.national_history((r.institution_id, r.institution_name) for r in results)
    rows = []
    for r in results:
        by_year = {h.year: h for h in history.get(r.institution_id, [])}
        rows.append({"r": r, "national": [by_year.get(y) for y in HISTORY_YEARS]})
    tally = Counter(r.grade for r in results)
    chart = [{"name": str(label), "value": tally.get(g, 0), "grade": g} for g, label in Grade.choices]
    context = {
        "e": evaluation,
        "rows": rows,
        "years": HISTORY_YEARS,
        "chart": chart,
        "tally": [(g, label, tally.get(g, 0)) for g, label in Grade.choices],
        # In the registry's order: PostgreSQL's jsonb does not keep the keys' order.
        "groups": [(names, evaluation.config["groups"][g]) for g, names in engine.GROUPS.items()],
        "grading": evaluation.config["grading"],
        "can_admin": administers_platform(actor_for(request.user), evaluation.platform),
    }
    return render(request, "evaluation/detail.html", context)


def result(request: HttpRequest, evaluation_id: int, institution_id: int) -> HttpResponse:
    r = queries.result_detail(actor_for(request.user), evaluation_id, institution_id)
    indicators = [
        {"s": s, "metric": engine.METRICS[s.metric], "group": engine.GROUPS[s.group]}
        for s in r.indicators.all()
    ]
    groups = [
        (names, r.evaluation.config["groups"][g], getattr(r, f"{g}_score"))
        for g, names in engine.GROUPS.items()
    ]
    history = queries.national_history([(r.institution_id, r.institution_name)]).get(r.institution_id, [])
    return render(
        request,
        "evaluation/result.html",
        {"r": r, "e": r.evaluation, "indicators": indicators, "groups": groups, "history": history},
    )


def export(request: HttpRequest, evaluation_id: int, file_format: str) -> HttpResponseBase:
    evaluation = _evaluation(request, evaluation_id)
    if file_format not in ("xlsx", "pdf"):
        raise Http404("no such format")
    return export_response(evaluation, file_format)


@login_required
@require_POST
def publish(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    services.publish_evaluation(actor_for(request.user), evaluation_id, now=timezone.now())
    messages.success(request, _("评价结果已公布"))
    return redirect("evaluation:detail", evaluation_id)


# --- configuration -----------------------------------------------------------------------------------------


def config_from_post(post: QueryDict) -> dict[str, Any]:
    """The editor's fields (``groups.service``, ``ind-3-metric`` …) as the configuration to clean."""
    indicators = []
    rows = post.get("rows", "")
    for n in range(min(int(rows), 200) if rows.isdigit() else 0):
        if post.get(f"ind-{n}-delete") or not post.get(f"ind-{n}-metric"):
            continue
        ind = {k: post.get(f"ind-{n}-{k}", "").strip() for k in engine.INDICATOR_FIELDS}
        indicators.append({k: v for k, v in ind.items() if v != ""})
    return {
        "groups": {g: post.get(f"groups.{g}", "") for g in engine.GROUPS},
        "indicators": indicators,
        "grading": {
            "method": post.get("grading.method", ""),
            "thresholds": {k: post.get(f"thresholds.{k}", "") for k in ("excellent", "good", "qualified")},
            "quotas": {k: post.get(f"quotas.{k}", "") for k in ("excellent", "good", "poor")},
        },
    }


@login_required
@require_http_methods(["GET", "POST"])
def config(request: HttpRequest, platform: str, year: int) -> HttpResponse:
    actor = actor_for(request.user)
    p = services.administered_platform(actor, platform)
    services.check_year(year)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        raw = config_from_post(request.POST)
        try:
            if request.POST.get("reset"):
                services.reset_config(actor, platform, year, now=timezone.now())
            else:
                services.save_config(actor, platform, year, raw, now=timezone.now())
        except DayiError as exc:
            errors, status = exc.fields or {"": [exc.message]}, exc.status
            current, is_default = raw, False
        else:
            messages.success(request, _("评价配置已保存"))
            return redirect("evaluation:config", platform, year)
    else:
        current, is_default = queries.config_of(p, year)
    indicators = list(current.get("indicators", []))
    blank = {"code": "", "group": "", "metric": "", "method": "", "weight": ""}
    context = {
        "p": p,
        "year": year,
        "config": current,
        "is_default": is_default,
        "indicators": [*indicators, blank, blank],  # two empty rows to add indicators
        "rows": len(indicators) + 2,
        "errors": errors,
        "error_list": sorted(errors.items()),
        "groups": list(engine.GROUPS.items()),
        "metrics": list(engine.METRICS.values()),
        "methods": list(engine.METHODS.items()),
    }
    return render(request, "evaluation/config.html", context, status=status)


# --- manual inputs -----------------------------------------------------------------------------------------


def _tristate(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


@login_required
@require_http_methods(["GET", "POST"])
def inputs(request: HttpRequest, platform: str, year: int) -> HttpResponse:
    actor = actor_for(request.user)
    p = services.administered_platform(actor, platform)
    services.check_year(year)
    rows = queries.manual_inputs(p, year)
    errors: dict[int, str] = {}
    if request.method == "POST":
        for inst, row in rows:
            post = {k: request.POST.get(f"{inst.pk}-{k}", "") for k in ("staff", "rules", "online", "note")}
            before = (
                (
                    str(row.technical_staff if row.technical_staff is not None else ""),
                    row.rules_published,
                    row.online_platform,
                    row.note,
                )
                if row
                else ("", None, None, "")
            )
            after = (
                post["staff"].strip(),
                _tristate(post["rules"]),
                _tristate(post["online"]),
                post["note"].strip(),
            )
            if after == before:
                continue  # unchanged rows are not rewritten (nor audited)
            try:
                services.save_manual_input(
                    actor,
                    platform,
                    year,
                    inst.pk,
                    technical_staff=after[0],
                    rules_published=after[1],
                    online_platform=after[2],
                    note=after[3],
                    now=timezone.now(),
                )
            except DayiError as exc:
                errors[inst.pk] = "; ".join(m for ms in exc.fields.values() for m in ms) or exc.message
        if not errors:
            messages.success(request, _("填报数据已保存"))
            return redirect("evaluation:inputs", platform, year)
        rows = queries.manual_inputs(p, year)
    context = {"p": p, "year": year, "rows": [(i, m, errors.get(i.pk)) for i, m in rows]}
    return render(request, "evaluation/inputs.html", context, status=422 if errors else 200)


# --- national history --------------------------------------------------------------------------------------


def history(request: HttpRequest) -> HttpResponse:
    year = request.GET.get("year", "")
    grade = request.GET.get("grade", "")
    q = request.GET.get("q", "").strip()
    qs = queries.national_results(
        year=int(year) if year.isdigit() else None, grade=grade if grade in Grade.values else "", q=q
    )
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/history.html",
        {
            "page_obj": page,
            "rows": page.object_list,
            "count": page.paginator.count,
            "years": HISTORY_YEARS,
            "grades": Grade.choices,
            "year": year,
            "grade": grade,
            "q": q,
        },
    )
