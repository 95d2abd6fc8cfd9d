"""The indexes the directory's text search reads (see dayi/search/ranking.py).

- ``instrument_words_fts_idx``: GIN over to_tsvector('simple', search_words), the segmented words. The
  'simple' configuration only lower-cases: jieba has already cut the Chinese, and stemming is ours.
- ``instrument_*_trgm_idx``: pg_trgm GIN over the lower-cased name, English name and model, for model
  fragments (F200 in Talos F200X), Chinese substrings of three or more characters, and typos.

pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it. It is left in place on
reverse, since other objects may use it.
"""

from django.db import migrations

INDEXES = {
    "instrument_words_fts_idx": "gin (to_tsvector('simple'::regconfig, search_words))",
    "instrument_name_trgm_idx": "gin (lower(name) gin_trgm_ops)",
    "instrument_name_en_trgm_idx": "gin (lower(name_en) gin_trgm_ops)",
    "instrument_model_trgm_idx": "gin (lower(model) gin_trgm_ops)",
}


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_load_synonyms"),
        ("directory", "0003_instrument_search_words"),
    ]

    operations = [
        migrations.RunSQL("CREATE EXTENSION IF NOT EXISTS pg_trgm", migrations.RunSQL.noop),
        *(
            migrations.RunSQL(
                f"CREATE INDEX {name} ON directory_instrument USING {definition}",
                f"DROP INDEX IF EXISTS {name}",
            )
            for name, definition in INDEXES.items()
        ),
    ]
