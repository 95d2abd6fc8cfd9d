"""The national results 2018–2024: loaded by the data migration, linked to institutions by name."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count

from dayi.evaluation.models import NationalResult
from tests.conftest import make_institution

pytestmark = pytest.mark.django_db


def test_every_row_is_loaded_with_the_grade_counts_of_the_notices(db: Any) -> None:
    assert NationalResult.objects.count() == 2453
    rows = NationalResult.objects.filter(year=2018).values_list("grade").annotate(n=Count("id"))
    counts = dict(rows.order_by())
    assert counts == {"excellent": 41, "good": 60, "qualified": 246, "poor": 26}  # 国科办基〔2018〕117号


def test_the_command_links_rows_by_name_and_by_name_group(network: dict[str, Any]) -> None:
    # Given an institution under the entity's later name; in 2018 the list named it with its prefix
    inst = make_institution("中国科学院西北高原生物研究所", "12100000MB0123456X", "630100")

    out = StringIO()
    call_command("load_evaluation_history", stdout=out)

    linked = NationalResult.objects.filter(institution=inst)
    names = set(linked.values_list("institution_name", flat=True))
    assert names == {"中国科学院西北高原生物研究所", "中国科学院西北生态环境资源研究院西北高原生物研究所"}
    assert linked.filter(year=2018).exists()
    assert "2453 national results" in out.getvalue()
    # Run again: the same rows, not twice as many
    call_command("load_evaluation_history", stdout=StringIO())
    assert NationalResult.objects.count() == 2453
    # A name matching no institution keeps its name only
    assert NationalResult.objects.filter(institution_name="复旦大学", institution__isnull=True).exists()
