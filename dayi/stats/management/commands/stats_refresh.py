"""``dayi stats_refresh [--since YYYY-MM-DD]``: rebuild the utilisation aggregates now.

The worker does this every 10 minutes (``stats.refresh``); this is for a first build after loading data,
or after a bulk import of usage records.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dayi.stats import queries


class Command(BaseCommand):
    help = "Rebuild the utilisation aggregates (whole years from --since's, or everything)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="a date (YYYY-MM-DD): rebuild from the start of its year")

    def handle(self, *args: Any, **options: Any) -> None:
        since = None
        if options["since"]:
            try:
                since = dt.date.fromisoformat(options["since"])
            except ValueError:
                raise CommandError("--since must be a date like 2025-01-01") from None
        clock = time.perf_counter()
        queries.refresh(since=since)
        run = queries.last_refresh()
        months = f"{run.first_month:%Y-%m}–{run.last_month:%Y-%m}" if run else ""
        self.stdout.write(f"refreshed {months} in {time.perf_counter() - clock:.1f} s")
