"""The ``dayi`` command: Django's management entry plus ``dbserver`` (the private PostgreSQL)."""

from __future__ import annotations

import os
import sys


def _dbserver(args: list[str]) -> int:
    from dayi.db import embedded

    action = args[0] if args else "status"
    if os.environ.get("DATABASE_URL"):
        print("DATABASE_URL is set: Dayi uses that server and runs no private one.")
        return 0
    if action == "start":
        print(f"private PostgreSQL running, socket in {embedded.ensure_running()}")
    elif action == "stop":
        print("stopped" if embedded.stop() else "not running")
    elif action == "status":
        print(f"{'running' if embedded.is_running() else 'stopped'} ({embedded.pgdata_dir()})")
    else:
        print("usage: dayi dbserver start|stop|status", file=sys.stderr)
        return 2
    return 0


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dayi.settings")
    argv = sys.argv
    if len(argv) > 1 and argv[1] == "dbserver":
        sys.exit(_dbserver(argv[2:]))
    from dayi.db import embedded

    embedded.start_for_entry_point()  # before the settings are read: they ask where it listens
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
