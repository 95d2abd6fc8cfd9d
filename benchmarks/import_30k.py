"""Time the import of a 30,000-row CSV through the import service (and once through the API).

    .venv/bin/python benchmarks/import_30k.py [--rows 30000] [--runs 3] [--seed 20261122] [--keep-db]

The file is generated with a fixed seed: realistic Chinese instrument names per class, makers and models,
values, dates, technical indicators with varying figures (so segmentation cannot memoise most rows),
disciplines, addresses and contacts, in the national layout with Chinese headers, UTF-8 with BOM. Each run
imports it into an institution with no instruments (created 30,000), so runs are comparable; a re-import of
the same file (all unchanged) and one with a tenth of the rows changed are timed too.

The database is the benchmark's own (``bench_dayi_transfer``, created and migrated like a test database),
never the development database. The figures go to docs/benchmarks.md, "Import of 30,000 instruments".
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dayi.settings")
os.environ["DAYI_TEST_DB_NAME"] = os.environ.get("DAYI_BENCH_DB_NAME", "bench_dayi_transfer")

import django

from dayi.db import embedded

embedded.start_for_entry_point()  # a script is an entry point: the settings start no server
django.setup()

from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

# (class code, names, (maker, models) pairs, value range in 10,000 yuan, functions)
KINDS: list[tuple[str, list[str], list[tuple[str, list[str]]], tuple[int, int], str]] = [
    (
        "0101",
        ["场发射扫描电子显微镜", "场发射透射电子显微镜", "聚焦离子束双束电镜", "扫描电子显微镜"],
        [
            ("赛默飞世尔科技", ["Talos F200X", "Apreo 2", "Helios 5 UX"]),
            ("日立", ["SU8010", "Regulus 8230"]),
            ("蔡司", ["Sigma 300", "GeminiSEM 560"]),
            ("日本电子", ["JEM-F200", "JSM-IT800"]),
        ],
        (150, 2500),
        "材料微观形貌观察，元素成分分析，晶体结构表征",
    ),
    (
        "0102",
        [
            "液相色谱-质谱联用仪",
            "气相色谱-质谱联用仪",
            "电感耦合等离子体质谱仪",
            "飞行时间质谱仪",
            "轨道阱高分辨质谱仪",
        ],
        [
            ("沃特世", ["Xevo TQ-XS", "Synapt XS"]),
            ("安捷伦", ["6495C", "8900 ICP-QQQ", "7010B"]),
            ("赛默飞世尔科技", ["Orbitrap Exploris 480", "Q Exactive HF"]),
            ("岛津", ["LCMS-8060NX", "GCMS-TQ8050"]),
        ],
        (80, 900),
        "小分子定性定量分析，代谢组学，蛋白质组学，痕量元素测定",
    ),
    (
        "0103",
        ["X射线衍射仪", "单晶X射线衍射仪", "X射线荧光光谱仪", "X射线光电子能谱仪"],
        [
            ("布鲁克", ["D8 Advance", "D8 Venture"]),
            ("理学", ["SmartLab", "XtaLAB Synergy"]),
            ("帕纳科", ["Empyrean", "Zetium"]),
            ("赛默飞世尔科技", ["ESCALAB Xi+", "Nexsa"]),
        ],
        (60, 600),
        "物相鉴定，晶体结构解析，薄膜分析，表面元素化学态分析",
    ),
    (
        "0104",
        [
            "傅里叶变换红外光谱仪",
            "激光共聚焦拉曼光谱仪",
            "紫外可见近红外分光光度计",
            "原子吸收光谱仪",
            "荧光光谱仪",
        ],
        [
            ("布鲁克", ["VERTEX 80v", "INVENIO R"]),
            ("堀场", ["LabRAM HR Evolution", "FluoroMax-4"]),
            ("珀金埃尔默", ["Lambda 1050+", "PinAAcle 900T"]),
            ("岛津", ["UV-3600i Plus", "AA-7000"]),
        ],
        (50, 400),
        "分子结构鉴定，官能团分析，光学性质测试",
    ),
    (
        "0105",
        ["高效液相色谱仪", "超高效液相色谱仪", "气相色谱仪", "离子色谱仪"],
        [
            ("安捷伦", ["1290 Infinity II", "8890"]),
            ("沃特世", ["ACQUITY UPLC H-Class", "Arc"]),
            ("赛默飞世尔科技", ["Vanquish Flex", "Dionex ICS-6000"]),
            ("岛津", ["Nexera X3", "GC-2030"]),
        ],
        (50, 200),
        "有机物分离与定量，药物分析，环境样品检测",
    ),
    (
        "0106",
        ["核磁共振波谱仪", "固体核磁共振波谱仪", "电子顺磁共振波谱仪"],
        [("布鲁克", ["AVANCE NEO 600", "AVANCE III HD 400", "EMXplus"]), ("日本电子", ["JNM-ECZ500R"])],
        (300, 3000),
        "有机化合物结构鉴定，反应机理研究，自由基检测",
    ),
    (
        "0109",
        ["同步热分析仪", "差示扫描量热仪", "热重分析仪"],
        [
            ("耐驰", ["STA 449 F5", "DSC 214"]),
            ("梅特勒-托利多", ["TGA/DSC 3+", "DSC 3"]),
            ("TA仪器", ["Discovery SDT 650"]),
        ],
        (50, 150),
        "材料热稳定性，相变温度，比热容测定",
    ),
    (
        "0201",
        ["电子万能试验机", "疲劳试验机", "纳米压痕仪"],
        [
            ("英斯特朗", ["5982", "8801"]),
            ("MTS", ["Landmark 370", "Criterion C45"]),
            ("布鲁克", ["Hysitron TI 980"]),
        ],
        (50, 500),
        "拉伸、压缩、弯曲力学性能测试，疲劳寿命测试",
    ),
    (
        "0205",
        ["激光粒度分析仪", "比表面积及孔隙度分析仪", "纳米粒度及Zeta电位分析仪"],
        [
            ("马尔文帕纳科", ["Mastersizer 3000", "Zetasizer Pro"]),
            ("麦克默瑞提克", ["ASAP 2460", "TriStar II"]),
            ("康塔", ["Autosorb-iQ"]),
        ],
        (50, 120),
        "颗粒粒径分布，比表面积与孔径分布测定",
    ),
]
COUNTRIES = {
    "赛默飞世尔科技": "美国",
    "安捷伦": "美国",
    "沃特世": "美国",
    "珀金埃尔默": "美国",
    "TA仪器": "美国",
    "英斯特朗": "美国",
    "MTS": "美国",
    "麦克默瑞提克": "美国",
    "康塔": "美国",
    "日立": "日本",
    "岛津": "日本",
    "日本电子": "日本",
    "理学": "日本",
    "堀场": "日本",
    "蔡司": "德国",
    "布鲁克": "德国",
    "耐驰": "德国",
    "帕纳科": "荷兰",
    "马尔文帕纳科": "英国",
    "梅特勒-托利多": "瑞士",
}
DISCIPLINES = [
    "材料科学",
    "化学",
    "物理学",
    "生物学",
    "环境科学技术",
    "药学",
    "地球科学",
    "机械工程",
    "食品科学技术",
]
STATUSES = ["正常"] * 12 + ["待机", "偶有故障", "待修"]
MODES = ["占用共享", "技术共享", "委托共享", "远程共享"]
BUILDINGS = ["化学楼", "材料楼", "物理楼", "生命科学楼", "分析测试中心", "环境楼", "医学院实验楼"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
HEADER = [
    "所属单位内部编号",
    "仪器名称（中文）",
    "分类编码",
    "原值（元）",
    "运行状态",
    "共享模式",
    "服务方式",
    "规格型号",
    "生产制造商",
    "产地国别",
    "仪器来源",
    "启用日期",
    "主要技术指标",
    "主要功能",
    "主要学科领域",
    "服务内容",
    "参考收费标准",
    "安放地址",
    "联系方式",
]


def generate(rows: int, seed: int) -> bytes:
    rnd = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for n in range(1, rows + 1):
        code, names, makers, (low, high), functions = rnd.choice(KINDS)
        maker, models = rnd.choice(makers)
        value = rnd.randint(low * 100, high * 100) * 100  # yuan, whole hundreds
        specs = (
            f"分辨率 {rnd.uniform(0.1, 5):.2f} nm；"
            f"测量范围 {rnd.randint(1, 2000)}–{rnd.randint(2001, 50000)}；"
            f"工作温度 {rnd.randint(-196, 25)}–{rnd.randint(100, 1600)} ℃；灵敏度 {rnd.randint(1, 999)} ppb"
        )
        writer.writerow(
            [
                f"{rnd.randint(2005, 2025)}{n:06d}",
                rnd.choice(names),
                code,
                f"{value}.00",
                rnd.choice(STATUSES),
                rnd.choice(["对外共享"] * 4 + ["内部共享"]),
                ";".join(rnd.sample(MODES, rnd.randint(1, 3))),
                rnd.choice(models),
                maker,
                COUNTRIES[maker],
                rnd.choice(["购置"] * 9 + ["捐赠", "研制"]),
                f"{rnd.randint(2005, 2025)}/{rnd.randint(1, 12)}/{rnd.randint(1, 28)}",
                specs,
                functions,
                ";".join(rnd.sample(DISCIPLINES, rnd.randint(1, 3))),
                "测试分析服务，技术培训，方法开发",
                f"校内 {rnd.randint(1, 20) * 50} 元/小时，校外 {rnd.randint(2, 40) * 50} 元/小时",
                f"紫金港校区{rnd.choice(BUILDINGS)}{rnd.randint(1, 6)}{rnd.randint(1, 30):02d}室",
                f"{rnd.choice(SURNAMES)}老师 0571-8{rnd.randint(1000000, 9999999)}",
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def changed(content: bytes, every: int) -> bytes:
    """The same file with every ``every``-th data row's value raised by 1 yuan."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    for row in rows[1::every]:
        row[3] = f"{float(row[3]) + 1:.2f}"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()

    config = setup_databases(verbosity=0, interactive=False, keepdb=True)
    try:
        run(args)
    finally:
        if not args.keep_db:
            teardown_databases(config, verbosity=0)


def run(args: Any) -> None:
    from django.test import Client

    from dayi.accounts.access import actor_for
    from dayi.accounts.models import User
    from dayi.core.models import AuditEvent
    from dayi.directory.importing import import_instruments
    from dayi.directory.models import Instrument
    from dayi.network.models import Institution

    content = generate(args.rows, args.seed)
    print(f"file: {args.rows:,} rows, {len(content) / 1e6:.1f} MB (seed {args.seed})")
    user = User.objects.filter(username="bench-root").first() or User.objects.create_superuser(
        username="bench-root", password="bench-password-1", email="bench@example.org"
    )
    institution, _ = Institution.objects.get_or_create(
        credit_code="12100000470095016Q",
        defaults={"name": "浙江大学", "kind": "university", "region_id": "330100"},
    )
    actor = actor_for(user)

    def clear() -> None:
        Instrument.objects.filter(institution=institution).delete()
        AuditEvent.objects.filter(institution_id=institution.pk).delete()

    def timed(label: str, data: bytes) -> tuple[float, Any]:
        start = time.perf_counter()
        result = import_instruments(actor, institution.pk, data, filename="bench.csv", now=timezone.now())
        seconds = time.perf_counter() - start
        print(
            f"  {label}: {seconds:.2f} s  created {result.created} updated {result.updated}"
            f" unchanged {result.unchanged}"
        )
        return seconds, result

    fresh = []
    for n in range(1, args.runs + 1):
        clear()
        seconds, result = timed(f"service, run {n}", content)
        assert result.created == args.rows
        fresh.append(seconds)
    again, _ = timed("service, re-import unchanged", content)
    tenth, _ = timed("service, re-import with 1/10 changed", changed(content, 10))

    clear()
    client = Client()
    client.force_login(user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    start = time.perf_counter()
    res = client.post(
        "/api/v1/instruments/import",
        {"file": SimpleUploadedFile("bench.csv", content), "institution": institution.pk},
    )
    api_seconds = time.perf_counter() - start
    assert res.status_code == 200, res.content[:500]
    print(f"  API (in-process, multipart upload): {api_seconds:.2f} s  {res.json()['created']} created")
    clear()

    print()
    print(
        f"median of {args.runs} fresh imports through the service: {statistics.median(fresh):.1f} s"
        f" (runs: {', '.join(f'{s:.1f}' for s in fresh)})"
    )
    print(
        f"re-import, all unchanged: {again:.1f} s; re-import, a tenth changed: {tenth:.1f} s;"
        f" through the API once: {api_seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
