"""``dayi serve``: the production web server (gunicorn) in front of Dayi."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Dayi with gunicorn (default 127.0.0.1:8000)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("DAYI_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("DAYI_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("DAYI_WORKERS", "0")) or None)
        parser.add_argument("--threads", type=int, default=int(os.environ.get("DAYI_THREADS", "4")))
        parser.add_argument("--no-collectstatic", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not opts["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        workers = opts["workers"] or (os.cpu_count() or 1) * 2 + 1
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "dayi.wsgi:application",
            "--bind",
            f"{opts['host']}:{opts['port']}",
            "--workers",
            str(workers),
            "--threads",
            str(opts["threads"]),
            "--access-logfile",
            "-",
            "--timeout",
            "120",
        ]
        self.stdout.write(f"Dayi at http://{opts['host']}:{opts['port']}/ ({workers} workers)")
        sys.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn
