#!/usr/bin/env python3
"""The two commands of the quick start, on a fresh machine with Python 3.11 and Node.js:

    python3 dev.py run     set up, then run Dayi with generated demo data at http://127.0.0.1:8000
    python3 dev.py test    set up, then run the checks and the whole test suite

Setting up means: a virtual environment in .venv with the pinned packages (requirements.lock), and the
front-end libraries from the npm registry (package-lock.json). Both are redone only when those files change.
Without DATABASE_URL, Dayi runs its own private PostgreSQL under ./var (DAYI_DATA_DIR).
Standard library only: this runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"


def run(*cmd: str | Path, **kw: object) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, **kw)  # type: ignore[call-overload]


def fingerprint(*files: str) -> str:
    h = hashlib.sha256()
    for name in files:
        path = ROOT / name
        h.update(path.read_bytes() if path.exists() else b"")
    return h.hexdigest()


def stamped(stamp: Path, value: str) -> bool:
    return stamp.exists() and stamp.read_text() == value


def setup() -> None:
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"Dayi needs Python 3.11; this is {sys.version.split()[0]}. Run it with python3.11.")
    if not PY.exists():
        print(f"creating the virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    py_stamp = VENV / ".dayi-installed"
    py_print = fingerprint("pyproject.toml", "requirements.lock")
    if not stamped(py_stamp, py_print):
        run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(PY, "-m", "pip", "install", "--quiet", "-c", "requirements.lock", "-e", ".[test]")
        py_stamp.write_text(py_print)
    js_stamp = ROOT / "node_modules" / ".dayi-installed"
    js_print = fingerprint("package.json", "package-lock.json")
    if not stamped(js_stamp, js_print):
        npm = shutil.which("npm")
        if npm is None:
            sys.exit("Dayi needs Node.js with npm to install its front-end libraries.")
        run(npm, "ci", "--no-audit", "--no-fund")
        js_stamp.write_text(js_print)


def dayi_run(args: list[str]) -> int:
    setup()
    return subprocess.call([str(BIN / "dayi"), "demo", *args], cwd=ROOT)


def dayi_test(args: list[str]) -> int:
    setup()
    env = dict(os.environ)
    where = env.get("DATABASE_URL") or "the private PostgreSQL under ./var"
    print(f"database: {where}", flush=True)
    # Whether the private server ran before this command: the checks below start it if not, and then this
    # command stops it at the end (a server someone else started is left running).
    data_dir = Path(env.get("DAYI_DATA_DIR", ROOT / "var"))
    was_running = (data_dir / "postgres" / "postmaster.pid").exists()
    checks = [
        [str(BIN / "ruff"), "check", "."],  # lint, with the naive-datetime rules (DTZ)
        [str(BIN / "ruff"), "format", "--check", "."],
        [str(BIN / "mypy"), "dayi"],
        [str(BIN / "dayi"), "makemigrations", "--check", "--dry-run"],
    ]
    try:
        for cmd in checks:
            print("+", " ".join(cmd[-3:]), flush=True)
            if subprocess.call(cmd, cwd=ROOT, env=env) != 0:
                return 1
        # The tests run in one process per core (pytest-xdist), a test file to a process: files share
        # module-scoped fixtures such as the demo load. `-n 0` runs them in this process.
        parallel = (
            [] if any(a == "-n" or a.startswith(("-n", "--numprocesses")) for a in args) else ["-n", "auto"]
        )
        return subprocess.call(
            [str(BIN / "pytest"), *parallel, "--dist", "loadfile", *args], cwd=ROOT, env=env
        )
    finally:
        if not env.get("DATABASE_URL") and not was_running:
            subprocess.call([str(BIN / "dayi"), "dbserver", "stop"], cwd=ROOT, env=env)


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("run", "test", "setup"):
        print(__doc__)
        return 2
    command, rest = sys.argv[1], sys.argv[2:]
    if command == "setup":
        setup()
        return 0
    return dayi_run(rest) if command == "run" else dayi_test(rest)


if __name__ == "__main__":
    sys.exit(main())
