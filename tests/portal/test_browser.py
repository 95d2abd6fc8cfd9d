"""The portal in a real browser: Playwright drives Debian's Chromium against pytest-django's live server.

Scenarios: search in Chinese, narrow by region and category, open an instrument, switch to English and
back, and a phone-sized screen. Screenshots of the home, results and instrument pages go to
the screenshots folder (tests/screenshots.py; the README shows docs/screenshots).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.screenshots import SCREENSHOTS

# Playwright's sync API runs an event loop in this thread; Django's ORM (used by the fixtures) refuses to
# run inside one unless told it is safe, which it is here: one thread drives the browser, another serves.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium"
    ),
    # The live server reads committed rows, so these tests run in real transactions.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def shoot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_a_visitor_searches_in_chinese_narrows_and_opens_an_instrument(
    live_server: Any, showcase: Any, page: Any
) -> None:
    # Given the home page
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "查找可共享的大型科研仪器"
    page.wait_for_load_state("networkidle")
    shoot(page, "home.png")

    # When the visitor searches for 电镜, the short form of 电子显微镜
    page.get_by_role("searchbox", name="检索仪器").fill("电镜")
    page.get_by_role("button", name="检索", exact=True).click()
    page.wait_for_url("**/instruments/?q=*")
    hits = page.locator(".hit")
    assert hits.count() >= 3
    assert page.locator(".hit mark").count() >= 1  # the matched words are marked

    # And narrows to 浙江省, then to 分析仪器 › 电子光学仪器, through the facets (htmx swaps the results)
    page.locator(".facet a", has_text="浙江省").first.click()
    page.wait_for_url("**region=330000**")
    page.locator(".facet a", has_text="分析仪器").first.click()
    page.wait_for_url(lambda url: url.endswith("category=01"))
    page.locator(".facet a", has_text="电子光学仪器").first.click()
    page.wait_for_url("**category=0101**")
    page.wait_for_load_state("networkidle")
    titles = page.locator(".hit h3").all_inner_texts()
    assert titles and all("显微镜" in t for t in titles)
    assert "球差校正透射电子显微镜" not in titles  # in Shanghai
    assert page.get_by_role("status").first.inner_text().startswith("共找到")
    shoot(page, "results.png")

    # Then the instrument page shows the record, the region path and the small map
    page.locator(".hit h3 a", has_text="台式扫描电子显微镜").click()
    page.wait_for_url("**/instruments/*/")
    assert page.locator("#instrument-title").inner_text() == "台式扫描电子显微镜"
    assert "浙江省 › 嘉兴市 › 南湖区" in page.locator(".detail-side").inner_text()
    assert page.locator("figure.mini-map svg circle.here").count() == 1
    similar = page.locator(".similar .card h3").all_inner_texts()
    assert similar[0] in ("场发射透射电子显微镜", "场发射扫描电子显微镜")  # Hangzhou (same province) first
    shoot(page, "instrument.png")


def test_the_search_box_keeps_the_filters_after_an_htmx_update(
    live_server: Any, showcase: Any, page: Any
) -> None:
    page.goto(live_server.url + "/instruments/?q=显微镜")
    page.locator(".facet a", has_text="上海市").first.click()
    page.wait_for_url("**region=310000**")
    page.get_by_role("searchbox", name="检索仪器").fill("透射电镜")
    page.get_by_role("searchbox", name="检索仪器").press("Enter")
    page.wait_for_url("**region=310000**")
    page.wait_for_function("() => location.search.includes('q=%E9%80%8F')")
    assert "region=310000" in page.url  # the region chosen through a facet survived the new words


def test_a_visitor_switches_to_english_and_back(live_server: Any, showcase: Any, page: Any) -> None:
    page.goto(live_server.url + "/instruments/?q=质谱")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Find instruments").count() == 1
    assert "q=" in page.url  # the same search, now in English
    page.get_by_role("button", name="中文").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.get_by_role("link", name="仪器检索").count() == 1


def test_pages_fit_a_phone_screen(live_server: Any, showcase: Any, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, locale="zh-CN")
    tab = context.new_page()
    try:
        for path in ("/", "/instruments/?q=电镜", f"/institutions/{showcase['zju'].pk}/"):
            tab.goto(live_server.url + path)
            overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    finally:
        context.close()


def test_keyboard_users_can_skip_to_the_content(live_server: Any, showcase: Any, page: Any) -> None:
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
