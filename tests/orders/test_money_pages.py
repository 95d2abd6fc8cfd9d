"""Research-group accounts, the project of an order and the national service records, from the pages: each
through the service the API calls; bad input keeps what was typed and changes nothing; strangers get 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from dayi.accounts.access import actor_for
from dayi.orders import services
from dayi.orders.models import Account, Order
from tests.orders.conftest import NOW, submit


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- accounts ----------------------------------------------------------------------------------------------


def test_a_researcher_opens_an_account_for_themselves_from_the_page(people: dict[str, Any]) -> None:
    eve = client_for(people["eve"])
    assert "开立课题组账户" in eve.get("/accounts/").content.decode()
    r = eve.post("/accounts/", {"name": "催化课题组", "pi": ""})
    account = Account.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/accounts/{account.pk}/"
    assert (account.name, account.pi, account.institution_id) == (
        "催化课题组",
        people["eve"],
        people["eve"].institution_id,
    )


def test_an_institution_admin_opens_an_account_for_a_pi(people: dict[str, Any]) -> None:
    r = client_for(people["amy"]).post("/accounts/", {"name": "催化课题组", "pi": "eve"})
    assert r.status_code == 302 and Account.objects.get().pi == people["eve"]


def test_a_researcher_cannot_open_an_account_for_someone_else_and_keeps_what_was_typed(
    people: dict[str, Any],
) -> None:
    r = client_for(people["eve"]).post("/accounts/", {"name": "别人的课题组", "pi": "alice"})
    assert r.status_code == 403
    body = r.content.decode()
    assert 'value="别人的课题组"' in body and 'value="alice"' in body
    assert not Account.objects.exists()


def test_an_account_without_a_name_is_refused_and_keeps_the_pi(people: dict[str, Any]) -> None:
    r = client_for(people["amy"]).post("/accounts/", {"name": "", "pi": "eve"})
    assert r.status_code == 422 and 'value="eve"' in r.content.decode()
    assert not Account.objects.exists()


def _soon() -> dict[str, str]:
    """10:00–11:00 the day after tomorrow on the instrument's clock: bookable at the real time now."""
    day = timezone.localdate() + dt.timedelta(days=2)
    return {"start": f"{day}T10:00", "end": f"{day}T11:00", "mode": "assisted"}


def test_the_booking_form_offers_the_members_accounts_and_charges_the_one_chosen(
    priced: Any, people: dict[str, Any]
) -> None:
    account = services.open_account(
        actor_for(people["eve"]),
        name="课题组",
        institution_id=people["eve"].institution_id,
        pi_id=people["eve"].pk,
        now=NOW,
    )
    eve = client_for(people["eve"])
    page = eve.get(f"/instruments/{priced.pk}/calendar/").content.decode()
    assert 'name="account"' in page and f'<option value="{account.pk}">课题组</option>' in page
    other = client_for(people["alice"]).get(f"/instruments/{priced.pk}/calendar/").content.decode()
    assert 'name="account"' not in other
    r = eve.post(f"/instruments/{priced.pk}/calendar/book/", {**_soon(), "account": account.pk})
    assert r.status_code == 302, r.content.decode()[:500]
    assert Order.objects.get().account_id == account.pk


def test_a_member_may_not_charge_an_account_they_are_not_in(priced: Any, people: dict[str, Any]) -> None:
    zju = people["eve"].institution_id
    services.open_account(
        actor_for(people["eve"]), name="本组", institution_id=zju, pi_id=people["eve"].pk, now=NOW
    )
    other = services.open_account(
        actor_for(people["amy"]), name="别组", institution_id=zju, pi_id=people["amy"].pk, now=NOW
    )
    r = client_for(people["eve"]).post(
        f"/instruments/{priced.pk}/calendar/book/", {**_soon(), "account": other.pk}
    )
    assert r.status_code == 422 and not Order.objects.exists()
    assert f'value="{_soon()["start"]}"' in r.content.decode()  # what was typed stays


# --- the project and its funding on the order ---------------------------------------------------------------


def test_the_customer_names_the_project_from_the_order_page(priced: Any, people: dict[str, Any]) -> None:
    order = submit(people["eve"], priced)
    eve = client_for(people["eve"])
    assert f"/orders/{order.pk}/project/" in eve.get(f"/orders/{order.pk}/").content.decode()
    r = eve.post(
        f"/orders/{order.pk}/project/", {"project": "多孔催化剂", "funding_source": "国家自然科学基金"}
    )
    assert r.status_code == 302
    order.refresh_from_db()
    assert (order.project, order.funding_source) == ("多孔催化剂", "国家自然科学基金")
    # the provider's manager reads it but does not write it
    page = client_for(people["alice"]).get(f"/orders/{order.pk}/").content.decode()
    assert "多孔催化剂" in page and f"/orders/{order.pk}/project/" not in page


def test_only_the_customer_names_the_project(priced: Any, people: dict[str, Any]) -> None:
    order = submit(people["eve"], priced)
    r = client_for(people["alice"]).post(
        f"/orders/{order.pk}/project/", {"project": "别人的", "funding_source": ""}
    )
    assert r.status_code == 403
    assert client_for(people["bob"]).post(f"/orders/{order.pk}/project/", {"project": "x"}).status_code == 404
    order.refresh_from_db()
    assert order.project == ""


def test_a_closed_order_keeps_its_project_and_the_page_says_why(priced: Any, people: dict[str, Any]) -> None:
    order = submit(people["eve"], priced)
    services.cancel_order(actor_for(people["eve"]), order.pk, reason="不需要了", now=NOW)
    r = client_for(people["eve"]).post(
        f"/orders/{order.pk}/project/", {"project": "晚了", "funding_source": ""}
    )
    assert r.status_code == 409
    order.refresh_from_db()
    assert order.project == ""


# --- the national service records ------------------------------------------------------------------------


def _done(people: dict[str, Any], instrument: Any) -> Order:
    order = submit(people["eve"], instrument, project="多孔催化剂", funding_source="国家自然科学基金")
    alice = actor_for(people["alice"])
    services.accept_order(alice, order.pk, now=NOW)
    services.receive_samples(alice, order.pk, now=NOW)
    services.start_order(alice, order.pk, now=NOW)
    return services.complete_order(alice, order.pk, now=NOW)


def test_a_manager_downloads_the_service_records_from_a_page(
    priced: Any, people: dict[str, Any], network: dict[str, Any]
) -> None:
    order = _done(people, priced)
    alice = client_for(people["alice"])
    assert "国家服务记录导出" in alice.get("/manage/orders/").content.decode()
    form = alice.get("/manage/service-records/").content.decode()
    assert f'<option value="{network["zju"].pk}"' in form and 'type="date"' in form
    r = alice.get(
        "/manage/service-records/",
        {"institution": network["zju"].pk, "start": "2026-01-01", "end": "2026-12-31", "format": "csv"},
    )
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    text = r.content.decode("utf-8-sig")
    assert str(order.pk) in text and "多孔催化剂" in text and "国家自然科学基金" in text


def test_a_bad_period_keeps_the_dates_typed(
    priced: Any, people: dict[str, Any], network: dict[str, Any]
) -> None:
    r = client_for(people["alice"]).get(
        "/manage/service-records/",
        {"institution": network["zju"].pk, "start": "2026-06-01", "end": "2026-01-01", "format": "xlsx"},
    )
    assert r.status_code == 422
    body = r.content.decode()
    assert 'value="2026-06-01"' in body and 'value="2026-01-01"' in body


def test_the_records_of_another_institution_are_not_offered_nor_given(
    priced: Any, people: dict[str, Any], network: dict[str, Any]
) -> None:
    _done(people, priced)
    bob = client_for(people["bob"])  # a manager of 北京大学
    assert f'<option value="{network["zju"].pk}"' not in bob.get("/manage/service-records/").content.decode()
    r = bob.get("/manage/service-records/", {"institution": network["zju"].pk, "format": "csv"})
    assert r.status_code == 422  # not a choice offered: nothing is told of 浙江大学
    assert client_for(people["eve"]).get("/manage/service-records/").status_code == 404
