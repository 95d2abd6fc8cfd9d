"""Searching the directory with ``q``: filters, hierarchies, facets, sorts, synonyms, "near me"."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from dayi.core.errors import ValidationFailed
from dayi.directory.queries import InstrumentFilters, facets, search
from tests.search.conftest import add_instrument

pytestmark = pytest.mark.django_db


def found(**filters: Any) -> list[str]:
    return [i.inventory_no for i in search(InstrumentFilters(**filters))]


@pytest.fixture
def tems(holders: dict[str, Any]) -> dict[str, Any]:
    """Three TEMs (Hangzhou, Jiaxing, Beijing), an SEM in Hangzhou and an LC-MS in Shanghai."""
    a, b, c, d = holders["A"], holders["B"], holders["C"], holders["D"]
    return {
        "hz": add_instrument(
            a, "hz-tem", name="场发射透射电子显微镜", model="Talos F200X", original_value="8500000"
        ),
        "jx": add_instrument(d, "jx-tem", name="透射电子显微镜", model="JEM-F200", original_value="6000000"),
        "bj": add_instrument(b, "bj-tem", name="透射电镜", model="HT7800", original_value="3000000"),
        "sem": add_instrument(a, "hz-sem", name="扫描电子显微镜", model="SU8010", original_value="2500000"),
        "lcms": add_instrument(
            c,
            "sh-lcms",
            name="液相色谱-质谱联用仪",
            category_id="0102",
            model="Xevo TQ-XS",
            original_value="3200000",
        ),
    }


def test_tem_finds_every_transmission_electron_microscope(tems: Any) -> None:
    assert set(found(q="TEM")) == {"hz-tem", "jx-tem", "bj-tem"}


def test_liquid_mass_short_form_finds_the_lc_ms(tems: Any) -> None:
    assert found(q="液质") == ["sh-lcms"]
    assert found(q="LC-MS") == ["sh-lcms"]


def test_the_full_name_also_finds_a_record_listed_under_the_short_form(tems: Any) -> None:
    # 透射电镜 (bj) is a TEM too: the synonym ring works in both directions
    assert "bj-tem" in found(q="透射电子显微镜")


def test_q_combines_with_the_region_subtree(tems: Any) -> None:
    # Zhejiang (330000) holds Hangzhou (330100) and Jiaxing's Nanhu district (330402)
    assert set(found(q="TEM", region="330000")) == {"hz-tem", "jx-tem"}
    assert found(q="TEM", region="330400") == ["jx-tem"]


def test_q_combines_with_the_category_subtree_and_a_value_range(tems: Any) -> None:
    assert set(found(q="显微镜", category="01")) == {"hz-tem", "jx-tem", "hz-sem"}
    assert found(q="电镜", category="0101", min_value=Decimal("5000000"), max_value=Decimal("7000000")) == [
        "jx-tem"
    ]
    assert found(q="电镜", category="0102") == []


def test_q_combines_with_the_platform_of_the_holders(tems: Any) -> None:
    # g60 holds zju only (tests/conftest.py); bj holds pku
    assert set(found(q="电镜", platform="g60")) == {"hz-tem", "hz-sem"}
    assert found(q="电镜", platform="bj") == ["bj-tem"]


def test_facets_count_what_q_finds_under_the_other_filters(tems: Any) -> None:
    f = InstrumentFilters(q="TEM", region="330000")
    counts = facets(f)
    # region facet: the other filters (q) apply, the region filter itself does not, one level below
    assert counts["region"] == {
        "330100": {"count": 1, "name": "杭州市"},
        "330400": {"count": 1, "name": "嘉兴市"},
    }
    assert counts["category"] == {"01": {"count": 2, "name": "分析仪器"}}


def test_facets_without_a_region_count_provinces(tems: Any, anon: Any) -> None:
    body = anon.get("/api/v1/instruments", {"q": "电镜"}).json()
    assert body["count"] == 4
    assert {k: v["count"] for k, v in body["facets"]["region"].items()} == {"330000": 3, "110000": 1}


def test_an_exact_name_comes_first(tems: Any) -> None:
    assert found(q="透射电子显微镜")[0] == "jx-tem"
    assert found(q="扫描电子显微镜")[0] == "hz-sem"


def test_an_exact_model_comes_first(holders: Any) -> None:
    add_instrument(holders["A"], "a", name="透射电子显微镜", model="Talos F200X", specs="可替代 F200i")
    add_instrument(holders["A"], "b", name="透射电子显微镜", model="Talos F200i")
    assert found(q="Talos F200i")[0] == "b"
    assert found(q="F200") == ["a", "b"] or found(q="F200") == ["b", "a"]


def test_name_words_rank_above_specs_and_functions(holders: Any) -> None:
    add_instrument(holders["A"], "specs", name="离子减薄仪", functions="透射电子显微镜样品制备")
    add_instrument(holders["A"], "name", name="场发射透射电子显微镜")
    assert found(q="透射电子显微镜") == ["name", "specs"]


def test_working_instruments_rank_above_those_awaiting_repair_or_scrapping(holders: Any) -> None:
    add_instrument(holders["A"], "repair", name="场发射透射电子显微镜", status="awaiting_repair")
    add_instrument(holders["A"], "scrap", name="场发射透射电子显微镜", status="awaiting_scrapping")
    add_instrument(holders["A"], "ok", name="场发射透射电子显微镜", status="occasional_faults")
    assert found(q="TEM")[0] == "ok"
    assert set(found(q="TEM")[1:]) == {"repair", "scrap"}


def test_an_explicit_sort_overrides_relevance(tems: Any) -> None:
    assert found(q="电镜", sort="value") == ["hz-sem", "bj-tem", "jx-tem", "hz-tem"]
    assert found(q="电镜", sort="-value") == ["hz-tem", "jx-tem", "bj-tem", "hz-sem"]
    names = [i.name for i in search(InstrumentFilters(q="电镜", sort="name"))]
    assert len(names) == 4 and names == sorted(names)  # the database's C collation: code point order


def test_a_typo_is_matched_by_trigram_similarity(tems: Any) -> None:
    assert found(q="Talso F200X") == ["hz-tem"]


def test_a_model_fragment_is_found(tems: Any) -> None:
    assert found(q="SU801") == ["hz-sem"]
    assert found(q="tq-xs") == ["sh-lcms"]


def test_an_instrument_without_search_words_is_still_found_by_its_name(holders: Any) -> None:
    # Written by a path that forgot the words (a raw create): the name's trigram index still finds it
    from tests.conftest import make_instrument

    make_instrument(holders["A"], "raw", name="场发射扫描电子显微镜")
    assert found(q="扫描电子显微镜") == ["raw"]


def test_nothing_searchable_is_the_same_as_no_q(tems: Any) -> None:
    assert set(found(q="!!!")) == set(found())
    assert set(found(q="😀")) == set(found())


# --- near me -----------------------------------------------------------------------------------------


def test_near_sorts_by_distance_from_the_region_centre(tems: Any) -> None:
    # A company in Jiaxing: its own city first, then Hangzhou (about 80 km), then Beijing
    result = list(search(InstrumentFilters(q="TEM", near="330400")))
    assert [i.inventory_no for i in result] == ["jx-tem", "hz-tem", "bj-tem"]
    distances = [i.distance_km for i in result]
    assert distances[0] < 5 and 50 < distances[1] < 120 and distances[2] > 1000


def test_near_a_county_without_coordinates_uses_its_city(tems: Any, holders: Any) -> None:
    # 辛集市 (130181) has no coordinates in the division table; its parent 石家庄 (130100) does
    result = list(search(InstrumentFilters(q="TEM", near="130181")))
    assert result[0].inventory_no == "bj-tem"


def test_near_keeps_relevance_among_equally_near_instruments(holders: Any) -> None:
    add_instrument(holders["A"], "specs", name="离子减薄仪", functions="透射电子显微镜样品制备")
    add_instrument(holders["A"], "name", name="透射电子显微镜")
    assert found(q="透射电子显微镜", near="330100") == ["name", "specs"]


def test_near_refuses_an_unknown_region() -> None:
    with pytest.raises(ValidationFailed) as e:
        list(search(InstrumentFilters(near="999999")))
    assert "near" in e.value.fields


def test_near_through_the_api(tems: Any, anon: Any) -> None:
    res = anon.get("/api/v1/instruments", {"q": "TEM", "near": "330400"})
    assert res.status_code == 200
    assert [i["inventory_no"] for i in res.json()["items"]] == ["jx-tem", "hz-tem", "bj-tem"]
    bad = anon.get("/api/v1/instruments", {"near": "33"})
    assert bad.status_code == 422
    assert "near" in bad.json()["error"]["fields"]


# --- the API item -------------------------------------------------------------------------------------


def test_api_items_carry_highlights_when_q_is_given(tems: Any, anon: Any) -> None:
    items = anon.get("/api/v1/instruments", {"q": "TEM"}).json()["items"]
    marked = {i["inventory_no"]: i["highlights"] for i in items}
    assert marked["jx-tem"]["name"] == "<mark>透射电子显微镜</mark>"
    assert marked["bj-tem"]["name"] == "<mark>透射电镜</mark>"
    assert anon.get("/api/v1/instruments").json()["items"][0]["highlights"] is None


def test_highlights_escape_the_record(holders: Any, anon: Any) -> None:
    add_instrument(holders["A"], "x", name="<b>透射电镜</b>", specs="<script>alert(1)</script> 透射电镜")
    item = anon.get("/api/v1/instruments", {"q": "透射电镜"}).json()["items"][0]
    assert item["highlights"]["name"] == "&lt;b&gt;<mark>透射电镜</mark>&lt;/b&gt;"
    assert "<script>" not in item["highlights"]["specs"]


def test_the_search_api_does_not_query_per_result(
    holders: Any, anon: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        add_instrument(holders["A"], f"t{n}", name="透射电子显微镜", specs="透射电镜 TEM")
    with django_assert_max_num_queries(16):
        res = anon.get("/api/v1/instruments", {"q": "TEM", "page_size": 30})
    assert len(res.json()["items"]) == 30


def test_two_characters_the_dictionary_does_not_join_are_found(holders: Any) -> None:
    # 感耦 is no dictionary word: the query keeps the pair, and records index their characters' pairs
    add_instrument(holders["A"], "icp", name="电感耦合等离子体发射光谱仪")
    add_instrument(holders["A"], "other", name="耦合器", specs="感应")
    assert found(q="感耦") == ["icp"]


def test_a_single_character_falls_back_to_the_name(holders: Any) -> None:
    add_instrument(holders["A"], "tem", name="透射电镜")
    add_instrument(holders["A"], "xrd", name="X射线衍射仪")
    assert found(q="镜") == ["tem"]
