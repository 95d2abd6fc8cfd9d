"""Start `dayi serve` (gunicorn) on a benchmark's own database, and stop it: shared by the benchmarks."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DAYI = str(ROOT / ".venv" / "bin" / "dayi")
HOST = "127.0.0.1"


def serve(database: str, port: int, *options: str, log_level: str = "WARNING") -> subprocess.Popen[bytes]:
    """gunicorn serving `database` (the private server's, by name) on 127.0.0.1:`port`, once it answers."""
    env = {**os.environ, "DAYI_EMBEDDED_DB_NAME": database, "DAYI_LOG_LEVEL": log_level}
    proc = subprocess.Popen(
        [DAYI, "serve", "--host", HOST, "--port", str(port), *options],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: stopped as one, by its id, at the end
    )
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.1)
    stop(proc)
    raise SystemExit(f"dayi serve did not answer on http://{HOST}:{port}/healthz")


def stop(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)
