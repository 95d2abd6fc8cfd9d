"""A browser tab for the journeys' browser tests: Playwright driving Debian's Chromium against the live
server, at a phone's width or a desk's, in Chinese or English (the language cookie, so a collapsed phone
menu does not hide the switch), with the console's errors kept and a check that nothing overflows."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSWORD
from tests.screenshots import SCREENSHOTS

# Playwright's sync API runs an event loop in this thread; Django's ORM (used by the fixtures) refuses to
# run inside one unless told it is safe, which it is here: one thread drives the browser, another serves.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}

# For a test module: a browser test, skipped without Chromium, in real transactions (the live server reads
# committed rows).
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium"
    ),
    pytest.mark.django_db(transaction=True),
]


class Tab:
    def __init__(self, browser: Any, base: str, *, language: str, viewport: dict[str, int]) -> None:
        self.context = browser.new_context(viewport=viewport, locale="en-GB" if language == "en" else "zh-CN")
        self.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.base = base
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def goto(self, path: str) -> Any:
        self.page.goto(self.base + path)
        return self.page

    def sign_in(self, username: str, then: str) -> Any:
        self.goto(f"/login/?next={then}")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.locator("main form button[type=submit]").click()
        self.page.wait_for_url(f"**{then}")
        return self.page

    def fits(self) -> bool:
        """No horizontal overflow: the page is no wider than the screen."""
        width = self.page.evaluate("document.documentElement.scrollWidth")
        return bool(width <= self.page.viewport_size["width"])

    def shoot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def tab(browser: Any, live_server: Any) -> Iterator[Any]:
    """``tab("en")``: a new phone-wide tab in that language; closed after the test."""
    opened: list[Tab] = []

    def make(language: str = "zh-hans", viewport: dict[str, int] = PHONE) -> Tab:
        opened.append(Tab(browser, live_server.url, language=language, viewport=viewport))
        return opened[-1]

    yield make
    for t in opened:
        t.context.close()
