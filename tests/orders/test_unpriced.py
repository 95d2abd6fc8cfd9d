"""Work the price list does not cover: refused in words, or — where the holder takes it "price on request" —
made unpriced and not chargeable until a manager sets the amount. Quotes read as words, never codes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from dayi.accounts.access import actor_for
from dayi.booking.models import Booking
from dayi.core.errors import Forbidden, NotFound, RuleViolation
from dayi.orders import pricing, services
from dayi.orders.errors import InvalidState
from dayi.orders.models import Order, OrderStatus
from tests.orders.conftest import NOW, at, book, rule, submit


def on_request(people: dict[str, Any], instrument: Any) -> None:
    services.set_charge_shares(
        actor_for(people["alice"]),
        instrument.pk,
        late_cancellation="0",
        no_show="1",
        price_on_request=True,
        now=NOW,
    )


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_booking_without_a_rate_is_refused_in_words_and_nothing_is_made(
    bet: Any, outsiders: dict[str, Any]
) -> None:
    # Given an analyser with no price list, when a company's user books two hours
    with pytest.raises(RuleViolation) as err:
        book(outsiders["frank"], bet, "2026-03-03 10:00", "2026-03-03 12:00")
    # Then the booking is refused for want of a price, said in words, and nothing was made
    assert err.value.rule == "no_price"
    assert "企业用户" in err.value.message and "技术共享" in err.value.message
    assert "enterprise" not in err.value.message and "assisted" not in err.value.message
    assert not Booking.objects.exists() and not Order.objects.exists()


def test_a_rate_for_another_class_does_not_price_a_company_booking(
    bet: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    services.replace_prices(actor_for(people["alice"]), bet.pk, [rule("hour", "internal", "100")], now=NOW)
    book(people["eve"], bet, "2026-03-03 10:00", "2026-03-03 11:00")  # eve is internal: priced
    with pytest.raises(RuleViolation):
        book(outsiders["frank"], bet, "2026-03-03 13:00", "2026-03-03 14:00")
    assert Booking.objects.count() == 1


def test_a_sample_order_without_a_rate_is_refused(bet: Any, people: dict[str, Any]) -> None:
    with pytest.raises(RuleViolation) as err:
        submit(people["eve"], bet)
    assert err.value.rule == "no_price" and not Order.objects.exists()


def test_the_refusal_is_in_english_for_an_english_reader(bet: Any, outsiders: dict[str, Any]) -> None:
    with translation.override("en"), pytest.raises(RuleViolation) as err:
        book(outsiders["frank"], bet, "2026-03-03 10:00", "2026-03-03 12:00")
    assert "(Enterprise user)" in err.value.message and "Assisted service" in err.value.message
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in err.value.message)


def test_on_request_a_booking_is_taken_unpriced_and_cannot_be_charged(
    bet: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    # Given the holder takes unpriced work on request
    on_request(people, bet)
    booking = book(outsiders["frank"], bet, "2026-03-03 10:00", "2026-03-03 12:00")
    order = Order.objects.get(booking=booking)
    assert pricing.awaits_price(order.quote) and order.quote["on_request"]
    # When the managers complete it, it cannot be charged
    alice = actor_for(people["alice"])
    services.complete_order(alice, order.pk, now=at("2026-03-03 13:00"))
    with pytest.raises(InvalidState):
        services.charge_order(alice, order.pk, now=at("2026-03-03 13:05"))
    assert Order.objects.get(pk=order.pk).status == OrderStatus.COMPLETED


def test_once_a_manager_sets_the_amount_the_order_is_charged_that_amount(
    bet: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    on_request(people, bet)
    booking = book(outsiders["frank"], bet, "2026-03-03 10:00", "2026-03-03 12:00")
    order = Order.objects.get(booking=booking)
    alice = actor_for(people["alice"])
    services.complete_order(alice, order.pk, now=at("2026-03-03 13:00"))
    services.set_order_price(alice, order.pk, amount="480.00", note="按合同", now=at("2026-03-03 13:10"))
    charged = services.charge_order(alice, order.pk, now=at("2026-03-03 13:20"))
    assert (charged.status, charged.amount) == (OrderStatus.CHARGED, Decimal("480.00"))


def test_only_the_providers_managers_set_the_amount(
    bet: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    on_request(people, bet)
    order = Order.objects.get(booking=book(outsiders["frank"], bet, "2026-03-03 10:00", "2026-03-03 12:00"))
    with pytest.raises(NotFound):
        services.set_order_price(actor_for(people["bob"]), order.pk, amount="1", now=NOW)
    with pytest.raises(Forbidden):  # the customer sees the order but does not price it
        services.set_order_price(actor_for(outsiders["frank"]), order.pk, amount="1", now=NOW)
    assert pricing.awaits_price(Order.objects.get(pk=order.pk).quote)


def test_a_priced_order_is_not_priced_again_by_hand(priced: Any, people: dict[str, Any]) -> None:
    order = submit(people["eve"], priced)
    with pytest.raises(InvalidState):
        services.set_order_price(actor_for(people["alice"]), order.pk, amount="1", now=NOW)


def test_a_quote_reads_as_words_in_both_languages(priced: Any, outsiders: dict[str, Any]) -> None:
    q = services.quote_for(
        priced,
        institution=outsiders["frank"].institution,
        mode="assisted",
        start=at("2026-03-03 10:00"),
        end=at("2026-03-03 12:00"),
        samples=0,
        now=NOW,
    )
    with translation.override("zh-hans"):
        assert pricing.readable(q["lines"][0]) == "企业用户 · 技术共享 · 每小时 300.00 元 × 2 小时"
    with translation.override("en"):
        english = "Enterprise user · Assisted · per hour 300.00 yuan × 2 hours"
        assert pricing.readable(q["lines"][0]) == english


def test_the_quote_fragment_shows_words_not_codes(priced: Any, outsiders: dict[str, Any]) -> None:
    r = client_for(outsiders["frank"]).get(
        f"/instruments/{priced.pk}/quote/",
        {"start": "2026-03-03T10:00", "end": "2026-03-03T12:00", "mode": "assisted"},
    )
    body = r.content.decode()
    assert "企业用户 · 技术共享 · 每小时 300.00 元 × 2 小时" in body
    assert "assisted" not in body and "per hour" not in body


def test_the_quote_fragment_says_why_there_is_no_price(bet: Any, outsiders: dict[str, Any]) -> None:
    r = client_for(outsiders["frank"]).get(
        f"/instruments/{bet.pk}/quote/",
        {"start": "2026-03-03T10:00", "end": "2026-03-03T12:00", "mode": "assisted"},
    )
    assert "企业用户技术共享服务的价格" in r.content.decode()


def test_the_price_editor_turns_price_on_request_on(bet: Any, people: dict[str, Any]) -> None:
    from tests.orders.test_pages import price_post

    alice = client_for(people["alice"])
    r = alice.post(f"/manage/instruments/{bet.pk}/prices/", {**price_post([]), "price_on_request": "on"})
    assert r.status_code == 302
    assert pricing.takes_price_on_request(bet.pk)


def test_the_order_page_lets_a_manager_set_the_amount_and_keeps_a_bad_one(
    bet: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    on_request(people, bet)
    order = Order.objects.get(booking=book(outsiders["frank"], bet, "2026-03-03 10:00", "2026-03-03 12:00"))
    alice = client_for(people["alice"])
    page = alice.get(f"/orders/{order.pk}/").content.decode()
    assert f"/orders/{order.pk}/set-price/" in page and "按申请定价" in page
    # the customer sees it awaits a price but has no such button
    assert (
        f"/orders/{order.pk}/set-price/"
        not in client_for(outsiders["frank"]).get(f"/orders/{order.pk}/").content.decode()
    )
    bad = alice.post(f"/orders/{order.pk}/set-price/", {"amount": "12.345", "note": "按合同"})
    assert bad.status_code == 422 and 'value="12.345"' in bad.content.decode()
    assert pricing.awaits_price(Order.objects.get(pk=order.pk).quote)
    ok = alice.post(f"/orders/{order.pk}/set-price/", {"amount": "480", "note": "按合同"})
    assert ok.status_code == 302
    assert Order.objects.get(pk=order.pk).quote["amount"] == "480.00"


def test_the_api_sets_the_amount_as_the_page_does(
    bet: Any, people: dict[str, Any], outsiders: dict[str, Any], api_as: Any
) -> None:
    on_request(people, bet)
    order = Order.objects.get(booking=book(outsiders["frank"], bet, "2026-03-03 10:00", "2026-03-03 12:00"))
    refused = api_as("bob").post(f"/api/v1/orders/{order.pk}/price", {"amount": "480.00"})
    assert refused.status_code == 404
    r = api_as("alice").post(f"/api/v1/orders/{order.pk}/price", {"amount": "480.00", "note": "按合同"})
    assert r.status_code == 200 and r.json()["quote"]["amount"] == "480.00"
    again = api_as("alice").post(f"/api/v1/orders/{order.pk}/price", {"amount": "-1"})
    assert again.status_code == 422
