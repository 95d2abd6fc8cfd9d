"""The real institutions the demo places instruments in, read from the copies under ``data/``.

Two public lists (see data/PROVENANCE.md): the Ministry of Education's list of regular universities (only
the 本科 rows are copied: they hold the large instruments) and the legal entities graded in the national
open-sharing evaluation 2018–2024. An evaluated university is taken from the universities list, which
has its city; an evaluated institute is placed in its province's capital, since the evaluation gives only
the province.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

# The capital city of each province (GB/T 2260), where an evaluated institute whose city is unknown goes.
CAPITALS = {
    "北京": "110100", "天津": "120100", "河北": "130100", "山西": "140100", "内蒙古": "150100",
    "辽宁": "210100", "吉林": "220100", "黑龙江": "230100", "上海": "310100", "江苏": "320100",
    "浙江": "330100", "安徽": "340100", "福建": "350100", "江西": "360100", "山东": "370100",
    "河南": "410100", "湖北": "420100", "湖南": "430100", "广东": "440100", "广西": "450100",
    "海南": "460100", "重庆": "500100", "四川": "510100", "贵州": "520100", "云南": "530100",
    "西藏": "540100", "陕西": "610100", "甘肃": "620100", "青海": "630100", "宁夏": "640100",
    "新疆": "650100",
}  # fmt: skip

# Universities whose main campus is in Songjiang district (松江大学城), so that the G60 corridor, which
# takes in Songjiang but not the rest of Shanghai, has university members. Dayi's own placement: the
# universities list only says 上海市.
SONGJIANG = {"东华大学", "上海工程技术大学", "上海对外经贸大学", "上海立信会计金融学院", "上海视觉艺术学院"}
SONGJIANG_CODE = "310117"

GRADE_WEIGHT = {"优秀": 3.0, "良好": 2.0, "合格": 1.5, "较差": 1.0}


@dataclass(frozen=True)
class Holder:
    """A real institution that will hold demo instruments."""

    name: str
    name_en: str
    kind: str  # university / institute / government / other
    region: str  # a city-level (or, for Songjiang, county-level) GB/T 2260 code
    department: str  # the supervising department, e.g. 教育部, 中国科学院
    website: str
    moe_code: str
    evaluated: str  # the latest evaluation grade, or "" if not evaluated
    weight: float  # how many instruments it holds, relative to the others


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def reviewed_names_en() -> dict[str, str]:
    """Reviewed English names by Chinese name (data/name_en_reviewed.csv: each with MOE code and basis)."""
    return {r["name_zh"]: r["name_en"] for r in _read("name_en_reviewed.csv")}


def plausible_name_en(name: str) -> bool:
    """Whether an unreviewed machine-translated name looks like a name (the list's worst were sentences,
    lower-case fragments or the word None); a name that fails is left out and the Chinese name shown."""
    return (
        name.isascii()
        and name[:1].isupper()
        and name != "None"
        and not any(mark in name for mark in (":", ";", "Seal", "Affixed", "  "))
    )


def university_name_en(row: dict[str, str]) -> str:
    """The English name of a row of the universities list: the reviewed one, else the list's if plausible."""
    reviewed = reviewed_names_en().get(row["name_zh"])
    if reviewed:
        return reviewed
    name = row["name_en"].strip()
    return name if name != row["name_zh"] and plausible_name_en(name) else ""


def _latest_grade(row: dict[str, str]) -> str:
    for year in range(2024, 2017, -1):
        if row.get(f"grade_{year}"):
            return row[f"grade_{year}"]
    return ""


def evaluated_entities() -> dict[str, dict[str, str]]:
    """The latest name of each evaluated entity still evaluated since 2023, by name (merged entities go)."""
    latest: dict[str, dict[str, str]] = {}
    for row in _read("institutions.csv"):
        group = row["name_group"] or row["institution"]
        if group not in latest or int(row["last_year"]) > int(latest[group]["last_year"]):
            latest[group] = row
    return {r["institution"]: r for r in latest.values() if int(r["last_year"]) >= 2023}


def _kind(name: str) -> str:
    if "医院" in name:
        return "other"
    if name.endswith("分局"):
        return "government"
    if "大学" in name or (name.endswith("学院") and not name.endswith("科学院")):
        return "university"
    return "institute"


def _university_weight(row: dict[str, str]) -> float:
    if row["authority"] == "教育部":
        return 30.0
    if "民办" in row["note"] or "合作办学" in row["note"] or row["authority"].endswith("教委"):
        return 0.5
    if "学院" in row["name_zh"] and "大学" in row["name_zh"]:  # 独立学院 of a university
        return 0.5
    if row["authority"].endswith(("省", "市", "自治区")):
        return 4.0
    return 8.0  # other central ministries' universities


def _university_region(row: dict[str, str]) -> str:
    if row["name_zh"] in SONGJIANG:
        return SONGJIANG_CODE
    if row["city_code"]:
        return row["city_code"]
    return CAPITALS.get(row["province"].rstrip("省市").replace("壮族自治区", ""), "") or row["province_code"]


def _institute_region(row: dict[str, str]) -> str:
    province = row["province_suggested"] or row["province"]
    return CAPITALS[province]


@cache
def holders() -> tuple[Holder, ...]:
    """Every holder, in a fixed order (the universities list's order, then the institutes by name)."""
    evaluated = evaluated_entities()
    result: list[Holder] = []
    for row in _read("cn_universities.csv"):
        graded = evaluated.pop(row["name_zh"], None)
        grade = _latest_grade(graded) if graded else ""
        weight = _university_weight(row) * (GRADE_WEIGHT[grade] * 2 if grade else 1)
        result.append(
            Holder(
                name=row["name_zh"],
                name_en=university_name_en(row),
                kind="university",
                region=_university_region(row),
                department=(graded or {}).get("department_filled") or row["authority"],
                website=row["website"],
                moe_code=row["moe_code"],
                evaluated=grade,
                weight=weight,
            )
        )
    for name in sorted(evaluated):
        row = evaluated[name]
        grade = _latest_grade(row)
        big = 12.0 if row["department_filled"] == "中国科学院" else 6.0
        result.append(
            Holder(
                name=name,
                name_en=reviewed_names_en().get(name, ""),
                kind=_kind(name),
                region=_institute_region(row),
                department=row["department_filled"],
                website="",
                moe_code="",
                evaluated=grade,
                weight=big * GRADE_WEIGHT.get(grade, 1.0),
            )
        )
    return tuple(result)
