"""Hole 9b: a declaration of related parties belongs to the declaring scheme and counts in its checks only."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from dayi.accounts.models import Role, User
from dayi.core.errors import Forbidden, RuleViolation
from dayi.network.models import Institution
from dayi.vouchers import services
from dayi.vouchers.models import RelatedParties, Voucher, VoucherScheme
from tests.conftest import NOW, make_user
from tests.vouchers.conftest import act, delivered_order, make_scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def zj(network: dict[str, Any]) -> VoucherScheme:
    return make_scheme(network["zju"], code="zj2026", name="浙江省科技创新券 2026", region="330000")


@pytest.fixture
def zoe(zj: VoucherScheme) -> User:
    """An officer of Zhejiang's scheme, with no say over the Shanghai scheme's vouchers."""
    return make_user("zoe", None, Role.VOUCHER_OFFICER, scheme=zj.code)


def test_another_schemes_declaration_does_not_weigh_in_this_schemes_checks(
    cathy: User, sme: Institution, voucher: Voucher, people: dict[str, User], zoe: User
) -> None:
    # Given Zhejiang's officer declared the Shanghai company and the provider related (for Zhejiang)
    order = delivered_order(cathy, sme, voucher.scheme.funder, people["alice"], "2000.00")
    services.declare_related(act(zoe), sme.pk, order.provider_id, reason="传闻", now=NOW)

    # When the company pays with the Shanghai scheme's voucher, then the declaration does not stop it
    services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW)

    pair = RelatedParties.objects.get()
    assert pair.scheme is not None and pair.scheme.code == "zj2026"


def test_an_officer_cannot_declare_for_a_scheme_not_theirs(
    sme: Institution, voucher: Voucher, zoe: User, network: dict[str, Any]
) -> None:
    with pytest.raises(Forbidden):
        services.declare_related(
            act(zoe), sme.pk, network["zju"].pk, reason="传闻", scheme=voucher.scheme.code, now=NOW
        )

    assert not RelatedParties.objects.exists()


def test_this_schemes_own_declaration_still_refuses(
    cathy: User, sme: Institution, voucher: Voucher, people: dict[str, User], olga: User
) -> None:
    order = delivered_order(cathy, sme, voucher.scheme.funder, people["alice"], "2000.00")
    services.declare_related(act(olga), sme.pk, order.provider_id, reason="同一实际控制人", now=NOW)

    with pytest.raises(RuleViolation) as err:
        services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW)
    assert err.value.rule == "related_parties"


def test_a_partys_own_admin_declares_for_every_scheme(
    cathy: User, sme: Institution, voucher: Voucher, people: dict[str, User]
) -> None:
    # amy administers 浙江大学, the provider: declaring herself related restricts only her institution
    order = delivered_order(cathy, sme, voucher.scheme.funder, people["alice"], "2000.00")
    services.declare_related(act(people["amy"]), order.provider_id, sme.pk, reason="共建实验室", now=NOW)

    with pytest.raises(RuleViolation):
        services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW)
    assert RelatedParties.objects.get().scheme is None


def test_an_unrelated_admin_cannot_declare_for_every_scheme(
    sme: Institution, people: dict[str, User], network: dict[str, Any]
) -> None:
    # bob manages 北京大学's instruments: neither party is his
    with pytest.raises(Forbidden):
        services.declare_related(act(people["bob"]), sme.pk, network["zju"].pk, reason="x", now=NOW)


def test_the_api_records_the_scheme_and_refuses_a_foreign_one(
    api_as: Any, sme: Institution, voucher: Voucher, zoe: User, network: dict[str, Any]
) -> None:
    from dayi.accounts import services as accounts
    from tests.conftest import ApiClient

    token, _ = accounts.issue_token(zoe, now=timezone.now())
    client = ApiClient(token)
    body = {"first": sme.pk, "second": network["zju"].pk, "reason": "传闻"}

    refused = client.post("/api/v1/related-parties", {**body, "scheme": voucher.scheme.code})
    made = client.post("/api/v1/related-parties", body)

    assert refused.status_code == 403, refused.content
    assert made.status_code == 201, made.content
    assert made.json()["scheme"] == "zj2026"
