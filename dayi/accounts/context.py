"""What every page needs to know of the signed-in user's roles (the navigation's management links)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from dayi.accounts.access import actor_for, is_staff_of_any_institution


def _manages_something(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return is_staff_of_any_institution(actor_for(user))


def roles(request: HttpRequest) -> dict[str, object]:
    # Lazy: only pages that show the management link pay for the role look-up.
    return {"manages_instruments": SimpleLazyObject(lambda: _manages_something(request))}
