"""People and network administration in a real browser, on a 390 px phone, in Chinese and in English.

Journeys: zju's admin invites a person by e-mail; the person opens the mailed link, chooses a username and
password and signs in as a user of zju. yrd's admin registers a new institution (credit code checked) into
g60. Screenshots of each page go to the screenshots folder (tests/screenshots.py).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from dayi.accounts.models import User
from dayi.network import credit_code
from dayi.network.models import Institution, Membership
from tests.conftest import PASSWORD
from tests.screenshots import SCREENSHOTS

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM in Playwright's thread (see vouchers)

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
NEW_PASSWORD = "Tiegelzange-4711-Quarz"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium"
    ),
    pytest.mark.django_db(transaction=True),
]

LANGS = {"zh": "zh-CN", "en": "en-US"}
SIGN_IN = {"zh": "登录", "en": "Sign in"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def phone(browser: Any, lang: str) -> Any:
    context = browser.new_context(viewport=PHONE, locale=LANGS[lang])
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    return tab


def shoot(tab: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def assert_fits(tab: Any) -> None:
    assert tab.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def sign_in(tab: Any, base: str, username: str, password: str, lang: str, then: str = "/") -> None:
    tab.goto(f"{base}/login/?next={then}")
    tab.locator("#id_username").fill(username)
    tab.locator("#id_password").fill(password)
    tab.get_by_role("button", name=SIGN_IN[lang], exact=True).click()
    tab.wait_for_url(f"**{then}")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_institution_admin_invites_a_person_who_joins_and_signs_in(
    live_server: Any, browser: Any, people: Any, network: Any, lang: str
) -> None:
    admin = phone(browser, lang)
    sign_in(admin, live_server.url, "amy", PASSWORD, lang, then="/manage/people/")
    assert_fits(admin)
    shoot(admin, f"people-{lang}-390.png")

    admin.locator("#id_email").fill("li.lei@zju.edu.cn")
    admin.locator("#id_display_name").fill("李雷")
    admin.get_by_role("button", name={"zh": "发送邀请", "en": "Send the invitation"}[lang]).click()
    admin.wait_for_url("**/manage/people/?institution=*")
    assert "li.lei@zju.edu.cn" in admin.content()

    link = re.search(r"https?://\S+/invitations/(\S+)/", mail.outbox[-1].body)
    assert link is not None
    person = phone(browser, lang)
    person.goto(f"{live_server.url}/invitations/{link[1]}/")
    assert "浙江大学" in person.content()
    assert_fits(person)
    shoot(person, f"invitation-{lang}-390.png")
    person.locator("#id_username").fill("lilei")
    person.locator("#id_password").fill(NEW_PASSWORD)
    person.locator("#id_password_again").fill(NEW_PASSWORD)
    person.get_by_role("button", name={"zh": "加入", "en": "Join"}[lang], exact=True).click()
    person.wait_for_url("**/login/")
    sign_in(person, live_server.url, "lilei", NEW_PASSWORD, lang, then="/bookings/")

    assert "lilei" in person.content() or "李雷" in person.content()
    assert User.objects.get(username="lilei").institution == network["zju"]
    admin.context.close()
    person.context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_platform_admin_registers_an_institution(
    live_server: Any, browser: Any, people: Any, network: Any, lang: str
) -> None:
    tab = phone(browser, lang)
    sign_in(tab, live_server.url, "carol", PASSWORD, lang, then="/manage/network/institutions/new/")
    code = credit_code.make("91330106MA27XLUX3")

    tab.locator("#id_name").fill("杭州某某科技有限公司")
    tab.locator("#id_credit_code").fill(code[:-1] + ("0" if code[-1] != "0" else "1"))  # a wrong check digit
    tab.locator("#id_kind").select_option("enterprise")
    tab.locator("#id_region").fill("330106")
    tab.locator("#id_email_domains").fill("example.com")
    tab.locator("input[name=platforms][value=g60]").check()
    submit = {"zh": "登记", "en": "Register"}[lang]
    tab.get_by_role("button", name=submit, exact=True).click()
    assert tab.locator("#id_name").input_value() == "杭州某某科技有限公司"  # the refusal kept the form
    assert not Institution.objects.filter(name="杭州某某科技有限公司").exists()
    assert_fits(tab)
    shoot(tab, f"institution-refused-{lang}-390.png")

    tab.locator("#id_credit_code").fill(code)
    tab.get_by_role("button", name=submit, exact=True).click()
    tab.wait_for_url("**/manage/network/")

    institution = Institution.objects.get(credit_code=code)
    assert Membership.objects.filter(institution=institution, platform=network["g60"]).exists()
    assert_fits(tab)
    tab.context.close()
