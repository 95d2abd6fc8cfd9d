"""Utilisation statistics at 50,000 instruments and 5,000,000 usage records: the figures of issue 7.

    .venv/bin/python benchmarks/stats_dashboard.py               # generate once, refresh, serve, measure
    .venv/bin/python benchmarks/stats_dashboard.py --regenerate  # drop and generate the data again first
    .venv/bin/python benchmarks/stats_dashboard.py --skip-refresh

Uses its own database: ``DATABASE_URL`` (default ``postgresql://postgres@127.0.0.1:5432/dayi_bench_stats``,
created with ``createdb`` if missing), migrated first. ``benchmarks.stats_data.generate`` fills it in SQL
(``--instruments``, ``--usage-records``, ``--institutions``, ``--seed``). Then:

1. the time of ``dayi.stats.queries.refresh()`` rebuilding every aggregate (2024 and 2025);
2. ``dayi serve`` (gunicorn as Dayi ships it) on 127.0.0.1:8107, and ``--requests`` requests, one after
   another over one keep-alive connection, of each dashboard call: ``GET /api/v1/stats/utilisation`` for
   the nation and for provinces (each request a different province, and a different year or month), after
   a warm-up pass; median and p95 per kind are printed (and written as JSON with ``--json``);
3. the idle list of the nation (``GET /api/v1/stats/idle``, signed in as a superuser) the same way.
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
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/dayi_bench_stats"
HOST, PORT = "127.0.0.1", 8107
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dayi.settings")
sys.path.insert(0, str(ROOT))

DAYI = str(ROOT / ".venv" / "bin" / "dayi")


def database_name() -> str:
    return os.environ["DATABASE_URL"].rsplit("/", 1)[1]


def ensure_database(regenerate: bool) -> None:
    server = os.environ["DATABASE_URL"].rsplit("/", 1)[0].replace("postgresql://", "")
    user, _, hostport = server.rpartition("@")
    host, _, port = hostport.partition(":")
    base = ["-h", host, "-p", port or "5432", "-U", user or "postgres"]
    if regenerate:
        subprocess.run(["dropdb", *base, "--if-exists", database_name()], check=True)
    subprocess.run(["createdb", *base, database_name()], check=False, capture_output=True)
    subprocess.run([DAYI, "migrate", "-v0"], check=True, cwd=ROOT)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(paths: list[str], headers: dict[str, str]) -> list[float]:
    conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
    times: list[float] = []
    for path in paths:
        clock = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        times.append((time.perf_counter() - clock) * 1000)
        if response.status != 200:
            raise SystemExit(f"{path}: {response.status} {body[:300]!r}")
    conn.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--instruments", type=int, default=50_000)
    parser.add_argument("--usage-records", type=int, default=5_000_000)
    parser.add_argument("--institutions", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--skip-refresh", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    ensure_database(args.regenerate)
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from benchmarks.served import serve, stop
    from benchmarks.stats_data import generate
    from dayi.accounts.models import User
    from dayi.accounts.services import issue_token
    from dayi.directory.models import Instrument
    from dayi.stats import queries

    out: dict[str, Any] = {"database": database_name()}
    if not Instrument.objects.exists():
        with transaction.atomic():
            out["generate_seconds"] = generate(
                args.instruments, args.usage_records, args.institutions, args.seed
            )
        print("generated:", out["generate_seconds"], flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM directory_instrument")
        out["instruments"] = cursor.fetchone()[0]  # type: ignore[index]
        cursor.execute("SELECT count(*) FROM booking_usagerecord")
        out["usage_records"] = cursor.fetchone()[0]  # type: ignore[index]
    if not args.skip_refresh:
        clock = time.perf_counter()
        queries.refresh()
        out["refresh_seconds"] = round(time.perf_counter() - clock, 1)
        print(f"refresh: {out['refresh_seconds']} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM stats_instrumentperiod")
        out["instrument_period_rows"] = cursor.fetchone()[0]  # type: ignore[index]
        cursor.execute("SELECT count(*) FROM stats_scopefigures")
        out["scope_rows"] = cursor.fetchone()[0]  # type: ignore[index]
        cursor.execute("SELECT DISTINCT left(region_id, 2) || '0000' FROM directory_instrument ORDER BY 1")
        provinces = [row[0] for row in cursor.fetchall()]
    root = User.objects.filter(username="bench-root").first() or User.objects.create_superuser(
        "bench-root", "bench-root@example.org", None
    )
    token, _ = issue_token(root, now=timezone.now(), name="stats benchmark")
    connection.close()

    rng = random.Random(args.seed)
    periods = [{"year": y} for y in (2024, 2025)] + [{"year": 2025, "month": m} for m in range(1, 13)]

    def paths(extra: dict[str, Any] | None) -> list[str]:
        out_paths = []
        for _ in range(args.requests):
            params = dict(rng.choice(periods))
            if extra is not None:
                params.update(extra if extra else {"region": rng.choice(provinces)})
            out_paths.append("/api/v1/stats/utilisation?" + urlencode(params))
        return out_paths

    proc = serve(database_name(), PORT)
    try:
        kinds = {"nation": paths(None), "province": paths({})}
        idle = [
            f"/api/v1/stats/idle?page={1 + i % 5}&page_size=50" for i in range(max(20, args.requests // 5))
        ]
        auth = {"Authorization": f"Bearer {token}"}
        for kind, sample in kinds.items():
            measure(sample[: max(20, len(sample) // 5)], {})  # warm-up
            times = measure(sample, {})
            out[kind] = {
                "requests": len(times),
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(percentile(times, 0.95), 1),
            }
            print(kind, out[kind], flush=True)
        measure(idle[:5], auth)
        times = measure(idle, auth)
        out["idle_nation"] = {
            "requests": len(times),
            "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
        }
        print("idle_nation", out["idle_nation"], flush=True)
    finally:
        stop(proc)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
