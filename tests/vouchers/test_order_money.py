"""A company's money paths joined up: a voucher applied from the order's page, the page showing the voucher's
share and what is left to pay, the wallet no longer offering a covered order, and the company reading its
own statements (page, CSV, PDF)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dayi.accounts.models import User
from dayi.network.models import Institution
from dayi.orders.models import Order
from dayi.vouchers.models import Voucher, VoucherScheme, VoucherUse
from tests.conftest import make_user
from tests.vouchers.conftest import company, delivered_order, listed
from tests.vouchers.test_pages import issued

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def scheme(network: dict[str, Any]) -> VoucherScheme:
    from tests.vouchers.conftest import make_scheme

    return make_scheme(
        network["zju"],
        period_start=TODAY - dt.timedelta(days=30),
        period_end=TODAY + dt.timedelta(days=365),
    )


@pytest.fixture
def ready(
    scheme: VoucherScheme, sme: Institution, cathy: User, olga: User, people: dict[str, User]
) -> dict[str, Any]:
    """浙江大学 listed; a 10,000 voucher of the SME; cathy's order of 3,000 done and charged."""
    listed(scheme, scheme.funder)
    voucher = issued(scheme, sme, cathy, olga)
    order = delivered_order(cathy, sme, scheme.funder, people["alice"], "3000", 3)
    return {"voucher": voucher, "order": order}


def test_the_order_page_offers_the_companys_vouchers_and_applying_one_shows_what_is_left(
    ready: dict[str, Any], cathy: User
) -> None:
    order, voucher = ready["order"], ready["voucher"]
    page = client_of(cathy).get(f"/orders/{order.pk}/").content.decode()
    assert f"/orders/{order.pk}/voucher/" in page and voucher.number in page

    r = client_of(cathy).post(f"/orders/{order.pk}/voucher/", {"voucher": voucher.number})

    assert r.status_code == 302 and r["Location"] == f"/orders/{order.pk}/"
    assert VoucherUse.objects.get().amount == Decimal("1500.00")
    after = client_of(cathy).get(f"/orders/{order.pk}/").content.decode()
    assert '<dd class="voucher-share">1500.00</dd>' in after
    assert '<dd class="left-to-pay">1500.00</dd>' in after
    # the share is covered: no second offer, on the order's page nor in the wallet
    assert f"/orders/{order.pk}/voucher/" not in after
    wallet = client_of(cathy).get("/vouchers/wallet/").content.decode()
    assert f'<option value="{order.pk}"' not in wallet


def test_a_refused_voucher_redraws_the_order_page_with_the_voucher_chosen(
    ready: dict[str, Any], cathy: User, scheme: VoucherScheme, sme: Institution, olga: User
) -> None:
    order, voucher = ready["order"], ready["voucher"]
    Voucher.objects.filter(pk=voucher.pk).update(use_by=TODAY - dt.timedelta(days=1))
    # a second, usable voucher keeps the form on the page
    other = issued(scheme, sme, cathy, olga, "1000")

    r = client_of(cathy).post(f"/orders/{order.pk}/voucher/", {"voucher": voucher.number})

    assert r.status_code in (409, 422)
    body = r.content.decode()
    assert "未能操作，未做任何更改" in body and other.number in body
    assert not VoucherUse.objects.exists()


def test_the_chosen_voucher_stays_chosen_after_a_refusal(
    ready: dict[str, Any], cathy: User, people: dict[str, User]
) -> None:
    order, voucher = ready["order"], ready["voucher"]
    Order.objects.filter(pk=order.pk).update(amount=0)  # nothing to subsidise: the service refuses
    r = client_of(cathy).post(f"/orders/{order.pk}/voucher/", {"voucher": voucher.number})
    assert r.status_code == 409
    assert f'<option value="{voucher.number}" selected>' in r.content.decode()


def test_a_stranger_cannot_apply_a_voucher_to_the_order(ready: dict[str, Any]) -> None:
    olive = make_user("olive", company(2))
    r = client_of(olive).post(f"/orders/{ready['order'].pk}/voucher/", {"voucher": ready["voucher"].number})
    assert r.status_code == 404
    assert not VoucherUse.objects.exists()


def test_the_provider_sees_the_vouchers_share_but_is_not_offered_vouchers(
    ready: dict[str, Any], cathy: User, people: dict[str, User]
) -> None:
    client_of(cathy).post(f"/orders/{ready['order'].pk}/voucher/", {"voucher": ready["voucher"].number})
    page = client_of(people["alice"]).get(f"/orders/{ready['order'].pk}/").content.decode()
    assert '<dd class="voucher-share">1500.00</dd>' in page
    assert 'name="voucher"' not in page


# --- the company's statements ----------------------------------------------------------------------------


def test_a_company_member_reads_the_companys_statement_from_the_menu(
    ready: dict[str, Any], cathy: User, sme: Institution
) -> None:
    client_of(cathy).post(f"/orders/{ready['order'].pk}/voucher/", {"voucher": ready["voucher"].number})
    home = client_of(cathy).get("/orders/").content.decode()
    assert 'href="/statements/"' in home
    picker = client_of(cathy).get("/statements/").content.decode()
    assert f'value="institution:{sme.pk}" selected' in picker  # its only customer: chosen already
    month = timezone.localtime().strftime("%Y-%m")
    # without JavaScript the form sends the choice alone
    chosen = client_of(cathy).get("/statements/", {"choice": f"institution:{sme.pk}", "month": month})
    assert chosen.status_code == 302 and chosen["Location"] == f"/statements/institution/{sme.pk}/{month}/"

    page = client_of(cathy).get(f"/statements/institution/{sme.pk}/{month}/")
    assert page.status_code == 200
    csv = client_of(cathy).get(f"/statements/institution/{sme.pk}/{month}/", {"format": "csv"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    # the voucher's share is a payment: what is left to pay closes the month
    assert "3000.00" in text and "-1500.00" in text
    pdf = client_of(cathy).get(f"/statements/institution/{sme.pk}/{month}/", {"format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_universitys_researcher_does_not_read_the_universitys_statement(
    ready: dict[str, Any], people: dict[str, User], network: dict[str, Any]
) -> None:
    month = timezone.localtime().strftime("%Y-%m")
    eve = client_of(people["eve"])  # a researcher of 浙江大学, no role
    assert eve.get(f"/statements/institution/{network['zju'].pk}/{month}/").status_code == 404
    assert 'href="/statements/"' not in eve.get("/orders/").content.decode()


def test_another_companys_member_does_not_read_the_companys_statement(
    ready: dict[str, Any], sme: Institution
) -> None:
    olive = make_user("olive", company(2))
    month = timezone.localtime().strftime("%Y-%m")
    assert client_of(olive).get(f"/statements/institution/{sme.pk}/{month}/").status_code == 404
