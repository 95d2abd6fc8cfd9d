"""Search finds places, holders and makers as a person means them (issue 12).

The data is shaped like the demo's: holders with the demo's Chinese and English names and regions (from
``dayi/demo/data/cn_universities.csv``), instruments with the catalogue's names and maker strings.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from dayi.demo import catalogue
from dayi.directory import queries
from dayi.directory.models import Instrument
from dayi.network.models import Institution
from dayi.search import places
from dayi.search.ranking import parse, strict_q
from tests.conftest import make_institution
from tests.search.conftest import add_instrument

pytestmark = pytest.mark.django_db

SEM = {"name": "场发射扫描电子显微镜", "name_en": "Field emission scanning electron microscope"}
TEM = {"name": "透射电子显微镜", "name_en": "Transmission electron microscope", "category_id": "0101"}
LCMS = {
    "name": "液相色谱-质谱联用仪",
    "name_en": "Liquid chromatography-mass spectrometer",
    "category_id": "0102",
}


@pytest.fixture
def demo_shaped(network: dict[str, Any]) -> dict[str, Instrument]:
    """浙江大学 (Hangzhou, a county of 330100), two 嘉兴 holders, one whose English name contains
    "Zhejiang University", and 北京大学; electron microscopes and mass spectrometers from the catalogue's
    makers."""
    zju: Institution = network["zju"]
    zju.name_en = "Zhejiang University"
    zju.region_id = "330106"
    zju.save()
    jiaxing = make_institution(
        "嘉兴大学", "12330000470115002W", "330402", network["g60"], name_en="Jiaxing University"
    )
    oriental = make_institution(
        "浙江财经大学东方学院",
        "12330000MB1A37951X",
        "330481",
        name_en="Oriental College, Zhejiang University of Finance and Economics",
    )
    pku: Institution = network["pku"]
    return {
        "zju-sem": add_instrument(zju, "Z1", **SEM, model="Sigma 300", manufacturer=catalogue.ZEISS),
        "zju-tem": add_instrument(zju, "Z2", **TEM, model="JEM-F200", manufacturer=catalogue.JEOL),
        "zju-lcms": add_instrument(zju, "Z3", **LCMS, model="Xevo TQ-XS", manufacturer=catalogue.WATERS),
        "jx-sem": add_instrument(jiaxing, "J1", **SEM, model="SU8010", manufacturer=catalogue.HITACHI),
        "jx-lcms": add_instrument(oriental, "J2", **LCMS, model="6546", manufacturer=catalogue.AGILENT),
        "pku-sem": add_instrument(pku, "P1", **SEM, model="GeminiSEM 500", manufacturer=catalogue.ZEISS),
        "pku-tem": add_instrument(
            pku,
            "P2",
            **TEM,
            model="Talos F200X",
            manufacturer=catalogue.THERMO,
            specs="与浙江大学联合研制样品杆",
        ),
        "zeiss-short": add_instrument(pku, "P3", **SEM, model="Sigma 500", manufacturer="蔡司"),
    }


def found(q: str) -> set[str]:
    ids = set(queries.search(queries.InstrumentFilters(q=q)).values_list("inventory_no", flat=True))
    return ids


def test_the_holders_chinese_name_finds_its_instruments_and_records_that_name_it(demo_shaped: Any) -> None:
    # Given instruments held by 浙江大学, and one elsewhere whose specs name it
    # When searching for the holder's name
    # Then its instruments are found, first, and the record that names it too
    results = queries.search(queries.InstrumentFilters(q="浙江大学")).values_list("inventory_no", flat=True)
    assert sorted(results[:3]) == ["Z1", "Z2", "Z3"]
    assert list(results[3:]) == ["P2"]


def test_the_holders_english_name_finds_its_instruments_and_no_longer_name_that_contains_it(
    demo_shaped: Any,
) -> None:
    # "Zhejiang University of Finance and Economics" contains the words but is another holder
    assert found("Zhejiang University") == {"Z1", "Z2", "Z3"}
    assert found("zhejiang university") == {"Z1", "Z2", "Z3"}


def test_a_prefecture_finds_the_instruments_in_its_counties(demo_shaped: Any) -> None:
    # 嘉兴 (330400): the holders sit in 330402 and 330481, counties of the city
    assert found("嘉兴") == {"J1", "J2"}
    assert found("嘉兴市") == {"J1", "J2"}
    assert found("Jiaxing") == {"J1", "J2"}


def test_a_province_finds_every_prefecture_in_it(demo_shaped: Any) -> None:
    # (P2 in Beijing too: its specs say 浙江大学, and a record that says the name is always found)
    assert found("浙江") == {"Z1", "Z2", "Z3", "J1", "J2", "P2"}


def test_a_city_and_a_kind_find_that_kind_in_that_city(demo_shaped: Any) -> None:
    # 电镜 stands for 电子显微镜 (the synonym table); 杭州 for the region 3301
    assert found("杭州 电镜") == {"Z1", "Z2"}
    assert found("杭州电镜") == {"Z1", "Z2"}
    assert found("北京 电镜") == {"P1", "P2", "P3"}


def test_a_holder_and_a_kind_find_that_kind_at_that_holder(demo_shaped: Any) -> None:
    assert found("浙江大学 质谱") == {"Z3"}


def test_a_makers_short_and_full_names_find_each_other(demo_shaped: Any) -> None:
    # The demo writes 卡尔蔡司 (Carl Zeiss); another record only 蔡司
    assert found("蔡司") == {"Z1", "P1", "P3"}
    assert found("卡尔蔡司") == {"Z1", "P1", "P3"}
    assert found("Zeiss") == {"Z1", "P1", "P3"}
    assert found("赛默飞") == {"P2"}


def test_a_place_inside_a_longer_word_is_not_the_place() -> None:
    # 通化 is a city, but in 流通化学 the words are 流通 + 化学
    gazetteer = places.build([("220500", "通化市", "通化", "Tonghua")], [])
    assert gazetteer.find("流通化学反应器") == []
    assert [s.prefixes for *_, s in gazetteer.find("通化 质谱")] == [("2205",)]


def test_a_name_shared_by_two_places_stands_for_both() -> None:
    gazetteer = places.build(
        [("321200", "泰州市", "泰州", "Taizhou"), ("331000", "台州市", "台州", "Taizhou")], []
    )
    [(_, _, scope)] = gazetteer.find("taizhou")
    assert scope.prefixes == ("3212", "3310")


def test_the_longest_name_wins(network: dict[str, Any]) -> None:
    # 北京大学 is a holder, 北京 a province: the holder is meant
    p = parse("北京大学 质谱")
    assert [s.text for s in p.scopes] == ["北京大学"]
    assert p.text == "质谱"


def test_a_search_naming_a_place_reads_the_word_index(demo_shaped: Any) -> None:
    # Given the planner's view of a table with many rows (the index is chosen from costs, not size)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = Instrument.objects.filter(strict_q(parse("杭州 电镜"))).query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "instrument_words_fts_idx" in plan
    assert "hashed SubPlan" in plan or "Hash" in plan


def test_the_word_index_is_costed_so_the_planner_reads_it_on_a_demo_sized_table(
    demo_shaped: dict[str, Instrument],
) -> None:
    # Given 3,000 more instruments (the demo has 5,000): scanning and vectorising each took 1 s for the
    # demo where the index takes 1 ms, and with to_tsvector's default cost PostgreSQL chose the scan
    holder = demo_shaped["pku-sem"].institution
    words = demo_shaped["pku-sem"].search_words.replace("电子显微镜", "光谱仪").replace("电镜", "光谱")
    Instrument.objects.bulk_create(
        Instrument(
            institution=holder, inventory_no=f"B{n}", name="光谱仪", category_id="0104",
            original_value="600000.00", region_id=holder.region_id, search_words=words,
        )
        for n in range(3000)
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE directory_instrument")
        sql, params = Instrument.objects.filter(strict_q(parse("电镜"))).query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # Then the planner reads the index
    assert "Bitmap Index Scan on instrument_words_fts_idx" in plan
