"""GET /api/v1/regions: the GB/T 2260 divisions, filtered by parent and level."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def regions(client: Any, **params: Any) -> dict[str, Any]:
    res = client.get("/api/v1/regions", params)
    assert res.status_code == 200, res.content
    return dict(res.json())


def test_there_are_34_provinces_including_hong_kong_macao_and_taiwan(anon: Any) -> None:
    body = regions(anon, level="province")

    assert body["count"] == 34
    codes = {r["code"] for r in body["items"]}
    assert {"110000", "310000", "330000", "650000", "710000", "810000", "820000"} <= codes
    assert all(r["parent"] is None and r["level"] == "province" for r in body["items"])


def test_the_children_of_a_province_are_its_cities(anon: Any) -> None:
    body = regions(anon, parent="330000")

    assert body["count"] == 11  # Zhejiang: Hangzhou … Lishui
    assert {r["level"] for r in body["items"]} == {"city"}
    assert {r["parent"] for r in body["items"]} == {"330000"}
    assert body["items"][0] == {
        "code": "330100",
        "name": "杭州市",
        "name_en": body["items"][0]["name_en"],
        "level": "city",
        "parent": "330000",
        "lon": body["items"][0]["lon"],
        "lat": body["items"][0]["lat"],
    }
    assert "Hangzhou" in body["items"][0]["name_en"]
    assert 119 < body["items"][0]["lon"] < 121 and 29 < body["items"][0]["lat"] < 31


def test_parent_and_level_combine(anon: Any) -> None:
    counties = regions(anon, parent="330100", level="county")
    cities = regions(anon, parent="330100", level="city")

    assert counties["count"] == 13  # Hangzhou's districts, counties and county-level cities
    assert "330102" in {r["code"] for r in counties["items"]}
    assert cities["count"] == 0


def test_the_levels_add_up_to_all_regions(anon: Any) -> None:
    total = regions(anon, page_size=1)["count"]
    by_level = {lv: regions(anon, level=lv, page_size=1)["count"] for lv in ("province", "city", "county")}

    assert by_level["province"] == 34
    assert by_level["city"] > 330 and by_level["county"] > 2800
    assert sum(by_level.values()) == total


def test_every_city_hangs_under_a_province(anon: Any) -> None:
    provinces = {r["code"] for r in regions(anon, level="province")["items"]}
    cities = []
    page = 1
    while True:
        body = regions(anon, level="city", page=page, page_size=200)
        cities += body["items"]
        if page * 200 >= body["count"]:
            break
        page += 1

    assert len(cities) == body["count"]
    assert all(c["parent"] in provinces and c["code"][:2] == c["parent"][:2] for c in cities)


def test_a_municipality_has_one_city_level_division(anon: Any) -> None:
    body = regions(anon, parent="110000")

    assert [r["code"] for r in body["items"]] == ["110100"]


def test_an_unknown_parent_has_no_children(anon: Any) -> None:
    assert regions(anon, parent="999999")["count"] == 0


def test_an_unknown_level_is_422(anon: Any) -> None:
    res = anon.get("/api/v1/regions", {"level": "planet"})

    assert res.status_code == 422
    assert "level" in res.json()["error"]["fields"]


def test_page_size_over_200_is_422(anon: Any) -> None:
    res = anon.get("/api/v1/regions", {"page_size": 201})

    assert res.status_code == 422
    assert res.json()["error"]["code"] == "validation_error"
