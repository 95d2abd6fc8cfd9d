"""Load the reviewed maker names (dayi/search/data/makers.csv) as synonym rings, and recompute the search
words of instruments whose maker has a Chinese name the segmenter now knows as one word (卡尔蔡司)."""

import datetime as dt

from django.db import migrations
from django.db.models import Q
from django.db.models.functions import Lower

LOADED_AT = dt.datetime(2026, 12, 5, tzinfo=dt.UTC)


def load_makers(apps, schema_editor):
    from dayi.search.makers import makers

    Synonym = apps.get_model("search", "Synonym")
    taken = set(Synonym.objects.annotate(t=Lower("term")).values_list("t", flat=True))
    Synonym.objects.bulk_create(
        Synonym(term=m.short, expansions=list(m.forms), note=m.note, created=LOADED_AT, updated=LOADED_AT)
        for m in makers()
        if m.short.lower() not in taken
    )


def unload_makers(apps, schema_editor):
    from dayi.search.makers import makers

    Synonym = apps.get_model("search", "Synonym")
    Synonym.objects.filter(term__in=[m.short for m in makers()], created=LOADED_AT).delete()


def reindex_makers(apps, schema_editor):
    from dayi.search.makers import chinese_words
    from dayi.search.segment import instrument_words

    Instrument = apps.get_model("directory", "Instrument")
    named = Q(pk__in=[])
    for word in chinese_words():
        named |= Q(manufacturer__contains=word)
    batch = []
    for instrument in Instrument.objects.filter(named).iterator(chunk_size=1000):
        words = instrument_words(instrument)
        if words != instrument.search_words:
            instrument.search_words = words
            batch.append(instrument)
        if len(batch) >= 1000:
            Instrument.objects.bulk_update(batch, ["search_words"])
            batch = []
    Instrument.objects.bulk_update(batch, ["search_words"])


class Migration(migrations.Migration):
    dependencies = [("search", "0004_fill_search_words")]

    operations = [
        migrations.RunPython(load_makers, unload_makers),
        migrations.RunPython(reindex_makers, migrations.RunPython.noop),
    ]
