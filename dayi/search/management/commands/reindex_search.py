"""``dayi reindex_search``: recompute every instrument's search words (after the user dictionary changed)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dayi.directory.models import Instrument
from dayi.search.segment import instrument_words

BATCH = 2000


class Command(BaseCommand):
    help = "Recompute Instrument.search_words with the current segmenter and user dictionary."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--only-empty", action="store_true", help="only instruments with no words yet")

    def handle(self, *args: Any, **opts: Any) -> None:
        qs = Instrument.objects.order_by("id").only("id", *self.fields())
        if opts["only_empty"]:
            qs = qs.filter(search_words="")
        changed, batch = 0, []
        for instrument in qs.iterator(chunk_size=BATCH):
            words = instrument_words(instrument)
            if words != instrument.search_words:
                instrument.search_words = words
                batch.append(instrument)
            if len(batch) >= BATCH:
                changed += self.flush(batch)
        changed += self.flush(batch)
        self.stdout.write(f"{changed} instruments reindexed")

    @staticmethod
    def fields() -> list[str]:
        return ["name", "name_en", "model", "manufacturer", "specs", "functions", "category", "search_words"]

    @staticmethod
    def flush(batch: list[Instrument]) -> int:
        # bulk_update leaves ``updated`` alone: reindexing changes no record a person wrote.
        Instrument.objects.bulk_update(batch, ["search_words"])
        n = len(batch)
        batch.clear()
        return n
