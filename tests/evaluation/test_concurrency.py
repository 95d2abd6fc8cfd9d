"""Two admins saving the same year's configuration, or the same institution's inputs, at the same moment:
both succeed, one row remains, and the audit says who replaced what."""

from __future__ import annotations

from typing import Any

import pytest

from dayi.accounts.access import actor_for
from dayi.core.models import AuditEvent
from dayi.evaluation import engine, services
from dayi.evaluation.models import EvaluationConfig, ManualInput
from tests.concurrency import race
from tests.evaluation.conftest import NOW, YEAR

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_first_saves_of_a_config_at_once_both_succeed(people: dict[str, Any], network: Any) -> None:
    admins = [actor_for(people["carol"]), actor_for(people["root"])]

    results = race(
        [
            lambda a=a: services.save_config(a, "yrd", YEAR, engine.default_config(), now=NOW)
            for a in admins * 4
        ]
    )

    assert not [r for r in results if isinstance(r, Exception)]
    assert EvaluationConfig.objects.filter(platform=network["yrd"], year=YEAR).count() == 1
    audits = AuditEvent.objects.filter(action="evaluation.config")
    assert audits.count() == 8 and sum(1 for a in audits if a.before == {"config": None}) == 1


def test_first_saves_of_an_institutions_inputs_at_once_both_succeed(
    people: dict[str, Any], small: Any
) -> None:
    carol = actor_for(people["carol"])

    results = race(
        [
            lambda n=n: services.save_manual_input(
                carol, "yrd", YEAR, small["zju"].pk, technical_staff=n, now=NOW
            )
            for n in range(8)
        ]
    )

    assert not [r for r in results if isinstance(r, Exception)]
    assert ManualInput.objects.filter(institution=small["zju"]).count() == 1
