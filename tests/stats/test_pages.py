"""The stats pages: the dashboard of each level, the idle list with its actions, the duplicate check."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dayi.stats import queries
from dayi.stats.models import IdleNotice, TransferProposal
from tests.conftest import PASSWORD, make_institution, make_instrument
from tests.stats.conftest import use


def signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_the_national_dashboard_shows_the_figures_and_the_chart_data(refreshed: Any) -> None:
    res = Client().get("/stats/", {"year": 2025})
    assert res.status_code == 200
    html = res.content.decode()
    assert "利用率统计 · 全国" in html
    assert 'data-stats-chart="map"' in html and 'id="stats-charts-data"' in html
    assert "vendor/echarts/echarts.min.js" in html
    data = res.context["charts"]
    assert [r["name"] for r in data["regions"]] == ["浙江省", "北京市"]  # most hours first
    assert data["months"][2]["effective"] == 11.5
    assert data["years"][0]["national"] == 1599.0
    assert res.context["data"]["figures"].effective_hours == 11.5


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"platform": "yrd"}, "YRD"),
        ({"region": "330000"}, "浙江省"),
        ({"region": "110000", "month": 3}, "北京市"),
    ],
)
def test_each_level_has_its_dashboard(refreshed: Any, params: dict[str, Any], name: str) -> None:
    res = Client().get("/stats/", {"year": 2025, **params})
    assert res.status_code == 200
    assert res.context["data"]["scope"]["name"] == name


def test_an_institutions_dashboard(refreshed: Any) -> None:
    res = Client().get("/stats/", {"year": 2025, "institution": refreshed["pku"].pk})
    assert res.context["data"]["figures"].effective_hours == 5


def test_a_bad_region_is_answered_on_the_page(network: Any) -> None:
    res = Client().get("/stats/", {"region": "12"})
    assert res.status_code == 422


def test_the_nav_links_to_the_dashboard(network: Any) -> None:
    assert 'href="/stats/"' in Client().get("/stats/").content.decode()


@pytest.fixture
def idle_setup(network: Any, people: Any) -> dict[str, Any]:
    quiet = make_instrument(network["zju"], "QUIET")
    other = make_institution("浙江工业大学", "12330000470003231X", "330100", network["g60"])
    use(make_instrument(network["zju"], "BUSY"), people["eve"], timezone.now() - dt.timedelta(days=40), "800")
    queries.refresh(now=timezone.now())
    return {"quiet": quiet, "other": other}


def test_the_idle_list_asks_to_sign_in(idle_setup: Any) -> None:
    res = Client().get("/stats/idle/")
    assert res.status_code == 302 and "/login" in res["Location"]


def test_a_customer_may_not_see_the_idle_list(idle_setup: Any) -> None:
    assert signed_in("eve").get("/stats/idle/").status_code == 403


def test_a_platform_admin_notices_and_proposes_a_transfer(idle_setup: Any) -> None:
    client = signed_in("carol")
    res = client.get("/stats/idle/")
    assert res.status_code == 200
    assert [i["instrument"] for i in res.context["items"]] == [idle_setup["quiet"].pk]
    assert res.context["scope"].platform == "yrd"  # carol's platform by default
    url = f"/stats/idle/{idle_setup['quiet'].pk}/"
    assert client.post(url + "notice/", {"message": "请开放"}).status_code == 302
    assert client.post(url + "transfer/", {"to_institution": idle_setup["other"].pk}).status_code == 302
    assert IdleNotice.objects.count() == 1 and TransferProposal.objects.count() == 1
    assert "已提议调剂" in client.get("/stats/idle/").content.decode()


def test_the_wrong_institution_cannot_send_a_notice_from_the_page(idle_setup: Any) -> None:
    res = signed_in("bob").post(f"/stats/idle/{idle_setup['quiet'].pk}/notice/", {})
    assert res.status_code == 403
    assert not IdleNotice.objects.exists()


def test_the_duplicate_check_form(network: Any, people: Any) -> None:
    make_instrument(network["zju"], "HZ-1")
    queries.refresh(now=timezone.now())
    client = Client()
    assert client.get("/stats/duplicate-check/").status_code == 200
    res = client.post("/stats/duplicate-check/", {"category": "0101", "region": "330100", "value": "2500000"})
    assert res.status_code == 200
    assert res.context["result"]["verdict"] == "available_capacity"
    assert "尚有余量" in res.content.decode()
    bad = client.post("/stats/duplicate-check/", {"category": "x", "region": "330100", "value": "1"})
    assert bad.status_code == 422


def test_the_dashboard_in_english(refreshed: Any) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/stats/"})
    html = client.get("/stats/", {"year": 2025}).content.decode()
    assert "Utilisation" in html and "Effective hours" in html and "利用率统计" not in html
    assert client.get("/stats/idle/").status_code == 302
