"""An invitation link opened twice at once makes one user: the row lock and the conditional update agree."""

from __future__ import annotations

from typing import Any

import pytest

from dayi.accounts import services
from dayi.accounts.access import actor_for
from dayi.accounts.models import User
from dayi.core.errors import Conflict
from tests.concurrency import race
from tests.conftest import NOW

pytestmark = pytest.mark.django_db(transaction=True)

STRONG = "Tiegelzange-4711-Quarz"


def test_two_acceptances_of_one_invitation_at_once_make_one_user(network: Any, people: Any) -> None:
    _, token = services.invite_user(
        actor_for(people["amy"]), institution_id=network["zju"].pk, email="new@zju.edu.cn", now=NOW
    )

    def accept(username: str) -> Any:
        return lambda: services.accept_invitation(token, username=username, password=STRONG, now=NOW)

    results = race([accept("first"), accept("second")])

    assert sum(isinstance(r, User) for r in results) == 1
    assert sum(isinstance(r, Conflict) and r.code == "invitation_used" for r in results) == 1
    assert User.objects.filter(email="new@zju.edu.cn").count() == 1
