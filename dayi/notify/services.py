"""Writes of the notifications app: a user's private calendar feed (issue, regenerate, revoke)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import transaction

from dayi.accounts.access import Actor, require_signed_in
from dayi.core import audit
from dayi.notify.models import CalendarFeed

FEED_TOKEN_BYTES = 32  # 256 bits: the URL is the only credential a calendar client can carry


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def issue_calendar_feed(actor: Actor, *, now: dt.datetime) -> str:
    """A new secret token for the actor's private feed; any previous URL stops working. Shown once."""
    require_signed_in(actor.user)
    token = secrets.token_urlsafe(FEED_TOKEN_BYTES)
    # One row per user, locked so that two "regenerate" clicks at once leave exactly one valid token.
    feed = CalendarFeed.objects.select_for_update().filter(user=actor.user).first()
    action = "calendar_feed.regenerate" if feed else "calendar_feed.issue"
    if feed is None:
        feed = CalendarFeed(user=actor.user)
    feed.digest, feed.prefix, feed.created, feed.last_used = digest(token), token[:8], now, None
    feed.save()
    audit.record(action, feed, actor=actor.user, after={"prefix": feed.prefix}, now=now)
    return token


@transaction.atomic
def revoke_calendar_feed(actor: Actor, *, now: dt.datetime) -> bool:
    """Stop the actor's private feed. Returns whether there was one."""
    require_signed_in(actor.user)
    feed = CalendarFeed.objects.select_for_update().filter(user=actor.user).first()
    if feed is None:
        return False
    audit.record("calendar_feed.revoke", feed, actor=actor.user, before={"prefix": feed.prefix}, now=now)
    feed.delete()
    return True


def user_for_feed_token(token: str, *, now: dt.datetime) -> Any | None:
    """The active user whose feed ``token`` opens, or None."""
    if not token or len(token) > 100:
        return None
    feed = (
        CalendarFeed.objects.select_related("user").filter(digest=digest(token), user__is_active=True).first()
    )
    if feed is None:
        return None
    # Touch last_used at most once an hour: calendar clients poll often.
    CalendarFeed.objects.filter(pk=feed.pk).exclude(last_used__gt=now - dt.timedelta(hours=1)).update(
        last_used=now
    )
    return feed.user


def feed_of(user: Any) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first() if user.is_authenticated else None
