"""Load China's GB/T 2260 divisions from data/china_divisions.csv (see data/PROVENANCE.md)."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "china_divisions.csv"


def load_regions(apps, schema_editor):
    Region = apps.get_model("network", "Region")
    seen: dict[str, dict] = {}
    with DATA.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if len(row["code"]) != 6:
                # 32 nine-digit rows repeat a county-level city that is already listed under its 6-digit code.
                continue
            # A few codes appear at two levels (东莞 441900 as city and as county): keep the first, higher one.
            seen.setdefault(row["code"], row)
    objs = [
        Region(
            code=row["code"],
            parent_id=row["parent_code"] if row["parent_code"] and row["parent_code"] != row["code"] else None,
            level=row["level"],
            name=row["name"],
            short_name=row["short_name"],
            name_en=row["name_en"],
            pinyin=row["pinyin"],
            lon=float(row["lon_gcj02"]) if row["lon_gcj02"] else None,
            lat=float(row["lat_gcj02"]) if row["lat_gcj02"] else None,
        )
        for row in seen.values()
    ]
    # Parents first: provinces, then cities, then counties.
    order = {"province": 0, "city": 1, "county": 2}
    objs.sort(key=lambda r: (order[r.level], r.code))
    Region.objects.bulk_create(objs, batch_size=1000)


def unload_regions(apps, schema_editor):
    apps.get_model("network", "Region").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("network", "0001_initial")]
    operations = [migrations.RunPython(load_regions, unload_regions)]
