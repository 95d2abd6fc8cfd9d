"""A company's money path in a real browser, on a 390 px phone, in Chinese and in English: its member orders
a sample test, applies a voucher from the order's page once the service is done, sees what is left to pay,
opens the company's statement from the menu and downloads it as CSV. Screenshots of the order and the
statement go to the screenshots folder (tests/screenshots.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from dayi.accounts.access import actor_for
from dayi.accounts.models import User
from dayi.orders import services as orders
from dayi.orders.models import Order
from dayi.vouchers.models import VoucherUse
from tests.conftest import make_instrument, make_user
from tests.vouchers.conftest import company, listed, make_scheme
from tests.vouchers.test_browser import (  # noqa: F401  # the browser fixture, shared
    CHROMIUM,
    browser,
    shoot,
    sign_in,
)
from tests.vouchers.test_pages import issued

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium"
    ),
    pytest.mark.django_db(transaction=True),
]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:  # noqa: F811  # the imported fixture, asked for by name
    context = browser.new_context(viewport=PHONE, locale="zh-CN", accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


@pytest.fixture
def shop(network: dict[str, Any], people: dict[str, User]) -> dict[str, Any]:
    """浙江大学's microscope, 1,200 yuan a sample for companies; a Shanghai SME with a 10,000 voucher of a
    scheme that pays half and lists 浙江大学; mia, the SME's member."""
    today = timezone.localdate()
    scheme = make_scheme(
        network["zju"],
        period_start=today - dt.timedelta(days=30),
        period_end=today + dt.timedelta(days=365),
    )
    olga = make_user("olga", None, "voucher_officer", scheme=scheme.code)
    sme = company(7)
    mia = make_user("mia", sme)
    listed(scheme, network["zju"])
    voucher = issued(scheme, sme, mia, olga)
    microscope = make_instrument(network["zju"], "SEM-390", name="场发射扫描电子显微镜")
    orders.replace_prices(
        actor_for(people["alice"]),
        microscope.pk,
        [
            {
                "unit": "sample",
                "mode": "sample",
                "user_class": "enterprise",
                "amount": "1200",
                "minimum": "0",
                "valid_from": today - dt.timedelta(days=1),
                "valid_until": None,
            }
        ],
        now=timezone.now(),
    )
    return {"sme": sme, "voucher": voucher, "microscope": microscope}


def deliver(order: Order, manager: User) -> None:
    """The provider's managers take the samples through to the result and charge it (their own pages, tested
    elsewhere)."""
    actor, now = actor_for(manager), timezone.now()
    for step in (orders.accept_order, orders.receive_samples, orders.start_order):
        step(actor, order.pk, now=now)
    orders.complete_order(actor, order.pk, now=now, note="检测报告 R-390")
    orders.charge_order(actor, order.pk, now=now)


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_company_orders_pays_with_a_voucher_and_downloads_its_statement_on_a_phone(
    live_server: Any, shop: dict[str, Any], people: dict[str, User], phone: Any, language: str
) -> None:
    base, microscope = live_server.url, shop["microscope"]
    sign_in(phone, base, "mia", f"/instruments/{microscope.pk}/samples/")
    if language == "en":
        phone.locator("form.lang button[value='en']").click()
        phone.wait_for_load_state()
        assert phone.locator("html").get_attribute("lang") == "en"

    # The company orders a test of two samples through the page
    phone.locator("#id_count").fill("2")
    phone.locator("#id_kind").fill("粉末")
    phone.locator("form.booking-form-box button[type=submit]").click()
    phone.wait_for_url("**/orders/*/")
    order = Order.objects.get()
    assert order.quote["amount"] == "2400.00"

    # The provider delivers; the company applies its voucher from the order's page
    deliver(order, people["alice"])
    phone.reload()
    phone.locator("select[name=voucher]").select_option(shop["voucher"].number)
    phone.locator("form[action$='/voucher/'] button[type=submit]").click()
    phone.wait_for_url(f"**/orders/{order.pk}/")
    assert phone.locator(".voucher-share").inner_text() == "1200.00"
    assert phone.locator(".left-to-pay").inner_text() == "1200.00"
    assert phone.locator("select[name=voucher]").count() == 0  # covered: not offered again
    assert VoucherUse.objects.get().amount == Decimal("1200.00")
    assert fits(phone)
    body = phone.locator("main").inner_text()
    if language == "en":
        assert "Left to pay" in body and "Enterprise user · Sample submission · per sample" in body
        assert "paid 1200.00 yuan" in body and "（" not in phone.locator(".order-vouchers").inner_text()
    else:
        assert "尚需支付" in body and "企业用户 · 送样检测 · 每样品 1200.00 元 × 2 个样品" in body
    shoot(phone, f"money-order-{language}.png")

    # The wallet no longer offers the order
    phone.goto(f"{base}/vouchers/wallet/")
    assert phone.locator(f"select[name=order] option[value='{order.pk}']").count() == 0

    # The statement from the menu, then its CSV
    phone.goto(f"{base}/orders/")
    statements = phone.locator("a[href='/statements/']")
    if not statements.is_visible():  # a phone may fold the menu behind its button
        phone.locator(".site-header button[aria-controls], .nav-toggle").first.click()
    statements.click()
    phone.wait_for_url("**/statements/")
    phone.locator("#choice").select_option(f"institution:{shop['sme'].pk}")
    phone.locator("form[action='/statements/'] button[type=submit]").click()
    phone.wait_for_url(f"**/statements/institution/{shop['sme'].pk}/*/")
    assert fits(phone)
    shoot(phone, f"money-statement-{language}.png")
    with phone.expect_download() as download:
        phone.locator("a[href='?format=csv']").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    # charged 2,400, the voucher paid 1,200 (a payment), 1,200 left at the month's close
    assert "本月收费 (charges),2400.00" in text and "本月付款 (payments),-1200.00" in text
    assert "期末应付 (closing),1200.00" in text
