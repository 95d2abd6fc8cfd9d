"""``dayi load_demo --instruments N --seed S``: replace the demo data with freshly generated data."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dayi.core.errors import DayiError
from dayi.demo import loader

NOTICE = (
    "Institutions are real (Ministry of Education universities list; national open-sharing evaluation "
    "2018-2024).\nGENERATED, not real: their unified social credit codes (valid check characters, not the "
    "registered codes), the companies, instruments, values, experts, people and contacts."
)


class Command(BaseCommand):
    help = "Load generated demo data (replacing earlier demo data; never other data). Same seed, same data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--instruments", type=int, default=5000, help="how many instruments (default 5000)"
        )
        parser.add_argument("--seed", type=int, default=1, help="the random seed (default 1)")
        parser.add_argument(
            "--digest", action="store_true", help="print a digest of the loaded rows (same seed, same digest)"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["instruments"] < 0:
            raise CommandError("--instruments must be 0 or more")
        try:
            report = loader.load(
                seed=opts["seed"],
                instruments=opts["instruments"],
                now=timezone.now(),
                with_digest=opts["digest"],
            )
        except DayiError as exc:
            raise CommandError(exc.message) from None
        c = report.counts
        self.stdout.write(
            f"Loaded demo data (seed {report.load.seed}) in {report.seconds:.1f} s: "
            f"{c['platforms']} platforms, {c['institutions']:,} institutions, {c['companies']} companies, "
            f"{c['instruments']:,} instruments, {c['experts']:,} experts, {c['users']} users"
            + (f" (replaced {report.removed:,} demo instruments)" if report.removed else "")
            + ".\n"
            + (f"digest {report.load.digest}\n" if report.load.digest else "")
            + (
                ""
                if report.statistics_refreshed
                else "Utilisation statistics: not refreshed in the load (too many instruments to do it "
                "quickly); the stats.refresh job does it within 10 minutes, or run `dayi stats_refresh`.\n"
            )
            + f"{NOTICE}\n"
        )
        if opts["verbosity"] >= 2:
            self.stdout.write("phases: " + ", ".join(f"{k} {v:.2f} s" for k, v in report.phases.items()))
        print_sign_ins(self)


def print_sign_ins(command: BaseCommand) -> None:
    command.stdout.write("Demo sign-ins (public passwords: never load demo data into a real deployment):")
    command.stdout.write(loader.table(loader.sign_ins()) + "\n")
