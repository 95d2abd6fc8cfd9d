"""In Chromium at phone width: the value filter and the share-mode facet narrow the results (issue 12)."""

from __future__ import annotations

from typing import Any

# The portal's browser fixture and marks (Chromium, real transactions for the live server).
from tests.portal.test_browser import browser, pytestmark, shoot  # noqa: F401
from tests.search.test_value_and_share_facets import valued  # noqa: F401 - the fixture


def test_a_visitor_narrows_by_value_and_share_mode_on_a_phone(
    live_server: Any,
    valued: Any,  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    try:
        tab.goto(live_server.url + "/instruments/?q=电镜")
        tab.get_by_role("link", name="对外共享").click()
        tab.wait_for_url("**share_mode=external**")
        tab.fill("#min-value", "400000")
        tab.fill("#max-value", "2500000")
        tab.get_by_role("button", name="按原值筛选").click()
        tab.wait_for_url("**min_value=400000**")
        assert "共找到 2 台仪器" in tab.locator("#result-count").inner_text()
        assert "share_mode=external" in tab.url
        overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        shoot(tab, "search-value-filter-phone.png")
    finally:
        context.close()
