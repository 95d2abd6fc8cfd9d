"""Faults: a gunicorn worker killed in the middle of booking, voucher and charge traffic.

gunicorn (3 workers, 2 threads each, on 127.0.0.1) serves a small committed world: 浙江大学's two priced
instruments, customers of a company booking them from threads (many of their slots clash), a manager
charging completed orders, and an SME paying delivered orders with its innovation voucher. A third of the
way in, one worker is killed with SIGKILL (its requests die with it; gunicorn starts another); the traffic
goes on. Afterwards, whatever was cut off: no two bookings that hold time overlap, every booking has its
order, every booking the server acknowledged exists, each charged order's amount is the sum of its charge
and correction entries, each group account's balance is the sum of its entries, and the voucher scheme's
ledger reconciles (dayi.vouchers.queries.reconcile). Bounded: about 150 requests, well under a minute.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import random
import signal
import threading
import time
import zoneinfo
from decimal import Decimal
from typing import Any

import psutil
import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from dayi.accounts import services as account_services
from dayi.accounts.access import actor_for
from dayi.booking.models import HOLDING, Booking
from dayi.orders import services as order_services
from dayi.orders.models import Account, LedgerEntry, Order
from dayi.vouchers import services as voucher_services
from dayi.vouchers.queries import reconcile
from tests.booking.conftest import make_bet
from tests.conftest import make_institution, make_user
from tests.orders.conftest import NOW, PRICE_LIST
from tests.reliability.conftest import heavy
from tests.reliability.server import HOST, Server
from tests.vouchers.conftest import company, listed, make_order, make_scheme

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
BOOKERS = 4
BOOKINGS_EACH = 25
PAID_ORDERS = 12  # delivered orders the SME pays with its voucher
CHARGED_ORDERS = 12  # completed orders the manager charges


class Caller:
    """One keep-alive HTTP connection with a token; a dropped connection is an answer of its own (None)."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)

    def post(self, path: str, body: dict[str, Any]) -> tuple[int | None, Any]:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        try:
            self.conn.request("POST", path, json.dumps(body), headers)
            response = self.conn.getresponse()
            data = response.read()
            return response.status, json.loads(data) if data else None
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            return None, None


@pytest.fixture
def traffic_world(network: dict[str, Any], people: dict[str, Any]) -> dict[str, Any]:
    zju, alice = network["zju"], people["alice"]
    acme = make_institution("某某科技有限公司", "91330100MA2XXXXX1A", "330100", kind="enterprise")
    bookers = [make_user(f"booker{i}", acme) for i in range(BOOKERS)]
    instruments = [make_bet(zju, f"BET-{i}") for i in range(2)]
    for instrument in instruments:
        order_services.replace_prices(actor_for(alice), instrument.pk, PRICE_LIST, now=NOW)
    samples = {"count": 1, "kind": "粉末", "hazards": "", "return_or_dispose": "dispose"}
    completed = []
    for _ in range(CHARGED_ORDERS):
        order = order_services.create_sample_order(
            actor_for(bookers[0]), instrument_id=instruments[0].pk, samples=samples, now=NOW
        )
        for step in ("accept_order", "receive_samples", "start_order", "complete_order"):
            getattr(order_services, step)(actor_for(alice), order.pk, now=NOW)
        completed.append(order.pk)
    scheme = make_scheme(zju)
    officer = make_user("olga", None, "voucher_officer", scheme=scheme.code)
    sme = company()
    cathy = make_user("cathy", sme)
    listed(scheme, zju)
    now = timezone.now()  # the API acts at the real time: the voucher must be valid today
    application = voucher_services.apply_for_voucher(
        actor_for(cathy), scheme_code=scheme.code, company_id=sme.pk, amount=Decimal("10000"), purpose="检测",
        now=now,
    )  # fmt: skip
    voucher = voucher_services.approve_application(actor_for(officer), application.pk, now=now)
    paid = [make_order(cathy, sme, zju, "1000", n).pk for n in range(PAID_ORDERS)]
    token = {u.username: account_services.issue_token(u, now=now)[0] for u in [*bookers, alice, cathy]}
    return {
        "bookers": [token[u.username] for u in bookers], "manager": token["alice"], "cathy": token["cathy"],
        "instruments": [i.pk for i in instruments], "completed": completed, "paid": paid,
        "voucher": voucher.number, "scheme": scheme,
    }  # fmt: skip


def slots(rng: random.Random, instruments: list[int]) -> list[dict[str, Any]]:
    """Bookings of 30 to 90 minutes on three days a week ahead, 09:00–17:00 Shanghai: many clash."""
    first = (timezone.now().astimezone(SHANGHAI) + dt.timedelta(days=7)).date()
    chosen = []
    for _ in range(BOOKINGS_EACH):
        day = first + dt.timedelta(days=rng.randrange(3))
        start = dt.datetime.combine(day, dt.time(9), SHANGHAI) + dt.timedelta(minutes=10 * rng.randrange(36))
        end = start + dt.timedelta(minutes=rng.choice((30, 60, 90)))
        body = {"instrument": rng.choice(instruments), "start": start.isoformat(), "end": end.isoformat()}
        chosen.append({**body, "mode": "assisted"})
    return chosen


def workers_of(server: Server) -> list[int]:
    return [p.pid for p in psutil.Process(server.proc.pid).children()]


@heavy
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_traffic_leaves_no_overlap_no_orphan_and_ledgers_that_reconcile(
    traffic_world: dict[str, Any],
) -> None:
    w = traffic_world
    server = Server(workers=3, threads=2)
    try:
        total = BOOKERS * BOOKINGS_EACH + PAID_ORDERS + CHARGED_ORDERS
        sent = threading.Semaphore(0)  # one release per request sent: the killer waits for a third
        acknowledged: list[int] = []
        answers: dict[Any, int] = {}
        lock = threading.Lock()

        def note(kind: str, status: int | None, body: Any) -> None:
            sent.release()
            with lock:
                answers[kind, status] = answers.get((kind, status), 0) + 1
                if status == 201 and body and "id" in body and "instrument" in body:
                    acknowledged.append(body["id"])

        def book(token: str, seed: int) -> None:
            caller = Caller(server.port, token)
            for body in slots(random.Random(seed), w["instruments"]):
                note("booking", *caller.post("/api/v1/bookings", body))

        def charge() -> None:
            caller = Caller(server.port, w["manager"])
            for order_id in w["completed"]:
                note("charge", *caller.post(f"/api/v1/orders/{order_id}/charge", {}))

        def pay() -> None:
            caller = Caller(server.port, w["cathy"])
            for order_id in w["paid"]:
                note(
                    "voucher", *caller.post(f"/api/v1/orders/{order_id}/vouchers", {"voucher": w["voucher"]})
                )

        killed: list[int] = []

        def kill() -> None:
            for _ in range(total // 3):
                sent.acquire(timeout=60)
            victim = workers_of(server)[0]
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

        threads = [threading.Thread(target=book, args=(t, i)) for i, t in enumerate(w["bookers"])]
        threads += [
            threading.Thread(target=charge),
            threading.Thread(target=pay),
            threading.Thread(target=kill),
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=180)
        seconds = time.perf_counter() - started
        assert killed, "no worker was killed"
        deadline = time.monotonic() + 30
        while len(workers_of(server)) < 3 or killed[0] in workers_of(server):
            assert time.monotonic() < deadline, "gunicorn did not replace the killed worker"
            time.sleep(0.2)
        recovered = Caller(server.port, w["manager"]).post("/api/v1/orders/0/charge", {})[0]
        assert recovered == 404, "the server does not answer after the kill"
    finally:
        server.stop()
    print(
        f"\nfaults: {sum(answers.values())} requests in {seconds:.1f} s, worker {killed[0]} killed: {answers}"
    )
    # Bookings made and clashes refused; charges and voucher payments went through.
    assert answers.get(("booking", 201)) and answers.get(("booking", 409)), answers
    assert answers.get(("charge", 200)) and answers.get(("voucher", 200)), answers

    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM booking_booking a JOIN booking_booking b"
            " ON a.instrument_id = b.instrument_id AND a.id < b.id AND a.occupied && b.occupied"
            " WHERE a.status = ANY(%s) AND b.status = ANY(%s)",
            [list(HOLDING), list(HOLDING)],
        )
        assert cur.fetchone()[0] == 0, "two bookings that hold time overlap"
    assert not Booking.objects.filter(order__isnull=True).exists(), "a booking without its order"
    assert set(acknowledged) <= set(Booking.objects.values_list("pk", flat=True)), (
        "an acknowledged booking is lost"
    )
    for order in Order.objects.filter(status__in=("charged", "settled")):
        entries = LedgerEntry.objects.filter(order=order, kind__in=("charge", "correction"))
        assert entries.aggregate(s=Sum("amount"))["s"] == order.amount, f"order {order.pk} does not reconcile"
    for account in Account.objects.all():
        balance = LedgerEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or Decimal(0)
        assert balance == account.balance, f"account {account.pk} does not reconcile"
    assert reconcile(w["scheme"])["ok"], reconcile(w["scheme"])
