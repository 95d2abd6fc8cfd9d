from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {"site_platform_code": settings.DAYI_SITE_PLATFORM, "dayi_version": "0.1.0"}
