"""The reliability suite (issue 11): API fuzzing, the permission matrix, page writes and faults.

The heavy half — fuzzing a real server, posting to every page, killing a server's worker — runs once in CI:
with Dayi's private PostgreSQL (DATABASE_URL unset), not again with the machine's server.
``DAYI_RELIABILITY_HEAVY=1`` runs it anywhere, ``=0`` skips it anywhere; .ci/run sets it for each pass.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from dayi.accounts import services as account_services
from dayi.accounts.models import User
from dayi.demo import loader
from tests.reliability.server import Server

DEMO_NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
DEMO_INSTRUMENTS = 60  # a small demo: every kind of record, loaded in seconds


def heavy_enabled() -> bool:
    switch = os.environ.get("DAYI_RELIABILITY_HEAVY")
    if switch is not None:
        return switch == "1"
    return not os.environ.get("DATABASE_URL")


heavy = pytest.mark.skipif(
    not heavy_enabled(),
    reason="fuzzing and faults run once in CI (the private-PostgreSQL pass); =1: always",
)

# The four roles of the fuzzing, as demo users (None: anonymous).
ROLES: dict[str, str | None] = {
    "anonymous": None,
    "customer": "sme-user",
    "instrument manager": "zju-manager",
    "platform admin": "cn-admin",
}


@pytest.fixture
def served_demo(transactional_db: Any) -> Iterator[tuple[Server, dict[str, str | None]]]:
    """The small demo loaded and committed, a token for each role, and gunicorn serving them."""
    loader.load(seed=7, instruments=DEMO_INSTRUMENTS, now=DEMO_NOW)
    tokens: dict[str, str | None] = {}
    for role, username in ROLES.items():
        if username is None:
            tokens[role] = None
        else:
            tokens[role], _ = account_services.issue_token(
                User.objects.get(username=username), now=timezone.now()
            )
    server = Server(workers=2, threads=2)
    try:
        yield server, tokens
    finally:
        server.stop()
