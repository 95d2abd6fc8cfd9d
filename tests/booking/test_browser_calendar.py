"""The calendar and the booking rules editor in Chromium (issue 12).

An instrument opens at 08:30 with 60-minute slots: dragging 09:30–11:30 on the calendar fills the form
with a booking the server accepts (before the fix slots counted from midnight, and the same drag was
refused with "起止须对齐 60 分钟时段"). Past time, closures (with their reason) and instruments shared
inside their institution are greyed for those who may not book them; after a refused booking the
calendar reopens on the week the user was looking at. The rules editor saves, previews next week and
fits a phone. In Chinese and English, at 1280 and 390 px wide.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dayi.booking.models import Booking
from dayi.booking.policy import parse_policy
from dayi.directory.models import Instrument
from tests.booking.conftest import SHANGHAI
from tests.conftest import PASSWORD, make_instrument
from tests.screenshots import SCREENSHOTS

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # one thread drives the browser, one serves

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium"
    ),
    pytest.mark.django_db(transaction=True),
]

HALF_PAST_EIGHT = [{"weekday": d, "start": "08:30", "end": "17:30"} for d in range(1, 8)]
HOURLY = {
    "opening_hours": HALF_PAST_EIGHT,
    "slot_minutes": 60,
    "min_minutes": 60,
    "warmup_minutes": 0,
    "min_notice_minutes": 0,
    "self_requires_qualification": False,
}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Tab:
    def __init__(self, browser: Any, base: str, viewport: dict[str, int], language: str) -> None:
        locale = "en-GB" if language == "en" else "zh-CN"
        self.context = browser.new_context(viewport=viewport, locale=locale)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.base = base
        self.language = language
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def sign_in(self, username: str) -> None:
        self.page.goto(self.base + "/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.locator("main form button[type=submit]").click()
        self.page.wait_for_load_state()
        if self.language == "en":  # as the language button does (it sits in the folded menu on phones)
            self.context.add_cookies([{"name": "django_language", "value": "en", "url": self.base}])

    def fits(self) -> bool:
        width = self.page.evaluate("document.documentElement.scrollWidth")
        return bool(width <= self.page.viewport_size["width"])

    def shoot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


@pytest.fixture
def tabs(browser: Any, live_server: Any) -> Iterator[Any]:
    opened: list[Tab] = []

    def open_tab(viewport: dict[str, int] = DESKTOP, language: str = "zh") -> Tab:
        tab = Tab(browser, live_server.url, viewport, language)
        opened.append(tab)
        return tab

    yield open_tab
    for tab in opened:
        tab.context.close()


@pytest.fixture
def hourly(network: Any) -> Instrument:
    return make_instrument(network["zju"], "XRD-01", name="X射线衍射仪", booking_policy=HOURLY)


def a_day(offset: int = 3) -> dt.date:
    return (timezone.now().astimezone(SHANGHAI) + dt.timedelta(days=offset)).date()


def open_calendar(tab: Tab, instrument: Instrument, day: dt.date) -> Any:
    page = tab.page
    page.goto(f"{tab.base}/instruments/{instrument.pk}/calendar/?date={day.isoformat()}")
    page.locator(".fc-bg-event.free").first.wait_for()
    return page


def drag(page: Any, day: dt.date, start: str, end_lane: str) -> None:
    """Press on the ``start`` slot of ``day`` and release on the slot ``end_lane`` (its lower half)."""
    column = page.locator(f"td.fc-timegrid-col[data-date='{day.isoformat()}']").bounding_box()
    first = page.locator(f"td.fc-timegrid-slot-lane[data-time='{start}:00']").bounding_box()
    last = page.locator(f"td.fc-timegrid-slot-lane[data-time='{end_lane}:00']").bounding_box()
    x = column["x"] + column["width"] / 2
    page.mouse.move(x, first["y"] + 3)
    page.mouse.down()
    page.mouse.move(x, (first["y"] + last["y"]) / 2, steps=5)
    page.mouse.move(x, last["y"] + last["height"] - 3, steps=5)
    page.mouse.up()


@pytest.mark.parametrize(("viewport", "language"), [(DESKTOP, "zh"), (PHONE, "en")])
def test_dragging_at_an_0830_opening_books_what_the_server_accepts(
    tabs: Any, people: Any, hourly: Instrument, viewport: dict[str, int], language: str
) -> None:
    # Given eve on the calendar of an instrument open 08:30–17:30 with 60-minute slots
    tab = tabs(viewport, language)
    tab.sign_in("eve")
    day = a_day()
    page = open_calendar(tab, hourly, day)
    # When she drags from 09:30 to the end of the 10:30 slot
    drag(page, day, "09:30", "10:30")
    # Then the form holds 09:30–11:30, on the slots counted from the opening
    assert page.locator("#id_start").input_value() == f"{day.isoformat()}T09:30"
    assert page.locator("#id_end").input_value() == f"{day.isoformat()}T11:30"
    tab.shoot(f"calendar-drag-{language}-{viewport['width']}.png")
    assert tab.fits()
    # And the server accepts it
    page.locator("#booking-form button[type=submit]").click()
    page.wait_for_load_state()
    booking = Booking.objects.get(instrument=hourly)
    assert booking.start == dt.datetime.combine(day, dt.time(9, 30), tzinfo=SHANGHAI)
    assert booking.end == dt.datetime.combine(day, dt.time(11, 30), tzinfo=SHANGHAI)
    assert not [e for e in tab.errors if "Content Security Policy" in e]


def test_a_refused_booking_reopens_the_week_the_user_was_looking_at(
    tabs: Any, people: Any, hourly: Instrument
) -> None:
    tab = tabs()
    tab.sign_in("eve")
    day = a_day(17)  # two weeks and more ahead
    page = open_calendar(tab, hourly, day)
    # When eve types a time off the slots (09:00) and submits
    page.fill("#id_start", f"{day.isoformat()}T09:00")
    page.fill("#id_end", f"{day.isoformat()}T10:00")
    page.locator("#booking-form button[type=submit]").click()
    page.wait_for_load_state()
    # Then the refusal names the rule and the nearest slot, and the calendar shows the same week
    assert "09:30" in page.locator("#booking-error").inner_text()
    page.locator(".fc-bg-event.free").first.wait_for()
    shown = page.evaluate("document.getElementById('calendar').dayiCalendar.view.currentStart.toISOString()")
    monday = day - dt.timedelta(days=day.weekday())
    assert shown.startswith(monday.isoformat())
    assert page.locator("#id_start").input_value() == f"{day.isoformat()}T09:00"  # what she typed stays
    assert not Booking.objects.exists()


def test_past_time_and_closures_are_greyed_with_the_reason(tabs: Any, people: Any, network: Any) -> None:
    today = a_day(0)
    closed = a_day(2)
    closure = {"start": f"{closed}T08:30", "end": f"{closed}T12:30", "reason": "液氮补给"}
    inst = make_instrument(network["zju"], "XRD-02", booking_policy={**HOURLY, "closures": [closure]})
    tab = tabs()
    tab.sign_in("eve")
    page = open_calendar(tab, inst, today)
    page.locator(".fc-bg-event.unavailable").first.wait_for()  # the past, up to now
    page = open_calendar(tab, inst, closed)
    page.locator(".fc-bg-event.closed").first.wait_for()
    assert "液氮补给" in page.locator(".fc-bg-event.closed").first.inner_text()
    assert "液氮补给" in page.locator(".rules").inner_text()  # and in the rules box, for screen readers
    tab.shoot("calendar-greyed-zh.png")


def test_an_internal_instrument_is_greyed_for_an_outsider(tabs: Any, people: Any, network: Any) -> None:
    inst = make_instrument(network["zju"], "XRD-03", booking_policy=HOURLY, share_mode="internal")
    tab = tabs(PHONE, "en")
    tab.sign_in("bob")  # 北京大学
    page = tab.page
    page.goto(f"{tab.base}/instruments/{inst.pk}/calendar/?date={a_day().isoformat()}")
    page.locator("#booking-refusal").wait_for()
    page.locator(".fc-timegrid-slot-lane").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert page.locator(".fc-bg-event.free").count() == 0
    assert page.locator("#booking-form").count() == 0
    assert tab.fits()


@pytest.mark.parametrize(("viewport", "language"), [(DESKTOP, "zh"), (PHONE, "en")])
def test_a_manager_edits_the_rules_with_a_preview(
    tabs: Any, people: Any, hourly: Instrument, viewport: dict[str, int], language: str
) -> None:
    # Given alice, who manages 浙江大学's instruments, on the instrument's edit page
    tab = tabs(viewport, language)
    tab.sign_in("alice")
    page = tab.page
    page.goto(f"{tab.base}/manage/instruments/{hourly.pk}/edit/")
    page.locator(f"a[href='/manage/instruments/{hourly.pk}/booking-rules/']").first.click()
    page.wait_for_load_state()
    preview = page.locator("#rules-preview")
    preview.locator("li").first.wait_for()
    assert "08:30" in preview.inner_text()
    # When she opens Mondays at 09:00 instead, the preview follows before she saves
    page.fill("#id_hours_1", "09:00-12:00")
    page.locator("#id_slot_minutes").click()  # leaving the field fires its change
    expect(preview).to_contain_text("09:00")
    tab.shoot(f"rules-editor-{language}-{viewport['width']}.png")
    assert tab.fits()
    # And a mistake is shown beside its field, keeping what she typed
    page.fill("#id_hours_2", "9am")
    page.locator("#rules-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#id_hours_2").input_value() == "9am"
    assert page.locator("#id_hours_1").input_value() == "09:00-12:00"
    assert page.locator(".has-error #id_hours_2").count() == 1
    # When she corrects it and saves, the rules are stored
    page.fill("#id_hours_2", "08:30-17:30")
    page.locator("#rules-form button[type=submit]").click()
    page.wait_for_load_state()
    hourly.refresh_from_db()
    monday = [(w.start, w.end) for w in parse_policy(hourly.booking_policy).opening_hours if w.weekday == 1]
    assert monday == [(540, 720)]
    assert tab.fits()


def test_a_drag_snaps_out_to_the_slots_of_a_day_that_opens_later(
    tabs: Any, people: Any, network: Any
) -> None:
    # Given weekdays from 08:30 and Saturdays from 09:00, with 60-minute slots: the grid's lines are 08:30,
    # 09:30 …, which are not Saturday's slots
    hours = [*HALF_PAST_EIGHT[:5], {"weekday": 6, "start": "09:00", "end": "12:00"}]
    inst = make_instrument(network["zju"], "XRD-04", booking_policy={**HOURLY, "opening_hours": hours})
    saturday = a_day(2)
    saturday += dt.timedelta(days=(5 - saturday.weekday()) % 7)
    tab = tabs()
    tab.sign_in("eve")
    page = open_calendar(tab, inst, saturday)
    # When eve drags on Saturday across 09:30–11:30 of the grid
    drag(page, saturday, "09:30", "10:30")
    # Then the selection snaps out to Saturday's slots, 09:00–12:00, which the server accepts
    assert page.locator("#id_start").input_value() == f"{saturday.isoformat()}T09:00"
    assert page.locator("#id_end").input_value() == f"{saturday.isoformat()}T12:00"
    page.locator("#booking-form button[type=submit]").click()
    page.wait_for_load_state()
    assert Booking.objects.filter(instrument=inst).count() == 1
