"""Real races for the concurrency tests: parallel threads, each on its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection


def race(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run the jobs in parallel threads released together; each result is a return value or the exception."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)
    unconnected: list[Exception] = []

    def run(i: int) -> None:
        try:
            connection.ensure_connection()  # connect before the start: a race, not a connection storm
        except Exception as exc:
            unconnected.append(exc)
            barrier.abort()
            return
        try:
            barrier.wait()
            results[i] = jobs[i]()
        except threading.BrokenBarrierError:
            pass
        except Exception as exc:  # the outcome under test, collected for the assertions
            results[i] = exc
        finally:
            connection.close()  # each thread has its own connection; give it back

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    if unconnected:
        pytest.fail(f"could not open {len(jobs)} database connections: {unconnected[0]}")
    return results
