"""Cross-region recognition: a Shanghai company uses its Shanghai voucher at a Hangzhou lab because the
Shanghai scheme recognises the Zhejiang one (the Yangtze River Delta pilot) — in 通兑 and in 通用, paid by
the issuing scheme or by the provider's — and is refused without the agreement."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from dayi.accounts.models import Role, User
from dayi.core.errors import Conflict, Forbidden, RuleViolation
from dayi.network.models import Institution
from dayi.orders.services.transitions import payable
from dayi.vouchers import queries, services
from dayi.vouchers.errors import BudgetExhausted
from dayi.vouchers.models import Voucher, VoucherScheme
from tests.conftest import NOW, make_user
from tests.vouchers.conftest import act, delivered_order, issue, listed, make_scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def yrd(network: dict[str, Any], scheme: VoucherScheme, olga: User, sme: Institution) -> dict[str, Any]:
    """sh2026 (fixture, Shanghai, officer olga); zj2026 (Zhejiang, officer zoe) lists 浙江大学 in Hangzhou;
    the Pudong SME holds a 10,000 Shanghai voucher; 浙江大学 is NOT listed for the Shanghai scheme."""
    zj = make_scheme(
        network["zju"],
        code="zj2026",
        name="浙江省科技创新券 2026",
        region="330000",
        eligible_regions=["330000"],
        subsidy_ratio=Decimal("0.40"),
        budget=Decimal("50000"),
    )
    zoe = make_user("zoe", None, Role.VOUCHER_OFFICER, scheme=zj.code)
    listed(zj, network["zju"])
    return {"sh": scheme, "zj": zj, "zoe": zoe, "voucher": issue(scheme, sme, olga), "lab": network["zju"]}


def _order(
    cathy: User, sme: Institution, people: dict[str, User], yrd: dict[str, Any], amount: str = "3000.00"
) -> Any:
    return delivered_order(cathy, sme, yrd["lab"], people["alice"], amount)


def test_without_a_recognition_a_hangzhou_lab_is_refused(
    cathy: User, sme: Institution, people: dict[str, User], yrd: dict[str, Any]
) -> None:
    order = _order(cathy, sme, people, yrd)
    with pytest.raises(RuleViolation) as err:
        services.apply_voucher_to_order(act(cathy), order.pk, yrd["voucher"].number, now=NOW)
    assert err.value.rule == "provider_not_listed"


def test_tongdui_paid_by_the_issuer_the_company_pays_its_share_and_the_lab_claims_from_shanghai(
    cathy: User, sme: Institution, people: dict[str, User], yrd: dict[str, Any], olga: User
) -> None:
    # Given Shanghai recognises Zhejiang's providers, paying itself, in 通兑
    services.add_recognition(act(olga), "sh2026", accepts="zj2026", payer="issuer", mode="tongdui", now=NOW)
    order = _order(cathy, sme, people, yrd)
    # When the company applies its Shanghai voucher at 浙江大学
    result = services.apply_voucher_to_order(act(cathy), order.pk, yrd["voucher"].number, now=NOW)
    # Then Shanghai's ratio (0.5) covers 1,500 from Shanghai's budget; the company owes the other 1,500
    assert (result["covered"], result["payer"], result["mode"]) == (Decimal("1500.00"), "sh2026", "tongdui")
    assert payable(order) == Decimal("1500.00")
    # And the lab claims from Shanghai, whose officer settles it
    claim = services.claim_redemption(act(people["alice"]), order.pk, now=NOW)
    assert (claim.scheme.code, claim.claimant_id) == ("sh2026", yrd["lab"].pk)
    services.settle_claim(act(olga), claim.pk, now=NOW)
    sh, zj = (VoucherScheme.objects.get(code=c) for c in ("sh2026", "zj2026"))
    assert (sh.spent, sh.settled, zj.spent) == (Decimal("1500.00"), Decimal("1500.00"), 0)
    assert queries.reconcile(sh)["ok"] and queries.reconcile(zj)["ok"]


def test_tongyong_paid_by_the_providers_scheme_the_company_pays_in_full_and_hangzhou_reimburses_it(
    cathy: User, sme: Institution, people: dict[str, User], yrd: dict[str, Any], olga: User
) -> None:
    # Given the agreement says the provider's scheme pays, in 通用: both officers must sign (root is both)
    with pytest.raises(Forbidden):
        services.add_recognition(
            act(olga), "sh2026", accepts="zj2026", payer="provider", mode="tongyong", now=NOW
        )
    services.add_recognition(
        act(people["root"]), "sh2026", accepts="zj2026", payer="provider", mode="tongyong", now=NOW
    )
    order = _order(cathy, sme, people, yrd)
    result = services.apply_voucher_to_order(act(cathy), order.pk, yrd["voucher"].number, now=NOW)
    # Then the voucher's 1,500 is spent from Zhejiang's budget, the company still pays the lab all 3,000
    assert (result["covered"], result["payer"], result["payable"]) == (
        Decimal("1500.00"),
        "zj2026",
        Decimal("3000.00"),
    )
    assert payable(order) == Decimal("3000.00")
    voucher = Voucher.objects.get(pk=yrd["voucher"].pk)
    assert voucher.balance == Decimal("8500.00")
    # And the company, not the lab, claims — from Zhejiang, whose officer (zoe) settles
    with pytest.raises(Forbidden):
        services.claim_redemption(act(people["alice"]), order.pk, now=NOW)
    claim = services.claim_redemption(act(cathy), order.pk, now=NOW)
    assert (claim.scheme.code, claim.claimant_id, claim.mode) == ("zj2026", sme.pk, "tongyong")
    with pytest.raises(Forbidden):
        services.settle_claim(act(olga), claim.pk, now=NOW)
    services.settle_claim(act(yrd["zoe"]), claim.pk, now=NOW)
    sh, zj = (VoucherScheme.objects.get(code=c) for c in ("sh2026", "zj2026"))
    assert (sh.reserved, sh.spent) == (Decimal("8500.00"), 0)
    assert (zj.reserved, zj.spent, zj.settled) == (0, Decimal("1500.00"), Decimal("1500.00"))
    assert queries.reconcile(sh)["ok"] and queries.reconcile(zj)["ok"]


def test_tongyong_paid_by_the_issuer(
    cathy: User, sme: Institution, people: dict[str, User], yrd: dict[str, Any], olga: User
) -> None:
    services.add_recognition(act(olga), "sh2026", accepts="zj2026", payer="issuer", mode="tongyong", now=NOW)
    order = _order(cathy, sme, people, yrd)
    result = services.apply_voucher_to_order(act(cathy), order.pk, yrd["voucher"].number, now=NOW)
    assert (result["payer"], result["mode"], result["payable"]) == ("sh2026", "tongyong", Decimal("3000.00"))
    claim = services.claim_redemption(act(cathy), order.pk, now=NOW)
    services.reject_claim(act(olga), claim.pk, reason="无付款凭证 (no proof of payment)", now=NOW)
    # 通用: the company paid in full already; a rejection just means no reimbursement
    assert payable(order) == Decimal("3000.00")
    assert queries.reconcile(VoucherScheme.objects.get(code="sh2026"))["ok"]


def test_the_paying_scheme_must_have_budget_for_a_recognised_voucher(
    cathy: User, sme: Institution, people: dict[str, User], yrd: dict[str, Any], olga: User
) -> None:
    services.add_recognition(
        act(people["root"]), "sh2026", accepts="zj2026", payer="provider", mode="tongdui", now=NOW
    )
    VoucherScheme.objects.filter(code="zj2026").update(budget=Decimal("1000"))
    order = _order(cathy, sme, people, yrd)
    with pytest.raises(BudgetExhausted):
        services.apply_voucher_to_order(act(cathy), order.pk, yrd["voucher"].number, now=NOW)
    voucher = Voucher.objects.get(pk=yrd["voucher"].pk)
    assert voucher.balance == Decimal("10000.00")  # nothing moved
    assert payable(order) == Decimal("3000.00")


def test_a_recognition_is_made_once_by_the_issuers_officer(yrd: dict[str, Any], olga: User) -> None:
    with pytest.raises(Forbidden):
        services.add_recognition(
            act(yrd["zoe"]), "sh2026", accepts="zj2026", payer="issuer", mode="tongdui", now=NOW
        )
    services.add_recognition(act(olga), "sh2026", accepts="zj2026", payer="issuer", mode="tongdui", now=NOW)
    with pytest.raises(Conflict):
        services.add_recognition(
            act(olga), "sh2026", accepts="zj2026", payer="issuer", mode="tongdui", now=NOW
        )


def test_recognitions_over_the_api(api_as: Any, yrd: dict[str, Any], olga: User) -> None:
    from django.utils import timezone

    from dayi.accounts import services as account_services
    from tests.conftest import ApiClient

    token, _ = account_services.issue_token(olga, now=timezone.now())
    officer = ApiClient(token)
    bad = officer.post("/api/v1/voucher-schemes/sh2026/recognitions", {"scheme": "zj2026", "mode": "both"})
    assert bad.status_code == 422 and "mode" in bad.json()["error"]["fields"]
    made = officer.post(
        "/api/v1/voucher-schemes/sh2026/recognitions", {"scheme": "zj2026", "mode": "tongyong"}
    )
    assert made.status_code == 201 and made.json()["payer"] == "issuer"
    listed_ = api_as(None).get("/api/v1/voucher-schemes/sh2026/recognitions").json()
    assert [(r["accepts"], r["mode"]) for r in listed_] == [("zj2026", "tongyong")]
