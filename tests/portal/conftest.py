"""A small directory for the portal: electron microscopes, spectrometers and an NMR in three cities."""

from __future__ import annotations

from typing import Any

import pytest

from dayi.directory.models import Expert, Instrument
from dayi.network.models import Institution
from tests.conftest import make_institution, make_instrument


def tem(institution: Institution, no: str, **extra: Any) -> Instrument:
    return make_instrument(institution, no, **extra)


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
