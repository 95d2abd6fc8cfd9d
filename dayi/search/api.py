"""/api/v1/search/synonyms: the synonym table (read: anyone; write: platform admins and superusers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from dayi.api import SIGNED_IN, page_bounds, signed_in
from dayi.search import services
from dayi.search.models import Synonym

router = Router(tags=["search"])


class SynonymIn(Schema):
    term: str = Field(max_length=200)
    expansions: list[str] = Field(max_length=50)
    category: str | None = None
    note: str = ""


class SynonymPatch(Schema):
    term: str | None = Field(default=None, max_length=200)
    expansions: list[str] | None = Field(default=None, max_length=50)
    category: str | None = None
    note: str | None = None


class SynonymOut(Schema):
    id: int
    term: str
    expansions: list[str]
    category: str | None
    note: str
    updated: dt.datetime


class SynonymList(Schema):
    count: int
    items: list[SynonymOut]


def synonym_out(s: Synonym) -> dict[str, Any]:
    return {
        "id": s.pk,
        "term": s.term,
        "expansions": s.expansions,
        "category": s.category_id,
        "note": s.note,
        "updated": s.updated,
    }


@router.get("/search/synonyms", response=SynonymList, summary="The synonym and abbreviation table")
def list_synonyms(
    request: HttpRequest, q: str | None = None, page: int = 1, page_size: int = 200
) -> dict[str, Any]:
    offset, limit = page_bounds(page, page_size)
    qs = Synonym.objects.order_by("term", "id")
    if q:
        qs = qs.filter(term__icontains=q.replace("\x00", "")[:64])
    return {"count": qs.count(), "items": [synonym_out(s) for s in qs[offset : offset + limit]]}


@router.post("/search/synonyms", auth=SIGNED_IN, response={201: SynonymOut}, summary="Add a synonym")
def create_synonym(request: HttpRequest, body: SynonymIn) -> Status[dict[str, Any]]:
    synonym = services.create_synonym(signed_in(request), body.dict(), now=timezone.now())
    return Status(201, synonym_out(synonym))


@router.patch("/search/synonyms/{synonym_id}", auth=SIGNED_IN, response=SynonymOut, summary="Edit a synonym")
def patch_synonym(request: HttpRequest, synonym_id: int, body: SynonymPatch) -> dict[str, Any]:
    synonym = services.update_synonym(
        signed_in(request), synonym_id, body.dict(exclude_unset=True), now=timezone.now()
    )
    return synonym_out(synonym)


@router.delete(
    "/search/synonyms/{synonym_id}", auth=SIGNED_IN, response={204: None}, summary="Remove a synonym"
)
def delete_synonym(request: HttpRequest, synonym_id: int) -> Status[None]:
    services.delete_synonym(signed_in(request), synonym_id, now=timezone.now())
    return Status(204, None)
