"""Booking under load, through HTTP: the figures of issue 4 ("Figures"), for docs/benchmarks.md.

    .venv/bin/python benchmarks/booking_load.py            # load once (kept), serve, measure
    .venv/bin/python benchmarks/booking_load.py --reload   # drop the loaded rows and load again

Uses its own database (DAYI_EMBEDDED_DB_NAME=bench_booking, migrated first), loads 2,000 instruments and
200,000 bookings with COPY, starts ``dayi serve`` (gunicorn as Dayi ships it) on 127.0.0.1:8107, then:

1. one client: median and p95 latency of POST /api/v1/bookings, accepted (201) and conflicting (409);
2. 8 and 16 concurrent clients (threads, each with its own token and keep-alive connection): bookings
   accepted per second, with median and p95 latency;
3. GET …/availability for a month of the busiest instrument;
4. race rounds: 16 clients POST the same slot at once, counting the 201s (must be exactly 1 per round);
   then a database-wide check that no two time-holding bookings overlap.

The peer figures (NEMO 8.1.5 on the same machine class, from the issue): 27.8 reservations/s with 8
clients (median 272 ms, p95 371 ms), 52 ms median for one client, 0.5 s for a busy tool's month.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import io
import json
import os
import random
import statistics
import sys
import threading
import time
import zoneinfo
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
os.environ["DAYI_EMBEDDED_DB_NAME"] = "bench_booking"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dayi.settings")
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

from dayi.db import embedded  # noqa: E402

if not os.environ.get("DATABASE_URL"):
    embedded.ensure_running("bench_booking")  # an entry point: the settings start no server
django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks.served import serve, stop  # noqa: E402
from dayi.accounts.models import Role, RoleGrant, User  # noqa: E402
from dayi.accounts.services import issue_token  # noqa: E402
from dayi.booking.models import Booking  # noqa: E402
from dayi.directory.models import Category, Instrument  # noqa: E402
from dayi.network.models import Institution  # noqa: E402
from dayi.orders.models import Order  # noqa: E402

HOST, PORT = "127.0.0.1", 8107
ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
INSTRUMENTS = 2000
BOOKINGS = 200_000
INSTITUTIONS = 20
CUSTOMERS = 200
PAST_DAYS = 60  # loaded bookings run from 60 days ago …
FUTURE_DAYS = 40  # … to 40 days ahead; the benchmark books from day 45 on, in empty time
POLICY = {
    "opening_hours": [{"weekday": d, "start": "08:00", "end": "22:00"} for d in range(1, 8)],
    "slot_minutes": 30,
    "min_minutes": 30,
    "max_minutes": 480,
    "max_advance_days": 120,
    "warmup_minutes": 20,
    "approval": "never",
    "self_requires_qualification": False,
}


# --- loading ------------------------------------------------------------------------------------------------


def load(reload: bool) -> None:
    call_command("migrate", verbosity=0)
    if reload:
        with connection.cursor() as cur:
            cur.execute("TRUNCATE booking_booking, booking_usagerecord, booking_qualification CASCADE")
        Instrument.objects.filter(inventory_no__startswith="BENCH-").delete()
    if Instrument.objects.filter(inventory_no__startswith="BENCH-").count() >= INSTRUMENTS:
        print("data already loaded (use --reload to load again)")
        return
    t0 = time.perf_counter()
    institutions = _institutions()
    users = _users(institutions[0])
    instruments = _instruments(institutions)
    n = _bookings(instruments, users)
    with connection.cursor() as cur:
        cur.execute("ANALYZE booking_booking; ANALYZE directory_instrument")
    print(f"loaded {len(instruments)} instruments and {n} bookings in {time.perf_counter() - t0:.1f} s")


def _institutions() -> list[Institution]:
    rows = [
        Institution(
            name=f"基准测试单位{i:02d}",
            credit_code=f"12330100{i:010d}",
            kind="university",
            region_id="330100",
        )
        for i in range(INSTITUTIONS)
    ]
    Institution.objects.bulk_create(rows, ignore_conflicts=True)
    return list(Institution.objects.filter(credit_code__startswith="12330100").order_by("id"))


def _users(home: Institution) -> list[User]:
    password = make_password("bench-password-1")  # hashed once: the clients use tokens
    rows = [User(username=f"bench{i:03d}", password=password, institution=home) for i in range(CUSTOMERS)]
    User.objects.bulk_create(rows, ignore_conflicts=True)
    manager, _ = User.objects.get_or_create(username="bench-manager", defaults={"password": password})
    RoleGrant.objects.get_or_create(user=manager, role=Role.INSTRUMENT_MANAGER, institution=home)
    return list(
        User.objects.filter(username__startswith="bench").exclude(username="bench-manager").order_by("id")
    )


def _instruments(institutions: list[Institution]) -> list[Instrument]:
    categories = list(Category.objects.filter(level=2).values_list("code", flat=True))
    rng = random.Random(4)
    rows = [
        Instrument(
            institution=institutions[i % len(institutions)],
            inventory_no=f"BENCH-{i:05d}",
            name=f"基准仪器{i:05d}",
            category_id=rng.choice(categories),
            original_value=rng.randint(500_000, 20_000_000),
            region_id="330100",
            modes=["self", "assisted", "sample"],
            booking_policy=POLICY,
        )
        for i in range(INSTRUMENTS)
    ]
    Instrument.objects.bulk_create(rows, batch_size=1000)
    return list(Instrument.objects.filter(inventory_no__startswith="BENCH-").order_by("id"))


def _bookings(instruments: list[Instrument], users: list[User]) -> int:
    """100 bookings per instrument (one a day at a random hour), the first instrument much busier."""
    rng = random.Random(7)
    today = timezone.now().astimezone(ZONE).date()
    now = timezone.now()
    buf = io.StringIO()
    count = 0

    def row(inst: Instrument, start: dt.datetime, hours: int) -> None:
        nonlocal count
        end = start + dt.timedelta(hours=hours)
        lower = start - dt.timedelta(minutes=20)
        status = "completed" if end < now else "confirmed"
        user = users[count % len(users)]
        buf.write(
            f"{inst.pk}\t{user.pk}\t{user.institution_id}\tsample\t\t{start.isoformat()}\t{end.isoformat()}\t"
            f"[{lower.isoformat()},{end.isoformat()})\t20\t{status}\tf\t\t\t{now.isoformat()}\t{now.isoformat()}\n"
        )
        count += 1

    busy, rest = instruments[0], instruments[1:]
    for d in range(-PAST_DAYS, FUTURE_DAYS):  # the busy one: 9 one-hour sessions a day, 30 min apart
        day = today + dt.timedelta(days=d)
        for k in range(9):
            row(busy, dt.datetime.combine(day, dt.time(8, 30), tzinfo=ZONE) + dt.timedelta(minutes=90 * k), 1)
    per_instrument = (BOOKINGS - count) // len(rest) + 1
    for inst in rest:
        for d in range(-PAST_DAYS, -PAST_DAYS + per_instrument):
            if count >= BOOKINGS:
                break
            day = today + dt.timedelta(days=d)
            start = dt.datetime.combine(day, dt.time(rng.randint(9, 18)), tzinfo=ZONE)
            row(inst, start, rng.randint(1, 3))
    buf.seek(0)
    columns = (
        'instrument_id, user_id, customer_id, mode, purpose, start, "end", occupied, warmup_minutes_applied,'
        " status, late_cancellation, reason, request_key, created, updated"
    )
    with connection.cursor() as cur, cur.cursor.copy(f"COPY booking_booking ({columns}) FROM STDIN") as copy:
        while chunk := buf.read(1 << 20):
            copy.write(chunk)
    return count


# --- the server ---------------------------------------------------------------------------------------------


class Client:
    """One HTTP client: its own token and keep-alive connection."""

    def __init__(self, token: str) -> None:
        self.conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, float, Any]:
        data = json.dumps(body) if body is not None else None
        t0 = time.perf_counter()
        self.conn.request(method, path, body=data, headers=self.headers)
        res = self.conn.getresponse()
        payload = res.read()
        elapsed = time.perf_counter() - t0
        return res.status, elapsed, json.loads(payload) if payload else None


def booking(instrument_id: int, start: dt.datetime, minutes: int = 60) -> dict[str, Any]:
    end = start + dt.timedelta(minutes=minutes)
    return {"instrument": instrument_id, "start": start.isoformat(), "end": end.isoformat(), "mode": "sample"}


class Slots:
    """Free slots in the empty days beyond the loaded data, handed out without repeats."""

    def __init__(self, instrument_ids: list[int], first_day: int) -> None:
        self.ids = instrument_ids
        self.base = timezone.now().astimezone(ZONE).date() + dt.timedelta(days=first_day)
        self.i = 0
        self.lock = threading.Lock()

    def next(self) -> dict[str, Any]:
        with self.lock:
            i = self.i
            self.i += 1
        inst = self.ids[i % len(self.ids)]
        k = i // len(self.ids)  # the k-th slot of this instrument: 12 a day, 09:00–20:00
        day = self.base + dt.timedelta(days=k // 12)
        return booking(inst, dt.datetime.combine(day, dt.time(9 + k % 12), tzinfo=ZONE))


def ms(values: list[float]) -> str:
    if not values:
        return "n/a"
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    return f"median {statistics.median(values) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms (n={len(values)})"


def single_client(token: str, slots: Slots, n: int) -> dict[str, str]:
    client = Client(token)
    accepted, conflicting, bodies = [], [], []
    for _ in range(10):  # warm the workers up
        client.call("POST", "/api/v1/bookings", slots.next())
    for _ in range(n):
        body = slots.next()
        status, elapsed, _ = client.call("POST", "/api/v1/bookings", body)
        assert status == 201, status
        accepted.append(elapsed)
        bodies.append(body)
    for body in bodies:
        status, elapsed, answer = client.call("POST", "/api/v1/bookings", body)
        assert status == 409 and answer["error"]["code"] == "booking_conflict", (status, answer)
        conflicting.append(elapsed)
    return {"accepted": ms(accepted), "conflicting": ms(conflicting)}


def concurrent(tokens: list[str], slots: Slots, seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    accepted = [0] * len(tokens)
    errors: list[Any] = []
    barrier = threading.Barrier(len(tokens) + 1)
    stop_at: list[float] = [0.0]

    def run(i: int) -> None:
        client = Client(tokens[i])
        barrier.wait()
        while time.perf_counter() < stop_at[0]:
            status, elapsed, answer = client.call("POST", "/api/v1/bookings", slots.next())
            if status == 201:
                accepted[i] += 1
                latencies.append(elapsed)
            else:
                errors.append((status, answer))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(tokens))]
    for t in threads:
        t.start()
    stop_at[0] = time.perf_counter() + seconds
    t0 = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {
        "clients": len(tokens),
        "per_second": sum(accepted) / wall,
        "latency": ms(latencies),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
    }


def month_availability(token: str, instrument_id: int, runs: int = 20) -> str:
    client = Client(token)
    first = timezone.now().astimezone(ZONE).date().replace(day=1)
    start = dt.datetime.combine(first, dt.time(0), tzinfo=ZONE)
    end = dt.datetime.combine((first + dt.timedelta(days=32)).replace(day=1), dt.time(0), tzinfo=ZONE)
    path = f"/api/v1/instruments/{instrument_id}/availability?start={start.date()}&end={end.date()}"
    timings, free = [], 0
    for _ in range(runs):
        status, elapsed, answer = client.call("GET", path)
        assert status == 200, (status, answer)
        timings.append(elapsed)
        free = len(answer["free"])
    return f"{ms(timings)}; {free} free intervals"


def earliest_across(token: str, runs: int = 5) -> str:
    client = Client(token)
    timings, found = [], 0
    for _ in range(runs):
        status, elapsed, answer = client.call(
            "GET", "/api/v1/bookings/earliest?minutes=120&days=14&page_size=20"
        )
        assert status == 200, (status, answer)
        timings.append(elapsed)
        found = answer["count"]
    return f"{ms(timings)}; {found} instruments with a slot"


def race_round(clients: list[Client], body: dict[str, Any]) -> list[int]:
    """Every client POSTs ``body`` at the same moment; the statuses they got."""
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def run(c: Client) -> None:
        barrier.wait()
        statuses.append(c.call("POST", "/api/v1/bookings", body)[0])

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def races(tokens: list[str], instrument_id: int, rounds: int) -> list[int]:
    """Each round: every client books the same slot at once; returns the 201 count per round."""
    clients = [Client(t) for t in tokens]
    base = timezone.now().astimezone(ZONE).date() + dt.timedelta(days=100)
    counts = []
    for r in range(rounds):
        day = base + dt.timedelta(days=r // 10)
        statuses = race_round(
            clients, booking(instrument_id, dt.datetime.combine(day, dt.time(9 + r % 10), tzinfo=ZONE))
        )
        assert set(statuses) <= {201, 409}, statuses
        counts.append(statuses.count(201))
    return counts


def overlaps_in_database() -> int:
    with connection.cursor() as cur:
        cur.execute(
            """SELECT count(*) FROM booking_booking a JOIN booking_booking b
               ON a.instrument_id = b.instrument_id AND a.id < b.id AND a.occupied && b.occupied
               WHERE a.status IN ('pending','confirmed','in_progress','completed','no_show')
                 AND b.status IN ('pending','confirmed','in_progress','completed','no_show')"""
        )
        return cur.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reload", action="store_true", help="drop the loaded rows and load again")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each throughput run")
    parser.add_argument("--single", type=int, default=200, help="requests in the one-client run")
    parser.add_argument("--rounds", type=int, default=30, help="race rounds")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: dayi serve's, 2 × cores + 1)")
    parser.add_argument("--threads", type=int, help="threads per worker (default: dayi serve's, 4)")
    args = parser.parse_args()

    load(args.reload)
    # Re-runnable: forget the bookings earlier runs made (they live beyond the loaded days).
    horizon = timezone.now() + dt.timedelta(days=FUTURE_DAYS + 2)
    # Their orders first (an order protects its booking); those orders were never charged, so no ledger.
    Order.objects.filter(booking__start__gte=horizon).delete()
    print(f"removed {Booking.objects.filter(start__gte=horizon).delete()[0]} bookings of earlier runs")
    users = list(User.objects.filter(username__startswith="bench").exclude(username="bench-manager")[:16])
    tokens = [issue_token(u, now=timezone.now(), name="benchmark")[0] for u in users]
    ids = list(
        Instrument.objects.filter(inventory_no__startswith="BENCH-")
        .order_by("id")
        .values_list("id", flat=True)
    )
    busy = ids[0]
    print(f"{Booking.objects.count()} bookings on {len(ids)} instruments; serving on {HOST}:{PORT}")
    connection.close()

    print("load average before (1, 5, 15 min): {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    tuning = [
        *(["--workers", str(args.workers)] if args.workers else []),
        *(["--threads", str(args.threads)] if args.threads else []),
    ]
    proc = serve("bench_booking", PORT, *tuning, log_level="ERROR")
    try:
        # Each run books in days of its own, so no run collides with another's slots.
        results: dict[str, Any] = {}
        results["single"] = single_client(tokens[0], Slots(ids[1:], 45), args.single)
        print("one client, POST /bookings:", results["single"])
        for n, first_day in ((8, 50), (16, 70)):
            results[f"c{n}"] = concurrent(tokens[:n], Slots(ids[1:], first_day), args.seconds)
            print(f"{n} clients:", results[f"c{n}"])
        results["month"] = month_availability(tokens[0], busy)
        print("month availability of the busiest instrument:", results["month"])
        results["earliest"] = earliest_across(tokens[0])
        print("earliest 2-hour slot across all instruments:", results["earliest"])
        results["races"] = races(tokens, ids[-1], args.rounds)
        print(f"race rounds ({len(tokens)} clients, one slot): accepted per round {results['races']}")
    finally:
        stop(proc)
    print("load average after (1, 5, 15 min): {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    overlaps = overlaps_in_database()
    print(f"overlapping time-holding bookings in the database: {overlaps}")
    print(f"bookings now: {Booking.objects.count()}")


if __name__ == "__main__":
    main()
