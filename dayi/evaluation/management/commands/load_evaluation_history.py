"""``dayi load_evaluation_history``: load the national results of 2018–2024 again and link them to the
institutions that exist now (run it after ``dayi load_demo`` or an import of institutions)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from dayi.evaluation.history import load_national_results
from dayi.evaluation.models import NationalResult
from dayi.network.models import Institution


class Command(BaseCommand):
    help = "Load the national evaluation results 2018–2024 and link them to institutions by name."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            rows, linked = load_national_results(NationalResult, Institution)
        self.stdout.write(f"{rows} national results, {linked} linked to an institution")
