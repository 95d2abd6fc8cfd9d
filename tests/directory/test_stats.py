"""GET /api/v1/stats/summary: the headline figures equal the sums of the data.

The data: instruments across three provinces, five classes and a platform tree (hz hangs under g60, which
hangs under yrd). Each expected figure below is summed in Python from the table ``ROWS``, never read back
from the database.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dayi.network import credit_code
from dayi.network.models import Platform
from tests.conftest import make_institution, make_instrument, make_platform

pytestmark = pytest.mark.django_db

# (inventory_no, holder, category, region, original value, retired)
ROWS = [
    ("Z1", "zju", "0101", "330100", "8500000.00", False),
    ("Z2", "zju", "0102", "330106", "3200000.50", False),  # a county-level district of Hangzhou
    ("Z3", "zju", "0301", "330100", "250000.05", False),
    ("Z4", "zju", "0101", "330100", "9999999.99", True),  # retired: out of every figure
    ("H1", "hzu", "0102", "330102", "1200000.00", False),  # hzu is a member of hz, under g60
    ("H2", "hzu", "0201", "330102", "480000.10", False),
    ("S1", "sh", "0104", "310117", "760000.00", False),  # Songjiang, Shanghai; sh is a member of yrd
    ("P1", "pku", "0101", "110108", "12000000.00", False),
    ("P2", "pku", "0106", "110108", "6800000.00", False),
    ("P3", "pku", "12", "110100", "1234.56", False),  # filed under the class itself
    ("T1", "thu", "0104", "110108", "2000000.00", False),  # thu is a member of bj
    ("T2", "thu", "0104", "110108", "999.99", True),
]

# The platforms each holder belongs to, directly or through a platform above.
PLATFORMS_OF = {
    "zju": {"cn", "yrd", "g60"},
    "hzu": {"cn", "yrd", "g60", "hz"},
    "sh": {"cn", "yrd"},
    "pku": {"cn", "bj"},
    "thu": {"cn", "bj"},
}


@pytest.fixture
def data(network: dict[str, Any]) -> dict[str, Any]:
    hz = make_platform("hz", "municipal", network["g60"], ("330100",))
    holders = {
        "zju": network["zju"],
        "pku": network["pku"],
        "hzu": make_institution(
            "杭州某研究院", credit_code.make("12330100MB0000000"), "330102", hz, kind="institute"
        ),
        "sh": make_institution(
            "松江某公司", credit_code.make("91310117MA1H00000"), "310117", network["yrd"], kind="enterprise"
        ),
        "thu": make_institution("清华大学", "12100000400000624D", "110108", network["bj"]),
    }
    retired_at = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    for no, holder, category, region, value, retired in ROWS:
        make_instrument(
            holders[holder],
            no,
            category_id=category,
            region_id=region,
            original_value=value,
            retired=retired_at if retired else None,
        )
    return holders


def expected(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    listed = [r for r in rows if not r[5]]
    by_category: dict[str, dict[str, Any]] = {}
    by_region: dict[str, dict[str, Any]] = {}
    for _, _, category, region, value, _ in listed:
        for key, bucket in ((category[:2], by_category), (region[:2] + "0000", by_region)):
            entry = bucket.setdefault(key, {"instruments": 0, "value": Decimal("0")})
            entry["instruments"] += 1
            entry["value"] += Decimal(value)
    as_text = {
        k: {"instruments": v["instruments"], "value": f"{v['value']:.2f}"}
        for k, v in sorted(by_category.items())
    }
    regions_text = {
        k: {"instruments": v["instruments"], "value": f"{v['value']:.2f}"}
        for k, v in sorted(by_region.items())
    }
    return {
        "instruments": len(listed),
        "total_value": f"{sum((Decimal(r[4]) for r in listed), Decimal('0')):.2f}",
        "institutions": len({r[1] for r in listed}),
        "by_category": as_text,
        "by_region": regions_text,
    }


def summary(client: Any, **params: str) -> dict[str, Any]:
    res = client.get("/api/v1/stats/summary", params)
    assert res.status_code == 200, res.content
    body = dict(res.json())
    # names are for display; the figures are what must add up
    for bucket in ("by_category", "by_region"):
        body[bucket] = {
            k: {"instruments": v["instruments"], "value": v["value"]} for k, v in body[bucket].items()
        }
    return body


def test_the_whole_directory_adds_up(data: Any, anon: Any) -> None:
    body = summary(anon)

    assert body == expected(ROWS)
    assert body["instruments"] == 10
    assert body["total_value"] == "35191235.21"


def test_the_buckets_add_up_to_the_totals(data: Any, anon: Any) -> None:
    body = summary(anon)

    for bucket in ("by_category", "by_region"):
        assert sum(v["instruments"] for v in body[bucket].values()) == body["instruments"]
        assert sum(Decimal(v["value"]) for v in body[bucket].values()) == Decimal(body["total_value"])


def test_the_buckets_carry_names(data: Any, anon: Any) -> None:
    res = anon.get("/api/v1/stats/summary").json()

    assert res["by_category"]["01"]["name"] == "分析仪器"
    assert res["by_region"]["330000"]["name"] == "浙江省"
    assert res["by_region"]["110000"]["name"] == "北京市"


@pytest.mark.parametrize("platform", ["cn", "yrd", "g60", "hz", "bj"])
def test_a_platform_counts_the_members_of_its_whole_subtree(data: Any, anon: Any, platform: str) -> None:
    rows = [r for r in ROWS if platform in PLATFORMS_OF[r[1]]]

    assert summary(anon, platform=platform) == expected(rows)


def test_yrd_counts_its_sub_platforms_members(data: Any, anon: Any) -> None:
    body = summary(anon, platform="yrd")

    assert body["institutions"] == 3  # zju via g60, hzu via hz under g60, sh directly
    assert body["instruments"] == 6


def test_a_member_of_two_platforms_is_counted_once(data: Any, anon: Any) -> None:
    data["zju"].memberships.create(platform=Platform.objects.get(code="hz"))

    body = summary(anon, platform="yrd")

    assert body["instruments"] == 6
    assert body["institutions"] == 3


@pytest.mark.parametrize(
    "region", ["330000", "330100", "330102", "330106", "310000", "110000", "110100", "110108"]
)
def test_a_region_counts_everything_below_it(data: Any, anon: Any, region: str) -> None:
    prefix = region[:2] if region.endswith("0000") else (region[:4] if region.endswith("00") else region)
    rows = [r for r in ROWS if r[3].startswith(prefix)]

    assert summary(anon, region=region) == expected(rows)


def test_a_county_level_instrument_counts_in_its_city_and_province(data: Any, anon: Any) -> None:
    county = summary(anon, region="330106")
    city = summary(anon, region="330100")
    province = summary(anon, region="330000")

    assert county["instruments"] == 1
    assert city["instruments"] == province["instruments"] == 5  # Z1 Z2 Z3 H1 H2
    assert province["by_region"] == {"330000": {"instruments": 5, "value": "13630000.65"}}


@pytest.mark.parametrize("category", ["01", "0101", "0102", "0104", "02", "12", "10"])
def test_a_class_counts_its_middle_classes(data: Any, anon: Any, category: str) -> None:
    rows = [r for r in ROWS if r[2].startswith(category)]

    assert summary(anon, category=category) == expected(rows)


def test_a_four_digit_class_counts_in_its_two_digit_class(data: Any, anon: Any) -> None:
    body = summary(anon, category="01")

    assert body["instruments"] == 7  # 0101 ×2, 0102 ×2, 0104 ×2, 0106 ×1 (the retired ones left out)
    assert body["by_category"] == {"01": {"instruments": 7, "value": "34460000.50"}}


def test_filters_combine(data: Any, anon: Any) -> None:
    rows = [
        r for r in ROWS if "bj" in PLATFORMS_OF[r[1]] and r[2].startswith("01") and r[3].startswith("1101")
    ]

    assert summary(anon, platform="bj", category="01", region="110100") == expected(rows)


def test_retired_instruments_are_left_out(data: Any, anon: Any) -> None:
    body = summary(anon, platform="bj", category="0104")

    assert body["instruments"] == 1  # T1; T2 is retired
    assert body["total_value"] == "2000000.00"


def test_money_is_a_string_with_two_places(data: Any, anon: Any) -> None:
    body = summary(anon, region="110100")

    assert isinstance(body["total_value"], str)
    assert body["total_value"] == "20801234.56"
    assert body["by_category"]["12"]["value"] == "1234.56"
    assert summary(anon, category="0301")["total_value"] == "250000.05"


def test_an_empty_selection_is_zero_not_null(data: Any, anon: Any) -> None:
    body = summary(anon, region="650000")

    assert body == {
        "instruments": 0,
        "total_value": "0.00",
        "institutions": 0,
        "by_category": {},
        "by_region": {},
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [({"platform": "atlantis"}, "platform"), ({"region": "33"}, "region"), ({"category": "1"}, "category")],
)
def test_bad_filters_are_422(data: Any, anon: Any, params: dict[str, str], field: str) -> None:
    res = anon.get("/api/v1/stats/summary", params)

    assert res.status_code == 422
    assert field in res.json()["error"]["fields"]


def test_the_summary_is_computed_by_the_database(
    data: Any, anon: Any, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(6):
        anon.get("/api/v1/stats/summary", {"platform": "yrd"})
