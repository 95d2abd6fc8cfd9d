"""A small directory for the portal: electron microscopes, spectrometers and an NMR in three cities."""

from __future__ import annotations

from typing import Any

import pytest

from dayi.directory.models import Expert, Instrument
from dayi.network.models import Institution
from dayi.search.segment import instrument_words
from tests.conftest import make_institution, make_instrument


def tem(institution: Institution, no: str, **extra: Any) -> Instrument:
    """An instrument with its search words, as the services' write paths store them."""
    instrument = make_instrument(institution, no, **extra)
    instrument.search_words = instrument_words(instrument)
    instrument.save(update_fields=["search_words"])
    return instrument


@pytest.fixture
def directory(network: dict[str, Any]) -> dict[str, Any]:
    zju, pku = network["zju"], network["pku"]
    sjtu = make_institution("上海交通大学", "12100000425010011H", "310000", network["yrd"])
    items = {
        "tem_hz": tem(
            zju,
            "ZJU-TEM-1",
            region_id="330106",
            specs="点分辨率 0.24 nm，加速电压 200 kV",
            functions="透射电镜成像、能谱分析",
            contact="王老师 0571-87950000",
            location="浙江大学紫金港校区 分析测试中心 101",
            fees_note="校外 800 元/小时",
            in_service_date="2019-06-01",
            disciplines=["材料科学", "化学"],
        ),
        "sem_hz": tem(
            zju,
            "ZJU-SEM-1",
            name="场发射扫描电子显微镜",
            name_en="Field emission scanning electron microscope",
            model="SU8010",
            manufacturer="Hitachi",
            region_id="330100",
            original_value="3200000.00",
        ),
        "lcms_hz": tem(
            zju,
            "ZJU-MS-1",
            name="液相色谱-质谱联用仪",
            name_en="Liquid chromatography mass spectrometer",
            category_id="0102",
            model="Xevo TQ-XS",
            manufacturer="Waters",
            original_value="3500000.00",
            modes=["sample"],
            status="awaiting_repair",
        ),
        "tem_bj": tem(pku, "PKU-TEM-1", original_value="9800000.00"),
        "nmr_sh": tem(
            sjtu,
            "SJTU-NMR-1",
            name="核磁共振波谱仪",
            name_en="Nuclear magnetic resonance spectrometer",
            category_id="0106",
            model="AVANCE NEO 600",
            manufacturer="Bruker",
            original_value="12000000.00",
            modes=["assisted", "sample"],
        ),
    }
    Expert.objects.create(name="李四", institution=zju, title="教授", fields_of_expertise=["电子显微学"])
    return {**network, "sjtu": sjtu, **items}


# holder | inventory no | name | English name | category | region | value | model | maker | status
SHOWCASE = """
sjtu|S-1|球差校正透射电子显微镜|Aberration-corrected TEM|0101|310104|25000000|Spectra 300|Thermo Fisher|normal
sjtu|S-2|场发射扫描电子显微镜|Field emission SEM|0101|310104|4200000|GeminiSEM 500|ZEISS|normal
jx|J-1|台式扫描电子显微镜|Benchtop SEM|0101|330402|900000|Phenom XL|Thermo Fisher|standby
jx|J-2|气相色谱-质谱联用仪|Gas chromatography mass spectrometer|0102|330402|1200000|8890-5977B|Agilent|normal
nju|N-1|X射线光电子能谱仪|XPS|0104|320106|6800000|ESCALAB Xi+|Thermo Fisher|normal
nju|N-2|高效液相色谱仪|HPLC|0105|320106|650000|1260 Infinity II|Agilent|occasional_faults
zju|Z-9|比表面积及孔隙度分析仪|BET surface area analyser|0113|330106|780000|ASAP 2460|Micromeritics|normal
pku|P-2|电感耦合等离子体质谱仪|ICP mass spectrometer|0102|110108|2600000|iCAP RQ|Thermo Fisher|awaiting_repair
"""


@pytest.fixture
def showcase(directory: dict[str, Any]) -> dict[str, Any]:
    """The small directory and eight more instruments in Shanghai, Jiaxing, Nanjing, Hangzhou and Beijing."""
    holders = {
        **directory,
        "jx": make_institution("嘉兴学院", "12330400470000001X", "330400", directory["g60"]),
        "nju": make_institution("南京大学", "12100000466007000X", "320100", directory["yrd"]),
    }
    for line in SHOWCASE.strip().splitlines():
        key, no, name, name_en, category, region, value, model, maker, status = line.split("|")
        tem(
            holders[key],
            no,
            name=name,
            name_en=name_en,
            category_id=category,
            region_id=region,
            original_value=value,
            model=model,
            manufacturer=maker,
            status=status,
        )
    return holders
