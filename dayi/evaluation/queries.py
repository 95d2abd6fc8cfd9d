"""Read side of the evaluation: who is evaluated, their inputs (in bulk), which runs a user may see, the
results and the national history beside them. Shared by the services, the API, the pages and the exports.

Who is evaluated: the institutions that are members of a platform in the evaluating platform's subtree
(``Platform.path`` prefix, ``Membership``) and hold at least one instrument that is not retired — the
evaluation judges holders, not customers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext

from dayi.accounts.access import Actor, administered_platforms, is_superuser
from dayi.core.errors import NotFound
from dayi.directory.models import Instrument, ShareMode
from dayi.evaluation import errors
from dayi.evaluation.engine import ZERO, Inputs, default_config
from dayi.evaluation.models import (
    Evaluation,
    EvaluationConfig,
    EvaluationResult,
    ManualInput,
    NationalResult,
)
from dayi.network.models import Institution, Membership, Platform


def member_ids(platform: Platform) -> QuerySet[Membership, int]:
    """Ids of the institutions that are members of ``platform`` or of a platform below it (a subquery)."""
    return (
        Membership.objects.filter(platform__path__startswith=platform.path)
        .values_list("institution_id", flat=True)
        .distinct()
    )


def holdings(platform: Platform) -> dict[int, Any]:
    """Per evaluated institution: instruments, externally shared instruments and their original value (one
    grouped query over the directory)."""
    rows = (
        Instrument.objects.filter(retired__isnull=True, institution_id__in=member_ids(platform))
        .values("institution_id")
        .annotate(
            n=Count("id"),
            external=Count("id", filter=Q(share_mode=ShareMode.EXTERNAL)),
            value=Sum("original_value"),
        )
        .order_by()
    )
    return {r["institution_id"]: r for r in rows}


def usage_figures(year: int, institution_ids: Collection[int]) -> dict[int, Any]:
    """The year's utilisation figures per institution, from the statistics domain."""
    try:
        from dayi.stats.queries import institution_figures
    except ImportError:  # the statistics domain is built alongside; without it there is nothing to judge
        raise errors.figures_unavailable() from None
    return dict(institution_figures(year, institution_ids=institution_ids))


def _dec(value: Any) -> Decimal:
    return ZERO if value is None else Decimal(value)


def gather_inputs(platform: Platform, year: int) -> dict[int, Inputs]:
    """Every evaluated institution's inputs, in a handful of queries whatever their number."""
    held = holdings(platform)
    ids = sorted(held)
    names = dict(Institution.objects.filter(pk__in=ids).values_list("id", "name"))
    figures = usage_figures(year, ids) if ids else {}
    manual = {m.institution_id: m for m in ManualInput.objects.filter(platform=platform, year=year)}
    inputs: dict[int, Inputs] = {}
    for iid in ids:
        f, m, h = figures.get(iid), manual.get(iid), held[iid]
        inputs[iid] = Inputs(
            name=names[iid],
            instruments=h["n"],
            external_instruments=h["external"],
            original_value=_dec(h["value"]),
            available_hours=_dec(getattr(f, "available_hours", None)),
            effective_hours=_dec(getattr(f, "effective_hours", None)),
            external_hours=_dec(getattr(f, "external_hours", None)),
            samples=int(getattr(f, "samples", 0) or 0),
            income_internal=_dec(getattr(f, "income_internal", None)),
            income_external=_dec(getattr(f, "income_external", None)),
            ratings=int(getattr(f, "ratings", 0) or 0),
            average_rating=getattr(f, "average_rating", None),
            technical_staff=m.technical_staff if m else None,
            rules_published=m.rules_published if m else None,
            online_platform=m.online_platform if m else None,
        )
    return inputs


def evaluated_institutions(platform: Platform) -> QuerySet[Institution]:
    return Institution.objects.filter(pk__in=list(holdings(platform))).order_by("name", "id")


def manual_inputs(platform: Platform, year: int) -> list[tuple[Institution, ManualInput | None]]:
    """Each evaluated institution with its manual inputs of the year (None: nothing entered yet)."""
    manual = {m.institution_id: m for m in ManualInput.objects.filter(platform=platform, year=year)}
    return [(inst, manual.get(inst.pk)) for inst in evaluated_institutions(platform)]


def config_of(platform: Platform, year: int) -> tuple[dict[str, Any], bool]:
    """The year's configuration and whether it is the default (no configuration saved)."""
    stored = EvaluationConfig.objects.filter(platform=platform, year=year).first()
    return (stored.config, False) if stored else (default_for(year), True)


def default_for(year: int) -> dict[str, Any]:
    """The default configuration with the year's national averages per instrument as references: the
    statistics domain's ``national_average`` (published for 2018 and 2025, a straight line between)."""
    try:
        from dayi.stats.queries import national_average
    except ImportError:  # built alongside: without it, the latest published averages
        return default_config()
    averages = national_average(year)
    return default_config(Decimal(averages["effective_hours"]), Decimal(averages["external_hours"]))


# --- reading runs ------------------------------------------------------------------------------------------


def visible_evaluations(actor: Actor) -> QuerySet[Evaluation]:
    """Published runs, and every run of a platform the actor administers (deny by default)."""
    qs = Evaluation.objects.select_related("platform")
    if is_superuser(actor):
        return qs
    return qs.filter(Q(published__isnull=False) | Q(platform__in=administered_platforms(actor)))


def get_evaluation(actor: Actor, evaluation_id: int) -> Evaluation:
    evaluation = visible_evaluations(actor).filter(pk=evaluation_id).first()
    if evaluation is None:
        raise NotFound(gettext("评价不存在"))
    return evaluation


def grade_counts(evaluation_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Per run, how many institutions got each grade (one grouped query)."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        EvaluationResult.objects.filter(evaluation_id__in=list(evaluation_ids))
        .values_list("evaluation_id", "grade")
        .annotate(n=Count("id"))
        .order_by()
    )
    for eid, grade, n in rows:
        counts[eid][grade] = n
    return counts


def results(evaluation: Evaluation) -> QuerySet[EvaluationResult]:
    return evaluation.results.order_by("rank", "institution_name", "id")


def result_detail(actor: Actor, evaluation_id: int, institution_id: int) -> EvaluationResult:
    evaluation = get_evaluation(actor, evaluation_id)
    result = (
        evaluation.results.select_related("evaluation__platform")
        .prefetch_related("indicators")
        .filter(institution_id=institution_id)
        .first()
    )
    if result is None:
        raise NotFound(gettext("该单位未参加此次评价"))
    return result


def national_history(pairs: Iterable[tuple[int, str]]) -> dict[int, list[NationalResult]]:
    """The national grades of each (institution id, name), newest first: linked rows, and rows whose name or
    name group is the institution's name (so rows loaded before the institution existed still show)."""
    pairs = list(pairs)
    if not pairs:
        return {}
    by_name = {name: iid for iid, name in pairs}
    ids = {iid for iid, _ in pairs}
    rows = NationalResult.objects.filter(
        Q(institution_id__in=ids) | Q(institution_name__in=by_name) | Q(name_group__in=by_name)
    ).order_by("-year", "list_order")
    found: dict[int, dict[int, NationalResult]] = defaultdict(dict)
    for r in rows:
        iid = r.institution_id if r.institution_id in ids else None
        iid = iid or by_name.get(r.institution_name) or by_name.get(r.name_group)
        if iid is not None:
            found[iid].setdefault(r.year, r)  # one grade a year
    return {iid: list(years.values()) for iid, years in found.items()}


def national_results(*, year: int | None = None, grade: str = "", q: str = "") -> QuerySet[NationalResult]:
    qs = NationalResult.objects.all()
    if year:
        qs = qs.filter(year=year)
    if grade:
        qs = qs.filter(grade=grade)
    if q:
        qs = qs.filter(Q(institution_name__contains=q) | Q(name_group__contains=q))
    return qs.order_by("-year", "list_order")
