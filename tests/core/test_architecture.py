"""One access layer: page, view and API modules never decide who may do what, nor fetch a guarded model
themselves; they ask ``dayi.accounts.access`` (as Zulip's lint keeps ``access_*`` the only way in).

The test reads the source (``ast``), so it needs no database. It fails on:
- reading a role attribute of an ``Actor`` (``platform_paths``, ``admin_institutions``, …) or
  ``is_superuser`` on anything: the roles are the access layer's business. This holds for the services
  of every app too (they write, so they may query models, but they ask the access layer who may);
- ``<GuardedModel>.objects.<anything>`` in a page, view or API module: a private object fetched without
  going through an ``access_<noun>`` helper (or a query that starts from what one returned).
Only ``dayi/accounts/access/**`` reads roles.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

DAYI = Path(__file__).resolve().parents[2] / "dayi"

ROLE_ATTRIBUTES = {
    "platform_paths",
    "admin_institutions",
    "manager_institutions",
    "schemes",
    "platform_institutions",
    "overseen_institutions",
    "delegated_powers",
    "finance_institutions",
    "is_superuser",
}

GUARDED_MODELS = {
    # directory, booking, orders, demands
    "Instrument",
    "Booking",
    "UsageRecord",
    "Qualification",
    "TrainingRequest",
    "ProblemReport",
    "Order",
    "Account",
    "LedgerEntry",
    "TopUp",
    "Demand",
    "DemandQuote",
    # network: who belongs to and who operates an institution
    "Membership",
    "Delegation",
    "RoleGrant",
    # vouchers
    "VoucherScheme",
    "VoucherApplication",
    "Voucher",
    "VoucherUse",
    "RedemptionClaim",
    "RelatedParties",
    "VoucherLedgerEntry",
    "VoucherListing",
    "ProviderCreditEntry",
    # the idle-instrument workflow (ratings are published reviews: public, so not guarded)
    "IdleNotice",
    "TransferProposal",
}

# No allow-list: since issue 11 every page, view, API and services module goes through the access layer.


def _modules(names: set[str]) -> list[Path]:
    """Modules named ``<name>.py`` and every module of a ``<name>`` package, outside migrations."""
    found = [p for p in DAYI.rglob("*.py") if p.name in {f"{n}.py" for n in names} or p.parent.name in names]
    return sorted(p for p in found if "migrations" not in p.parts)


def page_modules() -> list[Path]:
    return _modules({"views", "pages", "api"})


def services_modules() -> list[Path]:
    return _modules({"services"})


def violations(path: Path, *, models: bool = True) -> Iterator[tuple[int, str]]:
    """Role attributes read, and (with ``models``) guarded models queried, in the module at ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        if node.attr in ROLE_ATTRIBUTES:
            yield node.lineno, f".{node.attr}"
        elif (
            models
            and node.attr == "objects"
            and isinstance(node.value, ast.Name)
            and node.value.id in GUARDED_MODELS
        ):
            yield node.lineno, f"{node.value.id}.objects"


def unexpected(paths: list[Path], *, models: bool = True) -> dict[str, list[str]]:
    """Violations by module."""
    found: dict[str, list[str]] = {}
    for path in paths:
        for line, what in sorted(violations(path, models=models)):
            found.setdefault(path.relative_to(DAYI).as_posix(), []).append(f"line {line}: {what}")
    return found


def test_page_and_api_modules_ask_the_access_layer() -> None:
    assert unexpected(page_modules()) == {}, (
        "read roles or fetch guarded models through dayi.accounts.access (or a query that starts there)"
    )


def test_services_ask_the_access_layer_who_may() -> None:
    assert unexpected(services_modules(), models=False) == {}, (
        "ask a predicate of dayi.accounts.access (operates, acts_for_scheme, …) instead of reading roles"
    )


def test_the_modules_are_found() -> None:
    pages, services = page_modules(), services_modules()

    assert DAYI / "vouchers" / "pages.py" in pages and DAYI / "orders" / "api.py" in pages
    assert DAYI / "vouchers" / "services" / "claims.py" in services
    assert DAYI / "accounts" / "services.py" in services
    assert not [p for p in pages + services if "access" in p.relative_to(DAYI).parts]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("actor.platform_paths", [".platform_paths"]),
        ("if actor.is_superuser: pass", [".is_superuser"]),
        ("Order.objects.filter(pk=1)", ["Order.objects"]),
        ("Instrument.objects.get(pk=1)", ["Instrument.objects"]),
        ("Institution.objects.all()", []),
        ("visible_orders(actor).filter(pk=1)", []),
    ],
)
def test_the_checker_sees_what_it_should(tmp_path: Path, source: str, expected: list[str]) -> None:
    module = tmp_path / "views.py"
    module.write_text(source + "\n", encoding="utf-8")

    assert [what for _, what in violations(module)] == expected


def test_in_services_the_checker_sees_roles_but_not_queries(tmp_path: Path) -> None:
    module = tmp_path / "services.py"
    module.write_text("if funder in actor.platform_institutions:\n    Order.objects.get(pk=1)\n")

    assert [what for _, what in violations(module, models=False)] == [".platform_institutions"]
