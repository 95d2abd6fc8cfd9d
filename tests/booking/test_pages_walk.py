"""What the browser walk found on the booking pages: the source of a usage record ("self-reported",
"entered by a manager") is shown in the reader's language on "my bookings" and in the managers' queue."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dayi.booking.models import UsageRecord
from tests.booking.test_usage_api_pages import inst, mine  # noqa: F401  (fixtures)

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
