"""Loading the demo data into the test database: small, so each test can load it afresh."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

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
