"""The demo data, generated deterministically from a seed: the same seed gives the same data, byte for byte.

Everything random comes from one ``random.Random(seed)`` drawn in a fixed order; nothing iterates a set
or a hash, so the data do not depend on PYTHONHASHSEED either. The generator touches no database: the
loader hands it the regions and categories and writes what it returns.

Real: the platforms' names and regions, the institutions (see ``reference``), the makers and models.
Generated: the institutions' unified social credit codes (valid check characters, NOT their real codes),
the companies, the instruments and their values, the experts, the people's names and contacts.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, TypeVar

from dayi.demo.catalogue import CATALOGUE, Kind
from dayi.demo.reference import holders
from dayi.network import credit_code
from dayi.search.segment import instrument_words

T = TypeVar("T")

# --- the platform network ----------------------------------------------------------------------------

YRD_PROVINCES = ("310000", "320000", "330000", "340000")
# The G60 science and technology innovation corridor: Songjiang district of Shanghai, Jiaxing, Hangzhou,
# Jinhua, Suzhou, Huzhou, Xuancheng, Wuhu, Hefei.
G60_CITIES = ("310117", "330400", "330100", "330700", "320500", "330500", "341800", "340200", "340100")


@dataclass(frozen=True)
class PlatformSpec:
    code: str
    name: str
    name_en: str
    level: str
    parent: str | None
    regions: tuple[str, ...]  # () for the national platform: filled with every province
    description: str


PLATFORMS: tuple[PlatformSpec, ...] = (
    PlatformSpec(
        "cn", "国家重大科研基础设施和大型科研仪器网络管理平台",
        "National network management platform for research infrastructure and large instruments",
        "national", None, (),
        "国家级平台：汇集各单位大型科研仪器（原值 50 万元及以上）信息，开展开放共享评价考核。",
    ),
    PlatformSpec(
        "yrd", "长三角科技资源共享服务平台", "Yangtze River Delta S&T resource sharing platform",
        "regional", "cn", YRD_PROVINCES,
        "沪苏浙皖三省一市联合建设，推动大型科学仪器跨区域开放共享与创新券通用通兑。",
    ),
    PlatformSpec(
        "g60", "G60 科创走廊大型科学仪器共享平台", "G60 S&T innovation corridor instrument sharing platform",
        "regional", "yrd", G60_CITIES,
        "覆盖松江、嘉兴、杭州、金华、苏州、湖州、宣城、芜湖、合肥九城市，科技创新券九城互认。",
    ),
    PlatformSpec(
        "bj", "首都科技条件平台", "Capital S&T resources platform (Beijing)",
        "municipal", "cn", ("110000",),
        "北京市科委建设，整合在京高校院所实验室、工程中心的仪器设备与专家，面向企业开放服务。",
    ),
    PlatformSpec(
        "sc", "四川省军民融合大型科研仪器共享平台",
        "Sichuan military-civilian integration instrument sharing platform",
        "provincial", "cn", ("510000",),
        "整合四川省高校、院所及军工单位大型科研仪器资源，开展军民两用检测服务。",
    ),
    PlatformSpec(
        "gs", "甘肃省大型科学仪器共享服务平台", "Gansu large scientific instrument sharing platform",
        "provincial", "cn", ("620000",),
        "汇集甘肃省高校、科研院所大型科学仪器，提供测试服务与创新券支持。",
    ),
    PlatformSpec(
        "gz", "贵州省大型科学仪器设备共享服务平台", "Guizhou large instrument sharing platform",
        "provincial", "cn", ("520000",),
        "面向贵州省企业与科研人员开放大型科学仪器设备，提供预约与检测服务。",
    ),
)  # fmt: skip

PROVINCE_PLATFORMS = {"110000": "bj", "510000": "sc", "620000": "gs", "520000": "gz"} | {
    code: "yrd" for code in YRD_PROVINCES
}

# --- demo users --------------------------------------------------------------------------------------

DEMO_PASSWORD = "dayi-demo-2026"  # noqa: S105 - public on purpose: printed and in the README
COMPANY_USER_COMPANY = 0  # the demo company customer works at the first generated company


@dataclass(frozen=True)
class UserSpec:
    username: str
    display_name: str
    institution: str | None  # a holder's name, or "company:<index>"
    role: str | None
    platform: str | None = None
    role_institution: str | None = None  # a holder's name
    note: str = ""


USERS: tuple[UserSpec, ...] = (
    UserSpec("cn-admin", "国家平台管理员", None, "platform_admin", platform="cn", note="国家平台及全部下级"),
    UserSpec("yrd-admin", "长三角平台管理员", None, "platform_admin", platform="yrd", note="长三角与 G60"),
    UserSpec("bj-admin", "首都平台管理员", None, "platform_admin", platform="bj", note="首都科技条件平台"),
    UserSpec("zju-admin", "浙大单位管理员", "浙江大学", "institution_admin", role_institution="浙江大学"),
    UserSpec("zju-manager", "浙大仪器管理员", "浙江大学", "instrument_manager", role_institution="浙江大学"),
    UserSpec("pku-admin", "北大单位管理员", "北京大学", "institution_admin", role_institution="北京大学"),
    UserSpec("pku-manager", "北大仪器管理员", "北京大学", "instrument_manager", role_institution="北京大学"),
    UserSpec("zju-finance", "浙大财务人员", "浙江大学", "finance_officer", role_institution="浙江大学"),
    UserSpec("pku-finance", "北大财务人员", "北京大学", "finance_officer", role_institution="北京大学"),
    UserSpec(
        "sme-user", "企业用户", f"company:{COMPANY_USER_COMPANY}", None, note="中小企业客户（无管理角色）"
    ),
)

# --- the generated output ------------------------------------------------------------------------------


@dataclass
class InstitutionRow:
    name: str
    name_en: str
    credit_code: str
    kind: str
    region: str
    is_sme: bool
    department: str = ""
    website: str = ""
    moe_code: str = ""
    founded: dt.date | None = None


@dataclass
class ExpertRow:
    name: str
    institution: int  # index into DemoData.institutions
    title: str
    fields_of_expertise: list[str]
    contact: str


@dataclass
class DemoData:
    seed: int
    platforms: tuple[PlatformSpec, ...]
    institutions: list[InstitutionRow]
    holders: int  # the first ``holders`` institutions are the real ones; the rest are companies
    memberships: list[tuple[str, int]]  # (platform code, institution index)
    instruments: list[dict[str, Any]]  # model attnames; "institution" is an index into institutions
    experts: list[ExpertRow]
    users: tuple[UserSpec, ...] = USERS
    counts: dict[str, int] = field(default_factory=dict)


# --- unified social credit codes ------------------------------------------------------------------------

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def organisation_code(rng: random.Random) -> str:
    """A 9-character organisation code (GB 11714): 8 digits and their check character."""
    digits = [rng.randrange(10) for _ in range(8)]
    check = 11 - sum(d * w for d, w in zip(digits, _ORG_WEIGHTS, strict=True)) % 11
    return "".join(map(str, digits)) + {10: "X", 11: "0"}.get(check, str(check))


def new_credit_code(rng: random.Random, authority: str, region: str, taken: set[str]) -> str:
    """A valid, unused credit code: authority and kind ("12" public institution, "91" company), the region,
    an organisation code, the check character."""
    while True:
        code = credit_code.make(f"{authority}{region}{organisation_code(rng)}")
        if code not in taken:
            taken.add(code)
            return code


# --- institutions --------------------------------------------------------------------------------------

COMPANY_BRANDS = (
    "中科", "华芯", "博远", "锐思", "晶准", "微纳", "启明", "恒析", "睿测", "瀚海", "科睿", "智谱", "长风",
    "新禾", "天衡", "云岭", "星途", "拓维", "蓝晶", "众诚", "合创", "联析", "精研", "泰和", "明德", "凯瑞",
)  # fmt: skip
COMPANY_TRADES = (
    "新材料科技", "生物医药科技", "检测技术", "半导体科技", "环境科技", "精密仪器", "智能装备",
    "新能源科技", "光电科技", "医疗器械", "化工科技", "食品科技", "集成电路设计", "药物研发",
)  # fmt: skip
# Where the generated companies are: mostly the platforms' cities, weighted towards the G60 corridor.
COMPANY_CITIES = (
    ("310117", 10), ("330400", 8), ("330100", 8), ("330700", 4), ("320500", 8), ("330500", 4),
    ("341800", 3), ("340200", 4), ("340100", 6), ("310115", 5), ("310112", 4), ("320100", 4),
    ("110108", 8), ("110105", 4), ("510100", 6), ("620100", 4), ("520100", 4), ("440300", 4),
)  # fmt: skip


def _holder_rows(rng: random.Random, taken: set[str]) -> list[InstitutionRow]:
    rows = []
    for h in holders():
        authority = "12"  # registered by the establishment office (1), public institution (2)
        rows.append(
            InstitutionRow(
                name=h.name,
                name_en=h.name_en,
                credit_code=new_credit_code(rng, authority, h.region, taken),
                kind=h.kind,
                region=h.region,
                is_sme=False,
                department=h.department,
                website=h.website,
                moe_code=h.moe_code,
            )
        )
    return rows


def _company_rows(
    rng: random.Random, taken: set[str], count: int, city_names: Mapping[str, str]
) -> list[InstitutionRow]:
    cities = [c for c, _ in COMPANY_CITIES]
    cum = _cumulative([w for _, w in COMPANY_CITIES])
    names: set[str] = set()
    rows: list[InstitutionRow] = []
    while len(rows) < count:
        city = rng.choices(cities, cum_weights=cum)[0]
        name = f"{city_names[city]}{rng.choice(COMPANY_BRANDS)}{rng.choice(COMPANY_TRADES)}有限公司"
        if name in names:
            continue
        names.add(name)
        rows.append(
            InstitutionRow(
                name=name,
                name_en="",
                credit_code=new_credit_code(rng, "91", city, taken),  # market regulator (9), company (1)
                kind="enterprise",
                region=city,
                is_sme=rng.random() < 0.9 or not rows,  # the demo customer's company is an SME
                founded=dt.date(2008, 1, 1) + dt.timedelta(days=rng.randrange(17 * 365)),
            )
        )
    return rows


def _memberships(institutions: list[InstitutionRow]) -> list[tuple[str, int]]:
    """Every institution joins the national platform, its province's platform and, in the nine cities, G60."""
    pairs: list[tuple[str, int]] = []
    for i, inst in enumerate(institutions):
        pairs.append(("cn", i))
        province = inst.region[:2] + "0000"
        if province in PROVINCE_PLATFORMS:
            pairs.append((PROVINCE_PLATFORMS[province], i))
        if inst.region in G60_CITIES or inst.region[:4] + "00" in G60_CITIES:
            pairs.append(("g60", i))
    return pairs


def _cumulative(weights: list[float] | tuple[float, ...]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


class Table:
    """A weighted choice drawn with one ``rng.random()``."""

    def __init__(self, rows: tuple[tuple[str, int], ...]) -> None:
        self.values = [v for v, _ in rows]
        self.cum = _cumulative([w for _, w in rows])

    def pick(self, rng: random.Random) -> str:
        return self.values[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


# --- instruments ---------------------------------------------------------------------------------------

STATUSES = Table((
    ("normal", 80), ("standby", 7), ("remote", 2), ("occasional_faults", 5), ("frequent_faults", 2),
    ("awaiting_repair", 3), ("awaiting_scrapping", 1),
))  # fmt: skip
SHARE_MODES = Table((("external", 72), ("internal", 20), ("none", 8)))
SOURCES = Table((("purchased", 93), ("donated", 2), ("other", 2), ("self_built", 3)))
MODE_LABELS = {"self": "自主上机（占用共享）", "assisted": "技术人员指导上机（技术共享）",
               "sample": "送样检测（委托共享）", "remote": "远程共享"}  # fmt: skip
UNITS_UNIVERSITY = (
    "分析测试中心", "公共仪器平台", "大型仪器共享中心", "材料学院实验中心",
    "化学化工学院测试平台", "生命科学学院公共平台", "医学院公共平台", "物理学院实验中心",
)  # fmt: skip
UNITS_INSTITUTE = ("公共技术服务中心", "分析测试中心", "大型仪器区域中心", "重点实验室仪器平台")
BUILDINGS = ("分析测试中心大楼", "理科楼", "材料楼", "化学楼", "生命科学大楼", "实验楼 A 座", "实验楼 B 座",
             "工程训练中心", "综合实验楼", "科研楼")  # fmt: skip
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏辉建国志宏海波宁晨博文晓雪琳颖浩宇"
TITLES = Table(
    (("教授", 30), ("研究员", 25), ("高级工程师", 20), ("副教授", 10), ("副研究员", 10), ("正高级工程师", 5))
)
WORKDAYS = (1, 2, 3, 4, 5)
# Closures every instrument shares: the coming public holidays (approximate; each holder sets its own).
HOLIDAYS = (
    {"start": "2027-01-01T00:00:00+08:00", "end": "2027-01-04T00:00:00+08:00", "reason": "元旦假期"},
    {"start": "2027-02-05T00:00:00+08:00", "end": "2027-02-14T00:00:00+08:00", "reason": "春节假期"},
)


def opening_hours(kind: str, saturday: bool) -> list[dict[str, Any]]:
    if kind == "all_week_all_day":
        return [{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(1, 8)]
    if kind == "nights":
        return [{"weekday": d, "start": "19:00", "end": "24:00"} for d in range(1, 8)]
    hours = [{"weekday": d, "start": "08:30", "end": "17:30"} for d in WORKDAYS]
    if saturday:
        hours.append({"weekday": 6, "start": "09:00", "end": "12:00"})
    return hours


def booking_policy(kind: Kind, *, saturday: bool, advance: int, no_show: int) -> dict[str, Any]:
    """A plausible policy: weekdays 08:30–17:30 Asia/Shanghai, 30-minute slots, then the kind's own rules."""
    policy: dict[str, Any] = {
        "opening_hours": opening_hours("weekdays", saturday),
        "closures": list(HOLIDAYS),
        "slot_minutes": 30,
        "min_minutes": 30,
        "max_minutes": 240,  # "4 h continuous" caps are common
        "min_notice_minutes": 1440,
        "max_advance_days": advance,
        "warmup_minutes": 0,
        "turnaround_minutes": 0,
        "approval": "external",
        "self_requires_qualification": True,
        "cancel_deadline_minutes": 1440,
        "no_show_minutes": no_show,
    }
    for key, value in kind.policy.items():
        policy[key] = opening_hours(value, saturday) if key == "opening_hours" else value
    return policy


def _fees_note(kind: Kind, rate: int) -> str:
    unit = kind.fee_unit
    academic, company = round_fee(rate * 1.5), round_fee(rate * 2)
    return (
        f"校内 {rate} 元/{unit}；校外高校及科研院所 {academic} 元/{unit}；企业 {company} 元/{unit}。"
        "参考价，以服务合同为准；可使用科技创新券。"
    )


def round_fee(value: float) -> int:
    return round(value / 10) * 10 if value >= 50 else max(1, round(value))


def _value(rng: random.Random, kind: Kind) -> Decimal:
    """Log-uniform in the kind's range; imports converted at the booking-date rate keep their fen."""
    lo, hi = kind.value
    yuan = math.exp(rng.uniform(math.log(lo), math.log(hi))) * 10_000
    if rng.random() < 0.3:
        return Decimal(round(yuan * 100)) / 100
    return Decimal(int(yuan / 100) * 100)


def _room(rng: random.Random) -> str:
    return f"{1 + _below(rng, 5)}{1 + _below(rng, 29):02d}"


def _service_year(rng: random.Random) -> int:
    # More recent years are likelier: instrument purchases grew through the 2010s.
    return 2025 - min(19, int(rng.expovariate(1 / 6)))


INDEXED = ("name", "name_en", "model", "manufacturer", "specs", "functions")


def _below(rng: random.Random, n: int) -> int:
    """``rng.randrange(n)``, several times faster (one C call); the generator draws millions of these."""
    return int(rng.random() * n)


def _one(rng: random.Random, items: Sequence[T]) -> T:
    return items[int(rng.random() * len(items))]


class Words:
    """``instrument_words`` memoised on the indexed text: 100,000 instruments share a few hundred texts."""

    def __init__(self, category_names: Mapping[str, str]) -> None:
        self.category_names = category_names
        self.memo: dict[tuple[str, ...], str] = {}

    def __call__(self, row: dict[str, Any]) -> str:
        key = (*(row[k] for k in INDEXED), row["category_id"])
        words = self.memo.get(key)
        if words is None:
            code = row["category_id"]
            category = SimpleNamespace(code=code, name=self.category_names.get(code, ""))
            record = SimpleNamespace(**{k: row[k] for k in INDEXED}, category_id=code, category=category)
            words = instrument_words(record)
            self.memo[key] = words
        return words


@dataclass
class _InstrumentContext:
    rng: random.Random
    institutions: list[InstitutionRow]
    place: Mapping[str, str]  # region code → "浙江省杭州市"
    words: Words
    serial: dict[tuple[int, int], int] = field(default_factory=dict)
    # Texts many instruments share, built once: (kind, maker, model) → the indexed words; policy JSON …
    memo: dict[tuple[Any, ...], str] = field(default_factory=dict)


def _memo(ctx: _InstrumentContext, key: tuple[Any, ...], make: Callable[[], str]) -> str:
    value = ctx.memo.get(key)
    if value is None:
        value = ctx.memo[key] = make()
    return value


def _modes(rng: random.Random, kind: Kind, share_mode: str) -> list[str]:
    if share_mode == "none":
        return []
    modes = [m for m in kind.modes if len(kind.modes) == 1 or rng.random() < 0.85]
    return modes or [kind.modes[-1]]


def _services(modes: list[str]) -> str:
    return "".join(f"{MODE_LABELS[m]}；" for m in modes) + "方法开发与数据分析咨询"


def _opening_rules(no_show: int) -> str:
    return (
        "工作日 08:30–17:30 开放；校内优先，校外用户在空闲机时预约；自主上机须经培训考核；"
        f"预约开始前 24 小时可免费取消，迟到超过 {no_show} 分钟视为爽约。"
    )


def _instrument(ctx: _InstrumentContext, index: int, kind_index: int, holder: int) -> dict[str, Any]:
    rng, kind = ctx.rng, CATALOGUE[kind_index]
    maker_index = _below(rng, len(kind.makers))
    maker = kind.makers[maker_index]
    model_index = _below(rng, len(maker.models))
    year = _service_year(rng)
    serial = ctx.serial[(holder, year)] = ctx.serial.get((holder, year), 0) + 1
    share_mode = SHARE_MODES.pick(rng)
    inst = ctx.institutions[holder]
    saturday, advance, no_show = rng.random() < 0.15, _one(rng, (7, 14, 14, 28)), _one(rng, (15, 30))
    policy = _memo(
        ctx,
        ("policy", kind_index, saturday, advance, no_show),
        lambda: json.dumps(booking_policy(kind, saturday=saturday, advance=advance, no_show=no_show)),
    )
    modes = _modes(rng, kind, share_mode)
    unit = _one(rng, UNITS_UNIVERSITY if inst.kind == "university" else UNITS_INSTITUTE)
    rate = round_fee(rng.uniform(*kind.fee))
    row: dict[str, Any] = {
        "institution": holder,
        "inventory_no": f"{year}-{serial:04d}",
        "name": kind.name,
        "name_en": kind.name_en,
        "category_id": kind.category,
        "original_value": _value(rng, kind),
        "status": STATUSES.pick(rng) if year > 2012 or rng.random() < 0.7 else "awaiting_scrapping",
        "share_mode": share_mode,
        "modes": modes,
        "model": maker.models[model_index],
        "manufacturer": maker.name,
        "country": maker.country,
        "source": "self_built" if maker.name == "自研" else SOURCES.pick(rng),
        "purpose": "general" if rng.random() < 0.8 else "special",
        "in_service_date": dt.date(year, 1 + _below(rng, 12), 1 + _below(rng, 28)),
        "specs": kind.specs[model_index % len(kind.specs)],
        "functions": kind.functions,
        "disciplines": [d for d in kind.disciplines if rng.random() < 0.7][:4] or [kind.disciplines[0]],
        "services": _memo(ctx, ("services", *modes), lambda: _services(modes)),
        "results": f"近三年服务课题组 {5 + _below(rng, 115)} 个，支撑发表论文 {3 + _below(rng, 77)} 篇。",
        "opening_rules": _memo(ctx, ("rules", no_show), lambda: _opening_rules(no_show)),
        "location": f"{ctx.place[inst.region]} {_one(rng, BUILDINGS)} {_room(rng)} 室",
        "region_id": inst.region,
        "contact": f"{_one(rng, SURNAMES)}老师（{unit}） yiqi{index + 1:06d}@demo.invalid",
        "fees_note": _memo(ctx, ("fees", kind_index, rate), lambda: _fees_note(kind, rate)),
        "unit": unit,
        "timezone": "Asia/Shanghai",
        "booking_policy": policy,
        "rate": rate,  # not a column: the internal rate of the price list (dayi.demo.prices)
    }
    row["search_words"] = _memo(ctx, ("words", kind_index, maker_index, model_index), lambda: ctx.words(row))
    return row


def _instruments(
    rng: random.Random,
    count: int,
    institutions: list[InstitutionRow],
    holder_weights: list[float],
    place: Mapping[str, str],
    category_names: Mapping[str, str],
) -> list[dict[str, Any]]:
    kinds = rng.choices(
        range(len(CATALOGUE)), cum_weights=_cumulative([k.weight for k in CATALOGUE]), k=count
    )
    owners = rng.choices(range(len(holder_weights)), cum_weights=_cumulative(holder_weights), k=count)
    ctx = _InstrumentContext(rng=rng, institutions=institutions, place=place, words=Words(category_names))
    return [_instrument(ctx, i, kinds[i], owners[i]) for i in range(count)]


# --- experts -------------------------------------------------------------------------------------------


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _experts(rng: random.Random, count: int, holder_weights: list[float]) -> list[ExpertRow]:
    owners = rng.choices(range(len(holder_weights)), cum_weights=_cumulative(holder_weights), k=count)
    rows = []
    for i, owner in enumerate(owners):
        kind = rng.choice(CATALOGUE)
        rows.append(
            ExpertRow(
                name=person_name(rng),
                institution=owner,
                title=TITLES.pick(rng),
                fields_of_expertise=[kind.name, *rng.sample(kind.disciplines, min(2, len(kind.disciplines)))],
                contact=f"expert{i + 1:05d}@demo.invalid",
            )
        )
    return rows


# --- the whole data set --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionInfo:
    name: str
    short_name: str


def place_name(code: str, regions: Mapping[str, RegionInfo]) -> str:
    """ "浙江省杭州市", "上海市松江区": the province, the city unless it repeats the province, the county."""
    province, city = code[:2] + "0000", code[:4] + "00"
    parts = [regions[province].name]
    if city != province and city in regions and regions[city].name != parts[0]:
        parts.append(regions[city].name)
    if code not in (province, city):
        parts.append(regions[code].name)
    return "".join(parts)


def city_short_name(code: str, regions: Mapping[str, RegionInfo]) -> str:
    """The short name a company takes from its city: "杭州", "上海" (for any district of Shanghai)."""
    info = regions.get(code[:4] + "00") or regions[code[:2] + "0000"]
    return info.short_name or info.name


def generate(
    seed: int,
    instruments: int,
    *,
    regions: Mapping[str, RegionInfo],
    category_names: Mapping[str, str],
    companies: int = 150,
) -> DemoData:
    """The demo data for ``seed``: ``regions`` are the GB/T 2260 divisions by code, ``category_names`` the
    classification's names by code (both as loaded in the database)."""
    rng = random.Random(seed)
    taken: set[str] = set()
    institutions = _holder_rows(rng, taken)
    n_holders = len(institutions)
    city_names = {code: city_short_name(code, regions) for code, _ in COMPANY_CITIES}
    institutions += _company_rows(rng, taken, companies, city_names)
    place = {code: place_name(code, regions) for code in sorted({i.region for i in institutions})}
    weights = [h.weight for h in holders()]
    rows = _instruments(rng, instruments, institutions, weights, place, category_names)
    experts = _experts(rng, max(20, instruments // 40), weights)
    return DemoData(
        seed=seed,
        platforms=PLATFORMS,
        institutions=institutions,
        holders=n_holders,
        memberships=_memberships(institutions),
        instruments=rows,
        experts=experts,
        counts={
            "platforms": len(PLATFORMS),
            "institutions": n_holders,
            "companies": len(institutions) - n_holders,
            "instruments": len(rows),
            "experts": len(experts),
            "users": len(USERS),
        },
    )
