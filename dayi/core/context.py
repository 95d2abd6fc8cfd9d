from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from dayi import __version__


def _manages_something(request: HttpRequest) -> bool:
    from dayi.accounts.access import actor_for, is_staff_of_any_institution

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return is_staff_of_any_institution(actor_for(user))


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "site_platform_code": settings.DAYI_SITE_PLATFORM,
        "dayi_version": __version__,
        # Lazy: only pages that show the management link pay for the role look-up.
        "manages_instruments": SimpleLazyObject(lambda: _manages_something(request)),
    }
