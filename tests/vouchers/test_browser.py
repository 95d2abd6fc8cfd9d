"""The voucher pages in a real browser: Playwright drives Debian's Chromium against pytest-django's live
server.

Scenarios: a visitor reads a scheme's page and the flows chart; an officer settles a claim from the queue
with htmx. Screenshots of the index, the scheme page, the flows chart and the queue go to the screenshots
folder (tests/screenshots.py).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from dayi.accounts.models import Role, User
from dayi.network.models import Institution
from dayi.vouchers import services
from dayi.vouchers.models import RedemptionClaim, VoucherScheme
from tests.conftest import PASSWORD, make_institution, make_user
from tests.screenshots import SCREENSHOTS
from tests.vouchers.conftest import act, delivered_order, listed, make_scheme

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


def sign_in(page: Any, base: str, username: str, then: str) -> None:
    page.goto(f"{base}/login/?next={then}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(f"**{then}")


def _company(n: int, name: str, region: str) -> Institution:
    return make_institution(name, f"91{region}MA1B{n:05d}X", region, kind="enterprise", is_sme=True)


@pytest.fixture
def market(people: dict[str, User], network: dict[str, Any]) -> dict[str, Any]:
    """Two schemes, Shanghai's recognising Zhejiang's providers (通兑, the issuer pays); companies in both
    provinces paid for services in Shanghai and Hangzhou with vouchers; claims settled, rejected, waiting."""
    now = timezone.now()
    today = timezone.localdate()
    period = {"period_start": today - dt.timedelta(days=60), "period_end": today + dt.timedelta(days=300)}
    stcsm = make_institution("上海市科学技术委员会", "11310000002418080F", "310000", kind="government")
    zjst = make_institution("浙江省科学技术厅", "11330000002482090E", "330000", kind="government")
    fudan = make_institution("复旦大学", "12100000425006117P", "310000")
    sh = make_scheme(stcsm, budget=Decimal("5000000"), modes=["sample", "assisted"], **period)
    zj = make_scheme(
        zjst,
        code="zj2026",
        name="浙江省科技创新券 2026",
        region="330000",
        eligible_regions=["330000"],
        subsidy_ratio=Decimal("0.40"),
        budget=Decimal("3000000"),
        **period,
    )
    olga = make_user("olga", None, Role.VOUCHER_OFFICER, scheme=sh.code)
    zoe = make_user("zoe", None, Role.VOUCHER_OFFICER, scheme=zj.code)
    fred = make_user("fred", fudan, Role.INSTRUMENT_MANAGER, institution=fudan)
    listed(sh, fudan)
    listed(zj, network["zju"])
    services.request_listing(act(people["root"]), "sh2026", network["pku"].pk, now=now)
    services.add_recognition(act(olga), "sh2026", accepts="zj2026", payer="issuer", mode="tongdui", now=now)
    alice = people["alice"]
    companies = [
        (
            _company(1, "上海微纳检测科技有限公司", "310115"),
            sh,
            olga,
            [(fudan, fred, "6800"), (network["zju"], alice, "4200")],
        ),
        (_company(2, "上海新材料研发有限公司", "310112"), sh, olga, [(network["zju"], alice, "9600")]),
        (_company(3, "杭州光电传感有限公司", "330106"), zj, zoe, [(network["zju"], alice, "5200")]),
    ]
    claims = []
    n = 0
    for inst, scheme, officer, services_bought in companies:
        member = make_user(f"m{inst.pk}", inst)
        application = services.apply_for_voucher(
            act(member),
            scheme_code=scheme.code,
            company_id=inst.pk,
            amount=Decimal("20000"),
            purpose="材料表征检测",
            now=now,
        )
        voucher = services.approve_application(act(officer), application.pk, now=now)
        for provider, manager, amount in services_bought:
            n += 1
            order = delivered_order(member, inst, provider, manager, amount, n, name="场发射扫描电子显微镜")
            services.apply_voucher_to_order(act(member), order.pk, voucher.number, now=now)
            claims.append(services.claim_redemption(act(manager), order.pk, now=now))
    services.settle_claim(act(zoe), claims[3].pk, now=now)
    services.reject_claim(act(olga), claims[2].pk, reason="检测报告与合同不符", now=now)
    pending = _company(4, "上海生物医药检测有限公司", "310104")
    services.apply_for_voucher(
        act(make_user("pat", pending)),
        scheme_code="sh2026",
        company_id=pending.pk,
        amount=Decimal("15000"),
        purpose="药物杂质 LC-MS 分析",
        now=now,
    )
    return {"sh": sh, "zj": zj, "olga": olga, "claims": claims}


def test_a_visitor_reads_a_schemes_page(live_server: Any, market: dict[str, Any], page: Any) -> None:
    page.goto(live_server.url + "/vouchers/")
    assert page.locator(".cards .card").count() == 2
    shoot(page, "vouchers-index.png")
    page.get_by_role("link", name="上海市科技创新券 2026").first.click()
    page.wait_for_url("**/vouchers/schemes/sh2026/")

    assert page.locator("h1").inner_text() == "上海市科技创新券 2026"
    assert page.locator(".budget-bar span").count() == 4
    assert "复旦大学" in page.locator("#providers-title + table").inner_text()
    assert "北京大学" in page.locator("#notice-title + table").inner_text()
    assert "浙江省科技创新券 2026" in page.locator("#recognition-title + table").inner_text()
    shoot(page, "vouchers-scheme.png")


def test_the_flows_chart_draws_the_provinces_and_the_arrows(
    live_server: Any, market: dict[str, Any], page: Any
) -> None:
    page.goto(live_server.url + "/vouchers/flows/")
    page.wait_for_load_state("networkidle")
    chart = page.locator(".chart-flows svg")
    chart.wait_for()

    labels = chart.locator("text").all_text_contents()
    assert "上海" in labels and "浙江" in labels
    assert chart.locator("path").count() >= 3  # nodes and at least one arrow
    table = page.locator("#flows-table-title + table").inner_text()
    assert "上海市" in table and "浙江省" in table
    shoot(page, "vouchers-flows.png")


def test_an_officer_settles_a_claim_in_place(live_server: Any, market: dict[str, Any], page: Any) -> None:
    sign_in(page, live_server.url, "olga", "/vouchers/schemes/sh2026/queue/")
    waiting = [c for c in market["claims"] if c.scheme_id == market["sh"].pk and c.status == "submitted"]
    row = page.locator(f"#claim-{waiting[0].pk}")
    assert row.locator(".warn").count() >= 1  # the unusual-pattern notes
    shoot(page, "vouchers-queue.png")

    row.get_by_role("button", name="兑付", exact=True).click()
    page.locator(f"#claim-{waiting[0].pk} .msg.success").wait_for()

    # A rejection without a reason is refused in place (422, swapped into the row) and changes nothing
    other = page.locator(f"#claim-{waiting[1].pk}")
    other.get_by_role("button", name="驳回", exact=True).click()
    page.locator(f"#claim-{waiting[1].pk} .msg.error").wait_for()
    assert "请说明驳回理由" in page.locator(f"#claim-{waiting[1].pk}").inner_text()
    assert RedemptionClaim.objects.get(pk=waiting[1].pk).status == "submitted"

    assert RedemptionClaim.objects.get(pk=waiting[0].pk).status == "settled"
    assert VoucherScheme.objects.get(code="sh2026").settled == waiting[0].amount
    assert page.url.endswith("/queue/")  # htmx swapped the row; the page stayed
