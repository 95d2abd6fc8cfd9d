"""Index the search words through ``dayi_words_vector(text)``, a wrapper of to_tsvector('simple', …) that
tells the planner what the call costs.

PostgreSQL costs to_tsvector at 100 operator units (0.25 of a row's cost) while a record's words take about
200 µs to vectorise; under about 10,000 instruments the planner then chose to scan the table and vectorise
every row (1.0 s for a search over the 5,000-instrument demo) rather than read the GIN index (1 ms). The
wrapper is COST 5000, and its SET clause keeps PostgreSQL from inlining it (inlined, the cost would be
to_tsvector's again). The index keeps its name; only its expression changes.
"""

from django.db import migrations

FUNCTION = """
CREATE FUNCTION dayi_words_vector(text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 5000
SET search_path = pg_catalog
AS $$ SELECT to_tsvector('simple'::regconfig, $1) $$
"""
NEW_INDEX = "CREATE INDEX instrument_words_fts_idx ON directory_instrument USING gin (dayi_words_vector(search_words))"
OLD_INDEX = (
    "CREATE INDEX instrument_words_fts_idx ON directory_instrument "
    "USING gin (to_tsvector('simple'::regconfig, search_words))"
)
DROP_INDEX = "DROP INDEX IF EXISTS instrument_words_fts_idx"


class Migration(migrations.Migration):
    dependencies = [("search", "0005_maker_aliases")]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS dayi_words_vector(text)"),
        migrations.RunSQL([DROP_INDEX, NEW_INDEX], [DROP_INDEX, OLD_INDEX]),
    ]
