"""The generated voucher demo data (dayi/demo/vouchers.py): something in every state, ledgers that reconcile,
and a reload that replaces it despite the append-only ledgers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from dayi.accounts.models import User
from dayi.demo import loader
from dayi.orders.models import LedgerEntry
from dayi.vouchers import queries
from dayi.vouchers.models import (
    Recognition,
    RedemptionClaim,
    VoucherApplication,
    VoucherLedgerEntry,
    VoucherListing,
    VoucherScheme,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def demo(db: Any) -> Any:
    return loader.load(seed=7, instruments=1000, now=NOW)


def test_the_demo_has_two_schemes_with_a_yrd_recognition_and_each_state(demo: Any) -> None:
    sh, zj = VoucherScheme.objects.get(code="sh2026"), VoucherScheme.objects.get(code="zj2026")

    assert Recognition.objects.filter(scheme=sh, accepts=zj, payer="issuer").exists()
    assert {sh.mode, zj.mode} == {"tongdui", "tongyong"}
    assert set(VoucherListing.objects.values_list("status", flat=True)) == {"approved", "pending"}
    assert set(VoucherApplication.objects.values_list("status", flat=True)) == {
        "submitted",
        "approved",
        "rejected",
    }
    assert set(RedemptionClaim.objects.values_list("status", flat=True)) == {
        "submitted",
        "settled",
        "rejected",
    }
    assert all(queries.reconcile(s)["ok"] for s in (sh, zj))
    flows = {(f["from_code"], f["to_code"]) for f in queries.region_flows()}
    assert ("310000", "330000") in flows  # Shanghai companies at Zhejiang providers


def test_the_officers_sign_in_and_see_their_queues(demo: Any) -> None:
    rows = {r["username"]: r for r in loader.sign_ins()}
    client = Client()
    client.force_login(User.objects.get(username="sh-voucher"))

    assert rows["sh-voucher"]["role"] == "voucher_officer" and rows["sh-voucher"]["scope"] == "sh2026"
    assert client.get("/vouchers/schemes/sh2026/queue/").status_code == 200
    assert client.get("/vouchers/schemes/zj2026/queue/").status_code == 403


def test_loading_again_replaces_the_voucher_demo(demo: Any) -> None:
    before = VoucherLedgerEntry.objects.count()

    loader.load(seed=7, instruments=1000, now=NOW)

    assert VoucherScheme.objects.count() == 2
    assert VoucherLedgerEntry.objects.count() == before
    assert LedgerEntry.objects.exists()
