"""Every main page fits a phone 390 px wide (issue 12): nothing scrolls the page sideways (tables scroll
inside their own box or become cards), and the navigation folds behind a button.

One test per role, in Chinese and in English; each visits that role's main pages.
"""

from __future__ import annotations

from typing import Any

import pytest

from dayi.directory.models import Instrument
from dayi.network.models import Institution
from tests.journeys.conftest import BROWSER_MARKS, PHONE, Site

pytestmark = BROWSER_MARKS

YEAR = 2025


def zju_instrument() -> Instrument:
    found = (
        Instrument.objects.filter(institution__name="浙江大学", retired__isnull=True).order_by("pk").first()
    )
    assert found is not None
    return found


def pages_of(role: str) -> list[str]:
    """The main pages of each role (with ``None``: a visitor's); ids come from the demo data."""
    instrument = zju_instrument()
    zju = Institution.objects.get(name="浙江大学")
    public = [
        "/",
        "/instruments/?q=电镜",
        f"/instruments/{instrument.pk}/",
        f"/institutions/{zju.pk}/",
        "/platforms/cn/",
        "/experts/",
        "/demands/",
        "/stats/",
        "/vouchers/",
        "/evaluations/",
        "/login/",
    ]
    customer = [
        "/bookings/",
        "/orders/",
        "/accounts/",
        f"/instruments/{instrument.pk}/calendar/",
        f"/instruments/{instrument.pk}/samples/",
        "/statements/",
    ]
    return {
        "visitor": public,
        "sme-user": [*customer, "/vouchers/wallet/"],
        "zju-manager": [
            *customer,
            "/manage/instruments/",
            "/manage/bookings/",
            "/manage/orders/",
            f"/manage/instruments/{instrument.pk}/prices/",
        ],
        "zju-admin": [
            "/manage/instruments/",
            f"/manage/instruments/{instrument.pk}/edit/",
            "/manage/instruments/new/",
            "/manage/instruments/import/",
            "/manage/network/",
        ],
        "cn-admin": [
            "/manage/network/",
            "/stats/idle/",
            "/evaluations/history/",
            f"/evaluations/config/cn/{YEAR}/",
            f"/evaluations/inputs/cn/{YEAR}/",
        ],
        "zju-finance": ["/finance/top-ups/", "/accounts/"],
        "sh-voucher": ["/vouchers/schemes/sh2026/", "/vouchers/schemes/sh2026/queue/", "/vouchers/flows/"],
    }[role]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    "role", ["visitor", "sme-user", "zju-manager", "zju-admin", "cn-admin", "zju-finance", "sh-voucher"]
)
def test_every_main_page_fits_a_phone(site: Site, open_tab: Any, role: str, language: str) -> None:
    tab = open_tab(language=language, viewport=PHONE)
    if role != "visitor":
        tab.sign_in(role)
    too_wide = {}
    for path in pages_of(role):
        response = tab.page.goto(tab.base + path)
        assert response is not None and response.status < 400, (
            f"{path} answered {response and response.status}"
        )
        if (overflow := tab.overflow()) > 0:
            too_wide[path] = overflow
    assert not too_wide, f"pages that scroll sideways at 390 px (px too wide): {too_wide}"
    assert not tab.csp_violations()


def test_the_navigation_folds_behind_a_button_on_a_phone(site: Site, open_tab: Any) -> None:
    tab = open_tab(viewport=PHONE)
    tab.sign_in("zju-manager")
    nav = tab.page.locator("#site-nav")
    toggle = tab.page.get_by_role("button", name="菜单")
    assert not nav.is_visible()  # folded: the page starts with its content
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert tab.page.get_by_role("link", name="我的预约").is_visible()
    toggle.click()
    assert not nav.is_visible()


def test_the_navigation_stays_open_on_a_wide_screen(site: Site, open_tab: Any) -> None:
    tab = open_tab()
    assert tab.page.locator("#site-nav").is_visible()
    assert not tab.page.get_by_role("button", name="菜单").is_visible()
