"""Security headers on pages and API answers, and no inline script or handler in any template."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db

DAYI = Path(__file__).resolve().parents[2] / "dayi"
TEMPLATE_DIRS = [p for p in DAYI.glob("**/templates") if p.is_dir()]


def directives(res: Any) -> dict[str, list[str]]:
    policy = res["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in policy.split(";")) if d}


@pytest.mark.parametrize("path", ["/", "/login/", "/instruments/", "/api/v1/regions", "/api/v1/nowhere"])
def test_every_answer_carries_the_security_headers(network: Any, path: str) -> None:
    res = Client().get(path)

    assert res["X-Frame-Options"] == "DENY"
    assert res["X-Content-Type-Options"] == "nosniff"
    assert res["Referrer-Policy"] == "same-origin"
    policy = directives(res)
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]


def test_an_api_error_carries_them_too(network: Any) -> None:
    res = ApiClient("not-a-token").get("/api/v1/me")

    assert res.status_code == 401
    assert res["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in res["Content-Security-Policy"]


def test_the_calendar_page_admits_fullcalendars_style_by_a_nonce(people: Any) -> None:
    from tests.conftest import make_instrument

    instrument = make_instrument(people["alice"].institution)

    res = Client().get(f"/instruments/{instrument.pk}/calendar/")

    assert res.status_code == 200, res.content[:300]
    nonce = re.search(r'<meta name="csp-nonce" content="([^"]+)">', res.content.decode())
    assert nonce
    assert f"'nonce-{nonce.group(1)}'" in directives(res)["style-src"]


def test_pages_that_need_no_nonce_get_none(network: Any) -> None:
    assert "nonce-" not in Client().get("/")["Content-Security-Policy"]


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an inline event handler"),
    (re.compile(r"\bhx-on", re.I), "an hx-on handler"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
]


def test_no_template_holds_inline_script_handlers_or_styles() -> None:
    assert TEMPLATE_DIRS
    found = []
    for folder in TEMPLATE_DIRS:
        for template in folder.glob("**/*.html"):
            text = template.read_text(encoding="utf-8")
            for pattern, what in INLINE:
                # {{ x|json_script:"id" }} writes a <script type="application/json">: data, not code
                if pattern.search(text):
                    found.append(f"{template}: {what}")
    assert not found, "\n".join(found)
