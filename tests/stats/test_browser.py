"""The dashboard in a real browser (Debian's Chromium through Playwright): the charts draw, the Chinese
labels render, and a screenshot goes to stats-dashboard.png in the screenshots folder
(tests/screenshots.py)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from benchmarks.stats_data import generate
from dayi.stats import queries
from tests.screenshots import SCREENSHOTS

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # see tests/portal/test_browser.py

CHROMIUM = Path("/usr/bin/chromium")

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium"
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def network_in_use(transactional_db: Any) -> None:
    """A small generated network (the benchmark's generator): 40 institutions, 400 instruments, 2024–2025."""
    with transaction.atomic():
        generate(instruments=400, usage_records=40_000, institutions=40, seed=3)
    queries.refresh(now=dt.datetime(2025, 12, 20, tzinfo=dt.UTC))


@pytest.fixture
def page() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        yield tab
        browser.close()


def test_the_national_dashboard_draws_its_charts(live_server: Any, network_in_use: Any, page: Any) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Given the nation's 2025, when a visitor opens the dashboard
    page.goto(live_server.url + "/stats/?year=2025")
    page.wait_for_load_state("networkidle")
    # Then every chart is drawn (ECharts renders SVG into each box) with Chinese labels
    assert page.locator("h1").inner_text() == "利用率统计 · 全国"
    assert errors == []
    for name in ("months", "years", "share", "classes", "map"):
        assert page.locator(f'[data-stats-chart="{name}"] svg').count() == 1, name
    assert "有效机时" in page.locator('[data-stats-chart="months"]').inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "stats-dashboard.png"), full_page=True)

    # When the visitor picks a province, then its dashboard shows its cities
    page.select_option('select[name="region"]', "330000")
    page.get_by_role("button", name="查看").click()
    page.wait_for_url("**/stats/?*region=330000*")
    assert page.locator("h1").inner_text() == "利用率统计 · 浙江省"
