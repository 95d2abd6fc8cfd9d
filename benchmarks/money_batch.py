"""Time charging 100,000 completed orders in a batch, and a month's statements for 1,000 customers.

    DAYI_EMBEDDED_DB_NAME=bench_money .venv/bin/dayi migrate      # once
    DAYI_EMBEDDED_DB_NAME=bench_money .venv/bin/python benchmarks/money_batch.py [--orders 100000] [--runs 3]

The database is the benchmark's own (``bench_money``). Each run inserts ``--orders`` completed sample orders
(set-based SQL, spread over 1,000 customer institutions and users, amounts 50–5,000 yuan) and charges them
with ``dayi.statements.batch.charge_completed_orders`` in a month of their own (September, October, …), so
every run charges exactly its own orders and every month has ``--orders`` orders. Then the last month's
statements for all customers are produced ``--runs`` times: ``monthly_statements`` plus the CSV of each, and
the PDF of a sample of 20. The ledger is append-only, so re-running the script adds months; the figures go
to docs/benchmarks.md, "Charging and statements".
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dayi.settings")
os.environ.setdefault("DAYI_EMBEDDED_DB_NAME", "bench_money")

import django

from dayi.db import embedded

embedded.start_for_entry_point()  # a script is an entry point: the settings start no server
django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Max  # noqa: E402

from dayi.accounts.access import actor_for  # noqa: E402
from dayi.accounts.models import User  # noqa: E402
from dayi.directory.models import Instrument  # noqa: E402
from dayi.network.models import Institution  # noqa: E402
from dayi.orders.models import LedgerEntry  # noqa: E402
from dayi.statements import queries, rendering  # noqa: E402
from dayi.statements.batch import charge_completed_orders  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
CUSTOMERS = 1000


def setup() -> tuple[User, Institution, Instrument, list[tuple[int, int]]]:
    root, _ = User.objects.get_or_create(username="bench_root", defaults={"is_superuser": True})
    provider, _ = Institution.objects.get_or_create(
        credit_code="913301009999999999", defaults={"name": "基准测试大学", "region_id": "330100"}
    )
    instrument = Instrument.objects.filter(institution=provider).first()
    if instrument is None:
        instrument = Instrument.objects.create(
            institution=provider,
            inventory_no="BENCH-001",
            name="全自动比表面积及孔隙度分析仪",
            category_id="0104",
            original_value="1200000.00",
            region_id="330100",
            modes=["sample"],
        )
    existing = Institution.objects.filter(credit_code__startswith="9131000099").count()
    Institution.objects.bulk_create(
        Institution(
            name=f"客户单位{i:04d}", credit_code=f"9131000099{i:08d}", region_id="310000", kind="enterprise"
        )
        for i in range(existing, CUSTOMERS)
    )
    customers = list(Institution.objects.filter(credit_code__startswith="9131000099").order_by("id"))
    have = set(User.objects.filter(username__startswith="bench_user").values_list("username", flat=True))
    User.objects.bulk_create(
        User(username=f"bench_user{i:04d}", institution=c)
        for i, c in enumerate(customers)
        if f"bench_user{i:04d}" not in have
    )
    users = User.objects.filter(username__startswith="bench_user").order_by("username")
    pairs = [(u.pk, u.institution_id) for u in users]
    return root, provider, instrument, pairs


def insert_completed(
    n: int, provider: Institution, instrument: Instrument, pairs: list[tuple[int, int]]
) -> None:
    """n completed sample orders in one INSERT … SELECT, customers in turn."""
    users = [p[0] for p in pairs]
    insts = [p[1] for p in pairs]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO orders_order (kind, status, instrument_id, mode, customer_id, customer_institution_id,
                provider_id, samples, items, description, shipping, quote, lines, amount, reason, request_key,
                created, updated)
            SELECT 'sample', 'completed', %(instrument)s, 'sample', (%(users)s::int[])[g %% %(k)s + 1],
                (%(insts)s::int[])[g %% %(k)s + 1], %(provider)s,
                jsonb_build_object('count', 1 + g %% 5), '[]'::jsonb, '', '', '{}'::jsonb,
                jsonb_build_array(
                    jsonb_build_object('description', '样品', 'amount', (50 + g %% 4951)::text)
                ),
                50 + g %% 4951, '', '', now(), now()
            FROM generate_series(1, %(n)s) AS g
            """,
            {
                "instrument": instrument.pk,
                "users": users,
                "insts": insts,
                "k": len(users),
                "provider": provider.pk,
                "n": n,
            },
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    root, provider, instrument, pairs = setup()
    actor = actor_for(root)
    latest = LedgerEntry.objects.aggregate(m=Max("created"))["m"]
    # A fresh month for each run, even on re-runs: the month after the latest entry (September at first).
    start_month = 9 if latest is None else (latest.year - 2026) * 12 + latest.astimezone(SHANGHAI).month + 1
    charge_times, month = [], start_month
    for run in range(args.runs):
        insert_completed(args.orders, provider, instrument, pairs)
        month = start_month + run
        year, m = 2026 + (month - 1) // 12, (month - 1) % 12 + 1
        now = dt.datetime(year, m, 15, 12, tzinfo=SHANGHAI)
        t = time.perf_counter()
        charged, failed = charge_completed_orders(actor, now=now)
        charge_times.append(time.perf_counter() - t)
        assert charged == args.orders and not failed, (charged, failed)
        print(f"charge run {run}: {charged} orders in {charge_times[-1]:.2f} s ({year}-{m:02d})")
    statement_times, csv_times, pdf_times = [], [], []
    for run in range(args.runs):
        t = time.perf_counter()
        statements = queries.monthly_statements(year, m)
        t_query = time.perf_counter()
        size = sum(len(rendering.as_csv(s)) for s in statements.values())
        t_csv = time.perf_counter()
        sample = list(statements.values())[:20]
        for s in sample:
            one = queries.statement(institution_id=s.subject_id, year=year, month=m)
            rendering.as_pdf(one)
        t_pdf = time.perf_counter()
        statement_times.append(t_query - t)
        csv_times.append(t_csv - t_query)
        pdf_times.append((t_pdf - t_csv) / len(sample))
        print(
            f"statements run {run}: {len(statements)} customers, query {t_query - t:.2f} s,"
            f" CSVs {t_csv - t_query:.2f} s ({size / 1e6:.1f} MB), PDF {pdf_times[-1] * 1000:.0f} ms each"
        )
    print(
        f"medians: charge {statistics.median(charge_times):.2f} s per {args.orders} orders;"
        f" monthly_statements {statistics.median(statement_times):.2f} s;"
        f" CSVs {statistics.median(csv_times):.2f} s; PDF {statistics.median(pdf_times) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
