"""What a walk through issue 11's daily jobs in a browser found: the navigation leads each role to its new
page, statuses and methods are shown in the reader's language, and the navigation wraps on a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from dayi.accounts.access import actor_for
from dayi.accounts.models import Role
from dayi.network.models import Membership
from dayi.orders import services
from tests.conftest import NOW, make_user

pytestmark = pytest.mark.django_db

SITE_CSS = Path(__file__).resolve().parents[2] / "dayi" / "core" / "static" / "dayi" / "site.css"


def signed_in(user: Any, language: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def nav(res: Any) -> str:
    page = res.content.decode()
    return page[page.index('<nav aria-label="') : page.index("</nav>")]


@pytest.fixture
def finance(network: Any) -> Any:
    zju = network["zju"]
    return make_user("fay", zju, Role.FINANCE_OFFICER, institution=zju)


@pytest.fixture
def top_up(people: Any, network: Any) -> Any:
    zju, alice = network["zju"], people["alice"]
    account = services.open_account(
        actor_for(people["amy"]), name="催化课题组", institution_id=zju.pk, pi_id=alice.pk, now=NOW
    )
    return services.request_top_up(
        actor_for(alice), account.pk, amount="8000.00", method="fund_card", reference="KY-2026-7", now=NOW
    )


def test_a_finance_officer_finds_the_top_up_queue_in_the_navigation(finance: Any) -> None:
    res = signed_in(finance).get("/")
    assert 'href="/finance/top-ups/"' in nav(res)


def test_an_institution_admin_and_a_platform_admin_find_the_network_page(people: Any) -> None:
    assert 'href="/manage/network/"' in nav(signed_in(people["amy"]).get("/"))
    assert 'href="/manage/network/"' in nav(signed_in(people["carol"]).get("/"))


def test_a_manager_or_a_customer_sees_neither_new_link(people: Any) -> None:
    for name in ("alice", "eve"):
        links = nav(signed_in(people[name]).get("/"))
        assert "/manage/network/" not in links and "/finance/top-ups/" not in links


def test_the_top_up_queue_shows_the_method_in_english(finance: Any, top_up: Any) -> None:
    page = signed_in(finance, "en").get("/finance/top-ups/").content.decode()
    assert "Fund card" in page or "fund card" in page.lower()
    assert "经费卡" not in page


def test_the_account_page_shows_method_and_status_in_english(people: Any, top_up: Any) -> None:
    page = signed_in(people["alice"], "en").get(f"/accounts/{top_up.account_id}/").content.decode()
    assert "经费卡" not in page and "待确认" not in page


def test_the_network_page_shows_membership_status_in_english(people: Any, network: Any) -> None:
    Membership.requests.create(platform=network["yrd"], institution=network["zju"])
    page = signed_in(people["amy"], "en").get("/manage/network/").content.decode()
    assert "已加入" not in page and "待确认" not in page


def test_the_navigation_wraps_on_a_phone_and_its_links_do_not_break() -> None:
    css = SITE_CSS.read_text()
    assert ".site-header nav { display:flex; flex-wrap:wrap;" in css
    assert ".site-header nav a { text-decoration:none; white-space:nowrap; }" in css


def test_the_delegated_powers_are_named_as_things_in_english(people: Any) -> None:
    page = signed_in(people["amy"], "en").get("/manage/network/").content.decode()
    assert " Bookings</label>" in page and " Orders</label>" in page
    assert " Book</label>" not in page and " Order</label>" not in page


def test_on_a_phone_the_navigation_takes_a_row_of_its_own() -> None:
    # flex:1 alone (a zero basis) let the links squeeze beside the brand in a narrow column when signed out
    assert "@media (max-width: 640px) { .site-header nav { order:3; flex:1 1 100%; }" in SITE_CSS.read_text()


def test_rejecting_a_top_up_without_a_reason_says_the_reason_is_missing(finance: Any, top_up: Any) -> None:
    res = signed_in(finance).post(f"/finance/top-ups/{top_up.pk}/", {"decision": "reject", "reason": " "})
    assert res.status_code == 422
    page = res.content.decode()
    assert "请说明驳回理由" in page  # not only "Some fields are not valid."
    top_up.refresh_from_db()
    assert top_up.status == "pending"


def test_a_refusal_page_names_the_fields_messages() -> None:
    from django.test import RequestFactory

    from dayi.core.errors import ValidationFailed
    from dayi.core.pages import refused

    request = RequestFactory().post("/somewhere/")
    request.user = None  # type: ignore[assignment]  # the message page needs no user here
    res = refused(request, ValidationFailed(fields={"reason": ["请说明理由"]}))
    assert res.status_code == 422 and "请说明理由" in res.content.decode()


def test_on_a_phone_each_top_up_cell_says_what_it_is(people: Any, top_up: Any) -> None:
    page = signed_in(people["alice"]).get(f"/accounts/{top_up.account_id}/").content.decode()
    assert 'data-label="凭证号">KY-2026-7</td>' in page
    assert 'data-label="状态">待确认</td>' in page


def test_a_platform_admin_delegated_only_bookings_finds_the_booking_queue_and_nothing_else(
    network: Any, people: Any
) -> None:
    from dayi.network.models import Delegation

    carol = signed_in(people["carol"])
    assert 'href="/manage/bookings/"' not in nav(carol.get("/"))
    Delegation.objects.create(
        institution=network["zju"],
        platform=network["g60"],
        powers=["bookings"],
        created=NOW,
        created_by=people["amy"],
    )
    links = nav(carol.get("/"))
    assert 'href="/manage/bookings/"' in links
    assert 'href="/manage/instruments/"' not in links and 'href="/manage/orders/"' not in links
    assert carol.get("/manage/bookings/").status_code == 200


def test_an_instrument_manager_keeps_all_three_management_links(people: Any) -> None:
    links = nav(signed_in(people["alice"]).get("/"))
    for href in ("/manage/instruments/", "/manage/bookings/", "/manage/orders/"):
        assert f'href="{href}"' in links


def test_the_network_pages_lists_have_no_bullets() -> None:
    # powers.html uses .plain-list, which no stylesheet defined: bullets beside boxed "empty" notes
    assert ".manage .plain-list { list-style:none; padding-left:0; }" in SITE_CSS.read_text()
