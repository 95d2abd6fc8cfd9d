"""``dayi import_instruments FILE --institution ID``: the API's import service, from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from dayi.accounts.access import Actor, actor_for
from dayi.accounts.models import User
from dayi.core.errors import DayiError
from dayi.directory import importing

STAGES = {"read": "读取 read", "check": "校验 check", "segment": "分词 segment", "write": "写入 write"}
SHOWN_ROW_ERRORS = 50


class Command(BaseCommand):
    help = (
        "Import instruments from a CSV or XLSX file in the national record layout (or --format uniquip). "
        "All rows or none; --dry-run checks without writing."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--institution", type=int, required=True, help="the institution's id")
        parser.add_argument("--dry-run", action="store_true", help="check the file and count, write nothing")
        parser.add_argument(
            "--format", choices=importing.FORMATS, default=None, help="default: from the file"
        )
        parser.add_argument(
            "--as", dest="username", default=None, help="act as this user (default: the first superuser)"
        )
        parser.add_argument("--default-category", default=None, help="uniquip: category code for every row")
        parser.add_argument(
            "--default-value", default=None, help="uniquip: original value (yuan) for every row"
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        actor = self._actor(opts["username"])
        # The bare stream: OutputWrapper.write would end every carriage-return redraw with a newline.
        bars = _Bars(self.stderr._out, disabled=opts["no_progress"])
        try:
            result = importing.import_instruments(
                actor,
                opts["institution"],
                path.read_bytes(),
                filename=path.name,
                fmt=opts["format"],
                dry_run=opts["dry_run"],
                defaults=importing.Defaults(opts["default_category"], opts["default_value"]),
                now=timezone.now(),
                progress=bars.update,
            )
        except DayiError as exc:
            bars.close()
            raise CommandError(_describe(exc)) from None
        bars.close()
        verb = "would create" if result.dry_run else "created"
        self.stdout.write(
            f"{verb} {result.created}, {'would update' if result.dry_run else 'updated'} {result.updated}, "
            f"unchanged {result.unchanged} ({result.rows} rows, {result.format}, {result.encoding})"
        )
        if result.ignored_columns:
            self.stdout.write(f"ignored columns: {', '.join(result.ignored_columns)}")
        if result.report:
            self.stdout.write(json.dumps(result.report, ensure_ascii=False, indent=2))

    def _actor(self, username: str | None) -> Actor:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"no active user {username!r}")
        else:
            user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
            if user is None:
                raise CommandError("no superuser to act as: create one or pass --as USERNAME")
            self.stderr.write(f"acting as {user.username} (superuser); use --as to choose")
        return actor_for(user)


class _Bars:
    """One tqdm bar per stage of the import, on stderr."""

    def __init__(self, out: Any, *, disabled: bool) -> None:
        self.out = out
        self.disabled = disabled
        self.stage = ""
        self.bar: tqdm[Any] | None = None

    def update(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(
                total=total, desc=STAGES.get(stage, stage), unit="row", disable=self.disabled, file=self.out
            )
        assert self.bar is not None
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _describe(exc: DayiError) -> str:
    lines = [f"{exc.code}: {exc.message}"]
    for key, messages in exc.fields.items():
        lines.append(f"  {key}: {'; '.join(messages)}")
    rows = exc.extra.get("rows") or []
    for row in rows[:SHOWN_ROW_ERRORS]:
        column = f" ({row['column']})" if row.get("column") else ""
        lines.append(f"  row {row['row']} {row['field']}{column}: {row['message']}")
    if len(rows) > SHOWN_ROW_ERRORS:
        lines.append(f"  … and {len(rows) - SHOWN_ROW_ERRORS} more")
    return "\n".join(lines)
