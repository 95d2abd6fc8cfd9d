"""The layers, read from the source (no import needed): core is the bottom and imports no other Dayi app;
booking sits below orders and imports nothing of it (orders follow bookings through dayi.booking.events)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DAYI = Path(__file__).resolve().parents[2] / "dayi"


def dayi_imports(package: str) -> list[tuple[str, int, str]]:
    """(file, line, module) for every ``dayi.…`` module the package's files import, anywhere in them."""
    found = []
    for path in sorted((DAYI / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            modules: list[str] = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                base = node.module
                # ``from dayi import orders`` imports the app itself.
                modules = [f"{base}.{alias.name}" for alias in node.names] if base == "dayi" else [base]
            name = str(path.relative_to(DAYI.parent))
            found += [(name, node.lineno, m) for m in modules if m == "dayi" or m.startswith("dayi.")]
    return found


def app_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_import_scanner_sees_imports_inside_functions_too() -> None:
    # the lazy imports in the booking events (the e-mail task) are found, so a lazy import of orders would be
    assert any(m == "dayi.booking.tasks" for _, _, m in dayi_imports("booking"))


def test_core_imports_no_other_dayi_app() -> None:
    # ``from dayi import __version__`` is the package root, not an app.
    allowed = {"core", "__version__"}
    found = [(f, line, m) for f, line, m in dayi_imports("core") if app_of(m) not in allowed]
    assert found == []


@pytest.mark.parametrize(("lower", "upper"), [("booking", "orders")])
def test_a_lower_app_imports_nothing_of_the_app_above_it(lower: str, upper: str) -> None:
    found = [(f, line, m) for f, line, m in dayi_imports(lower) if app_of(m) == upper]
    assert found == []
