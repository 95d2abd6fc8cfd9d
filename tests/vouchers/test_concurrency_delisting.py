"""Parallel delistings on real connections: however many officers press at once, a provider is delisted
once and its credit record gets one entry; the others are told it is already delisted (409), never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dayi.accounts.models import Role, User
from dayi.core.errors import Conflict
from dayi.network.models import Institution
from dayi.vouchers import services
from dayi.vouchers.models import ProviderCreditEntry, VoucherListing, VoucherScheme
from tests.concurrency import race
from tests.conftest import NOW, make_institution, make_user
from tests.vouchers.conftest import act, listed, make_scheme

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def _delist(officer: User, code: str, provider: Institution, n: int) -> Callable[[], Any]:
    return lambda: services.delist_provider(act(officer), code, provider.pk, reason=f"理由 {n}", now=NOW)


@pytest.mark.parametrize("rule", ["listed", "region"])
def test_parallel_delistings_delist_once(network: dict[str, Any], rule: str) -> None:
    scheme = make_scheme(network["zju"], code="hz2026", region="330100", provider_rule=rule)
    provider = make_institution("杭州检测技术有限公司", "91330100MA27X0001A", "330100", kind="enterprise")
    if rule == "listed":
        listed(scheme, provider)  # a region rule pays it without a listing: the delistings insert one
    officers = [make_user(f"officer{n}", None, Role.VOUCHER_OFFICER, scheme="hz2026") for n in range(8)]

    results = race([_delist(o, "hz2026", provider, n) for n, o in enumerate(officers)])

    done = [r for r in results if isinstance(r, VoucherListing)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert (len(done), len(refused)) == (1, 7), results
    assert ProviderCreditEntry.objects.filter(provider=provider).count() == 1
    assert VoucherListing.objects.get(scheme=VoucherScheme.objects.get(code="hz2026")).status == "delisted"
