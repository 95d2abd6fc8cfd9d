"""The test session's entry point (``-p dayi.db.pytest_plugin`` in pyproject's addopts): start the private
PostgreSQL when no DATABASE_URL is given, before pytest-django reads the settings and sets up the test
database. Importing the settings never starts it."""

from __future__ import annotations

import pytest

from dayi.db import embedded


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> None:
    embedded.start_for_entry_point()
