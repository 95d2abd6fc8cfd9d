"""The Content-Security-Policy breaks nothing: pages with charts, the calendar and htmx run without a
single violation in a real browser (Debian's Chromium through Playwright)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.portal.test_browser import ARGS, CHROMIUM

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]

# Recorded before any script of the page runs, so violations during loading are caught too.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile);
});
"""


@pytest.fixture
def tab() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        context.add_init_script(LISTEN)
        page = context.new_page()
        page.set_default_timeout(15_000)
        console: list[str] = []
        page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
        page.console_csp = console
        yield page
        chromium.close()


def visit(tab: Any, url: str) -> list[str]:
    tab.goto(url)
    tab.wait_for_load_state("networkidle")
    return [*tab.evaluate("window.__violations"), *tab.console_csp]


def test_an_institutions_charts_run_under_the_policy(live_server: Any, showcase: Any, tab: Any) -> None:
    violations = visit(tab, f"{live_server.url}/institutions/{showcase['zju'].pk}/")
    tab.locator(".chart svg").first.wait_for()  # ECharts drew
    tab.locator(".chart svg").first.hover()  # and its tooltip
    tab.wait_for_timeout(300)

    assert [*violations, *tab.evaluate("window.__violations")] == []


def test_search_and_htmx_run_under_the_policy(live_server: Any, showcase: Any, tab: Any) -> None:
    violations = visit(tab, live_server.url + "/instruments/?q=电镜")
    tab.locator("select").first.select_option(index=1)  # an htmx filter or the autosubmit
    tab.wait_for_load_state("networkidle")

    assert violations + tab.evaluate("window.__violations") == []


def test_the_calendar_runs_under_the_policy(live_server: Any, showcase: Any, tab: Any) -> None:
    from dayi.directory.models import Instrument

    instrument = Instrument.objects.order_by("pk").first()
    assert instrument is not None

    violations = visit(tab, f"{live_server.url}/instruments/{instrument.pk}/calendar/")

    assert tab.locator(".fc").count() >= 1  # FullCalendar drew, its styles admitted by the nonce
    assert tab.locator(".fc-toolbar").first.is_visible()
    assert violations == []
