"""Load the synonym and abbreviation table kept as data in dayi/search/data/synonyms.csv."""

import csv
import datetime as dt
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "synonyms.csv"
LOADED_AT = dt.datetime(2026, 11, 22, tzinfo=dt.UTC)


def rows():
    with DATA.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            expansions = [e.strip() for e in row["expansions"].split("|") if e.strip()]
            yield row["term"].strip(), expansions, row["category"].strip() or None, row["note"].strip()


def load_synonyms(apps, schema_editor):
    Synonym = apps.get_model("search", "Synonym")
    Category = apps.get_model("directory", "Category")
    known = set(Category.objects.values_list("code", flat=True))
    Synonym.objects.bulk_create(
        Synonym(
            term=term,
            expansions=expansions,
            category_id=category if category in known else None,
            note=note,
            created=LOADED_AT,
            updated=LOADED_AT,
        )
        for term, expansions, category, note in rows()
    )


def unload_synonyms(apps, schema_editor):
    Synonym = apps.get_model("search", "Synonym")
    Synonym.objects.filter(term__in=[term for term, *_ in rows()], created=LOADED_AT).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_synonym"),
        ("directory", "0002_load_categories"),
    ]

    operations = [migrations.RunPython(load_synonyms, unload_synonyms)]
