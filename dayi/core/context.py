from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from dayi import __version__


def site(request: HttpRequest) -> dict[str, object]:
    return {"site_platform_code": settings.DAYI_SITE_PLATFORM, "dayi_version": __version__}


# Punctuation written in a template between translated words and data: full-width in Chinese, ASCII with
# spaces in English (no "Model：EVO 15" on English pages).
CHINESE_PUNCTUATION = {"colon": "：", "lp": "（", "rp": "）", "enum": "、", "semi": "；"}
WESTERN_PUNCTUATION = {"colon": ": ", "lp": " (", "rp": ")", "enum": ", ", "semi": "; "}


def punctuation(request: HttpRequest) -> dict[str, object]:
    chinese = (translation.get_language() or settings.LANGUAGE_CODE).startswith("zh")
    return {"punct": CHINESE_PUNCTUATION if chinese else WESTERN_PUNCTUATION}
