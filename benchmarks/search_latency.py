"""Search latency through HTTP at 100,000 instruments: the figures of issue 3 ("Figures").

    .venv/bin/python benchmarks/search_latency.py              # load once (kept), serve, measure
    .venv/bin/python benchmarks/search_latency.py --reload     # load the demo data again first
    .venv/bin/python benchmarks/search_latency.py --explain    # also print the plans of sample queries
    .venv/bin/python benchmarks/search_latency.py --breakdown  # also time page / count / facets apart

Uses its own database (DAYI_EMBEDDED_DB_NAME=bench_search, or DATABASE_URL if set), migrated first, with
``dayi load_demo --instruments 100000 --seed 1``. Starts ``dayi serve`` (gunicorn as Dayi ships it) on
127.0.0.1:8105 and sends a fixed mix of queries (same seed, same mix) one after another over one keep-alive
connection, as a user's browser would:

- keyword: a word, a short form, a model or maker, Chinese or English, two typos;
- keyword + region: the same words within a province or a city;
- keyword + category + value range;
- facets only: no words, with none, one or two of region / category / value;
- two characters: 质谱, 电镜, CT, MS …

Each request asks for one page of 20 results (with facets and, with q, highlights), as the results page
does. The whole mix runs once to warm the caches (PostgreSQL's buffers, the workers' imports and jieba),
then ``--passes`` times measured; p50 and p95 per kind and overall are printed (and written as JSON with
``--json``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "bench_search"
HOST, PORT = "127.0.0.1", 8105
os.environ["DAYI_EMBEDDED_DB_NAME"] = DB_NAME
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dayi.settings")
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

from dayi.db import embedded  # noqa: E402

if not os.environ.get("DATABASE_URL"):
    embedded.ensure_running(DB_NAME)  # an entry point: the settings start no server
django.setup()

from django.db import connection  # noqa: E402

from benchmarks.served import serve, stop  # noqa: E402

DAYI = str(ROOT / ".venv" / "bin" / "dayi")

KEYWORDS = [
    "透射电镜", "TEM", "扫描电镜", "SEM", "核磁", "NMR", "液质", "LC-MS", "气质", "GC-MS", "ICP-MS",
    "XRD", "X射线衍射仪", "XPS", "BET", "比表面积及孔隙度分析仪", "AFM", "激光共聚焦", "Raman", "FTIR",
    "TGA", "DSC", "HPLC", "高效液相色谱仪", "GPC", "SAXS", "EPR", "流式细胞仪", "场发射扫描电子显微镜",
    "电感耦合等离子体质谱仪", "原子力显微镜", "荧光光谱仪", "紫外可见分光光度计", "热重分析仪", "气相色谱仪",
    "激光粒度仪", "电化学工作站", "万能试验机", "transmission electron microscope", "mass spectrometer",
    "X-ray diffractometer", "confocal microscope", "Talos F200X", "SU8010", "AVANCE NEO", "Orbitrap",
    "Xevo TQ-XS", "Bruker", "Thermo Fisher", "蛋白质结构", "薄膜厚度", "Talso F200X", "透射电子显微竟",
]  # fmt: skip
TWO_CHARACTERS = [
    "质谱", "电镜", "色谱", "光谱", "核磁", "液相", "拉曼", "热重", "流式", "红外", "能谱", "衍射", "显微",
    "测序", "粒度", "离心", "酶标", "探针", "雷达", "CT", "MS", "GC", "气相", "元素",
]  # fmt: skip
REGIONS = [
    "110000", "310000", "330000", "330100", "330400", "320000", "320100", "440000", "440100", "510100",
    "420100", "610100", "370100", "340100", "120000", "500000", "210100", "230100", "620100", "350200",
]  # fmt: skip
CATEGORIES = ["01", "0101", "0102", "0103", "0104", "0105", "0106", "0108", "0109", "02", "0201", "0205"]
VALUES = [(500_000, 2_000_000), (2_000_000, 10_000_000), (1_000_000, None), (None, 5_000_000)]


def mix(seed: int) -> list[tuple[str, dict[str, Any]]]:
    """The fixed query mix: (kind, parameters), 210 queries, the same for the same seed."""
    rnd = random.Random(seed)
    out: list[tuple[str, dict[str, Any]]] = []
    for q in rnd.sample(KEYWORDS, 50):
        out.append(("keyword", {"q": q}))
    for q in rnd.sample(KEYWORDS, 40):
        out.append(("keyword+region", {"q": q, "region": rnd.choice(REGIONS)}))
    for q in rnd.sample(KEYWORDS, 40):
        low, high = rnd.choice(VALUES)
        params = {"q": q, "category": rnd.choice(CATEGORIES), "min_value": low, "max_value": high}
        out.append(("keyword+category+value", {k: v for k, v in params.items() if v is not None}))
    for _ in range(40):
        params = {
            "region": rnd.choice([None, *REGIONS]),
            "category": rnd.choice([None, *CATEGORIES]),
            "min_value": rnd.choice([None, 1_000_000]),
            "sort": rnd.choice(["relevance", "value", "-value", "updated"]),
        }
        out.append(("facets only", {k: v for k, v in params.items() if v is not None}))
    for q in [*TWO_CHARACTERS, *rnd.sample(TWO_CHARACTERS, 16)]:
        out.append(("two characters", {"q": q}))
    rnd.shuffle(out)
    return out


def run(*args: str) -> None:
    subprocess.run([DAYI, *args], cwd=ROOT, check=True, env={**os.environ, "DAYI_EMBEDDED_DB_NAME": DB_NAME})


def instrument_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('directory_instrument') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute("SELECT count(*) FROM directory_instrument WHERE retired IS NULL")
        return int(cursor.fetchone()[0])


def prepare(instruments: int, seed: int, reload: bool) -> None:
    run("migrate", "-v0")
    if reload or instrument_count() < instruments:
        started = time.perf_counter()
        run("load_demo", "--instruments", str(instruments), "--seed", str(seed))
        print(f"loaded {instruments:,} instruments in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        # A freshly loaded table has no hint bits or visibility map yet: the first searches would write
        # every page they read. Vacuum once, as autovacuum would soon after a real import.
        cursor.execute("VACUUM (ANALYZE) directory_instrument")
        cursor.execute("ANALYZE")


def slowest(queries: list[tuple[str, dict[str, Any]]], results: list[tuple[str, float, int]], n: int) -> None:
    """The ``n`` searches with the highest median time over the passes: what bounds the p95."""
    per_query: dict[int, list[float]] = {}
    for i, (_, elapsed, _) in enumerate(results):
        per_query.setdefault(i % len(queries), []).append(elapsed)
    ranked = sorted(per_query.items(), key=lambda item: -statistics.median(item[1]))[:n]
    print(f"slowest {n} (median over the passes):")
    for i, times in ranked:
        kind, params = queries[i]
        hits = results[i][2]
        print(f"  {statistics.median(times):7.1f} ms  {hits:>7,} hits  {kind:<24} {params}")


def measure(queries: list[tuple[str, dict[str, Any]]], page_size: int) -> list[tuple[str, float, int]]:
    conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
    out = []
    for kind, params in queries:
        path = "/api/v1/instruments?" + urlencode({**params, "page_size": page_size})
        started = time.perf_counter()
        conn.request("GET", path)
        res = conn.getresponse()
        body = res.read()
        elapsed = (time.perf_counter() - started) * 1000
        if res.status != 200:
            raise SystemExit(f"{path} answered {res.status}: {body[:300]!r}")
        out.append((kind, elapsed, json.loads(body)["count"]))
    conn.close()
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(results: list[tuple[str, float, int]]) -> dict[str, dict[str, float]]:
    kinds = sorted({k for k, _, _ in results}, key=lambda k: [q[0] for q in results].index(k))
    table: dict[str, dict[str, float]] = {}
    for kind in [*kinds, "overall"]:
        times = [t for k, t, _ in results if kind in (k, "overall")]
        counts = [n for k, _, n in results if kind in (k, "overall")]
        table[kind] = {
            "n": len(times),
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 95), 1),
            "max_ms": round(max(times), 1),
            "median_hits": statistics.median(counts),
        }
    print(f"{'kind':<24}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'median hits':>13}")
    for kind, row in table.items():
        print(
            f"{kind:<24}{row['n']:>5}{row['p50_ms']:>9}{row['p95_ms']:>9}{row['max_ms']:>9}"
            f"{row['median_hits']:>13,.0f}"
        )
    return table


EXPLAINED = [
    {"q": "电镜"},
    {"q": "质谱", "region": "330000"},
    {"q": "TEM", "category": "01", "min_value": 1_000_000},
    {"region": "310000"},
]


def breakdown() -> None:
    """Where one search's time goes, in this process (best of 5): the page, the count, the facets."""
    from dayi.directory.queries import InstrumentFilters, facets, search

    def best(fn: Any) -> float:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            fn()
            times.append((time.perf_counter() - started) * 1000)
        return min(times)

    print(f"{'search':<36}{'hits':>8}{'page':>8}{'count':>8}{'facets':>8}  ms, best of 5")
    for params in [{"q": "质谱"}, {"q": "TEM"}, {"q": "Talos F200X"}, {"q": "电镜", "region": "330000"}, {}]:
        f = InstrumentFilters(**params)
        qs = search(f)
        hits = qs.count()
        page = best(lambda qs=qs: list(qs[:20]))
        count, facet = best(qs.count), best(lambda f=f: facets(f))
        print(f"{params!s:<36}{hits:>8,}{page:>8.1f}{count:>8.1f}{facet:>8.1f}")


def explain() -> None:
    """The plans of a few typical searches (the main page query), run in this process."""
    from dayi.directory.queries import InstrumentFilters, search

    for params in EXPLAINED:
        qs = search(InstrumentFilters(**params))[:20]
        print(f"\n--- {params}\n{qs.explain(analyze=True, buffers=True)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--instruments", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reload", action="store_true", help="load the demo data again")
    parser.add_argument(
        "--passes", type=int, default=3, help="measured passes over the mix (after a warm-up)"
    )
    parser.add_argument("--page-size", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (requests are sequential)")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--breakdown", action="store_true", help="time page, count and facets in-process")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    prepare(args.instruments, args.seed, args.reload)
    queries = mix(args.seed)
    print(f"{instrument_count():,} instruments; {len(queries)} queries per pass")
    if args.explain:
        explain()
    if args.breakdown:
        breakdown()
    proc = serve(DB_NAME, PORT, "--workers", str(args.workers), "--no-collectstatic")
    try:
        cold = measure(queries, args.page_size)
        print(f"warm-up pass: p50 {statistics.median(t for _, t, _ in cold):.1f} ms")
        results = [r for _ in range(args.passes) for r in measure(queries, args.page_size)]
    finally:
        stop(proc)
    table = report(results)
    slowest(queries, results, 12)
    if args.json:
        args.json.write_text(json.dumps(table, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
