"""Load the national evaluation results of 2018–2024 (data/eval_results_long.csv, see data/PROVENANCE.md)."""

from django.db import migrations


def load_national_results(apps, schema_editor):
    from dayi.evaluation.history import load_national_results as load

    load(apps.get_model("evaluation", "NationalResult"), apps.get_model("network", "Institution"))


def unload_national_results(apps, schema_editor):
    apps.get_model("evaluation", "NationalResult").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_evaluation_configs_runs_results"), ("network", "0001_initial")]
    operations = [migrations.RunPython(load_national_results, unload_national_results)]
