"""One access layer: page, view and API modules never decide who may do what, nor fetch a guarded model
themselves; they ask ``dayi.accounts.access`` (as Zulip's lint keeps ``access_*`` the only way in).

The test reads the source (``ast``), so it needs no database. It fails on:
- reading a role attribute of an ``Actor`` (``platform_paths``, ``admin_institutions``, …) or
  ``is_superuser`` on anything: the roles are the access layer's business;
- ``<GuardedModel>.objects.<anything>``: a private object fetched without going through an
  ``access_<noun>`` helper (or a query function that starts from one).
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
    "is_superuser",
}

GUARDED_MODELS = {
    # directory, booking, orders, demands
    "Instrument",
    "Booking",
    "UsageRecord",
    "Qualification",
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
    # the idle-instrument workflow (ratings are published reviews: public, so not guarded)
    "IdleNotice",
    "TransferProposal",
}

# What other engineers of issue 11 still own and move into the access layer on their branches:
# (module, what) → how many times it may appear (so no new one slips in). The integrator removes an entry
# once its owner's branch is merged (and the test then proves the move).
ALLOWED: dict[tuple[str, str], int] = {
    # "usage" engineer: booking pages and API go through access/bookings.py (access_booking).
    ("booking/api.py", "Booking.objects"): 1,
    ("booking/views.py", "Booking.objects"): 2,
    ("booking/views.py", "UsageRecord.objects"): 3,
    # "money" engineer: orders pages and API, accounts and ledgers go through access/money.py.
    ("orders/api.py", "Order.objects"): 1,
    ("orders/views.py", "Order.objects"): 2,
    ("orders/views.py", "Account.objects"): 1,
    ("orders/views.py", "LedgerEntry.objects"): 1,
    # vouchers: their inline role checks and queries are left as they are in issue 11 (listed in the
    # closing note); the whole modules are allowed until they move.
    ("vouchers/api.py", "*"): 99,
    ("vouchers/pages.py", "*"): 99,
    ("vouchers/views.py", "*"): 99,
}


def page_modules() -> list[Path]:
    names = {"views.py", "pages.py", "api.py"}
    found = [p for p in DAYI.rglob("*.py") if p.name in names or p.parent.name in ("views", "pages", "api")]
    return sorted(p for p in found if "migrations" not in p.parts)


def violations(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        if node.attr in ROLE_ATTRIBUTES:
            yield node.lineno, f".{node.attr}"
        elif node.attr == "objects" and isinstance(node.value, ast.Name) and node.value.id in GUARDED_MODELS:
            yield node.lineno, f"{node.value.id}.objects"


def unexpected() -> dict[str, list[str]]:
    """Violations beyond the allow-list, by module."""
    found: dict[str, list[str]] = {}
    for path in page_modules():
        relative = path.relative_to(DAYI).as_posix()
        counts: dict[str, int] = {}
        for line, what in sorted(violations(path)):
            counts[what] = counts.get(what, 0) + 1
            allowed = ALLOWED.get((relative, what), ALLOWED.get((relative, "*"), 0))
            if counts[what] > allowed:
                found.setdefault(relative, []).append(f"line {line}: {what}")
    return found


def test_page_and_api_modules_ask_the_access_layer() -> None:
    assert unexpected() == {}, (
        "read roles or fetch guarded models through dayi.accounts.access (or a query that starts there)"
    )


def test_the_allow_list_names_only_modules_that_exist() -> None:
    for relative, _ in ALLOWED:
        assert (DAYI / relative).exists(), relative


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
