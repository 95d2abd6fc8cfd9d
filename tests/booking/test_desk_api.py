"""/api/v1 endpoints of the manager's desk: the same services as the pages, in the API's shapes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from dayi.booking.models import Booking, ProblemReport, Qualification
from tests.booking.conftest import SHANGHAI, make_bet

pytestmark = pytest.mark.django_db


@pytest.fixture
def day() -> dt.date:
    """A day after tomorrow in Shanghai: bookable whatever the clock says."""
    return timezone.now().astimezone(SHANGHAI).date() + dt.timedelta(days=2)


def test_training_goes_from_request_to_qualification(api_as: Any, network: Any, day: dt.date) -> None:
    trained = make_bet(network["zju"], "BET-Q", self_requires_qualification=True)
    asked = api_as("eve").post(f"/api/v1/instruments/{trained.pk}/training-requests", {"note": "测孔径"})
    assert asked.status_code == 201, asked.content
    pk = asked.json()["id"]
    scheduled = api_as("alice").post(
        f"/api/v1/training-requests/{pk}/schedule", {"at": f"{day}T14:00:00+08:00", "note": "B203"}
    )
    assert scheduled.json()["scheduled_at"] == f"{day}T14:00:00+08:00"
    passed = api_as("alice").post(
        f"/api/v1/training-requests/{pk}/result", {"passed": True, "expires": "2027-12-31"}
    )
    assert passed.status_code == 200 and passed.json()["status"] == "passed"
    assert Qualification.objects.get(instrument=trained).expires == dt.date(2027, 12, 31)


def test_another_institutions_manager_gets_404_in_the_error_shape(
    api_as: Any, bet: Any, day: dt.date
) -> None:
    pk = api_as("eve").post(f"/api/v1/instruments/{bet.pk}/training-requests", {}).json()["id"]
    res = api_as("bob").post(f"/api/v1/training-requests/{pk}/schedule", {"at": f"{day}T14:00:00+08:00"})
    assert res.status_code == 404 and res.json()["error"]["code"] == "not_found"


def test_revoking_without_a_reason_is_422_and_changes_nothing(api_as: Any, bet: Any, people: Any) -> None:
    api_as("alice").post(f"/api/v1/instruments/{bet.pk}/qualifications", {"user": people["eve"].pk})
    q = Qualification.objects.get()
    res = api_as("alice").post(f"/api/v1/qualifications/{q.pk}/revoke", {"reason": " "})
    assert res.status_code == 422 and "reason" in res.json()["error"]["fields"]
    q.refresh_from_db()
    assert q.revoked is None
    ok = api_as("alice").post(f"/api/v1/qualifications/{q.pk}/revoke", {"reason": "违规"})
    assert ok.json()["revoke_reason"] == "违规" and ok.json()["revoked"]


def test_a_manager_books_for_a_user_then_moves_it(api_as: Any, bet: Any, people: Any, day: dt.date) -> None:
    made = api_as("alice").post(
        f"/api/v1/instruments/{bet.pk}/bookings-for-user",
        {"user": "eve", "start": f"{day}T10:00:00+08:00", "end": f"{day}T11:00:00+08:00", "mode": "assisted"},
    )
    assert made.status_code == 201, made.content
    assert (made.json()["username"], made.json()["status"]) == ("eve", "confirmed")
    moved = api_as("alice").post(
        f"/api/v1/bookings/{made.json()['id']}/move", {"start": f"{day}T13:00:00+08:00", "reason": "维护"}
    )
    assert moved.status_code == 200, moved.content
    assert (moved.json()["start"], moved.json()["end"]) == (f"{day}T13:00:00+08:00", f"{day}T14:00:00+08:00")


def test_moving_onto_another_booking_is_409(api_as: Any, bet: Any, day: dt.date) -> None:
    first = api_as("eve").post(
        "/api/v1/bookings",
        {
            "instrument": bet.pk,
            "start": f"{day}T10:00:00+08:00",
            "end": f"{day}T11:00:00+08:00",
            "mode": "assisted",
        },
    )
    api_as("amy").post(
        "/api/v1/bookings",
        {
            "instrument": bet.pk,
            "start": f"{day}T13:00:00+08:00",
            "end": f"{day}T14:00:00+08:00",
            "mode": "assisted",
        },
    )
    res = api_as("alice").post(
        f"/api/v1/bookings/{first.json()['id']}/move", {"start": f"{day}T13:30:00+08:00", "reason": "调整"}
    )
    assert res.status_code == 409 and res.json()["error"]["code"] == "booking_conflict"
    assert Booking.objects.get(pk=first.json()["id"]).start.astimezone(SHANGHAI).hour == 10


def test_walk_up_usage_is_recorded_for_the_named_user(api_as: Any, bet: Any, people: Any) -> None:
    res = api_as("alice").post(
        f"/api/v1/instruments/{bet.pk}/walk-up-usage",
        {
            "user": "eve",
            "start": "2026-03-02T09:00:00+08:00",
            "end": "2026-03-02T10:00:00+08:00",
            "reason": "临时",
        },
    )
    assert res.status_code == 201, res.content
    assert (res.json()["user"], res.json()["hours"], res.json()["confirmed"]) == (
        people["eve"].pk,
        "1.00",
        True,
    )


def test_a_fault_report_is_handled_with_a_downtime_and_resolved(api_as: Any, bet: Any, day: dt.date) -> None:
    made = api_as("eve").post(
        "/api/v1/bookings",
        {
            "instrument": bet.pk,
            "start": f"{day}T10:00:00+08:00",
            "end": f"{day}T11:00:00+08:00",
            "mode": "assisted",
        },
    )
    report = api_as("eve").post(f"/api/v1/instruments/{bet.pk}/problem-reports", {"description": "漏气"})
    assert report.status_code == 201
    pk = report.json()["id"]
    handled = api_as("alice").post(
        f"/api/v1/problem-reports/{pk}/handle",
        {
            "status": "awaiting_repair",
            "downtime_start": f"{day}T00:00:00+08:00",
            "downtime_end": f"{day + dt.timedelta(days=1)}T00:00:00+08:00",
            "reason": "更换真空泵",
        },
    )
    assert handled.status_code == 200, handled.content
    assert handled.json()["affected_bookings"] == [made.json()["id"]]
    resolved = api_as("alice").post(
        f"/api/v1/problem-reports/{pk}/resolve", {"resolution": "已修", "status": "normal"}
    )
    assert resolved.json()["status"] == "resolved"
    assert ProblemReport.objects.get().resolved_at is not None
