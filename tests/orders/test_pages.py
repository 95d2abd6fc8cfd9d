"""The orders pages: price list editor, the booking page's quote, sample submission, order pages and
accounts. They call the same services as the API: a refusal is shown with its status and changes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from dayi.accounts.access import actor_for
from dayi.core.models import AuditEvent
from dayi.orders import services
from dayi.orders.models import Account, InstrumentCharges, Order, PriceRule
from tests.booking.conftest import NOW
from tests.money import ask, finance_officer
from tests.orders.conftest import PRICE_LIST, submit

pytestmark = pytest.mark.django_db


def client_for(people: dict[str, Any], name: str | None) -> Client:
    client = Client()
    if name:
        client.force_login(people[name])
    return client


def price_post(rows: list[dict[str, Any]], initial: int = 0, **shares: str) -> dict[str, str]:
    data = {
        "p-TOTAL_FORMS": str(len(rows)),
        "p-INITIAL_FORMS": str(initial),
        "p-MIN_NUM_FORMS": "0",
        "p-MAX_NUM_FORMS": "1000",
        "late_cancellation_share": shares.get("late", "0.5"),
        "no_show_share": shares.get("no_show", "1"),
    }
    for i, row in enumerate(rows):
        data.update({f"p-{i}-{k}": str(v) for k, v in row.items()})
    return data


HOUR_ROW = {
    "unit": "hour",
    "mode": "assisted",
    "user_class": "internal",
    "amount": "120",
    "minimum": "0",
    "valid_from": "2026-01-01",
    "valid_until": "",
    "item_name": "",
}
BLANK_ROW = dict.fromkeys(HOUR_ROW, "")


# --- the price list editor -------------------------------------------------------------------------------


def test_the_price_editor_shows_the_list_and_shares_to_its_managers(priced: Any, people: Any) -> None:
    r = client_for(people, "alice").get(f"/manage/instruments/{priced.pk}/prices/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "孔径分布" in body and 'name="no_show_share"' in body and 'value="0.500"' in body


def test_the_price_editor_refuses_a_manager_of_another_institution(priced: Any, people: Any) -> None:
    assert client_for(people, "bob").get(f"/manage/instruments/{priced.pk}/prices/").status_code == 403
    r = client_for(people, "bob").post(f"/manage/instruments/{priced.pk}/prices/", price_post([HOUR_ROW]))
    assert r.status_code == 403
    assert PriceRule.objects.filter(instrument=priced).count() == len(PRICE_LIST)
    assert client_for(people, None).get(f"/manage/instruments/{priced.pk}/prices/").status_code == 302


def test_saving_the_editor_replaces_the_list_and_the_shares(bet: Any, people: Any) -> None:
    gone = {**HOUR_ROW, "user_class": "academic", "DELETE": "on"}
    data = price_post([HOUR_ROW, gone, BLANK_ROW], late="0.25", no_show="0.75")
    r = client_for(people, "alice").post(f"/manage/instruments/{bet.pk}/prices/", data)
    assert r.status_code == 302
    assert list(PriceRule.objects.filter(instrument=bet).values_list("user_class", "amount")) == [
        ("internal", Decimal("120.00"))
    ]
    shares = InstrumentCharges.objects.get(pk=bet.pk)
    assert (shares.late_cancellation_share, shares.no_show_share) == (Decimal("0.25"), Decimal("0.75"))


def test_a_bad_rate_is_shown_and_nothing_changes(priced: Any, people: Any) -> None:
    bad = {
        **HOUR_ROW,
        "unit": "item",
        "item_name": "",
    }  # an item rate must name its item (the service's rule)
    r = client_for(people, "alice").post(f"/manage/instruments/{priced.pk}/prices/", price_post([bad]))
    assert r.status_code == 422
    assert "未做任何更改" in r.content.decode()
    assert PriceRule.objects.filter(instrument=priced).count() == len(PRICE_LIST)


# --- the quote on the booking page -----------------------------------------------------------------------


def test_the_calendar_asks_for_the_quote_and_the_quote_is_computed(priced: Any, people: Any) -> None:
    eve = client_for(people, "eve")
    assert (
        f"/instruments/{priced.pk}/quote/" in eve.get(f"/instruments/{priced.pk}/calendar/").content.decode()
    )
    r = eve.get(
        f"/instruments/{priced.pk}/quote/",
        {"start": "2026-03-03T10:00", "end": "2026-03-03T11:30", "mode": "assisted"},
    )
    assert r.status_code == 200 and "150.00" in r.content.decode()  # internal: 1.5 h × 100


def test_the_quote_without_a_range_says_so(priced: Any, people: Any) -> None:
    r = client_for(people, "eve").get(f"/instruments/{priced.pk}/quote/", {"mode": "assisted"})
    assert "选择时段后显示报价" in r.content.decode()


# --- sample submission -----------------------------------------------------------------------------------


def sample_post(**extra: Any) -> dict[str, Any]:
    return {
        "count": "3",
        "kind": "粉末",
        "hazards": "",
        "return_or_dispose": "return",
        "items": "孔径分布\n",
        "description": "比表面积",
        "shipping": "顺丰",
        "requested_turnaround_days": "7",
        **extra,
    }


def test_submitting_samples_creates_the_order(priced: Any, people: Any) -> None:
    eve = client_for(people, "eve")
    assert eve.get(f"/instruments/{priced.pk}/samples/").status_code == 200
    r = eve.post(f"/instruments/{priced.pk}/samples/", sample_post())
    order = Order.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/orders/{order.pk}/"
    assert (order.samples["count"], order.samples["return_or_dispose"], order.items) == (
        3,
        "return",
        [{"name": "孔径分布", "quantity": 3}],
    )
    assert order.requested_turnaround_days == 7


def test_submitting_zero_samples_is_refused_and_makes_nothing(priced: Any, people: Any) -> None:
    r = client_for(people, "eve").post(f"/instruments/{priced.pk}/samples/", sample_post(count="0"))
    assert r.status_code == 422
    assert not Order.objects.exists()


def test_the_account_field_appears_for_a_member_and_charges_the_account(priced: Any, people: Any) -> None:
    eve_actor = actor_for(people["eve"])
    account = services.open_account(
        eve_actor, name="课题组", institution_id=people["eve"].institution_id, pi_id=people["eve"].pk, now=NOW
    )
    eve = client_for(people, "eve")
    assert 'name="account"' in eve.get(f"/instruments/{priced.pk}/samples/").content.decode()
    assert (
        'name="account"'
        not in client_for(people, "bob").get(f"/instruments/{priced.pk}/samples/").content.decode()
    )
    eve.post(f"/instruments/{priced.pk}/samples/", sample_post(account=str(account.pk)))
    assert Order.objects.get().account_id == account.pk


# --- order pages -----------------------------------------------------------------------------------------


def test_the_order_page_is_for_its_customer_and_the_providers_managers(priced: Any, people: Any) -> None:
    order = submit(people["eve"], priced)
    mine = client_for(people, "eve").get(f"/orders/{order.pk}/")
    assert mine.status_code == 200 and "已提交" in mine.content.decode()
    # the customer may cancel a sample order before service, but not accept it
    assert f"/orders/{order.pk}/cancel/" in mine.content.decode()
    assert f"/orders/{order.pk}/accept/" not in mine.content.decode()
    theirs = client_for(people, "alice").get(f"/orders/{order.pk}/")
    assert theirs.status_code == 200 and f"/orders/{order.pk}/accept/" in theirs.content.decode()
    assert client_for(people, "bob").get(f"/orders/{order.pk}/").status_code == 404


def test_the_buttons_walk_the_order_and_the_timeline_follows(priced: Any, people: Any) -> None:
    order = submit(people["eve"], priced)
    alice = client_for(people, "alice")
    for action in ("accept", "receive-samples", "start"):
        assert alice.post(f"/orders/{order.pk}/{action}/").status_code == 302
    alice.post(f"/orders/{order.pk}/complete/", {"note": "报告已上传"})
    body = alice.get(f"/orders/{order.pk}/").content.decode()
    assert body.index("已受理") < body.index("已收样") < body.index("服务中") < body.index("报告已上传")
    order.refresh_from_db()
    assert order.status == "completed"


def test_a_reject_without_a_reason_is_shown_and_changes_nothing(priced: Any, people: Any) -> None:
    order = submit(people["eve"], priced)
    r = client_for(people, "alice").post(f"/orders/{order.pk}/reject/", {"reason": " "})
    assert r.status_code == 422 and "未做任何更改" in r.content.decode()
    order.refresh_from_db()
    assert order.status == "submitted"


def test_a_stranger_cannot_press_the_buttons(priced: Any, people: Any) -> None:
    order = submit(people["eve"], priced)
    assert client_for(people, "bob").post(f"/orders/{order.pk}/accept/").status_code == 404
    assert client_for(people, "eve").post(f"/orders/{order.pk}/accept/").status_code == 403
    order.refresh_from_db()
    assert order.status == "submitted"
    assert not AuditEvent.objects.filter(action="order.accept").exists()


def test_a_refund_through_the_page(priced: Any, people: Any, outsiders: Any) -> None:
    order = submit(outsiders["gina"], priced)
    alice = client_for(people, "alice")
    for action in ("accept", "receive-samples", "start", "complete", "charge", "settle"):
        alice.post(f"/orders/{order.pk}/{action}/")
    bad = alice.post(f"/orders/{order.pk}/refund/", {"amount": "abc", "note": "x"})
    assert bad.status_code == 422
    assert alice.post(f"/orders/{order.pk}/refund/", {"amount": "60", "note": "重测"}).status_code == 302
    order.refresh_from_db()
    assert order.amount == Decimal("100.00")


def test_my_orders_and_the_managers_queue(priced: Any, people: Any, outsiders: Any) -> None:
    mine = submit(people["eve"], priced)
    other = submit(outsiders["gina"], priced)
    body = client_for(people, "eve").get("/orders/").content.decode()
    assert f"/orders/{mine.pk}/" in body and f"/orders/{other.pk}/" not in body
    queue = client_for(people, "alice").get("/manage/orders/")
    assert (
        f"/orders/{mine.pk}/" in queue.content.decode() and f"/orders/{other.pk}/" in queue.content.decode()
    )
    assert client_for(people, "eve").get("/manage/orders/").status_code == 403
    assert "/manage/orders/" in queue.content.decode()  # the nav link


# --- accounts --------------------------------------------------------------------------------------------


@pytest.fixture
def account(people: Any) -> Account:
    eve = actor_for(people["eve"])
    return services.open_account(
        eve,
        name="表面化学课题组",
        institution_id=people["eve"].institution_id,
        pi_id=people["eve"].pk,
        now=NOW,
    )


TOP_UP_POST = {"amount": "300", "method": "fund_card", "reference": "JF-2026-001"}


def test_the_pi_asks_for_a_top_up_and_adds_a_member(account: Account, people: Any, outsiders: Any) -> None:
    eve = client_for(people, "eve")
    assert "表面化学课题组" in eve.get("/accounts/").content.decode()
    assert eve.post(f"/accounts/{account.pk}/", TOP_UP_POST).status_code == 302
    assert eve.post(f"/accounts/{account.pk}/", {"username": "gina"}).status_code == 302
    account.refresh_from_db()
    assert account.balance == 0  # until finance confirms
    assert account.top_ups.get().status == "pending"
    assert list(account.members.values_list("username", flat=True)) == ["gina"]
    page = eve.get(f"/accounts/{account.pk}/").content.decode()
    assert "300.00" in page and "JF-2026-001" in page


def test_a_finance_officer_confirms_from_the_queue_and_the_balance_rises(
    account: Account, people: Any
) -> None:
    asked = ask(account, "300.00", now=NOW)
    officer = client_for(people, None)
    officer.force_login(finance_officer(account.institution_id))
    queue = officer.get("/finance/top-ups/")
    assert queue.status_code == 200 and "JF-2026-001" in queue.content.decode()
    r = officer.post(f"/finance/top-ups/{asked.pk}/", {"decision": "confirm"})
    assert r.status_code == 302
    account.refresh_from_db()
    assert account.balance == Decimal("300.00")


def test_a_rejection_needs_a_reason_on_the_page(account: Account, people: Any) -> None:
    asked = ask(account, "300.00", now=NOW)
    officer = client_for(people, None)
    officer.force_login(finance_officer(account.institution_id))
    assert officer.post(f"/finance/top-ups/{asked.pk}/", {"decision": "reject"}).status_code == 422
    assert (
        officer.post(f"/finance/top-ups/{asked.pk}/", {"decision": "reject", "reason": "无凭证"}).status_code
        == 302
    )
    asked.refresh_from_db()
    assert (asked.status, asked.reason) == ("rejected", "无凭证")


def test_only_finance_officers_see_the_queue_and_outsiders_cannot_decide(
    account: Account, people: Any
) -> None:
    asked = ask(account, "300.00", now=NOW)
    for who in ("eve", "alice", "amy"):
        c = client_for(people, who)
        assert c.get("/finance/top-ups/").status_code == 404
        assert c.post(f"/finance/top-ups/{asked.pk}/", {"decision": "confirm"}).status_code in (403, 404)
    account.refresh_from_db()
    assert account.balance == 0


def test_a_negative_top_up_is_refused_and_changes_nothing(account: Account, people: Any) -> None:
    r = client_for(people, "eve").post(f"/accounts/{account.pk}/", {**TOP_UP_POST, "amount": "-5"})
    assert r.status_code == 422
    account.refresh_from_db()
    assert account.balance == 0 and not account.top_ups.exists()


def test_a_member_reads_the_account_but_may_not_top_up_and_others_see_nothing(
    account: Account, people: Any, outsiders: Any
) -> None:
    services.add_member(actor_for(people["eve"]), account.pk, user_id=outsiders["gina"].pk, now=NOW)
    gina = client_for(people, None)
    gina.force_login(outsiders["gina"])
    page = gina.get(f"/accounts/{account.pk}/")
    assert page.status_code == 200 and 'name="amount"' not in page.content.decode()
    assert gina.post(f"/accounts/{account.pk}/", TOP_UP_POST).status_code == 403
    assert client_for(people, "alice").get(f"/accounts/{account.pk}/").status_code == 404
    account.refresh_from_db()
    assert account.balance == 0


def test_the_customer_is_offered_the_rating_form_once_the_service_is_done(priced: Any, people: Any) -> None:
    order = submit(people["eve"], priced)
    eve = client_for(people, "eve")
    rate_url = f"/orders/{order.pk}/rate/"
    assert rate_url not in eve.get(f"/orders/{order.pk}/").content.decode()  # not yet done
    alice = client_for(people, "alice")
    for action in ("accept", "receive-samples", "start", "complete"):
        alice.post(f"/orders/{order.pk}/{action}/")
    assert rate_url in eve.get(f"/orders/{order.pk}/").content.decode()
    assert rate_url not in alice.get(f"/orders/{order.pk}/").content.decode()  # only the customer rates


def test_a_finance_officer_finds_the_queue_and_reverses_a_confirmed_top_up(
    account: Account, people: Any
) -> None:
    officer_user = finance_officer(account.institution_id)
    asked = ask(account, "300.00", now=NOW)
    services.confirm_top_up(actor_for(officer_user), asked.pk, now=NOW)
    officer = client_for(people, None)
    officer.force_login(officer_user)
    assert "/finance/top-ups/" in officer.get("/accounts/").content.decode()
    assert 'value="reverse"' in officer.get(f"/accounts/{account.pk}/").content.decode()
    assert 'value="reverse"' not in client_for(people, "eve").get(f"/accounts/{account.pk}/").content.decode()
    r = officer.post(f"/finance/top-ups/{asked.pk}/", {"decision": "reverse", "reason": "退票"})
    assert r.status_code == 302
    account.refresh_from_db()
    assert account.balance == 0 and account.ledger.count() == 2
