from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from dayi import __version__


def site(request: HttpRequest) -> dict[str, object]:
    return {"site_platform_code": settings.DAYI_SITE_PLATFORM, "dayi_version": __version__}
