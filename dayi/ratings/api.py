"""/api/v1 for ratings (issue 5). Thin: parse, call a service or a query, serialise."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from dayi.api import SIGNED_IN, page_bounds, signed_in
from dayi.directory.services import get_instrument
from dayi.ratings import queries, services
from dayi.ratings.models import Level, Rating

router = Router(tags=["ratings"])


class RatingIn(Schema):
    level: int  # 5 非常满意 (very satisfied) … 1 很不满意 (very dissatisfied)
    comment: str = ""


class ReplyIn(Schema):
    reply: str


class RatingOut(Schema):
    id: int
    order: int
    level: int
    level_label: str
    comment: str
    created: dt.datetime
    reply: str
    replied_at: dt.datetime | None


class PublicRating(Schema):
    """What anyone may read: no order or customer, only the judgement and the holder's answer."""

    id: int
    level: int
    level_label: str
    comment: str
    created: dt.datetime
    reply: str
    replied_at: dt.datetime | None


class RatingSummaryOut(Schema):
    count: int
    average: str | None
    levels: dict[str, int]
    items: list[PublicRating]


class PageParams(Schema):
    page: int = 1
    page_size: int = 50


def rating_out(rating: Rating) -> dict[str, Any]:
    return {
        "id": rating.pk,
        "order": rating.order_id,
        "level": rating.level,
        "level_label": str(Level(rating.level).label),
        "comment": rating.comment,
        "created": rating.created,
        "reply": rating.reply,
        "replied_at": rating.replied_at,
    }


@router.post(
    "/orders/{order_id}/rating", auth=SIGNED_IN, response={201: RatingOut}, summary="Rate a completed order"
)
def rate_order(request: HttpRequest, order_id: int, body: RatingIn) -> Status[dict[str, Any]]:
    rating = services.rate_order(
        signed_in(request), order_id, level=body.level, comment=body.comment, now=timezone.now()
    )
    return Status(201, rating_out(rating))


@router.post(
    "/ratings/{rating_id}/reply", auth=SIGNED_IN, response=RatingOut, summary="The holder replies to a rating"
)
def reply(request: HttpRequest, rating_id: int, body: ReplyIn) -> dict[str, Any]:
    rating = services.reply_to_rating(signed_in(request), rating_id, reply=body.reply, now=timezone.now())
    return rating_out(rating)


@router.get(
    "/instruments/{instrument_id}/ratings",
    response=RatingSummaryOut,
    summary="An instrument's ratings, their average and the count per level",
)
def instrument_ratings(request: HttpRequest, instrument_id: int, params: Query[PageParams]) -> dict[str, Any]:
    get_instrument(instrument_id)
    offset, limit = page_bounds(params.page, params.page_size)
    summary = queries.rating_summary(instrument_id, latest=0)
    page = queries.instrument_ratings(instrument_id)[offset : offset + limit]
    return {
        "count": summary["count"],
        "average": None if summary["average"] is None else str(summary["average"]),
        "levels": {str(k): v for k, v in summary["levels"].items()},
        "items": [rating_out(r) for r in page],
    }
