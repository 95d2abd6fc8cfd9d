"""What every page needs to know of the signed-in user's roles (the navigation's management links)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from dayi.accounts.access import (
    Actor,
    actor_for,
    administered_institution_ids,
    is_platform_admin,
    is_staff_of_any_institution,
    operated_institution_ids,
)
from dayi.accounts.access.money import keeps_books, reads_company_books


def _asks(request: HttpRequest, predicate: Callable[[Actor], bool]) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return predicate(actor_for(user))


def _keeps_network(actor: Actor) -> bool:
    """An institution's admin (memberships, delegations) or a platform's admin (invitations)."""
    ids = administered_institution_ids(actor)
    return ids is None or bool(ids) or is_platform_admin(actor)


def _keeps_people(actor: Actor) -> bool:
    """Operates some institution's users (its admin, or a platform it delegated them to), or heads a
    platform (its admins)."""
    return _operates_some("users")(actor) or is_platform_admin(actor)


def _operates_some(power: str) -> Callable[[Actor], bool]:
    """Operates ``power`` of some institution: its own staff, or a platform admin it delegated that to."""

    def check(actor: Actor) -> bool:
        ids = operated_institution_ids(actor, power)
        return ids is None or bool(ids)

    return check


def roles(request: HttpRequest) -> dict[str, object]:
    # Lazy: only pages that show the management links pay for the role look-ups.
    return {
        "manages_instruments": SimpleLazyObject(lambda: _asks(request, is_staff_of_any_institution)),
        "operates_bookings": SimpleLazyObject(lambda: _asks(request, _operates_some("bookings"))),
        "operates_orders": SimpleLazyObject(lambda: _asks(request, _operates_some("orders"))),
        "keeps_network": SimpleLazyObject(lambda: _asks(request, _keeps_network)),
        "keeps_people": SimpleLazyObject(lambda: _asks(request, _keeps_people)),
        "keeps_books": SimpleLazyObject(lambda: _asks(request, keeps_books)),
        "company_books": SimpleLazyObject(
            lambda: _asks(request, lambda actor: reads_company_books(actor, actor.institution_id))
        ),
    }
