"""API tokens: random, shown once, stored as SHA-256, expiring and revocable."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings

from dayi.accounts.models import ApiToken

TOKEN_PREFIX = "dayi_"  # noqa: S105 - a prefix that tells Dayi tokens apart, not a secret


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def user_for_token(token: str, *, now: dt.datetime) -> Any | None:
    """The active user the token belongs to, or None for an unknown, expired or revoked token."""
    row = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest(token), revoked__isnull=True, expires__gt=now, user__is_active=True)
        .first()
    )
    if row is None:
        return None
    # Record use at most once a minute, so a busy client does not write on every call.
    if row.last_used is None or row.last_used < now - dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=row.pk).update(last_used=now)
    return row.user


def default_expiry(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(days=settings.API_TOKEN_DAYS)
