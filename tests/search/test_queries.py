"""What the pages show around a search: matched fields, highlights and broader searches."""

from __future__ import annotations

from typing import Any

import pytest

from dayi.directory.queries import InstrumentFilters
from dayi.search.highlight import highlight, snippet
from dayi.search.queries import broader_suggestions, highlights, matched_fields, params_of
from tests.search.conftest import add_instrument

pytestmark = pytest.mark.django_db


@pytest.fixture
def tem(holders: Any) -> Any:
    return add_instrument(
        holders["A"],
        "tem",
        name="场发射透射电子显微镜",
        name_en="Field emission transmission electron microscope",
        model="Talos F200X",
        manufacturer="Thermo Fisher Scientific",
        specs="点分辨率0.25nm，加速电压200kV，" + "配备能谱仪，" * 20 + "可做透射电镜原位实验",
        functions="纳米材料形貌、晶体结构分析",
    )


def test_matched_fields_name_where_the_words_or_their_synonyms_are(tem: Any) -> None:
    assert matched_fields(tem, "TEM") == ["name", "specs"]
    assert matched_fields(tem, "transmission electron") == ["name_en"]
    assert matched_fields(tem, "F200X") == ["model"]
    assert matched_fields(tem, None) == []


def test_highlights_mark_short_fields_whole_and_cut_long_ones(tem: Any) -> None:
    marked = highlights(tem, "透射电镜")
    assert marked["name"] == "场发射<mark>透射电子显微镜</mark>"
    assert marked["specs"].startswith("…") and "<mark>透射电镜</mark>" in marked["specs"]
    assert len(marked["specs"]) < len(tem.specs)


def test_highlight_marks_a_hyphenated_record_for_an_unhyphenated_query() -> None:
    assert str(highlight("液相色谱-质谱联用仪", "液相色谱质谱联用仪")) == "<mark>液相色谱-质谱联用仪</mark>"


def test_highlight_marks_english_words_whole_with_their_plural() -> None:
    assert str(highlight("SEM systems", "system")) == "SEM <mark>systems</mark>"
    assert str(highlight("System 3000", "TEM")) == "System 3000"  # tem is not inside system


def test_snippet_of_a_short_text_is_the_whole_text() -> None:
    assert str(snippet("<透射电镜>", "透射电镜")) == "&lt;<mark>透射电镜</mark>&gt;"


def test_broader_suggestions_relax_one_filter_at_a_time(tem: Any, holders: Any) -> None:
    # Given a TEM in Hangzhou and an SEM in Jiaxing's Nanhu district
    add_instrument(holders["D"], "sem", name="扫描电子显微镜", category_id="0101")
    # When a user asks for a TEM of class 0101 in Nanhu
    got = broader_suggestions(InstrumentFilters(q="TEM", region="330402", category="0101"))
    # Then: drop q (Nanhu has the SEM), or go up the region tree to Zhejiang (Jiaxing has no TEM)
    assert got == [
        {"field": "q", "value": None, "count": 1, "params": {"region": "330402", "category": "0101"}},
        {
            "field": "region",
            "value": "330000",
            "count": 1,
            "params": {"q": "TEM", "region": "330000", "category": "0101"},
        },
    ]


def test_broader_suggestions_go_up_the_class_tree_before_dropping_it(tem: Any, holders: Any) -> None:
    add_instrument(holders["A"], "nmr", name="核磁共振波谱仪", category_id="0106")
    got = broader_suggestions(InstrumentFilters(q="核磁", category="0101"))
    assert got == [
        {"field": "q", "value": None, "count": 1, "params": {"category": "0101"}},  # the TEM
        {"field": "category", "value": "01", "count": 1, "params": {"q": "核磁", "category": "01"}},
    ]


def test_broader_suggestions_prefer_the_parent_region(tem: Any) -> None:
    got = broader_suggestions(InstrumentFilters(q="TEM", region="330102"))  # a Hangzhou district
    assert got == [
        {"field": "region", "value": "330100", "count": 1, "params": {"q": "TEM", "region": "330100"}}
    ]


def test_no_broader_suggestion_finds_nothing(db: Any) -> None:
    assert broader_suggestions(InstrumentFilters(q="TEM", region="330102")) == []


def test_params_of_leaves_out_empty_filters_and_the_default_sort() -> None:
    assert params_of(InstrumentFilters(q="TEM", sort="relevance", near="330400")) == {
        "q": "TEM",
        "near": "330400",
    }
