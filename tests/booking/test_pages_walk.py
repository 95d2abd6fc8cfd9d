"""What the browser walk found on the booking pages: the source of a usage record ("self-reported",
"entered by a manager") is shown in the reader's language on "my bookings" and in the managers' queue;
and a confirmed booking days ahead is listed in the queue, where the manager can shorten or cancel it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dayi.booking.models import Booking, UsageRecord
from tests.booking.test_usage_api_pages import inst, mine, upcoming  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def english(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_my_bookings_names_the_source_of_my_hours_in_english(people: Any, mine: UsageRecord) -> None:  # noqa: F811
    body = english(people["eve"]).get("/bookings/").content.decode()
    assert f'id="usage-{mine.pk}"' in body
    assert "用户自报" not in body


def test_the_managers_queue_names_the_source_in_english(people: Any, mine: UsageRecord) -> None:  # noqa: F811
    body = english(people["alice"]).get("/manage/bookings/").content.decode()
    assert f"/manage/bookings/usage/{mine.pk}/confirm/" in body
    assert "用户自报" not in body


def test_the_managers_queue_lists_a_confirmed_booking_days_ahead_to_shorten_or_cancel(
    people: Any,
    upcoming: Booking,  # noqa: F811
) -> None:
    assert upcoming.status == "confirmed"
    body = english(people["alice"]).get("/manage/bookings/").content.decode()
    assert f'id="manage-{upcoming.pk}"' in body
    assert f"/manage/bookings/{upcoming.pk}/shorten/" in body
    assert f"/manage/bookings/{upcoming.pk}/cancel/" in body
    assert "Upcoming bookings" in body


def test_another_institutions_manager_does_not_see_it(people: Any, upcoming: Booking) -> None:  # noqa: F811
    body = english(people["bob"]).get("/manage/bookings/").content.decode()
    assert f'id="manage-{upcoming.pk}"' not in body


def test_an_upcoming_booking_offers_no_check_in_and_shows_its_status_in_english(
    people: Any,
    upcoming: Booking,  # noqa: F811
) -> None:
    body = english(people["alice"]).get("/manage/bookings/").content.decode()
    row = body[body.index(f'id="manage-{upcoming.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "/check-in/" not in row and "/no-show/" not in row  # days ahead: nothing to check in yet
    assert "已确认" not in row and "Confirmed" in row
