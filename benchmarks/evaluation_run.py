"""Time a full evaluation run of a platform with 1,000 member institutions (issue 7: aim under 30 s).

    createdb -h 127.0.0.1 -U postgres dayi_bench_eval     # once (the script also tries)
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/dayi_bench_eval \\
        .venv/bin/python benchmarks/evaluation_run.py [--institutions 1000] [--instruments 20000]
        [--usage-records 2000000] [--runs 3] [--regenerate]

Its own database (``DATABASE_URL``, default ``dayi_bench_eval``), migrated first. The first time (or with
``--regenerate``) ``benchmarks.stats_data.generate`` fills it in SQL: a national platform ``bench`` with a
provincial platform per province, ``--institutions`` members (every one holding instruments) and
``--instruments`` instruments; ``insert_usage`` adds ``--usage-records`` usage records over 2025; and
``dayi.stats.queries.refresh()`` builds the aggregates the evaluation reads (timed, not part of the
evaluation). Manual inputs are written for every institution (set-based SQL). Then, with the default
configuration graded by quotas, ``dayi.evaluation.services.run_evaluation`` evaluates ``bench`` for 2025
``--runs`` times as a superuser, each a new frozen run; the median is the figure (docs/benchmarks.md, "The
yearly evaluation"). The parts are timed too: gathering the inputs, scoring them, and the whole service
(which adds storing the results and indicator scores and the audit row). Last, the run's results page,
its API document and its XLSX and PDF exports are timed (``--runs`` times each).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/dayi_bench_eval")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dayi.settings")
DAYI = str(ROOT / ".venv" / "bin" / "dayi")
YEAR = 2025


def ensure_database(regenerate: bool) -> None:
    url = os.environ["DATABASE_URL"]
    server, name = url.rsplit("/", 1)
    user, _, hostport = server.replace("postgresql://", "").rpartition("@")
    host, _, port = hostport.partition(":")
    base = ["-h", host, "-p", port or "5432", "-U", user or "postgres"]
    if regenerate:
        subprocess.run(["dropdb", *base, "--if-exists", name], check=True)
    subprocess.run(["createdb", *base, name], check=False, capture_output=True)
    subprocess.run([DAYI, "migrate", "-v0"], check=True, cwd=ROOT)


def insert_usage(count: int) -> None:
    """``count`` usage records over 2025, 1–8 h each, on random instruments by random users (2/3 of them
    of another institution than the holder's, by chance), in one INSERT … SELECT.

    Not ``stats_data``'s usage step: its random picks sit in a LATERAL subquery that refers to nothing of
    the outer row, so PostgreSQL evaluates it once and every record gets the same instrument, start and
    hours. Here the picks refer to ``g`` and are drawn per row.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO booking_usagerecord (start, "end", hours, source, confirmed, confirmed_at,
                                             superseded, auto_closed, reason, created, instrument_id, user_id)
            SELECT s, s + h * interval '1 hour', h, 'manager', true, s + h * interval '1 hour',
                   false, false, '', s + h * interval '1 hour', x, u
            FROM generate_series(1, %(count)s) g
            CROSS JOIN LATERAL (
                SELECT (SELECT min(id) FROM directory_instrument)
                           + floor(random() * (SELECT count(*) FROM directory_instrument) + 0 * g)::int AS x,
                       (SELECT min(id) FROM accounts_user WHERE institution_id IS NOT NULL)
                           + floor(random() * (SELECT count(*) FROM accounts_user
                                               WHERE institution_id IS NOT NULL) + 0 * g)::int AS u,
                       timestamptz '2025-01-01 00:00+08'
                           + floor(random() * 364 * 48 + 0 * g) * interval '30 minutes' AS s,
                       (1 + floor(random() * 8 + 0 * g))::numeric AS h
            ) pick
            """,
            {"count": count},
        )


def time_pages(user: object, evaluation_id: int, runs: int) -> dict[str, list[float]]:
    """The last run's results page, its API document and its exports, through Django's test client."""
    from django.test import Client

    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    paths = {
        "results page": f"/evaluations/{evaluation_id}/",
        "GET /api/v1/evaluations/{id}": f"/api/v1/evaluations/{evaluation_id}",
        "XLSX export": f"/evaluations/{evaluation_id}/export.xlsx",
        "PDF export": f"/evaluations/{evaluation_id}/export.pdf",
    }
    times: dict[str, list[float]] = {k: [] for k in paths}
    for _ in range(runs):
        for name, path in paths.items():
            clock = time.perf_counter()
            answer = client.get(path)
            body = b"".join(answer.streaming_content) if answer.streaming else answer.content  # type: ignore[attr-defined]
            times[name].append(time.perf_counter() - clock)
            assert answer.status_code == 200, (path, answer.status_code)
        print("  " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()) + f" (PDF {len(body)} bytes)")
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--institutions", type=int, default=1000)
    parser.add_argument("--instruments", type=int, default=20_000)
    parser.add_argument("--usage-records", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    ensure_database(args.regenerate)

    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from benchmarks.stats_data import generate
    from dayi.accounts.access import actor_for
    from dayi.accounts.models import User
    from dayi.evaluation import engine, queries, services
    from dayi.network.models import Institution, Platform
    from dayi.stats import queries as stats

    if not Platform.objects.filter(code="bench").exists():
        clock = time.perf_counter()
        steps = generate(args.instruments, 0, args.institutions, args.seed)
        insert_usage(args.usage_records)
        print(f"generated in {time.perf_counter() - clock:.1f} s: {steps}")
        clock = time.perf_counter()
        stats.refresh(now=dt.datetime(2025, 12, 31, 12, tzinfo=dt.UTC))
        print(f"stats refresh: {time.perf_counter() - clock:.1f} s")
    root, _ = User.objects.get_or_create(username="bench_root", defaults={"is_superuser": True})
    bench = Platform.objects.get(code="bench")
    with connection.cursor() as cursor:
        # Manual inputs for every member: 0–9 technical staff, rules published by most, online by half.
        cursor.execute(
            """
            INSERT INTO evaluation_manualinput (platform_id, year, institution_id, technical_staff,
                                                rules_published, online_platform, note, updated)
            SELECT %s, %s, i.id, i.id %% 10, i.id %% 5 <> 0, i.id %% 2 = 0, '', now()
            FROM network_institution i
            ON CONFLICT ON CONSTRAINT manualinput_one_per_institution_year DO NOTHING
            """,
            [bench.pk, YEAR],
        )
    print(f"{Institution.objects.count()} institutions in the database")
    actor = actor_for(root)
    # Grade by quotas: the generated data has no income or ratings and lighter use than the national average,
    # so under the default thresholds nearly every institution would be poor; quotas spread the grades.
    config = engine.default_config()
    config["grading"]["method"] = "quotas"
    services.save_config(actor, "bench", YEAR, config, now=timezone.now())
    gather, score, full = [], [], []
    for run in range(args.runs):
        clock = time.perf_counter()
        inputs = queries.gather_inputs(bench, YEAR)
        gather.append(time.perf_counter() - clock)
        used = sum(1 for i in inputs.values() if i.effective_hours > 0)
        clock = time.perf_counter()
        engine.evaluate(queries.config_of(bench, YEAR)[0], inputs)
        score.append(time.perf_counter() - clock)
        clock = time.perf_counter()
        evaluation = services.run_evaluation(actor, "bench", YEAR, now=timezone.now())
        full.append(time.perf_counter() - clock)
        grades = queries.grade_counts([evaluation.pk])[evaluation.pk]
        print(
            f"run {run}: {evaluation.institutions} institutions ({used} with hours),"
            f" gather {gather[-1]:.2f} s, score {score[-1]:.2f} s, run_evaluation {full[-1]:.2f} s;"
            f" grades {grades}"
        )
    pages = time_pages(root, evaluation.pk, args.runs)
    print("medians: " + ", ".join(f"{k} {statistics.median(v):.2f} s" for k, v in pages.items()))
    print(
        f"medians: gather {statistics.median(gather):.2f} s, score {statistics.median(score):.2f} s,"
        f" run_evaluation {statistics.median(full):.2f} s (of {args.runs})"
    )


if __name__ == "__main__":
    main()
