"""The usage API and pages (issue 11, holes 2, 4 and 5): who sees which records, who confirms, and a page
that fetches through the access layer before it reads anything."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dayi.accounts.access import actor_for
from dayi.booking import services
from dayi.booking.models import Booking, BookingStatus, UsageRecord
from tests.booking.conftest import SHANGHAI, make_bet

pytestmark = pytest.mark.django_db


def local(days: int, clock: str) -> dt.datetime:
    d = (timezone.now().astimezone(SHANGHAI) + dt.timedelta(days=days)).date()
    return dt.datetime.fromisoformat(f"{d.isoformat()}T{clock}").replace(tzinfo=SHANGHAI)


def client_for(people: Any, name: str) -> Client:
    client = Client()
    client.force_login(people[name])
    return client


@pytest.fixture
def inst(network: Any) -> Any:
    return make_bet(network["zju"], "BET-API")


@pytest.fixture
def mine(people: Any, inst: Any) -> UsageRecord:
    """eve's own, self-reported record of yesterday (unconfirmed)."""
    booking = services.create_booking(
        actor_for(people["eve"]),
        instrument_id=inst.pk,
        start=local(-1, "10:00"),
        end=local(-1, "11:00"),
        mode="self",
        now=local(-2, "10:00"),
    )
    services.check_in(actor_for(people["eve"]), booking.pk, now=local(-1, "10:00"))
    return services.check_out(actor_for(people["eve"]), booking.pk, now=local(-1, "11:00"))


@pytest.fixture
def others(people: Any, inst: Any) -> UsageRecord:
    """A record of another user (amy) on the same instrument, entered by its manager."""
    return services.record_usage(
        actor_for(people["alice"]),
        instrument_id=inst.pk,
        user_id=people["amy"].pk,
        start=local(-1, "13:00"),
        end=local(-1, "14:00"),
        reason="补录",
        now=timezone.now(),
    )


# --- GET /api/v1/usage ------------------------------------------------------------------------------------


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_the_booker_sees_only_their_own_records(api_as: Any, mine: Any, others: Any) -> None:
    assert ids(api_as("eve").get("/api/v1/usage")) == {mine.pk}


def test_the_instruments_manager_sees_all_its_records(api_as: Any, inst: Any, mine: Any, others: Any) -> None:
    assert ids(api_as("alice").get(f"/api/v1/usage?instrument={inst.pk}")) == {mine.pk, others.pk}
    assert ids(api_as("carol").get("/api/v1/usage")) == {mine.pk, others.pk}  # the platform above


def test_another_institutions_manager_sees_none(api_as: Any, mine: Any, others: Any) -> None:
    assert ids(api_as("bob").get("/api/v1/usage")) == set()
    assert api_as(None).get("/api/v1/usage").status_code == 401


def test_a_record_says_its_source_and_confirmation(api_as: Any, mine: Any) -> None:
    [item] = api_as("eve").get(f"/api/v1/usage?booking={mine.booking_id}").json()["items"]
    assert (item["source"], item["confirmed"], item["supersedes"], item["hours"]) == (
        "self",
        False,
        None,
        "1.00",
    )
    assert item["user"] == mine.user_id and item["start"].endswith("+08:00")


def test_the_window_filters_and_bad_times_are_a_422(api_as: Any, mine: Any) -> None:
    later = local(0, "00:00").isoformat()
    assert ids(api_as("eve").get("/api/v1/usage", {"from": later})) == set()
    assert ids(api_as("eve").get("/api/v1/usage", {"to": later})) == {mine.pk}
    assert api_as("eve").get("/api/v1/usage", {"from": "yesterday"}).status_code == 422


# --- POST /api/v1/usage/{id}/confirm ----------------------------------------------------------------------


def test_a_manager_confirms_through_the_api(api_as: Any, mine: Any) -> None:
    response = api_as("alice").post(f"/api/v1/usage/{mine.pk}/confirm", {})
    assert response.status_code == 200, response.content
    assert response.json()["confirmed"] is True
    mine.refresh_from_db()
    assert mine.confirmed


@pytest.mark.parametrize(("name", "status"), [("eve", 403), ("bob", 404), ("dave", 404), (None, 401)])
def test_only_the_instruments_managers_confirm_through_the_api(
    api_as: Any, mine: Any, name: str | None, status: int
) -> None:
    assert api_as(name).post(f"/api/v1/usage/{mine.pk}/confirm", {}).status_code == status
    mine.refresh_from_db()
    assert not mine.confirmed


# --- POST /api/v1/bookings/{id}/shorten -------------------------------------------------------------------


@pytest.fixture
def upcoming(people: Any, inst: Any) -> Booking:
    return services.create_booking(
        actor_for(people["eve"]),
        instrument_id=inst.pk,
        start=local(3, "10:00"),
        end=local(3, "16:00"),
        mode="assisted",
        now=timezone.now(),
    )


def test_a_manager_shortens_through_the_api(api_as: Any, upcoming: Booking) -> None:
    body = {"end": local(3, "12:00").isoformat(), "reason": "检修"}
    response = api_as("alice").post(f"/api/v1/bookings/{upcoming.pk}/shorten", body)
    assert response.status_code == 200, response.content
    assert response.json()["end"] == local(3, "12:00").isoformat()
    assert api_as("bob").post(f"/api/v1/bookings/{upcoming.pk}/shorten", body).status_code == 404
    assert api_as("alice").post(f"/api/v1/bookings/{upcoming.pk}/shorten", {"end": "x"}).status_code == 400


# --- pages ------------------------------------------------------------------------------------------------


def correction(record: UsageRecord) -> dict[str, str]:
    # An invalid form: no times, no reason. The old page rendered the record back with its errors.
    return {f"u{record.pk}-start": "", f"u{record.pk}-end": "", f"u{record.pk}-reason": ""}


@pytest.mark.parametrize(("name", "status"), [("bob", 404), ("dave", 404), ("eve", 404)])
def test_an_invalid_correction_reveals_nothing_of_a_record_one_may_not_correct(
    people: Any, others: UsageRecord, name: str, status: int
) -> None:
    response = client_for(people, name).post(
        f"/manage/bookings/usage/{others.pk}/correct/", correction(others), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == status
    body = response.content.decode()
    assert "amy" not in body and "补录" not in body and f"usage-{others.pk}" not in body


def test_the_managers_queue_shows_unconfirmed_usage_with_confirm(people: Any, mine: UsageRecord) -> None:
    body = client_for(people, "alice").get("/manage/bookings/").content.decode()
    assert 'id="unconfirmed"' in body and f"/manage/bookings/usage/{mine.pk}/confirm/" in body
    response = client_for(people, "alice").post(
        f"/manage/bookings/usage/{mine.pk}/confirm/", {}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    mine.refresh_from_db()
    assert mine.confirmed


def test_the_booker_cannot_correct_their_own_record_on_the_page(people: Any, mine: UsageRecord) -> None:
    response = client_for(people, "eve").post(
        f"/manage/bookings/usage/{mine.pk}/correct/", correction(mine), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403 and f"usage-{mine.pk}" not in response.content.decode()


def test_another_institutions_manager_cannot_confirm_on_the_page(people: Any, mine: UsageRecord) -> None:
    response = client_for(people, "bob").post(f"/manage/bookings/usage/{mine.pk}/confirm/", {})
    assert response.status_code == 404
    mine.refresh_from_db()
    assert not mine.confirmed


def test_the_booker_sees_their_records_on_my_bookings(people: Any, mine: UsageRecord, others: Any) -> None:
    body = client_for(people, "eve").get("/bookings/").content.decode()
    assert f'id="usage-{mine.pk}"' in body and f'id="usage-{others.pk}"' not in body
    assert "/confirm/" not in body  # the booker cannot confirm their own hours


def test_a_manager_shortens_and_cancels_on_the_page(people: Any, upcoming: Booking) -> None:
    alice = client_for(people, "alice")
    prefix = f"s{upcoming.pk}"
    end = local(3, "12:00").strftime("%Y-%m-%dT%H:%M")
    response = alice.post(
        f"/manage/bookings/{upcoming.pk}/shorten/", {f"{prefix}-end": end, f"{prefix}-reason": "检修"}
    )
    assert response.status_code == 302
    upcoming.refresh_from_db()
    assert upcoming.end == local(3, "12:00")
    response = alice.post(f"/manage/bookings/{upcoming.pk}/cancel/", {"reason": "仪器故障"})
    assert response.status_code == 302
    upcoming.refresh_from_db()
    assert (upcoming.status, upcoming.reason) == (BookingStatus.CANCELLED, "仪器故障")


def test_another_institutions_manager_cannot_shorten_on_the_page(people: Any, upcoming: Booking) -> None:
    prefix = f"s{upcoming.pk}"
    response = client_for(people, "bob").post(
        f"/manage/bookings/{upcoming.pk}/shorten/", {f"{prefix}-end": "", f"{prefix}-reason": ""}
    )
    assert response.status_code == 404
