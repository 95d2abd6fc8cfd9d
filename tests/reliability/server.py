"""A real Dayi server for the reliability tests: `dayi serve` (gunicorn) on 127.0.0.1, on the test database.

The server is another process: it sees only committed rows, so the tests that use it load their data with
``django_db(transaction=True)`` (flushed after the test, as every transactional test is).
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def database_env() -> dict[str, str]:
    """The environment that points a server process at the database this test session uses."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    db = connection.settings_dict
    if os.environ.get("DATABASE_URL"):
        auth = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
        host = f"{db['HOST']}:{db['PORT']}" if db["PORT"] else db["HOST"]
        env["DATABASE_URL"] = f"postgresql://{auth}@{host}/{quote(db['NAME'])}"
    else:
        env["DAYI_EMBEDDED_DB_NAME"] = db["NAME"]  # the private server, already running for the tests
    return env


class Server:
    """gunicorn serving Dayi on a free port of 127.0.0.1 until ``stop()``."""

    def __init__(self, *, workers: int = 2, threads: int = 2) -> None:
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix="dayi-serve-", suffix=".log")  # noqa: SIM115
        env = {**database_env(), "DAYI_LOG_LEVEL": "ERROR", "DAYI_DB_CONN_MAX_AGE": "0"}
        self.proc = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
            [
                str(BIN / "dayi"),
                "serve",
                "--host",
                HOST,
                "--port",
                str(self.port),
                "--no-collectstatic",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            start_new_session=True,  # its own process group: stopped as one, by its id
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"dayi serve exited: {self.errors()[-2000:]}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"dayi serve did not answer on {self.url}/healthz")

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: the children of the master process."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.log.close()

    def errors(self) -> str:
        """What the server wrote to its error log so far (gunicorn's and Django's)."""
        return Path(self.log.name).read_text(errors="replace")
