"""Write audit rows. Call inside the service's transaction, so the audit and the write commit together."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.utils import timezone

from dayi.core.migration_ops import PURGE_SETTING
from dayi.core.models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, exclude: Iterable[str] = ("password",)) -> dict[str, Any]:
    """The concrete field values of ``obj`` as JSON (foreign keys as their ids)."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude:
            continue
        data[field.attname] = _jsonable(getattr(obj, field.attname))
    return data


# Bookkeeping columns that change on every save and say nothing about what the actor changed.
_NOT_CHANGES = {"updated", "search_words"}


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, on each side."""
    keys = [k for k in after if k not in _NOT_CHANGES and before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def event(
    action: str,
    obj: models.Model,
    *,
    actor: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    institution_id: int | None = None,
    reason: str = "",
    now: dt.datetime | None = None,
) -> AuditEvent:
    return AuditEvent(
        at=now or timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.model_name or "",
        object_id=str(obj.pk),
        institution_id=institution_id,
        before=before,
        after=after,
        reason=reason,
    )


def record(action: str, obj: models.Model, **kwargs: Any) -> AuditEvent:
    ev = event(action, obj, **kwargs)
    ev.save()
    return ev


_COPY_COLUMNS = (
    "at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "institution_id",
    "before",
    "after",
    "reason",
)


def record_many(events: list[AuditEvent]) -> None:
    """Write many audit rows at once (an import of 30,000 instruments writes 30,000).

    COPY rather than bulk_create: bulk inserts bind every JSON snapshot as a parameter, and escaping those
    on the client cost a 30,000-row import about ten seconds.
    """
    if not events:
        return
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    columns = ", ".join(_COPY_COLUMNS)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for ev in events:
            copy.write_row(
                (
                    ev.at,
                    ev.actor_id,
                    ev.action,
                    ev.object_type,
                    ev.object_id,
                    ev.institution_id,
                    None if ev.before is None else json.dumps(ev.before, ensure_ascii=False),
                    None if ev.after is None else json.dumps(ev.after, ensure_ascii=False),
                    ev.reason,
                )
            )


def allow_purge() -> None:
    """Let this transaction delete audit rows and usage records (their triggers refuse otherwise).

    Only the demo clear calls this: ``set_config(…, true)`` is ``SET LOCAL``, gone at commit or rollback.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'on', true)", [PURGE_SETTING])
