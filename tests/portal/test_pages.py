"""The portal's pages through Django's test client: they render, keep filters in the URL, and 404 cleanly."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dayi.directory.models import Instrument
from tests.conftest import make_instrument
from tests.portal.conftest import tem

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    return Client()


def html(res: Any) -> str:
    return res.content.decode()


def test_home_shows_the_headline_figures_and_the_browse_lists(directory: Any, client: Client) -> None:
    res = client.get("/")
    assert res.status_code == 200
    page = html(res)
    assert 'role="search"' in page
    assert "/instruments/?category=01" in page  # browse by class
    assert "/instruments/?region=330000" in page  # browse by province
    assert "0.37 亿元" in page  # 8.5 + 3.2 + 3.5 + 9.8 + 12 million yuan
    assert "核磁共振波谱仪" in page  # recently added


def test_home_counts_only_the_site_platform(directory: Any, client: Client, settings: Any) -> None:
    settings.DAYI_SITE_PLATFORM = "bj"
    page = html(client.get("/"))
    assert "0.10 亿元" in page  # 9.8 million yuan
    assert "核磁共振波谱仪" not in page


def test_results_highlight_the_query_words(directory: Any, client: Client) -> None:
    res = client.get("/instruments/", {"q": "Talos"})
    assert res.status_code == 200
    assert "<mark>Talos</mark>" in html(res)


def test_results_filter_by_region_subtree_and_category(directory: Any, client: Client) -> None:
    page = html(client.get("/instruments/", {"region": "330000", "category": "0101"}))
    assert "场发射扫描电子显微镜" in page
    assert "液相色谱-质谱联用仪" not in page  # another class
    assert f"/instruments/{directory['tem_bj'].pk}/" not in page  # Beijing
    assert "共找到 2 台仪器" in page


def test_facet_links_keep_the_other_filters(directory: Any, client: Client) -> None:
    page = html(client.get("/instruments/", {"category": "01", "sort": "-value"}))
    # The region facet adds a region and keeps the class and the sort; the page number is dropped.
    assert "/instruments/?region=330000&amp;category=01&amp;sort=-value" in page


def test_mode_and_status_facets_count_under_the_other_filters(directory: Any, client: Client) -> None:
    page = html(client.get("/instruments/", {"region": "330000"}))
    assert 'href="/instruments/?region=330000&amp;status=awaiting_repair"' in page
    assert 'href="/instruments/?region=330000&amp;mode=remote"' not in page  # nobody offers it


def test_pagination_keeps_the_filters(directory: Any, client: Client) -> None:
    for n in range(25):
        make_instrument(directory["zju"], f"EXTRA-{n}")
    page = html(client.get("/instruments/", {"region": "330000", "sort": "name"}))
    assert 'href="/instruments/?region=330000&amp;sort=name&amp;page=2"' in page
    second = html(client.get("/instruments/", {"region": "330000", "sort": "name", "page": "2"}))
    assert 'aria-current="page" class="current">2<' in second


def test_an_empty_result_suggests_dropping_a_filter(directory: Any, client: Client) -> None:
    page = html(client.get("/instruments/", {"q": "核磁", "region": "330000"}))
    assert "没有找到符合条件的仪器" in page
    assert 'href="/instruments/?q=%E6%A0%B8%E7%A3%81"' in page  # the same words, everywhere


def test_bad_filters_answer_a_page_with_the_reason(directory: Any, client: Client) -> None:
    res = client.get("/instruments/", {"region": "zhejiang", "min_value": "lots"})
    assert res.status_code == 422
    assert "检索条件有误" in html(res)


@pytest.mark.parametrize(
    "q", ["' OR 1=1 --", '"; DROP TABLE directory_instrument; --', "x" * 10_000, "电镜\x00\x07", "<script>"]
)
def test_hostile_queries_never_fail(directory: Any, client: Client, q: str) -> None:
    res = client.get("/instruments/", {"q": q})
    assert res.status_code in (200, 422)
    assert "<script>" not in html(res).split("</header>", 1)[1].split("<footer")[0]


def test_htmx_requests_get_only_the_results(directory: Any, client: Client) -> None:
    res = client.get("/instruments/", {"q": "电镜"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    page = html(res)
    assert page.lstrip().startswith('<div id="results"')
    assert 'hx-swap-oob="true"' in page  # the count and the form's hidden filters follow along


def test_the_results_page_runs_a_bounded_number_of_queries(directory: Any, client: Client) -> None:
    params = {"region": "330000", "q": "显微镜", "mode": "self"}
    client.get("/instruments/", params)  # warm up: the synonym table and other per-process caches
    with CaptureQueriesContext(connection) as few:
        assert "共找到 2 台仪器" in html(client.get("/instruments/", params))
    for n in range(30):
        tem(directory["zju"], f"MORE-{n}", region_id="330106")
    with CaptureQueriesContext(connection) as many:
        assert "共找到 32 台仪器" in html(client.get("/instruments/", params))
    # One page, the count, the facets: a fixed number of queries however many instruments match.
    assert len(many) == len(few)
    assert len(many) <= 30


def test_instrument_page_shows_the_public_record(directory: Any, client: Client) -> None:
    i = directory["tem_hz"]
    res = client.get(f"/instruments/{i.pk}/")
    assert res.status_code == 200
    page = html(res)
    for text in ("场发射透射电子显微镜", "Talos F200X", "点分辨率", "校外 800 元/小时", "王老师", "材料科学"):
        assert text in page
    assert "浙江省</a> › <a" in page and "杭州市" in page and "西湖区" in page  # province › city › county
    assert "<svg" in page and 'class="here"' in page  # the small map
    assert f'href="/institutions/{i.institution_id}/"' in page


def test_similar_instruments_come_from_the_same_city_first(directory: Any, client: Client) -> None:
    page = html(client.get(f"/instruments/{directory['tem_hz'].pk}/"))
    similar = page.split('id="similar-title"', 1)[1]
    sem, bj = directory["sem_hz"], directory["tem_bj"]
    assert similar.index(f"/instruments/{sem.pk}/") < similar.index(f"/instruments/{bj.pk}/")
    assert f"/instruments/{directory['tem_hz'].pk}/" not in similar


def test_retired_and_unknown_instruments_are_404(directory: Any, client: Client) -> None:
    i = directory["tem_bj"]
    Instrument.objects.filter(pk=i.pk).update(retired=timezone.now())
    assert client.get(f"/instruments/{i.pk}/").status_code == 404
    assert client.get("/instruments/999999/").status_code == 404


def test_institution_page_has_figures_charts_and_instruments(directory: Any, client: Client) -> None:
    res = client.get(f"/institutions/{directory['zju'].pk}/")
    assert res.status_code == 200
    page = html(res)
    assert "液相色谱-质谱联用仪" in page
    assert 'id="chart-category-data"' in page
    assert "vendor/echarts/echarts.min.js" in page
    assert client.get("/institutions/999999/").status_code == 404


def test_platform_page_lists_members_and_sub_platforms(directory: Any, client: Client) -> None:
    res = client.get("/platforms/yrd/")
    assert res.status_code == 200
    page = html(res)
    assert 'href="/platforms/g60/"' in page  # sub-platform
    assert "浙江大学" in page and "上海交通大学" in page  # members, including the sub-platform's
    assert "北京大学" not in page
    assert client.get("/platforms/nowhere/").status_code == 404


def test_experts_page_lists_and_searches(directory: Any, client: Client) -> None:
    assert "李四" in html(client.get("/experts/"))
    assert "李四" not in html(client.get("/experts/", {"q": "天文"}))


def test_pages_switch_to_english(directory: Any, client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = html(client.get("/instruments/", {"q": "电镜"}))
    assert "Search instruments" in page
    assert 'lang="en"' in page
