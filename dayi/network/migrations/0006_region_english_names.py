"""Give every region an English name built from its pinyin and kind (dayi/network/regions_en.py), in place
of the divisions file's run-together ones ("Haidianqu") and blanks (issue 12)."""

import csv
from pathlib import Path

from django.db import migrations


def name_regions(apps, schema_editor):
    from dayi.network.regions_en import region_name_en

    Region = apps.get_model("network", "Region")
    path = Path(__file__).resolve().parent.parent / "data" / "china_divisions.csv"
    with path.open(encoding="utf-8") as fh:
        names = {row["code"]: region_name_en(row) for row in csv.DictReader(fh) if len(row["code"]) == 6}
    regions = list(Region.objects.filter(code__in=names))
    for region in regions:
        region.name_en = names[region.code]
    Region.objects.bulk_update(regions, ["name_en"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("network", "0005_institution_default_booking_policy")]
    operations = [migrations.RunPython(name_regions, migrations.RunPython.noop)]
