"""``dayi demo``: migrate, load the demo data if absent, print the sign-ins, serve; stop cleanly on Ctrl-C.

The server runs as a child process (``dayi serve``) so that this command outlives it and can stop the
private PostgreSQL when the server ends; ``serve`` itself replaces its process with gunicorn.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections

from dayi.demo.management.commands.load_demo import print_sign_ins
from dayi.demo.models import DemoLoad


class Command(BaseCommand):
    help = "Run Dayi with demo data: migrate, load the demo data if absent, serve at http://127.0.0.1:8000."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--instruments", type=int, default=5000, help="instruments to generate (5000)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--reload", action="store_true", help="replace the demo data even if present")
        parser.add_argument("--host", default=os.environ.get("DAYI_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("DAYI_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=None)

    def handle(self, *args: Any, **opts: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        loaded = DemoLoad.objects.first()
        if loaded is None or opts["reload"]:
            self.stdout.write(f"Generating {opts['instruments']:,} demo instruments (seed {opts['seed']})…")
            call_command("load_demo", instruments=opts["instruments"], seed=opts["seed"], stdout=self.stdout)
        else:
            self.stdout.write(
                f"Demo data present (seed {loaded.seed}, {loaded.instruments:,} instruments; "
                "`dayi demo --reload` replaces it)."
            )
            print_sign_ins(self)
        code = self.serve(opts)
        self.stop_database()
        if code not in (0, -signal.SIGINT, -signal.SIGTERM):
            sys.exit(code)

    def serve(self, opts: dict[str, Any]) -> int:
        argv = [
            sys.executable,
            "-m",
            "dayi.cli",
            "serve",
            "--host",
            opts["host"],
            "--port",
            str(opts["port"]),
        ]
        if opts["workers"]:
            argv += ["--workers", str(opts["workers"])]
        connections.close_all()  # the server has its own connections; ours would only hold the database
        # The job worker (booking e-mails, reminders, no-show marking) runs beside the web server.
        worker = subprocess.Popen([sys.executable, "-m", "dayi.cli", "worker"])
        try:
            return self._wait_for_server(argv)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()

    def _wait_for_server(self, argv: list[str]) -> int:
        child = subprocess.Popen(argv)  # noqa: S603 - our own interpreter and arguments
        # Ctrl-C reaches the whole foreground process group: gunicorn shuts down on its own; we wait for it.
        # A SIGTERM sent to this command alone is passed on.
        signal.signal(signal.SIGTERM, lambda *_: child.terminate())
        try:
            return child.wait()
        except KeyboardInterrupt:
            try:
                return child.wait(timeout=30)
            except (KeyboardInterrupt, subprocess.TimeoutExpired):
                child.terminate()
                return child.wait()

    def stop_database(self) -> None:
        if os.environ.get("DATABASE_URL"):
            return
        from dayi.db import embedded

        connections.close_all()
        if embedded.stop():
            self.stdout.write("Stopped the private PostgreSQL.")
