"""Importing the settings has no side effect: the entry points start the private PostgreSQL, not an import."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_settings_starts_no_database_server(tmp_path: Path) -> None:
    # given a data directory no server ever used, and no DATABASE_URL
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DAYI_NO_DB_START")}
    env["DAYI_DATA_DIR"] = str(tmp_path)
    code = "import dayi.settings as s; print(s.DATABASES['default']['HOST'])"
    try:
        # when a process imports the settings
        done = subprocess.run(  # noqa: S603  # our own interpreter and code
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        # then they name where the server would listen, and no server runs nor was set up there
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == str(tmp_path / "postgres")
        assert not (tmp_path / "postgres" / "postmaster.pid").exists()
        assert not (tmp_path / "postgres").exists()
    finally:
        # the old settings started one: never leave it running
        if (tmp_path / "postgres" / "postmaster.pid").exists():
            stop = "from dayi.db import embedded; embedded.stop()"
            subprocess.run([sys.executable, "-c", stop], cwd=ROOT, env=env, timeout=120, check=False)  # noqa: S603
