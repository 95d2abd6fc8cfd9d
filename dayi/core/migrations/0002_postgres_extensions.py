"""The PostgreSQL extensions Dayi relies on: btree_gist (exclusion constraints on bookings), pg_trgm (search)."""

from django.contrib.postgres.operations import BtreeGistExtension, TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [BtreeGistExtension(), TrigramExtension()]
