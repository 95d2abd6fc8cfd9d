"""Loading the demo data into the test database: small, so each test can load it afresh."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from dayi.accounts.models import User
from dayi.demo import loader
from dayi.demo.loader import LoadReport

NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
SMALL = 300  # instruments: enough for every platform to get some, quick to load


@pytest.fixture
def load_demo(db: Any) -> Any:
    """``load_demo(seed=7)``: load the demo data with SMALL instruments and return the report."""

    def load(seed: int = 7, instruments: int = SMALL, with_digest: bool = True) -> LoadReport:
        return loader.load(seed=seed, instruments=instruments, now=NOW, with_digest=with_digest)

    return load


@pytest.fixture
def demo(load_demo: Any) -> LoadReport:
    return load_demo()


@pytest.fixture(scope="module")
def shared_demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[LoadReport]:
    """One load for a module's tests that only read it, rolled back after the module.

    Each test still runs in its own transaction (a savepoint inside this one, through ``db``), so what
    a test writes goes with it. A load takes seconds: loading afresh for each reading test cost minutes.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield loader.load(seed=7, instruments=SMALL, now=NOW)
        transaction.set_rollback(True)


def user_named(username: str) -> User:
    return User.objects.select_related("institution").get(username=username)
