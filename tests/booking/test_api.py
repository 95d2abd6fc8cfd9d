"""/api/v1 booking endpoints: shapes, status codes, time zones, visibility (API.md)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.utils import timezone

from dayi.booking.models import Booking
from tests.booking.conftest import SHANGHAI, make_bet

pytestmark = pytest.mark.django_db


@pytest.fixture
def day() -> dt.date:
    """A day after tomorrow in Shanghai: bookable under the default policy whatever the clock says."""
    return timezone.now().astimezone(SHANGHAI).date() + dt.timedelta(days=2)


def body(
    inst: Any, day: dt.date, start: str, end: str, offset: str = "+08:00", **extra: Any
) -> dict[str, Any]:
    return {
        "instrument": inst.pk,
        "start": f"{day}T{start}:00{offset}",
        "end": f"{day}T{end}:00{offset}",
        "mode": "assisted",
        "purpose": "比表面积测试",
        **extra,
    }


def test_it_books_and_answers_201_in_the_instruments_zone(api_as: Any, bet: Any, day: dt.date) -> None:
    res = api_as("eve").post("/api/v1/bookings", body(bet, day, "10:00", "11:00"))
    assert res.status_code == 201, res.content
    data = res.json()
    assert {"id", "status", "start", "end", "quote"} <= set(data)
    assert (data["status"], data["quote"]["amount"]) == ("confirmed", "0.00")  # the fixture's free rates
    assert data["start"] == f"{day}T10:00:00+08:00"
    assert data["occupied"]["start"] == f"{day}T09:40:00+08:00"


def test_offsets_plus_zero_and_plus_eight_land_on_the_same_instant(
    api_as: Any, bet: Any, day: dt.date
) -> None:
    # Given 02:00 UTC, which is 10:00 in Shanghai
    first = api_as("eve").post("/api/v1/bookings", body(bet, day, "02:00", "03:00", "+00:00"))
    assert first.status_code == 201, first.content
    assert first.json()["start"] == f"{day}T10:00:00+08:00"

    # When someone asks for 10:00 Shanghai time
    second = api_as("alice").post("/api/v1/bookings", body(bet, day, "10:00", "11:00"))

    # Then it is the same time: a 409 naming the clash
    assert second.status_code == 409
    err = second.json()["error"]
    assert err["code"] == "booking_conflict"
    assert err["clash"] == {"start": f"{day}T09:40+08:00", "end": f"{day}T11:00+08:00"}
    assert "start" in err["fields"]
    assert Booking.objects.count() == 1


def test_a_broken_rule_is_422_with_the_rule_named(api_as: Any, bet: Any, day: dt.date) -> None:
    res = api_as("eve").post("/api/v1/bookings", body(bet, day, "09:00", "10:00"))
    assert res.status_code == 422
    assert res.json()["error"]["code"] == "rule_violation"
    assert res.json()["error"]["rule"] == "warmup_outside_opening_hours"


def test_a_time_without_offset_is_refused(api_as: Any, bet: Any, day: dt.date) -> None:
    res = api_as("eve").post("/api/v1/bookings", body(bet, day, "10:00", "11:00", ""))
    assert res.status_code == 422
    assert res.json()["error"]["code"] == "validation_error"


def test_booking_needs_sign_in(anon: Any, bet: Any, day: dt.date) -> None:
    assert anon.post("/api/v1/bookings", body(bet, day, "10:00", "11:00")).status_code == 401


def test_an_idempotency_key_gives_one_booking(api_as: Any, bet: Any, day: dt.date) -> None:
    client = api_as("eve")
    a = client.post("/api/v1/bookings", body(bet, day, "10:00", "11:00"), HTTP_IDEMPOTENCY_KEY="k-1")
    b = client.post("/api/v1/bookings", body(bet, day, "10:00", "11:00"), HTTP_IDEMPOTENCY_KEY="k-1")
    c = client.post("/api/v1/bookings", body(bet, day, "12:00", "13:00"), HTTP_IDEMPOTENCY_KEY="k-1")
    assert (a.status_code, b.status_code, c.status_code) == (201, 201, 409)
    assert a.json()["id"] == b.json()["id"]
    assert Booking.objects.count() == 1


def test_availability_is_the_bookable_part_of_opening_hours_minus_occupied_time(
    api_as: Any, anon: Any, bet: Any, day: dt.date
) -> None:
    api_as("eve").post("/api/v1/bookings", body(bet, day, "10:00", "11:00"))
    res = anon.get(
        f"/api/v1/instruments/{bet.pk}/availability",
        {"start": f"{day}T00:00:00+08:00", "end": f"{day}T23:59:00+08:00"},
    )
    assert res.status_code == 200, res.content
    assert res.json()["free"] == [
        {"start": f"{day}T09:20:00+08:00", "end": f"{day}T09:40:00+08:00"},  # after the 20-minute warm-up
        {"start": f"{day}T11:00:00+08:00", "end": f"{day}T17:00:00+08:00"},
    ]


def test_availability_reads_an_unencoded_plus_and_plain_dates(anon: Any, bet: Any, day: dt.date) -> None:
    raw = anon.get(
        f"/api/v1/instruments/{bet.pk}/availability?start={day}T00:00:00+08:00&end={day}T23:00:00+08:00"
    )
    dates = anon.get(
        f"/api/v1/instruments/{bet.pk}/availability?start={day}&end={day + dt.timedelta(days=1)}"
    )
    assert raw.status_code == dates.status_code == 200
    assert (
        raw.json()["free"]
        == dates.json()["free"]
        == [{"start": f"{day}T09:20:00+08:00", "end": f"{day}T17:00:00+08:00"}]
    )


def _next_spring_change() -> dt.date:
    """The next last Sunday of March (Europe's clocks go forward): availability is of the future only."""
    today = timezone.now().date()
    for year in (today.year, today.year + 1):
        last = dt.date(year, 3, 31)
        sunday = last - dt.timedelta(days=last.isoweekday() % 7)
        if sunday > today + dt.timedelta(days=2):
            return sunday
    raise AssertionError("unreachable")


def test_availability_of_a_london_instrument_across_the_dst_change(anon: Any, network: Any) -> None:
    inst = make_bet(network["zju"], max_advance_days=3 * 366)
    inst.timezone = "Europe/London"
    inst.save()
    change = _next_spring_change()
    before, after = change - dt.timedelta(days=1), change + dt.timedelta(days=1)
    res = anon.get(
        f"/api/v1/instruments/{inst.pk}/availability",
        {"start": str(before), "end": str(after + dt.timedelta(days=1))},
    )
    free = res.json()["free"]
    assert res.json()["timezone"] == "Europe/London"
    # 09:00 opening, bookable after the 20-minute warm-up, on London's clock either side of the change.
    assert [f["start"] for f in free] == [
        f"{before}T09:20:00+00:00",
        f"{change}T09:20:00+01:00",
        f"{after}T09:20:00+01:00",
    ]


def test_availability_windows_are_bounded(anon: Any, bet: Any) -> None:
    res = anon.get(f"/api/v1/instruments/{bet.pk}/availability", {"start": "2026-01-01", "end": "2026-12-31"})
    assert res.status_code == 422


def test_the_earliest_free_slot_of_one_instrument(api_as: Any, anon: Any, network: Any) -> None:
    inst = make_bet(network["zju"], min_notice_minutes=0)
    res = anon.get(f"/api/v1/instruments/{inst.pk}/earliest", {"minutes": 60, "days": 3})
    assert res.status_code == 200, res.content
    slot = res.json()["slot"]
    start = dt.datetime.fromisoformat(slot["start"])
    assert dt.datetime.fromisoformat(slot["end"]) - start == dt.timedelta(hours=1)
    # It can really be booked.
    booked = api_as("eve").post("/api/v1/bookings", {"instrument": inst.pk, "mode": "sample", **slot})
    assert booked.status_code == 201, booked.content


def test_the_earliest_free_slots_across_a_search(anon: Any, network: Any, people: Any, day: dt.date) -> None:
    busy = make_bet(network["zju"], "BET-1", max_advance_days=5)
    free = make_bet(network["zju"], "BET-2", max_advance_days=5)
    make_bet(network["pku"], "BET-3")  # outside the search
    for d in range(-2, 6):  # busy all day, every day of the horizon
        date = day + dt.timedelta(days=d)
        Booking.objects.create(
            instrument=busy,
            user=people["eve"],
            mode="sample",
            start=dt.datetime.combine(date, dt.time(9), tzinfo=SHANGHAI),
            end=dt.datetime.combine(date, dt.time(17), tzinfo=SHANGHAI),
            occupied=(
                dt.datetime.combine(date, dt.time(9), tzinfo=SHANGHAI),
                dt.datetime.combine(date, dt.time(17), tzinfo=SHANGHAI),
            ),
            status="confirmed",
            created=timezone.now(),
            updated=timezone.now(),
        )
    res = anon.get("/api/v1/bookings/earliest", {"minutes": 60, "days": 5, "institution": network["zju"].pk})
    assert res.status_code == 200, res.content
    assert [item["instrument"] for item in res.json()["items"]] == [free.pk]


def test_lists_show_own_bookings_and_managed_instruments(
    api_as: Any, bet: Any, day: dt.date, people: Any
) -> None:
    api_as("eve").post("/api/v1/bookings", body(bet, day, "10:00", "11:00"))
    api_as("bob").post("/api/v1/bookings", body(bet, day, "12:00", "13:00"))

    def seen(name: str, **params: Any) -> list[str]:
        res = api_as(name).get("/api/v1/bookings", {"instrument": bet.pk, **params})
        assert res.status_code == 200
        return sorted(item["username"] for item in res.json()["items"])

    assert seen("eve") == ["eve"]
    assert seen("bob") == ["bob"]  # another institution's manager sees only his own booking
    assert seen("alice") == ["bob", "eve"]
    assert seen("alice", user=people["eve"].pk) == ["eve"]
    assert seen("alice", start=f"{day}T11:30:00+08:00") == ["bob"]


def test_another_institutions_manager_cannot_see_or_act(api_as: Any, bet: Any, day: dt.date) -> None:
    booking = api_as("eve").post("/api/v1/bookings", body(bet, day, "10:00", "11:00")).json()
    bob = api_as("bob")
    assert bob.get(f"/api/v1/bookings/{booking['id']}").status_code == 404
    for action in ("approve", "check-in", "check-out", "cancel", "no-show"):
        assert bob.post(f"/api/v1/bookings/{booking['id']}/{action}").status_code == 404
    assert bob.post(f"/api/v1/bookings/{booking['id']}/reject", {"reason": "x"}).status_code == 404


def test_approve_and_reject_through_the_api(api_as: Any, network: Any, day: dt.date) -> None:
    inst = make_bet(network["zju"], approval="always")
    first = api_as("eve").post("/api/v1/bookings", body(inst, day, "10:00", "11:00")).json()
    second = api_as("eve").post("/api/v1/bookings", body(inst, day, "12:00", "13:00")).json()
    assert first["status"] == "pending"
    assert api_as("eve").post(f"/api/v1/bookings/{first['id']}/approve").status_code == 403
    res = api_as("alice").post(f"/api/v1/bookings/{first['id']}/approve")
    assert (res.status_code, res.json()["status"]) == (200, "confirmed")
    again = api_as("alice").post(f"/api/v1/bookings/{first['id']}/approve")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "invalid_state")
    res = api_as("alice").post(f"/api/v1/bookings/{second['id']}/reject", {"reason": "仪器维护"})
    assert (res.json()["status"], res.json()["reason"]) == ("rejected", "仪器维护")


def test_the_booker_cancels_through_the_api(api_as: Any, bet: Any, day: dt.date) -> None:
    booking = api_as("eve").post("/api/v1/bookings", body(bet, day, "10:00", "11:00")).json()
    res = api_as("eve").post(f"/api/v1/bookings/{booking['id']}/cancel")
    assert (res.status_code, res.json()["status"]) == (200, "cancelled")


def test_check_in_too_early_is_an_invalid_state(api_as: Any, bet: Any, day: dt.date) -> None:
    booking = api_as("eve").post("/api/v1/bookings", body(bet, day, "10:00", "11:00")).json()
    res = api_as("eve").post(f"/api/v1/bookings/{booking['id']}/check-in")
    assert (res.status_code, res.json()["error"]["code"]) == (409, "invalid_state")


def test_managers_grant_qualifications(api_as: Any, bet: Any, people: Any) -> None:
    url = f"/api/v1/instruments/{bet.pk}/qualifications"
    res = api_as("alice").post(url, {"user": people["eve"].pk, "expires": "2027-03-01"})
    assert (res.status_code, res.json()["expires"]) == (201, "2027-03-01")
    assert api_as("alice").post(url, {"user": people["eve"].pk}).status_code == 200
    assert api_as("bob").post(url, {"user": people["bob"].pk}).status_code == 404
    assert api_as("eve").post(url, {"user": people["eve"].pk}).status_code == 404


def test_the_directory_refuses_a_bad_booking_policy(api_as: Any, bet: Any) -> None:
    res = api_as("alice").patch(
        f"/api/v1/instruments/{bet.pk}",
        {"booking_policy": {"slot_minutes": 7, "approval": "sometimes", "opening_hours": [{"weekday": 8}]}},
    )
    assert res.status_code == 422
    assert set(res.json()["error"]["fields"]) == {
        "booking_policy.slot_minutes",
        "booking_policy.approval",
        "booking_policy.opening_hours",
    }
    ok = api_as("alice").patch(f"/api/v1/instruments/{bet.pk}", {"booking_policy": {"slot_minutes": 15}})
    assert ok.status_code == 200


def test_the_booking_list_takes_the_same_queries_for_two_or_six_bookings(
    api_as: Any, bet: Any, day: dt.date
) -> None:
    client = api_as("alice")
    client.get("/api/v1/me")  # the token's first use records last_used: not part of what is counted
    slots = list(itertools.pairwise(["09:30", "10:30", "11:30", "12:30", "13:30", "14:30", "15:30"]))

    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/bookings", {"instrument": bet.pk}).status_code == 200
        return len(ctx.captured_queries)

    eve = api_as("eve")
    for start, end in slots[:2]:
        assert eve.post("/api/v1/bookings", body(bet, day, start, end)).status_code == 201
    with_two = count_queries()
    for start, end in slots[2:]:
        assert eve.post("/api/v1/bookings", body(bet, day, start, end)).status_code == 201
    assert count_queries() == with_two
