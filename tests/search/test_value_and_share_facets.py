"""The value filter and the share-mode facet, on the results page and in the API (issue 12)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dayi.directory.models import Instrument
from tests.search.conftest import add_instrument

pytestmark = pytest.mark.django_db

# inventory number → (original value in yuan, share mode)
ROWS = {
    "V1": ("300000.00", "external"),
    "V2": ("500000.00", "external"),  # the band's lower end is in the band
    "V3": ("1999999.99", "internal"),
    "V4": ("2000000.00", "external"),
    "V5": ("12000000.00", "none"),
}


@pytest.fixture
def valued(network: dict[str, Any]) -> dict[str, Instrument]:
    return {
        no: add_instrument(
            network["zju"], no, name="透射电子显微镜", original_value=value, share_mode=share_mode
        )
        for no, (value, share_mode) in ROWS.items()
    }


def api(client: Any, **params: Any) -> dict[str, Any]:
    res = client.get("/api/v1/instruments", params)
    assert res.status_code == 200, res.content
    return dict(res.json())


def test_the_api_counts_each_value_band_and_share_mode(valued: Any, anon: Any) -> None:
    facets = api(anon, q="电镜")["facets"]

    assert {k: v["count"] for k, v in facets["value"].items()} == {
        "-499999.99": 1,
        "500000-1999999.99": 2,
        "2000000-4999999.99": 1,
        "5000000-9999999.99": 0,
        "10000000-": 1,
    }
    assert facets["value"]["500000-1999999.99"]["min_value"] == "500000.00"
    assert facets["value"]["500000-1999999.99"]["max_value"] == "1999999.99"
    shares = {k: v["count"] for k, v in facets["share_mode"].items()}
    assert shares == {"internal": 1, "external": 3, "none": 1}


def test_a_bands_count_is_what_its_filter_finds(valued: Any, anon: Any) -> None:
    facets = api(anon)["facets"]

    for band in facets["value"].values():
        params = {k: band[k] for k in ("min_value", "max_value") if band[k] is not None}
        assert api(anon, **params)["count"] == band["count"]
    for mode, row in facets["share_mode"].items():
        assert api(anon, share_mode=mode)["count"] == row["count"]


def test_the_page_offers_the_bands_and_the_share_modes_as_links_that_filter(valued: Any) -> None:
    client = Client()
    page = client.get("/instruments/", {"q": "电镜"}).content.decode()

    assert "50万–200万元" in page
    assert "/instruments/?q=%E7%94%B5%E9%95%9C&amp;min_value=500000&amp;max_value=1999999.99" in page
    assert "/instruments/?q=%E7%94%B5%E9%95%9C&amp;share_mode=internal" in page
    filtered = client.get("/instruments/", {"q": "电镜", "min_value": "500000", "max_value": "1999999.99"})
    assert "共找到 2 台仪器" in filtered.content.decode()


def test_the_page_has_a_value_range_form_that_keeps_the_other_filters(valued: Any) -> None:
    client = Client()
    page = client.get("/instruments/", {"q": "电镜", "share_mode": "external", "min_value": "400000"})
    html = page.content.decode()

    assert '<input type="hidden" name="q" value="电镜">' in html
    assert '<input type="hidden" name="share_mode" value="external">' in html
    assert 'name="min_value" type="number"' in html and 'value="400000"' in html
    # the range typed in finds V2 and V4 (V3 is internal)
    assert "共找到 2 台仪器" in html


def test_the_bands_read_in_english(valued: Any) -> None:
    page = Client().get("/instruments/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "0.5 – 2 million yuan" in page
    assert "10 million yuan and more" in page
    assert "Filter by value" in page
