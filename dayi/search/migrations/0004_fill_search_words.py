"""Fill search_words of instruments written before the segmenter did (empty search_words)."""

from django.db import migrations


def fill_search_words(apps, schema_editor):
    from dayi.search.segment import instrument_words

    Instrument = apps.get_model("directory", "Instrument")
    batch = []
    for instrument in Instrument.objects.filter(search_words="").iterator(chunk_size=1000):
        instrument.search_words = instrument_words(instrument)
        batch.append(instrument)
        if len(batch) >= 1000:
            Instrument.objects.bulk_update(batch, ["search_words"])
            batch = []
    Instrument.objects.bulk_update(batch, ["search_words"])


class Migration(migrations.Migration):
    dependencies = [("search", "0003_search_indexes")]

    operations = [migrations.RunPython(fill_search_words, migrations.RunPython.noop)]
