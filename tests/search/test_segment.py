"""Segmentation: records and queries are cut into the same words."""

from __future__ import annotations

from typing import Any

import pytest

from dayi.directory.models import Instrument
from dayi.search.segment import instrument_words, normalize, tokens, words


def test_a_long_instrument_term_is_one_token_and_keeps_its_parts() -> None:
    assert tokens("场发射透射电子显微镜") == ["场发射透射电子显微镜"]
    assert {"透射电子显微镜", "电子显微镜", "显微镜", "透射", "场发射"} <= set(
        words("场发射透射电子显微镜").split()
    )


def test_a_hyphen_between_chinese_words_does_not_split_the_term() -> None:
    assert tokens("液相色谱-质谱联用仪") == tokens("液相色谱质谱联用仪") == ["液相色谱质谱联用仪"]
    assert {"液相色谱", "质谱", "色谱"} <= set(words("液相色谱-质谱联用仪").split())


def test_the_user_dictionary_keeps_instrument_terms_whole() -> None:
    for term in ("比表面积及孔隙度分析仪", "核磁共振波谱仪", "x射线衍射仪", "激光扫描共聚焦显微镜"):
        assert tokens(term) == [term]


def test_full_width_and_case_are_folded() -> None:
    assert normalize("ＴＥＭ Talos") == "tem talos"
    assert tokens("ＴＥＭ") == tokens("tem") == ["tem"]


def test_english_plurals_are_folded_on_both_sides() -> None:
    assert tokens("Electron Microscopes") == tokens("electron microscope") == ["electron", "microscope"]
    assert tokens("XPS analysis") == ["xps", "analysis"]


def test_mixed_script_tokens_are_also_split_by_script() -> None:
    assert {"显微ct", "显微", "ct"} <= set(words("显微CT").split())


def test_punctuation_control_characters_and_emoji_leave_no_words() -> None:
    assert tokens("!!! 。，😀 \x00\x1b \u202e") == []
    assert words("") == ""


def test_single_characters_are_not_words() -> None:
    assert tokens("仪 a") == []


@pytest.mark.django_db
def test_instrument_words_cover_names_model_maker_class_specs_and_functions() -> None:
    instrument = Instrument(
        name="透射电镜",
        name_en="Transmission electron microscope",
        model="Talos F200X",
        manufacturer="Thermo Fisher",
        category_id="0101",
        specs="点分辨率0.25nm",
        functions="纳米材料形貌",
    )
    got = set(instrument_words(instrument).split())
    assert {
        "透射电镜",
        "transmission",
        "f200x",
        "thermo",
        "分辨率",
        "形貌",
    } <= got
    assert set(tokens("电子光学仪器 分析仪器")) <= got  # the class and its parent


def test_instrument_words_accept_any_object_with_the_fields() -> None:
    class Row:
        name = "核磁共振波谱仪"
        model: Any = None

    assert "核磁共振" in instrument_words(Row()).split()
