"""The booking rules editor (issue 12): an instrument's managers edit its policy on a page (saved through
the directory's service, audited), with a preview; an institution's admin sets the default new instruments
start from. A refused save redraws the form with what was typed and a message beside each field."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dayi.accounts.access import actor_for
from dayi.booking.policy import WORKING_WEEK, parse_policy
from dayi.booking.services.rules import set_default_policy
from dayi.core.models import AuditEvent
from dayi.directory import services as directory
from dayi.directory.models import Instrument
from tests.directory.test_api_instruments import BODY
from tests.directory.test_importing import csv_bytes, row, run

pytestmark = pytest.mark.django_db


def signed_in(people: Any, name: str, language: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(people[name])
    return client


def posted(client: Client, url: str, **changes: Any) -> dict[str, Any]:
    """The form as the page drew it, every field unchanged but ``changes``."""
    form = client.get(url).context["form"]
    data: dict[str, Any] = {"closure_rows": form.closure_rows}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_manager_saves_the_rules_and_they_come_back_unchanged(people: Any, bet: Instrument) -> None:
    # Given alice, who manages 浙江大学's instruments, on the rules page of its BET analyser
    client = signed_in(people, "alice")
    url = reverse("booking:rules", args=[bet.pk])
    before = dict(bet.booking_policy)
    # When she saves the form unchanged
    res = client.post(url, posted(client, url))
    # Then nothing the policy says has changed (defaults are now written out)
    assert res.status_code == 302, res.content.decode()[:2000]
    bet.refresh_from_db()
    assert parse_policy(bet.booking_policy) == parse_policy(before)


def test_a_manager_changes_hours_slots_and_closures(people: Any, bet: Instrument) -> None:
    client = signed_in(people, "alice")
    url = reverse("booking:rules", args=[bet.pk])
    data = posted(
        client,
        url,
        hours_1="08:30-12:00, 13:30-17:30",
        hours_6="",
        slot_minutes="30",
        min_minutes="60",
        approval="always",
        closure_start_0="2027-01-01T00:00",
        closure_end_0="2027-01-04T00:00",
        closure_reason_0="元旦放假",
    )
    res = client.post(url, data)
    assert res.status_code == 302
    bet.refresh_from_db()
    policy = parse_policy(bet.booking_policy)
    monday = [(w.start, w.end) for w in policy.opening_hours if w.weekday == 1]
    assert monday == [(510, 720), (810, 1050)]
    assert not [w for w in policy.opening_hours if w.weekday == 6]
    assert (policy.slot_minutes, policy.min_minutes, policy.approval) == (30, 60, "always")
    assert [c.reason for c in policy.closures] == ["元旦放假"]
    # And the change is audited as an instrument update, by alice
    event = AuditEvent.objects.filter(action="instrument.update").latest("id")
    assert event.actor_id == people["alice"].pk and "booking_policy" in event.after
    # And the page shows it again as saved
    page = client.get(url).content.decode()
    assert "08:30-12:00, 13:30-17:30" in page and "元旦放假" in page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_refused_save_keeps_what_was_typed_with_a_message_per_field(
    people: Any, bet: Instrument, language: str
) -> None:
    client = signed_in(people, "alice", language)
    url = reverse("booking:rules", args=[bet.pk])
    before = dict(bet.booking_policy)
    # 08:30–17:00 is 510 minutes: 60-minute slots do not tile it; "9am" is not a time
    data = posted(client, url, hours_1="08:30-17:00", hours_2="9am-5pm", slot_minutes="60", min_minutes="60")
    res = client.post(url, data)
    assert res.status_code == 422
    form = res.context["form"]
    assert set(form.errors) == {"hours_2"}  # the form's own check first
    assert form["hours_2"].value() == "9am-5pm" and form["slot_minutes"].value() == "60"
    # Once the times parse, the policy's own check names the slot
    res = client.post(url, {**data, "hours_2": "08:30-17:30"})
    assert res.status_code == 422
    errors = res.context["form"].errors
    assert set(errors) == {"slot_minutes"}
    message = errors["slot_minutes"][0]
    assert "510" in message
    if language == "en":
        assert "Mon" in message and "：" not in message and "（" not in message
    bet.refresh_from_db()
    assert bet.booking_policy == before


def test_a_closure_ending_before_it_starts_is_refused_on_its_row(people: Any, bet: Instrument) -> None:
    client = signed_in(people, "alice")
    url = reverse("booking:rules", args=[bet.pk])
    data = posted(client, url, closure_start_0="2027-01-04T00:00", closure_end_0="2027-01-01T00:00")
    res = client.post(url, data)
    assert res.status_code == 422
    assert set(res.context["form"].errors) == {"closure_end_0"}


def test_another_institutions_manager_gets_not_found(people: Any, bet: Instrument) -> None:
    # bob manages 北京大学's instruments, not 浙江大学's; eve only books
    for name in ("bob", "eve"):
        client = signed_in(people, name)
        url = reverse("booking:rules", args=[bet.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"slot_minutes": "60"}).status_code == 404
        preview = reverse("booking:rules_preview", args=[bet.pk])
        assert client.post(preview, {}).status_code == 404


def test_the_preview_shows_next_weeks_bookable_time_under_the_rules_on_the_form(
    people: Any, bet: Instrument
) -> None:
    client = signed_in(people, "alice")
    url = reverse("booking:rules", args=[bet.pk])
    data = posted(client, url, hours_1="08:30-17:30", slot_minutes="60", min_minutes="60", warmup_minutes="0")
    page = client.post(reverse("booking:rules_preview", args=[bet.pk]), data, HTTP_HX_REQUEST="true")
    text = re.sub(r"<[^>]+>", "", page.content.decode())
    assert page.status_code == 200
    assert "08:30–17:30" in text  # Monday, from the opening, unsaved
    bet.refresh_from_db()
    assert parse_policy(bet.booking_policy).slot_minutes == 10  # nothing saved


def test_a_new_instrument_starts_from_the_institutions_default(people: Any, network: Any) -> None:
    # Given no default written: the working week, not open round the clock
    zju = network["zju"]
    actor = actor_for(people["alice"])
    data = {
        "institution": zju.pk,
        "inventory_no": "NEW-1",
        "name": "场发射扫描电镜",
        "category": "0302",
        "original_value": "1200000",
        "modes": ["assisted"],
    }
    first = directory.create_instrument(actor, data, now=timezone.now())
    assert first.booking_policy == WORKING_WEEK
    # When amy, 浙江大学's admin, sets the default on its page
    client = signed_in(people, "amy")
    url = reverse("booking:default_rules", args=[zju.pk])
    res = client.post(url, posted(client, url, hours_6="09:00-12:00", slot_minutes="60", min_minutes="60"))
    assert res.status_code == 302, res.content.decode()[:2000]
    # Then the next instrument starts from it
    second = directory.create_instrument(actor, {**data, "inventory_no": "NEW-2"}, now=timezone.now())
    policy = parse_policy(second.booking_policy)
    assert policy.slot_minutes == 60 and any(w.weekday == 6 for w in policy.opening_hours)
    assert AuditEvent.objects.filter(action="institution.default_booking_policy").count() == 1
    # And an instrument given its own policy keeps it
    own = directory.create_instrument(
        actor, {**data, "inventory_no": "NEW-3", "booking_policy": {"slot_minutes": 15}}, now=timezone.now()
    )
    assert own.booking_policy == {"slot_minutes": 15}


def test_only_the_institutions_admin_sets_its_default(people: Any, network: Any) -> None:
    url = reverse("booking:default_rules", args=[network["zju"].pk])
    for name in ("alice", "bob", "eve"):  # a manager is not the admin
        assert signed_in(people, name).get(url).status_code == 404
    assert signed_in(people, "amy").get(url).status_code == 200
    index = signed_in(people, "amy").get(reverse("booking:default_rules_index"))
    assert index.status_code == 302 and index.url == url


def test_the_instrument_edit_page_and_calendar_link_the_rules(people: Any, bet: Instrument) -> None:
    client = signed_in(people, "alice")
    rules = reverse("booking:rules", args=[bet.pk])
    assert rules in client.get(reverse("manage:edit", args=[bet.pk])).content.decode()
    assert rules in client.get(reverse("booking:calendar", args=[bet.pk])).content.decode()
    as_eve = signed_in(people, "eve").get(reverse("booking:calendar", args=[bet.pk]))
    assert rules not in as_eve.content.decode()


def test_instruments_made_through_the_api_and_an_import_start_from_the_default(
    people: Any, network: Any, api_as: Any
) -> None:
    # Given 浙江大学's default: Saturday mornings only, 60-minute slots
    zju = network["zju"]
    default = {"opening_hours": [{"weekday": 6, "start": "09:00", "end": "12:00"}], "slot_minutes": 60}
    set_default_policy(actor_for(people["amy"]), zju.pk, default, now=timezone.now())
    # When alice adds one instrument through the API and two by import
    res = api_as("alice").post("/api/v1/instruments", {**BODY, "institution": zju.pk})
    assert res.status_code == 201, res.content
    run(people["alice"], zju, csv_bytes([row(1), row(2)]), filename="inventory.csv")
    # Then each starts from the default
    made = Instrument.objects.filter(institution=zju)
    assert made.count() == 3
    assert all(i.booking_policy == default for i in made)
