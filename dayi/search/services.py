"""Every write of the search domain: the synonym table, edited by platform admins and superusers."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from dayi.accounts.access import Actor, is_platform_admin, require_signed_in
from dayi.core import audit
from dayi.core.errors import Forbidden, NotFound, ValidationFailed
from dayi.directory.models import Category
from dayi.search import memo
from dayi.search.errors import DuplicateSynonym
from dayi.search.models import Synonym
from dayi.search.segment import normalize

MAX_EXPANSIONS = 12
_SEARCHABLE = re.compile(r"[^\W_]")
EDITABLE = ("term", "expansions", "category", "note")


def check_synonym_editor(actor: Actor) -> None:
    """The table serves every platform of the deployment, so any platform admin (or a superuser) edits it."""
    require_signed_in(actor.user)
    if not is_platform_admin(actor):
        raise Forbidden(gettext("只有平台管理员可以编辑同义词表"))


def _clean_term(value: Any, errors: dict[str, list[str]]) -> str:
    term = " ".join(str(value or "").split())
    if not _SEARCHABLE.search(normalize(term)):
        errors["term"] = [gettext("须含文字或数字")]
    elif len(term) > 64:
        errors["term"] = [gettext("不超过64字")]
    return term


def _clean_note(value: Any, errors: dict[str, list[str]]) -> str:
    note = str(value or "").strip()
    if len(note) > 256:
        errors["note"] = [gettext("不超过256字")]
    return note


def _clean(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for field in EDITABLE:
        if field not in data:
            if not partial and field in ("term", "expansions"):
                errors[field] = [gettext("必填")]
            continue
        value = data[field]
        if field == "term":
            clean[field] = _clean_term(value, errors)
        elif field == "note":
            clean[field] = _clean_note(value, errors)
        elif field == "expansions":
            clean[field] = _clean_expansions(value, errors)
        else:
            clean["category_id"] = _clean_category(value, errors)
    if errors:
        raise ValidationFailed(gettext("同义词有误"), fields=errors)
    return clean


def _clean_expansions(value: Any, errors: dict[str, list[str]]) -> list[str]:
    items = value if isinstance(value, list) else []
    out = list(
        dict.fromkeys(" ".join(str(v).split()) for v in items if _SEARCHABLE.search(normalize(str(v))))
    )
    if not out or len(out) > MAX_EXPANSIONS or any(len(v) > 128 for v in out):
        errors["expansions"] = [
            gettext("1到%(MAX_EXPANSIONS)s个词，每个不超过128字") % {"MAX_EXPANSIONS": MAX_EXPANSIONS}
        ]
    return out


def _clean_category(value: Any, errors: dict[str, list[str]]) -> str | None:
    if value in (None, ""):
        return None
    if not Category.objects.filter(code=str(value)).exists():
        errors["category"] = [gettext("分类不存在")]
    return str(value)


def _save(synonym: Synonym) -> None:
    memo.forget()  # this request's later searches read the edited table
    try:
        with transaction.atomic():
            synonym.save()
    except IntegrityError:
        raise DuplicateSynonym(
            gettext("同义词表已有 %(term)s") % {"term": synonym.term}, fields={"term": [gettext("已存在")]}
        ) from None


def get_synonym(synonym_id: int, *, for_update: bool = False) -> Synonym:
    qs = Synonym.objects.select_for_update() if for_update else Synonym.objects
    synonym = qs.filter(pk=synonym_id).first()
    if synonym is None:
        raise NotFound(gettext("同义词不存在"))
    return synonym


@transaction.atomic
def create_synonym(actor: Actor, data: dict[str, Any], *, now: dt.datetime) -> Synonym:
    check_synonym_editor(actor)
    synonym = Synonym(**_clean(data, partial=False), created=now, updated=now)
    _save(synonym)
    audit.record("synonym.create", synonym, actor=actor.user, after=audit.snapshot(synonym), now=now)
    return synonym


@transaction.atomic
def update_synonym(actor: Actor, synonym_id: int, data: dict[str, Any], *, now: dt.datetime) -> Synonym:
    check_synonym_editor(actor)
    synonym = get_synonym(synonym_id, for_update=True)
    before = audit.snapshot(synonym)
    for key, value in _clean(data, partial=True).items():
        setattr(synonym, key, value)
    synonym.updated = now
    _save(synonym)
    b, a = audit.changes(before, audit.snapshot(synonym))
    audit.record("synonym.update", synonym, actor=actor.user, before=b, after=a, now=now)
    return synonym


@transaction.atomic
def delete_synonym(actor: Actor, synonym_id: int, *, now: dt.datetime) -> None:
    check_synonym_editor(actor)
    synonym = get_synonym(synonym_id, for_update=True)
    ev = audit.event("synonym.delete", synonym, actor=actor.user, before=audit.snapshot(synonym), now=now)
    memo.forget()
    synonym.delete()
    ev.save()
