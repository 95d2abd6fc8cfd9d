"""The evaluation pages in a real browser (Playwright, Debian's Chromium): a platform admin runs the yrd
evaluation, reads the results beside the national grades, and drills down into one institution.
Screenshots go to evaluation.png and evaluation-institution.png in the screenshots folder
(tests/screenshots.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from dayi.accounts.access import actor_for
from dayi.evaluation import queries, services
from dayi.evaluation.history import load_national_results
from dayi.evaluation.models import NationalResult
from dayi.network.models import Institution
from tests.conftest import PASSWORD, make_institution, make_instrument
from tests.evaluation.conftest import NOW, Fig
from tests.portal.test_browser import CHROMIUM, browser, page, shoot  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium"
    ),
    pytest.mark.django_db(transaction=True),
]
D = Decimal
# Real members of the national lists in the Yangtze River Delta, with made-up figures:
# (name, region, instruments, shared externally, effective h, external h, income in 10,000 yuan, rating)
MEMBERS = [
    ("复旦大学", "310000", 6, 5, 9600, 2600, 90, "4.7"),
    ("上海交通大学", "310000", 8, 7, 12800, 2400, 120, "4.6"),
    ("同济大学", "310000", 5, 3, 6000, 900, 30, "4.2"),
    ("华东师范大学", "310000", 4, 2, 4400, 400, 12, "4.0"),
    ("南京大学", "320100", 6, 6, 9000, 2600, 80, "4.7"),
    ("东南大学", "320100", 5, 4, 7000, 1100, 40, "4.4"),
    ("中国科学技术大学", "340100", 7, 6, 11000, 2000, 100, "4.8"),
    ("中国科学院上海硅酸盐研究所", "310000", 3, 1, 2400, 150, 5, None),
]


@pytest.fixture
def yrd_world(people: dict[str, Any], network: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    figures: dict[int, Fig] = {}
    for n, (name, region, count, shared, eff, ext, income, rating) in enumerate(MEMBERS):
        inst = make_institution(name, f"121000004{n:08d}X", region, network["yrd"])
        for k in range(count):
            make_instrument(
                inst,
                f"I{k}",
                original_value="2000000.00",
                share_mode="external" if k < shared else "internal",
            )
        figures[inst.pk] = Fig(
            effective_hours=D(eff),
            external_hours=D(ext),
            income_internal=D(income * 10000),
            income_external=D(income * 2500),
            ratings=12 if rating else 0,
            average_rating=D(rating) if rating else None,
        )
    zju = network["zju"]
    make_instrument(zju, "Z1", share_mode="external")
    figures[zju.pk] = Fig(
        effective_hours=D(1500),
        external_hours=D(300),
        income_internal=D(150000),
        ratings=3,
        average_rating=D("4.3"),
    )
    monkeypatch.setattr(
        queries, "usage_figures", lambda year, ids: {i: figures[i] for i in ids if i in figures}
    )
    if not NationalResult.objects.exists():  # a transactional test's flush emptied the migration's rows
        load_national_results(NationalResult, Institution)
    carol = actor_for(people["carol"])
    for k, inst in enumerate(Institution.objects.filter(memberships__platform__path__startswith="/cn/yrd/")):
        services.save_manual_input(
            carol,
            "yrd",
            2025,
            inst.pk,
            technical_staff=2 + k % 3,
            rules_published=k % 4 != 3,
            online_platform=k % 3 != 2,
            now=NOW,
        )
    return network


def test_a_platform_admin_runs_the_evaluation_and_drills_down(
    live_server: Any,
    yrd_world: Any,
    page: Any,  # noqa: F811 - the fixture imported above
) -> None:
    # Given carol signed in
    page.goto(live_server.url + "/login/?next=/evaluations/")
    page.get_by_label("用户名").fill("carol")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/evaluations/")

    # When she runs the yrd evaluation for 2025
    page.get_by_label("平台").select_option("yrd")
    page.get_by_label("年度").fill("2025")
    page.get_by_role("button", name="运行评价").click()
    page.wait_for_url("**/evaluations/*/")
    page.wait_for_load_state("networkidle")

    # Then the results are ranked, graded, with the national grades beside them and the chart drawn
    names = page.locator(".eval-results tbody th").all_inner_texts()
    assert len(names) == 9 and names[0] in ("上海交通大学", "中国科学技术大学", "复旦大学", "南京大学")
    assert page.locator(".eval-results tbody tr").first.locator("td.national .grade:not(.none)").count() >= 5
    assert page.locator(".eval-chart svg").count() == 1
    shoot(page, "evaluation.png")
    pdf = page.request.get(page.url + "export.pdf")
    assert pdf.ok and b"STSong-Light" in pdf.body()  # the CID font that draws the Chinese

    # And the drill-down explains each indicator
    page.locator(".eval-results tbody th a", has_text="同济大学").click()
    page.wait_for_url("**/institutions/*/")
    assert page.locator(".eval-indicators tbody tr").count() == 9
    assert "对外服务机时" in page.locator(".eval-indicators").inner_text()
    shoot(page, "evaluation-institution.png")
