"""A voucher officer's administration in Chromium on a 390 px phone, in Chinese and in English: sets up
next year's scheme of their funder, edits its terms, and delists a provider with a reason that then shows
on the scheme's public page. Pages only; screenshots of each step."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from dayi.accounts.models import Role, User
from dayi.network.models import Institution
from dayi.vouchers.models import ProviderCreditEntry, VoucherScheme
from tests import browsing
from tests.conftest import make_institution, make_user
from tests.vouchers.conftest import listed, make_scheme

pytestmark = browsing.BROWSER_MARKS
browser, tab = browsing.browser, browsing.tab  # the fixtures

WORDS = {
    "zh-hans": {"set_up": "设立券种", "save_new": "设立券种", "terms": "修改券种条款", "save": "保存条款",
                "queue": "审核队列", "delist": "移出服务机构库", "delisted": "已移出"},
    "en": {"set_up": "Set up a scheme", "save_new": "Set up a scheme", "terms": "Edit the terms",
           "save": "Save the terms", "queue": "Review queue", "delist": "Delist the provider",
           "delisted": "Delisted"},
}  # fmt: skip


@pytest.fixture
def office(network: dict[str, Any]) -> dict[str, Any]:
    today = timezone.localdate()
    funder = make_institution("上海市科学技术委员会", "11310000002418080F", "310000", kind="government")
    scheme = make_scheme(
        funder, period_start=today - dt.timedelta(days=30), period_end=today + dt.timedelta(days=300)
    )
    provider = make_institution("上海示例检测有限公司", "91310115MA1K00001X", "310115", kind="enterprise")
    listed(scheme, provider)
    olga = make_user("olga", None, Role.VOUCHER_OFFICER, scheme=scheme.code)
    return {"scheme": scheme, "provider": provider, "olga": olga, "funder": funder}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_voucher_officer_sets_up_a_scheme_edits_its_terms_and_delists_a_provider_on_a_phone(
    tab: Any, office: dict[str, Any], language: str
) -> None:
    words, short = WORDS[language], language[:2]
    officer = tab(language)
    page = officer.sign_in("olga", "/vouchers/")
    page.get_by_role("link", name=words["set_up"], exact=True).click()
    page.wait_for_url("**/vouchers/new-scheme/")
    assert officer.fits(), "the set-up form overflows a 390 px screen"
    page.fill("#id_code", "sh2027")
    page.fill("#id_name", "上海市科技创新券 2027")
    page.select_option("#id_region", "310000")
    page.fill("#id_budget", "8000000")
    page.fill("#id_subsidy_ratio", "0.5")
    page.fill("#id_cap_per_company", "200000")
    page.fill("#id_period_start", "2027-01-01")
    page.fill("#id_period_end", "2027-12-31")
    page.fill("#id_eligible_regions", "310000")
    page.check("input[name=modes][value=sample]")
    officer.shoot(f"vouchers-new-scheme-{short}-390.png")
    page.get_by_role("button", name=words["save_new"], exact=True).click()
    page.wait_for_url("**/vouchers/schemes/sh2027/")
    made = VoucherScheme.objects.get(code="sh2027")
    assert made.funder == office["funder"] and made.modes == ["sample"]

    page.get_by_role("link", name=words["terms"], exact=True).click()
    page.wait_for_url("**/vouchers/schemes/sh2027/terms/")
    assert page.input_value("#id_period_end") == "2027-12-31"  # ISO in every language
    page.fill("#id_budget", "9000000")
    page.fill("#id_cap_per_company", "0")  # refused: the page keeps what was typed
    page.get_by_role("button", name=words["save"], exact=True).click()
    assert page.input_value("#id_budget") == "9000000"
    assert officer.fits(), "the terms form with its errors overflows a 390 px screen"
    officer.shoot(f"vouchers-terms-refused-{short}-390.png")
    page.fill("#id_cap_per_company", "250000")
    page.get_by_role("button", name=words["save"], exact=True).click()
    page.wait_for_url("**/vouchers/schemes/sh2027/")
    made.refresh_from_db()
    assert (str(made.budget), str(made.cap_per_company)) == ("9000000.00", "250000.00")

    officer.goto("/vouchers/schemes/sh2026/queue/#listed")
    row = page.locator("#listed tbody tr").first
    row.locator("input[name=reason]").fill("串通虚开检测发票")
    row.get_by_role("button", name=words["delist"]).click()
    page.locator("#listed").get_by_text(words["delisted"], exact=True).wait_for()
    assert officer.fits(), "the queue overflows a 390 px screen"
    officer.shoot(f"vouchers-delisted-{short}-390.png")
    assert ProviderCreditEntry.objects.get(provider=office["provider"]).reason == "串通虚开检测发票"
    officer.goto("/vouchers/schemes/sh2026/")
    assert page.get_by_text("串通虚开检测发票").is_visible()
    assert not [e for e in officer.errors if "Content Security Policy" in e]


def test_only_the_funders_officers_see_the_set_up_link(tab: Any, office: dict[str, Any], people: Any) -> None:
    visitor = tab()
    page = visitor.sign_in("eve", "/vouchers/")
    assert page.get_by_role("link", name="设立券种").count() == 0
    assert isinstance(office["olga"], User) and isinstance(office["provider"], Institution)
