"""GET /api/v1/stats/utilisation, GET /api/v1/stats/idle, POST /api/v1/stats/duplicate-check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dayi.stats import queries
from dayi.stats.models import RecentHours
from tests.conftest import make_institution, make_instrument
from tests.stats.conftest import use


def test_the_nation_in_march(refreshed: Any, api_as: Any) -> None:
    # Given the hand-made March (tests/stats/conftest.py), when anyone asks for the nation's March
    res = api_as(None).get("/api/v1/stats/utilisation", {"year": 2025, "month": 3})
    # Then the figures are the hand-computed ones, as decimal strings
    assert res.status_code == 200, res.content
    body = res.json()
    figs = body["figures"]
    assert figs["effective_hours"] == "11.50" and figs["external_hours"] == "8.50"
    assert figs["available_hours"] == "904.00"  # 160 + 744
    assert (figs["users"], figs["user_institutions"], figs["companies"]) == (3, 3, 1)
    assert figs["income_internal"] == "150.00" and figs["income_external"] == "1000.00"
    assert figs["average_rating"] == "4.50" and figs["no_show_rate"] == "0.5000"
    assert figs["sharing_rate"] == "0.7391"  # 8.5 / 11.5
    assert body["national_average"] == {
        "year": 2025,
        "effective_hours": "1599",
        "external_hours": "273",
        "estimated": False,
    }
    assert [m["period"] for m in body["months"]][:3] == ["2025-01", "2025-02", "2025-03"]
    assert body["months"][2]["figures"]["effective_hours"] == "11.50"
    assert {r["code"] for r in body["by_region"]} == {"330000", "110000"}
    assert {r["code"] for r in body["by_category"]} == {"01"}
    assert body["top"][0]["id"] == refreshed["tem"].pk


def test_a_platform_counts_its_sub_platforms_members(refreshed: Any, api_as: Any) -> None:
    res = api_as(None).get("/api/v1/stats/utilisation", {"year": 2025, "platform": "yrd"})
    assert res.status_code == 200, res.content
    assert res.json()["figures"]["effective_hours"] == "6.50"  # zju, a member of g60 below yrd
    assert res.json()["scope"]["name"] == "YRD"


def test_a_province_and_a_class_together_are_computed_live(refreshed: Any, api_as: Any) -> None:
    res = api_as(None).get(
        "/api/v1/stats/utilisation", {"year": 2025, "region": "330000", "category": "0101"}
    )
    assert res.status_code == 200, res.content
    assert res.json()["figures"]["effective_hours"] == "6.50"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"region": "33"}, "region"),
        ({"region": "999999"}, "region"),
        ({"category": "1"}, "category"),
        ({"platform": "nowhere"}, "platform"),
        ({"year": 1800}, "year"),
        ({"month": 13}, "month"),
        ({"institution": 999999}, "institution"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(network: Any, api_as: Any, params: Any, field: str) -> None:
    res = api_as(None).get("/api/v1/stats/utilisation", params)
    assert res.status_code == 422, res.content
    assert field in res.json()["error"]["fields"]


def test_a_wrong_type_is_400(api_as: Any, network: Any) -> None:
    assert api_as(None).get("/api/v1/stats/utilisation", {"year": "soon"}).status_code == 400


def test_the_dashboard_call_takes_a_fixed_number_of_queries(
    refreshed: Any, api_as: Any, django_assert_max_num_queries: Any
) -> None:
    client = api_as(None)
    with django_assert_max_num_queries(12):
        assert client.get("/api/v1/stats/utilisation", {"year": 2025, "region": "330000"}).status_code == 200


# --- the idle list ---------------------------------------------------------------------------------------


@pytest.fixture
def idle_world(network: Any, people: Any) -> dict[str, Any]:
    """At zju: a busy instrument (500 h in the last 12 months), a quiet one (10 h, 600 h the year
    before), a new unused one; at pku one unused. The default threshold is 1,599 / 4 ≈ 400 h."""
    now = timezone.now()
    zju, pku = network["zju"], network["pku"]
    busy = make_instrument(zju, "BUSY")
    quiet = make_instrument(zju, "QUIET", original_value="2000000.00")
    unused = make_instrument(zju, "UNUSED", original_value="900000.00")
    far = make_instrument(pku, "PKU-UNUSED")
    eve = people["eve"]
    use(busy, eve, now - dt.timedelta(days=70), "500")
    use(quiet, eve, now - dt.timedelta(days=70), "10")
    use(quiet, eve, now - dt.timedelta(days=500), "600")
    queries.refresh(now=now)
    return {"busy": busy, "quiet": quiet, "unused": unused, "far": far, **network}


def test_the_idle_list_of_an_institution(
    idle_world: Any, api_as: Any, django_assert_max_num_queries: Any
) -> None:
    client = api_as("amy")
    with django_assert_max_num_queries(8):
        res = client.get("/api/v1/stats/idle", {"institution": idle_world["zju"].pk})
    assert res.status_code == 200, res.content
    body = res.json()
    assert body["threshold_hours"] == "400.00"
    assert body["count"] == 2
    ids = [item["instrument"] for item in body["items"]]
    assert ids == [idle_world["unused"].pk, idle_world["quiet"].pk]  # fewest hours first
    quiet = body["items"][1]
    assert (quiet["effective_hours"], quiet["previous_hours"], quiet["trend"]) == ("10.00", "600.00", "down")
    assert quiet["holder"] == "浙江大学"


def test_a_threshold_can_be_given(idle_world: Any, api_as: Any) -> None:
    res = api_as("amy").get("/api/v1/stats/idle", {"institution": idle_world["zju"].pk, "threshold": 5})
    assert [i["instrument"] for i in res.json()["items"]] == [idle_world["unused"].pk]


def test_a_platform_admin_sees_the_platforms_idle_instruments_only(idle_world: Any, api_as: Any) -> None:
    res = api_as("carol").get("/api/v1/stats/idle", {"platform": "yrd"})
    assert res.status_code == 200, res.content
    assert idle_world["far"].pk not in [i["instrument"] for i in res.json()["items"]]
    assert res.json()["count"] == 2


@pytest.mark.parametrize(
    ("who", "params", "status"),
    [
        (None, {}, 401),
        ("eve", {}, 403),  # a customer
        ("carol", {}, 403),  # the whole network is not carol's
        ("carol", {"platform": "bj"}, 403),
        ("bob", {"institution": "zju"}, 403),  # pku's manager asks for zju
    ],
)
def test_the_idle_list_is_denied_outside_ones_scope(
    idle_world: Any, api_as: Any, who: str | None, params: dict[str, Any], status: int
) -> None:
    if params.get("institution") == "zju":
        params = {"institution": idle_world["zju"].pk}
    res = api_as(who).get("/api/v1/stats/idle", params)
    assert res.status_code == status, res.content


def test_the_idle_list_pages(idle_world: Any, api_as: Any) -> None:
    client = api_as("root")
    first = client.get("/api/v1/stats/idle", {"page_size": 2}).json()
    second = client.get("/api/v1/stats/idle", {"page_size": 2, "page": 2}).json()
    past = client.get("/api/v1/stats/idle", {"page_size": 2, "page": 9}).json()
    assert first["count"] == second["count"] == past["count"] == 3
    assert len(first["items"]) == 2 and len(second["items"]) == 1 and past["items"] == []
    assert client.get("/api/v1/stats/idle", {"page_size": 500}).status_code == 422


# --- the duplicate-purchase check ------------------------------------------------------------------------


@pytest.fixture
def purchase_world(network: Any, people: Any) -> dict[str, Any]:
    """Electron microscopes (0101): two in Hangzhou using 1,300 and 1,200 h in the last 12 months, one in
    Shanghai (about 165 km away), one in Beijing (far)."""
    now = timezone.now()
    zju, pku = network["zju"], network["pku"]
    sh = make_institution("复旦大学", "12100000425006117A", "310000")
    hz1 = make_instrument(zju, "HZ-1")
    hz2 = make_instrument(zju, "HZ-2")
    shanghai = make_instrument(sh, "SH-1")
    beijing = make_instrument(pku, "BJ-1")
    use(hz1, people["eve"], now - dt.timedelta(days=60), "1300")
    use(hz2, people["eve"], now - dt.timedelta(days=90), "1200")
    queries.refresh(now=now)
    return {"hz1": hz1, "hz2": hz2, "shanghai": shanghai, "beijing": beijing}


def check(api_as: Any, **body: Any) -> Any:
    return api_as(None).post(
        "/api/v1/stats/duplicate-check", {"category": "0101", "region": "330100", **body}
    )


def test_similar_local_instruments_averaging_1200_hours_are_saturated(
    purchase_world: Any, api_as: Any
) -> None:
    res = check(api_as, value="3000000")
    assert res.status_code == 200, res.content
    body = res.json()
    assert body["verdict"] == "saturated"
    assert (body["local_count"], body["local_average_hours"]) == (2, "1250.0")
    assert body["review_required"] is True
    assert [i["instrument"] for i in body["local"]] == [purchase_world["hz2"].pk, purchase_world["hz1"].pk]
    assert [i["instrument"] for i in body["nearby"]] == [purchase_world["shanghai"].pk]
    assert 100 < body["nearby"][0]["distance_km"] < 250
    # open round the clock, nothing booked: 28 days × 24 h
    assert body["local"][0]["open_hours"] == "672.00"


def test_below_1200_hours_there_is_capacity_to_share(purchase_world: Any, api_as: Any, people: Any) -> None:
    make_instrument(purchase_world["hz1"].institution, "HZ-3")  # an unused third: (1300 + 1200 + 0) / 3
    queries.refresh(now=timezone.now())
    body = check(api_as, value="1500000").json()
    assert body["verdict"] == "available_capacity"
    assert body["local_average_hours"] == "833.3"
    assert body["review_required"] is False


def test_with_no_similar_local_instrument_neither_verdict_applies(purchase_world: Any, api_as: Any) -> None:
    body = check(api_as, category="0102", value="3000000").json()
    assert (body["verdict"], body["local_count"], body["local"]) == ("no_similar_local", 0, [])


@pytest.mark.parametrize(
    ("body", "field"),
    [({"category": "9"}, "category"), ({"region": "12"}, "region"), ({"value": "-1"}, "value")],
)
def test_a_bad_purchase_is_422(network: Any, api_as: Any, body: Any, field: str) -> None:
    res = check(api_as, **{"value": "100", **body})
    assert res.status_code == 422, res.content
    assert field in res.json()["error"]["fields"]


def test_money_in_the_check_is_two_places(purchase_world: Any, api_as: Any) -> None:
    body = check(api_as, value="3000000").json()
    assert body["local"][0]["original_value"] == "8500000.00"
    assert Decimal(body["value"]) == Decimal(3000000)


def test_the_idle_list_without_a_refresh_this_month_sums_the_month_rows(idle_world: Any, api_as: Any) -> None:
    # Given a refresh whose idle table is from an earlier month
    stored = api_as("root").get("/api/v1/stats/idle").json()
    RecentHours.objects.update(window_end=dt.date(2001, 1, 1))
    # When the idle list is read, then it is computed from the month rows: the same answer
    live = api_as("root").get("/api/v1/stats/idle").json()
    assert live == stored
    assert stored["count"] == 3


def test_the_openapi_document_lists_the_stats_endpoints(api_as: Any, network: Any) -> None:
    paths = api_as(None).get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/stats/utilisation", "/api/v1/stats/idle", "/api/v1/stats/duplicate-check"):
        assert path in paths, path
