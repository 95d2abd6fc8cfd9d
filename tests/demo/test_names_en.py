"""The demo institutions' English names: reviewed where the list was wrong, never a machine translation
that is not a name (issue 12: "Seal of Beijing Normal University Affixed" must never appear)."""

from __future__ import annotations

from collections import Counter

from dayi.demo.reference import holders, plausible_name_en, reviewed_names_en

# Different universities that really share an English name (homophones, each the university's own).
SHARED = {"Taizhou University": {"泰州学院", "台州学院"}, "Wuyi University": {"武夷学院", "五邑大学"}}


def _english() -> dict[str, str]:
    return {h.name: h.name_en for h in holders() if h.name_en}


def test_the_famous_names_are_the_universities_own() -> None:
    names = _english()
    assert names["北京大学"] == "Peking University"
    assert names["北京师范大学"] == "Beijing Normal University"
    assert names["中国科学技术大学"] == "University of Science and Technology of China"
    assert names["西安电子科技大学"] == "Xidian University"


def test_no_english_name_is_a_sentence_a_fragment_or_a_seal() -> None:
    bad = {zh: en for zh, en in _english().items() if not plausible_name_en(en) or "Affixed" in en}
    assert bad == {}


def test_no_two_universities_share_an_english_name_unless_they_really_do() -> None:
    by_name = Counter(_english().values())
    shared = {en: {zh for zh, e in _english().items() if e == en} for en, n in by_name.items() if n > 1}
    assert shared == SHARED


def test_every_reviewed_name_reaches_its_university() -> None:
    holder_names = {h.name: h.name_en for h in holders()}
    assert reviewed_names_en()
    for zh, en in reviewed_names_en().items():
        assert holder_names[zh] == en
