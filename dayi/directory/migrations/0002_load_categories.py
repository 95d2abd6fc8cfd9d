"""Load the coded classes of the large-instrument classification (see data/PROVENANCE.md)."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "cn_large_instrument_classification_2level.csv"

# Dayi's own English names for the 12 classes and the middle classes it names often.
NAMES_EN = {
    "01": "Analytical instruments",
    "02": "Physical property testing instruments",
    "03": "Metrology instruments",
    "04": "Astronomical instruments",
    "05": "Ocean instruments",
    "06": "Earth exploration instruments",
    "07": "Atmospheric sounding instruments",
    "08": "Electronic measuring instruments",
    "09": "Medical diagnostic instruments",
    "10": "Nuclear instruments",
    "11": "Special testing instruments",
    "12": "Other instruments",
    "0101": "Electron optical instruments",
    "0102": "Mass spectrometers",
    "0103": "X-ray instruments",
    "0104": "Spectrometers",
    "0105": "Chromatographs",
    "0106": "Magnetic resonance spectrometers",
    "0107": "Electrochemical instruments",
    "0108": "Microscopes and image analysers",
    "0109": "Thermal analysers",
    "0110": "Biochemical separation and analysis",
    "0111": "Environmental and agricultural analysers",
    "0112": "Sample preparation instruments",
    "0113": "Other analytical instruments",
    "0201": "Mechanical property testers",
    "0202": "Geodetic instruments",
    "0203": "Photoelectric measuring instruments",
    "0204": "Acoustic and vibration instruments",
    "0205": "Particle size analysers",
    "0206": "Flaw detectors",
    "0207": "Other physical testing instruments",
    "0801": "General electronic measuring instruments",
    "0802": "RF and microwave test instruments",
    "0805": "Integrated circuit testers",
    "0902": "Diagnostic imaging",
    "1001": "Radiation detectors",
    "1003": "Ion beam analysers",
    "1005": "Neutron scattering and diffraction",
}


def load_categories(apps, schema_editor):
    Category = apps.get_model("directory", "Category")
    with DATA.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["code"]]  # uncoded groups are not loaded
    rows.sort(key=lambda r: (len(r["code"]), r["code"]))
    Category.objects.bulk_create(
        [
            Category(
                code=r["code"],
                parent_id=r["parent_code"] or None,
                level=len(r["code"]) // 2,
                name=r["name_zh"],
                name_en=NAMES_EN.get(r["code"], ""),
            )
            for r in rows
        ]
    )


def unload_categories(apps, schema_editor):
    apps.get_model("directory", "Category").objects.filter(level=2).delete()
    apps.get_model("directory", "Category").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(load_categories, unload_categories)]
