"""``dayi worker``: run the background jobs (e-mails, reminders, no-show marking) with procrastinate.

The same as ``dayi procrastinate worker`` with Dayi's queues and defaults. The worker uses its own
psycopg connection pool (it needs LISTEN/NOTIFY, which Django's connection cannot do) to the same database
as the site. ``--once`` works off the queue and exits, for a cron job instead of a long-running service:
each run also defers the periodic tick just past (reminders, no-shows), which that run or the next one
works off, so ``dayi worker --once`` every minute keeps everything going.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from procrastinate.contrib.django import app
from procrastinate.contrib.django.django_connector import DjangoConnector


def run_worker(*, once: bool, queues: list[str] | None = None, concurrency: int = 1) -> None:
    """Run procrastinate's worker on the site's database until stopped (or, ``once``, until idle)."""
    options: dict[str, Any] = {
        "queues": queues or None,
        "wait": not once,
        "concurrency": concurrency,
        "delete_jobs": "successful",  # failed jobs stay for inspection (`dayi procrastinate shell`)
        "install_signal_handlers": not once,
        "listen_notify": not once,
    }
    connector = app.connector
    if isinstance(connector, DjangoConnector):
        with app.replace_connector(connector.get_worker_connector()):
            app.run_worker(**options)
    else:
        app.run_worker(**options)


class Command(BaseCommand):
    help = "Run the background jobs: booking e-mails, reminders and no-show marking (procrastinate)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="process the waiting jobs, then exit")
        parser.add_argument(
            "--queue", action="append", dest="queues", help="only these queues (mail, periodic); repeatable"
        )
        parser.add_argument("--concurrency", type=int, default=1, help="jobs run at once (default 1)")

    def handle(
        self, *args: Any, once: bool, queues: list[str] | None, concurrency: int, **options: Any
    ) -> None:
        run_worker(once=once, queues=queues, concurrency=concurrency)
