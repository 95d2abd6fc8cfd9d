"""GET /api/v1/instruments: every filter but the free text ``q``, the sorts, pagination and the facets."""

# ruff: noqa: E501  (the table ROWS reads best one instrument a line)

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dayi.directory.models import Instrument
from dayi.network import credit_code
from tests.conftest import make_institution, make_instrument, make_platform

pytestmark = pytest.mark.django_db

# (inventory_no, holder, name, category, region, value, modes, status, share_mode, retired)
ROWS = [
    ("Z1", "zju", "透射电镜", "0101", "330100", "8500000.00", ["self", "sample"], "normal", "external", False),
    ("Z2", "zju", "液质联用仪", "0102", "330106", "3200000.00", ["sample"], "standby", "external", False),
    ("Z3", "zju", "三坐标", "0301", "330100", "250000.00", ["assisted"], "awaiting_repair", "internal", False),
    ("Z4", "zju", "旧电镜", "0101", "330100", "9000000.00", ["self"], "normal", "external", True),
    ("H1", "hzu", "飞行时间质谱", "0102", "330102", "1200000.00", ["sample", "remote"], "normal", "external", False),
    ("S1", "sh", "拉曼光谱仪", "0104", "310117", "760000.00", ["self"], "remote", "external", False),
    ("P1", "pku", "球差电镜", "0101", "110108", "12000000.00", ["assisted", "sample"], "normal", "external", False),
    ("P2", "pku", "核磁共振", "0106", "110108", "6800000.00", ["sample"], "normal", "none", False),
    ("P3", "pku", "材料试验机", "0201", "110100", "500000.00", ["self"], "frequent_faults", "internal", False),
]  # fmt: skip
PLATFORMS_OF = {
    "zju": {"cn", "yrd", "g60"},
    "hzu": {"cn", "yrd", "g60", "hz"},
    "sh": {"cn", "yrd"},
    "pku": {"cn", "bj"},
}


@pytest.fixture
def data(network: dict[str, Any]) -> dict[str, Any]:
    hz = make_platform("hz", "municipal", network["g60"], ("330100",))
    holders = {
        "zju": network["zju"],
        "pku": network["pku"],
        "hzu": make_institution("杭州某研究院", credit_code.make("12330100MB0000000"), "330102", hz),
        "sh": make_institution("松江某公司", credit_code.make("91310117MA1H00000"), "310117", network["yrd"]),
    }
    for no, holder, name, category, region, value, modes, status, share_mode, retired in ROWS:
        make_instrument(
            holders[holder],
            no,
            name=name,
            category_id=category,
            region_id=region,
            original_value=value,
            modes=modes,
            status=status,
            share_mode=share_mode,
            retired=dt.datetime(2026, 1, 5, tzinfo=dt.UTC) if retired else None,
        )
    return holders


def search(client: Any, **params: Any) -> dict[str, Any]:
    res = client.get("/api/v1/instruments", params)
    assert res.status_code == 200, res.content
    return dict(res.json())


def found(client: Any, **params: Any) -> list[str]:
    body = search(client, page_size=200, **params)
    assert body["count"] == len(body["items"])
    return sorted(i["inventory_no"] for i in body["items"])


def listed(keep: Any) -> list[str]:
    return sorted(r[0] for r in ROWS if not r[9] and keep(r))


def error_fields(res: Any) -> set[str]:
    assert res.status_code == 422, res.content
    assert res.json()["error"]["code"] == "validation_error"
    return set(res.json()["error"]["fields"])


# --- filters ----------------------------------------------------------------------------------------------


def test_without_filters_it_lists_every_instrument_but_the_retired(data: Any, anon: Any) -> None:
    assert found(anon) == listed(lambda r: True)
    assert "Z4" not in found(anon)


@pytest.mark.parametrize(
    ("region", "prefix"),
    [("330000", "33"), ("330100", "3301"), ("330106", "330106"), ("110000", "11"), ("310117", "310117")],
)
def test_region_matches_it_and_everything_below(data: Any, anon: Any, region: str, prefix: str) -> None:
    assert found(anon, region=region) == listed(lambda r: r[4].startswith(prefix))


@pytest.mark.parametrize("category", ["01", "0101", "0102", "02", "03", "0105"])
def test_category_matches_it_and_everything_below(data: Any, anon: Any, category: str) -> None:
    assert found(anon, category=category) == listed(lambda r: r[3].startswith(category))


@pytest.mark.parametrize("platform", ["cn", "yrd", "g60", "hz", "bj"])
def test_platform_matches_the_members_of_its_subtree(data: Any, anon: Any, platform: str) -> None:
    assert found(anon, platform=platform) == listed(lambda r: platform in PLATFORMS_OF[r[1]])


def test_institution_matches_its_instruments(data: Any, anon: Any) -> None:
    assert found(anon, institution=data["pku"].pk) == ["P1", "P2", "P3"]
    assert found(anon, institution=987654) == []


@pytest.mark.parametrize(
    ("low", "high"),
    [("500000", None), (None, "760000"), ("760000", "3200000.00"), ("250000.01", "250000.02"), ("0", None)],
)
def test_value_range_bounds_are_inclusive(data: Any, anon: Any, low: str | None, high: str | None) -> None:
    params = {k: v for k, v in (("min_value", low), ("max_value", high)) if v is not None}

    expected = listed(
        lambda r: (
            (low is None or Decimal(r[5]) >= Decimal(low))
            and (high is None or Decimal(r[5]) <= Decimal(high))
        )
    )
    assert found(anon, **params) == expected


@pytest.mark.parametrize("mode", ["self", "assisted", "sample", "remote"])
def test_mode_matches_instruments_offering_it(data: Any, anon: Any, mode: str) -> None:
    assert found(anon, mode=mode) == listed(lambda r: mode in r[6])


@pytest.mark.parametrize(
    "status", ["normal", "standby", "awaiting_repair", "frequent_faults", "awaiting_scrapping"]
)
def test_status_matches(data: Any, anon: Any, status: str) -> None:
    assert found(anon, status=status) == listed(lambda r: r[7] == status)


@pytest.mark.parametrize("share_mode", ["external", "internal", "none"])
def test_share_mode_matches(data: Any, anon: Any, share_mode: str) -> None:
    assert found(anon, share_mode=share_mode) == listed(lambda r: r[8] == share_mode)


def test_filters_combine(data: Any, anon: Any) -> None:
    got = found(anon, platform="yrd", category="01", mode="sample", min_value="1000000")

    assert got == listed(
        lambda r: (
            "yrd" in PLATFORMS_OF[r[1]]
            and r[3].startswith("01")
            and "sample" in r[6]
            and Decimal(r[5]) >= 1_000_000
        )
    )
    assert got == ["H1", "Z1", "Z2"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"region": "33"}, "region"),
        ({"region": "abcdef"}, "region"),
        ({"category": "010"}, "category"),
        ({"mode": "telepathy"}, "mode"),
        ({"status": "broken"}, "status"),
        ({"sort": "price"}, "sort"),
        ({"min_value": "5", "max_value": "4"}, "min_value"),
        ({"platform": "atlantis"}, "platform"),
        ({"page": 0}, "page"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 201}, "page_size"),
    ],
)
def test_bad_filters_are_422_naming_the_field(
    data: Any, anon: Any, params: dict[str, Any], field: str
) -> None:
    assert field in error_fields(anon.get("/api/v1/instruments", params))


def test_a_non_number_value_bound_is_400(data: Any, anon: Any) -> None:
    res = anon.get("/api/v1/instruments", {"min_value": "lots"})

    assert res.status_code == 400
    assert res.json()["error"]["code"] == "bad_request"


# --- sorts ------------------------------------------------------------------------------------------------


def _order(client: Any, sort: str) -> list[str]:
    return [i["inventory_no"] for i in search(client, sort=sort, page_size=200)["items"]]


def test_sort_by_value_both_ways(data: Any, anon: Any) -> None:
    by_value = sorted((r for r in ROWS if not r[9]), key=lambda r: Decimal(r[5]))

    assert _order(anon, "value") == [r[0] for r in by_value]
    assert _order(anon, "-value") == [r[0] for r in reversed(by_value)]


def test_sort_by_name(data: Any, anon: Any) -> None:
    # Latin initials sort the same under every collation the database may use; Chinese ones may not
    for no, name in (("P1", "C 球差电镜"), ("P2", "A 核磁共振"), ("P3", "B 材料试验机")):
        Instrument.objects.filter(inventory_no=no).update(name=name)

    items = search(anon, sort="name", institution=data["pku"].pk)["items"]

    assert [i["inventory_no"] for i in items] == ["P2", "P3", "P1"]


def test_sort_by_updated_puts_the_latest_change_first(data: Any, anon: Any) -> None:
    Instrument.objects.filter(inventory_no="P3").update(updated=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    Instrument.objects.filter(inventory_no="S1").update(updated=dt.datetime(2029, 1, 1, tzinfo=dt.UTC))

    assert _order(anon, "updated")[:2] == ["P3", "S1"]
    assert _order(anon, "relevance")[:2] == ["P3", "S1"]  # without q, relevance means most recently updated


# --- pagination -------------------------------------------------------------------------------------------


def test_pages_partition_the_results(data: Any, anon: Any) -> None:
    pages = [search(anon, sort="value", page=n, page_size=3) for n in (1, 2, 3, 4)]

    assert [p["count"] for p in pages] == [8, 8, 8, 8]
    seen = [i["inventory_no"] for p in pages for i in p["items"]]
    assert seen == _order(anon, "value")
    assert [len(p["items"]) for p in pages] == [3, 3, 2, 0]


def test_page_size_200_is_the_largest_allowed(data: Any, anon: Any) -> None:
    assert search(anon, page_size=200)["count"] == 8


def test_items_carry_money_as_strings(data: Any, anon: Any) -> None:
    item = search(anon, institution=data["pku"].pk, sort="-value")["items"][0]

    assert item["original_value"] == "12000000.00"
    assert item["region"] == "110108"
    assert item["institution"] == data["pku"].pk


# --- facets -----------------------------------------------------------------------------------------------


def _counts(facet: dict[str, Any]) -> dict[str, int]:
    return {k: v["count"] for k, v in facet.items()}


def test_facets_without_filters_are_top_level_classes_and_provinces(data: Any, anon: Any) -> None:
    facets = search(anon)["facets"]

    assert _counts(facets["category"]) == {"01": 6, "02": 1, "03": 1}
    assert _counts(facets["region"]) == {"330000": 4, "310000": 1, "110000": 3}
    assert facets["category"]["01"]["name"] == "分析仪器"
    assert facets["region"]["330000"]["name"] == "浙江省"


def test_facets_reflect_the_other_filters(data: Any, anon: Any) -> None:
    facets = search(anon, mode="sample")["facets"]

    sample = [r for r in ROWS if not r[9] and "sample" in r[6]]
    assert sum(_counts(facets["category"]).values()) == len(sample) == 5
    assert _counts(facets["region"]) == {"330000": 3, "110000": 2}


def test_the_category_facet_goes_one_level_down_and_keeps_the_region_filter(data: Any, anon: Any) -> None:
    facets = search(anon, category="01", region="330000")["facets"]

    # the class's middle classes, counted within the region
    assert _counts(facets["category"]) == {"0101": 1, "0102": 2}
    # the region's cities, counted within the class
    assert _counts(facets["region"]) == {"330100": 3}


def test_the_region_facet_goes_one_level_down(data: Any, anon: Any) -> None:
    facets = search(anon, region="330100")["facets"]

    assert _counts(facets["region"]) == {
        "330100": 2,
        "330106": 1,
        "330102": 1,
    }  # two filed at the city itself


def test_facets_leave_out_retired_instruments(data: Any, anon: Any) -> None:
    facets = search(anon, institution=data["zju"].pk)["facets"]

    assert _counts(facets["category"]) == {"01": 2, "03": 1}  # Z4 is retired


def test_a_facet_count_is_the_count_one_gets_by_choosing_it(data: Any, anon: Any) -> None:
    facets = search(anon, platform="yrd", mode="self")["facets"]

    for code, n in _counts(facets["category"]).items():
        assert search(anon, platform="yrd", mode="self", category=code)["count"] == n
    for code, n in _counts(facets["region"]).items():
        assert search(anon, platform="yrd", mode="self", region=code)["count"] == n


# --- queries ----------------------------------------------------------------------------------------------


def test_the_list_takes_a_fixed_number_of_queries(
    data: Any, anon: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(40):
        make_instrument(data["zju"], f"BULK-{n}", category_id="0105")

    # the page, the count, two facets and their names: nothing per row
    with django_assert_max_num_queries(6):
        body = search(anon, page_size=50)
    # the platform filter adds its look-up (today once for the list and once for each facet)
    with django_assert_max_num_queries(9):
        search(anon, platform="yrd", category="01", region="330000", page_size=50)

    assert len(body["items"]) == 48
