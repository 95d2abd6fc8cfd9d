"""The national results of 2018–2024 (data/eval_results_long.csv, see data/PROVENANCE.md) as history.

Loaded by the data migration ``0002_load_national_results`` into every database, and again by
``dayi load_evaluation_history`` (idempotent), which also links rows to institutions created since — the
demo's, or an operator's. A row is linked to the ``Institution`` whose name is the row's name or another
name of the same entity (the source's ``name_group``); rows that match none keep their name only.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "eval_results_long.csv"


def read_rows(path: Path = DATA) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def institution_ids_by_name(rows: list[dict[str, str]], institution_model: Any) -> dict[str, int]:
    """Row name → institution id: by the name itself, else by any other name of its name group."""
    names_of_group: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        names_of_group[row["name_group"]].update((row["institution"], row["name_group"]))
    all_names = set().union(*names_of_group.values()) if names_of_group else set()
    ids = dict(institution_model.objects.filter(name__in=all_names).values_list("name", "id"))
    linked: dict[str, int] = {}
    for row in rows:
        name = row["institution"]
        found = ids.get(name) or next(
            (ids[n] for n in sorted(names_of_group[row["name_group"]]) if n in ids), None
        )
        if found:
            linked[name] = found
    return linked


def load_national_results(result_model: Any, institution_model: Any) -> tuple[int, int]:
    """Insert or refresh every row and (re)link it; returns (rows, rows linked to an institution)."""
    rows = read_rows()
    linked = institution_ids_by_name(rows, institution_model)
    objs = [
        result_model(
            year=int(row["year"]),
            institution_name=row["institution"],
            name_group=row["name_group"],
            institution_id=linked.get(row["institution"]),
            grade=row["grade_en"],
            list_order=int(row["list_order"]),
            department=row["department_filled"],
            province=row["province_suggested"] or row["province"],
        )
        for row in rows
    ]
    result_model.objects.bulk_create(
        objs,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["year", "institution_name"],
        update_fields=["name_group", "institution", "grade", "list_order", "department", "province"],
    )
    return len(objs), sum(1 for o in objs if o.institution_id)
