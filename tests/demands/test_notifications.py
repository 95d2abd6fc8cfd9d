"""Committed for real (``transaction=True``): the managers' e-mails go out through procrastinate's real
worker after commit, and two parallel accepts on real connections make one order."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail
from django.db import connections, transaction

from dayi.accounts.access import actor_for
from dayi.booking.management.commands.worker import run_worker
from dayi.core.errors import Conflict
from dayi.demands import services, tasks
from dayi.orders.models import Order
from tests.booking.test_notifications import _clear_jobs, queued
from tests.concurrency import race
from tests.demands.conftest import AFTER_DEADLINE, NOW, offer, post

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """``work()`` runs the real worker (as ``dayi worker --once``) until the queue is empty."""
    _clear_jobs()
    monkeypatch.setattr(tasks.app.periodic_registry, "periodic_tasks", {})
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    mail.outbox.clear()
    yield lambda: run_worker(once=True)
    _clear_jobs()


@pytest.fixture
def mailable(market: Any) -> Any:
    for name in ("alice", "amy", "bob", "frank"):
        market[name].email = f"{name}@example.org"
        market[name].save(update_fields=["email"])
    return market


def test_the_suggested_instruments_managers_are_mailed_after_commit(work: Any, mailable: Any) -> None:
    demand = post(mailable["frank"])  # suggests the BET of 浙江大学: alice manages it
    assert mail.outbox == []
    assert queued("demands.notify_suggested") == 1

    work()

    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    assert demand.title in mail.outbox[0].subject
    assert f"/demands/{demand.pk}/" in mail.outbox[0].body
    assert queued("demands.notify_suggested") == 0


def test_a_rolled_back_demand_mails_nobody(work: Any, mailable: Any) -> None:
    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        post(mailable["frank"])
        raise Undo

    work()

    assert mail.outbox == []


def test_two_parallel_accepts_make_one_order(market: Any) -> None:
    demand = post(market["frank"])
    quotes = [offer(market["alice"], demand, market["bet"]), offer(market["bob"], demand, market["nmr"])]
    frank = market["frank"]
    results = race([lambda q=q: services.accept_quote(actor_for(frank), q.pk, now=NOW) for q in quotes])
    assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, Conflict)]
    outcomes = [r.code if isinstance(r, Conflict) else "accepted" for r in results]

    assert sorted(outcomes) == ["accepted", "invalid_state"]
    assert Order.objects.count() == 1
    demand.refresh_from_db()
    assert demand.order_id == Order.objects.get().pk


def test_the_expiry_job_runs_in_the_worker(work: Any, market: Any) -> None:
    demand = post(market["frank"])

    tasks.expire.defer(timestamp=int(AFTER_DEADLINE.timestamp()))
    work()

    demand.refresh_from_db()
    assert demand.status == "expired"
