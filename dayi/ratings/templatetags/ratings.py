"""Template helpers of ratings."""

from __future__ import annotations

from typing import Any

from django import template

from dayi.accounts.access import actor_for, operates

register = template.Library()


@register.filter
def may_reply(user: Any, instrument: Any) -> bool:
    """Whether ``user`` may answer the ratings of ``instrument``: its holder's managers (the service checks
    the same; this only keeps the form from strangers)."""
    actor = actor_for(user)
    return actor.is_authenticated and operates(actor, instrument.institution_id, "orders")
