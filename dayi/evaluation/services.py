"""Every write of the evaluation: the year's configuration, the manual inputs, a run, its publication.

Only the admins of a platform (or of a platform above it) configure, fill in, run and publish its
evaluation; everyone else is refused (``access.check_platform_admin``). Each write runs in one transaction
with its audit row.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext

from dayi.accounts.access import Actor, check_platform_admin, require_signed_in
from dayi.core import audit
from dayi.core.errors import Conflict, ValidationFailed
from dayi.evaluation import engine, errors, queries
from dayi.evaluation.models import (
    Evaluation,
    EvaluationConfig,
    EvaluationResult,
    IndicatorScore,
    ManualInput,
)
from dayi.network.models import Platform
from dayi.network.services import get_platform

FIRST_YEAR, LAST_YEAR = 2000, 2100

M = TypeVar("M", bound=models.Model)  # the model whose row _locked_row returns


def check_year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed(
            fields={
                "year": [
                    gettext("应在 %(FIRST_YEAR)s 到 %(LAST_YEAR)s 之间")
                    % {"FIRST_YEAR": FIRST_YEAR, "LAST_YEAR": LAST_YEAR}
                ]
            }
        )
    return year


def administered_platform(actor: Actor, code: str, *, for_update: bool = False) -> Platform:
    """The platform ``code`` if the actor administers it: 401 anonymous, 404 missing, 403 someone else's."""
    require_signed_in(actor.user)
    platform = get_platform(code, for_update=for_update)
    check_platform_admin(actor, platform)
    return platform


def _locked_row(model: type[M], defaults: dict[str, Any], **key: Any) -> tuple[M, bool]:
    """The row of ``key``, locked for the rest of the transaction, created first if missing (and True).

    The lock serialises two admins saving at once, so the audit's "before" is what the later one replaced.
    Two first saves at once: the loser's INSERT fails on the unique constraint inside a savepoint, and it
    waits for and locks the winner's row instead of failing.
    """
    rows = model._default_manager
    row = rows.select_for_update().filter(**key).first()
    if row is not None:
        return row, False
    try:
        with transaction.atomic():
            return rows.create(**key, **defaults), True
    except IntegrityError:
        return rows.select_for_update().get(**key), False


# --- configuration -----------------------------------------------------------------------------------------


@transaction.atomic
def save_config(
    actor: Actor, platform_code: str, year: int, raw: Any, *, now: dt.datetime
) -> EvaluationConfig:
    """Replace the year's configuration (later runs use it; earlier runs keep their frozen copy)."""
    platform = administered_platform(actor, platform_code)
    check_year(year)
    config = engine.clean_config(raw)
    stored, created = _locked_row(
        EvaluationConfig, {"config": {}, "updated": now}, platform=platform, year=year
    )
    before = None if created else stored.config
    stored.config, stored.updated, stored.updated_by = config, now, actor.user
    stored.save()
    audit.record(
        "evaluation.config",
        stored,
        actor=actor.user,
        before={"config": before},
        after={"config": config},
        now=now,
    )
    return stored


@transaction.atomic
def reset_config(actor: Actor, platform_code: str, year: int, *, now: dt.datetime) -> dict[str, Any]:
    """Drop the year's own configuration: the default applies again."""
    platform = administered_platform(actor, platform_code)
    stored = (
        EvaluationConfig.objects.select_for_update().filter(platform=platform, year=check_year(year)).first()
    )
    if stored is not None:
        audit.record(
            "evaluation.config_reset", stored, actor=actor.user, before={"config": stored.config}, now=now
        )
        stored.delete()
    return queries.default_for(year)


# --- manual inputs -----------------------------------------------------------------------------------------


def _staff(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        staff = int(value)
    except (TypeError, ValueError):
        staff = -1
    if staff < 0 or staff > 100_000 or isinstance(value, bool):
        raise ValidationFailed(fields={"technical_staff": [gettext("应为不小于 0 的整数")]})
    return staff


@transaction.atomic
def save_manual_input(
    actor: Actor,
    platform_code: str,
    year: int,
    institution_id: int,
    *,
    technical_staff: Any = None,
    rules_published: bool | None = None,
    online_platform: bool | None = None,
    note: str = "",
    now: dt.datetime,
) -> ManualInput:
    """Record what the platform cannot measure about one of its institutions (None: not reported)."""
    platform = administered_platform(actor, platform_code)
    check_year(year)
    staff = _staff(technical_staff)
    if len(note or "") > 500:
        raise ValidationFailed(fields={"note": [gettext("不能超过500字")]})
    if not queries.member_ids(platform).filter(institution_id=institution_id).exists():
        raise ValidationFailed(fields={"institution": [gettext("该单位不是本平台的成员")]})
    row, created = _locked_row(
        ManualInput, {"updated": now}, platform=platform, year=year, institution_id=institution_id
    )
    before = None if created else audit.snapshot(row)
    row.technical_staff, row.rules_published, row.online_platform = staff, rules_published, online_platform
    row.note, row.updated, row.updated_by = (note or "").strip(), now, actor.user
    row.save()
    audit.record(
        "evaluation.manual_input",
        row,
        actor=actor.user,
        before=before,
        after=audit.snapshot(row),
        institution_id=institution_id,
        now=now,
    )
    return row


# --- runs --------------------------------------------------------------------------------------------------


def _store(evaluation: Evaluation, outcomes: list[engine.Outcome]) -> None:
    """Results and indicator scores in two bulk inserts (PostgreSQL returns the results' ids)."""
    rows = EvaluationResult.objects.bulk_create(
        [
            EvaluationResult(
                evaluation=evaluation,
                institution_id=o.institution_id,
                institution_name=o.name[:128],
                organisation_score=o.groups["organisation"],
                operation_score=o.groups["operation"],
                service_score=o.groups["service"],
                total=o.total,
                grade=o.grade,
                rank=o.rank,
                inputs=o.inputs.as_json(),
            )
            for o in outcomes
        ],
        batch_size=1000,
    )
    IndicatorScore.objects.bulk_create(
        [
            IndicatorScore(
                result=row,
                position=i.position,
                code=i.code,
                group=i.group,
                metric=i.metric,
                value=i.value,
                score=i.score,
                weight=i.weight,
                explanation=i.explanation,
                explanation_en=i.explanation_en,
            )
            for row, o in zip(rows, outcomes, strict=True)
            for i in o.indicators
        ],
        batch_size=2000,
    )


@transaction.atomic
def run_evaluation(actor: Actor, platform_code: str, year: int, *, now: dt.datetime) -> Evaluation:
    """Evaluate every holder in the platform's subtree for ``year`` with the year's configuration, and freeze
    the configuration and the inputs with the results."""
    started = time.perf_counter()
    platform = administered_platform(actor, platform_code)
    check_year(year)
    config, _ = queries.config_of(platform, year)
    inputs = queries.gather_inputs(platform, year)
    if not inputs:
        raise errors.nothing_to_evaluate()
    outcomes = engine.evaluate(config, inputs)
    evaluation = Evaluation.objects.create(
        platform=platform,
        year=year,
        config=config,
        institutions=len(outcomes),
        created=now,
        created_by=actor.user,
    )
    _store(evaluation, outcomes)
    evaluation.seconds = Decimal(f"{time.perf_counter() - started:.3f}")
    evaluation.save(update_fields=["seconds"])
    grades = {g: sum(1 for o in outcomes if o.grade == g) for g in ("excellent", "good", "qualified", "poor")}
    audit.record(
        "evaluation.run",
        evaluation,
        actor=actor.user,
        after={"platform": platform.code, "year": year, "institutions": len(outcomes), "grades": grades},
        now=now,
    )
    return evaluation


@transaction.atomic
def publish_evaluation(actor: Actor, evaluation_id: int, *, now: dt.datetime) -> Evaluation:
    """Make a run public (anyone may then read it). Once: a second publication is refused."""
    require_signed_in(actor.user)
    evaluation = queries.get_evaluation(actor, evaluation_id)
    check_platform_admin(actor, evaluation.platform)
    # Conditional update: of two admins publishing at once, the row count says who did it.
    if not Evaluation.objects.filter(pk=evaluation.pk, published__isnull=True).update(published=now):
        raise Conflict(gettext("该评价已公布"))
    evaluation.published = now
    audit.record(
        "evaluation.publish", evaluation, actor=actor.user, after={"published": now.isoformat()}, now=now
    )
    return evaluation
