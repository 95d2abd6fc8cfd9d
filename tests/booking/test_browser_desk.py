"""The manager's desk in a real browser (Debian's Chromium through Playwright, against the live server):
the manager's day on a phone — a booking moved with a reason, a booking made for a user — and the training
flow from a user's request to the qualification, in Chinese and English at 390 px, with no sideways scroll
and no Content-Security-Policy violation. Screenshots go to var/screenshots/desk-*.png.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from dayi.booking.models import Booking, BookingStatus, Qualification
from tests.booking.conftest import make_bet
from tests.booking.test_pages import book_now, day, local, wall
from tests.reliability import test_browser_trust as trust
from tests.reliability.test_browser_trust import CHROMIUM, PHONE

# The browser and its signed-in tabs, as the trust walk drives them.
browser = trust.browser
tabs = trust.tabs

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium"
    ),
    pytest.mark.django_db(transaction=True),
]

ALL_DAY = [{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(1, 8)]


@pytest.fixture
def analyser(network: Any) -> Any:
    return make_bet(network["zju"], "BET-DESK", opening_hours=ALL_DAY, self_requires_qualification=True)


def test_a_manager_moves_a_booking_and_books_for_a_user_on_a_phone(
    tabs: Any, people: Any, analyser: Any
) -> None:
    # Given eve's booking the day after tomorrow, and alice on her phone, in Chinese, on her day page
    d = day(2)
    booking = book_now(people, "eve", analyser, local(d, "10:00"), local(d, "11:00"))
    manager = tabs(PHONE)
    page = manager.sign_in("alice")
    if page.locator("[data-nav-toggle]").is_visible():  # the navigation folds behind its button on a phone
        page.locator("[data-nav-toggle]").click()
    page.get_by_role("link", name="今日安排").first.click()
    page.get_by_role("link", name="7 天内").click()
    row = page.locator(f"#day-{booking.pk}")
    assert "10:00" in row.inner_text()
    assert manager.fits(), "the manager's day overflows a 390 px screen"
    manager.shoot("desk-day-zh-390.png")

    # When she moves it to the afternoon with a reason
    row.locator("summary").click()
    row.get_by_label("新的开始时间").fill(wall(d, "15:00"))
    row.locator(f"#id_m{booking.pk}-reason").fill("仪器维护")  # the move's reason (the cancel has one too)
    row.get_by_role("button", name="移动预约").click()
    page.wait_for_load_state()

    # Then the page says so and the booking keeps its length at the new time
    assert "预约已移动" in page.locator("body").inner_text()
    booking.refresh_from_db()
    assert (booking.start, booking.end, booking.reason) == (local(d, "15:00"), local(d, "16:00"), "仪器维护")

    # When she books for eve by e-mail-less username, in English now
    manager.english()
    assert "Today's schedule" in page.locator("h1").inner_text()
    form = page.locator("#book")
    form.get_by_label("Instrument").select_option(str(analyser.pk))
    form.get_by_label("Username or e-mail").fill("eve")
    form.get_by_label("Start").fill(wall(d, "17:00"))
    form.get_by_label("End").fill(wall(d, "18:00"))
    form.get_by_label("Service mode").select_option("assisted")
    form.get_by_role("button", name="Book for them").click()
    page.wait_for_load_state()

    # Then the booking is eve's, confirmed, and the page fits the phone in English too
    assert "Booked for eve" in page.locator("body").inner_text()
    made = Booking.objects.get(instrument=analyser, start=local(d, "17:00"))
    assert (made.user, made.status) == (people["eve"], BookingStatus.CONFIRMED)
    assert manager.fits(), "the manager's day overflows a 390 px screen in English"
    manager.shoot("desk-day-en-390.png")
    assert not manager.csp_violations()


def test_a_user_asks_for_training_and_the_manager_qualifies_them(
    tabs: Any, people: Any, analyser: Any
) -> None:
    # Given eve on her phone, in English, on the instrument's page
    user = tabs(PHONE)
    page = user.sign_in("eve")
    user.english()
    page.goto(f"{user.base}/instruments/{analyser.pk}/")
    page.get_by_role("link", name="Ask for training").first.click()
    page.get_by_label("What you need the training for (optional)").fill("Pore size distribution")
    page.get_by_role("button", name="Ask for training").click()
    page.wait_for_load_state()
    assert "Training requested" in page.locator("body").inner_text()
    assert user.fits(), "my training overflows a 390 px screen"
    user.shoot("desk-my-training-en-390.png")

    # When alice, on her phone in Chinese, schedules the session and records a pass with an expiry
    manager = tabs(PHONE)
    mpage = manager.sign_in("alice")
    mpage.goto(f"{manager.base}/manage/training/")
    card = mpage.locator("article.desk-card").first
    assert "Pore size distribution" in card.inner_text()
    assert manager.fits(), "the training page overflows a 390 px screen"
    manager.shoot("desk-training-zh-390.png")
    d = day(2)
    card.get_by_label("培训时间").fill(wall(d, "14:00"))
    card.get_by_label("地点与说明（将通知申请人）").fill("B203 室")
    card.get_by_role("button", name="保存并通知申请人").click()
    mpage.wait_for_load_state()
    assert "培训已安排" in mpage.locator("body").inner_text()
    card = mpage.locator("article.desk-card").first
    card.get_by_label("考核结果").select_option("passed")
    expires = (timezone.localdate().replace(day=1)).replace(year=timezone.localdate().year + 1).isoformat()
    card.get_by_label("资格有效期至（留空为长期有效）").fill(expires)
    card.get_by_role("button", name="记录结果").click()
    mpage.wait_for_load_state()

    # Then eve is qualified until then, listed among the qualified users, and sees it herself
    assert "上机资格已授予" in mpage.locator("body").inner_text()
    q = Qualification.objects.get(user=people["eve"], instrument=analyser)
    assert q.expires.isoformat() == expires
    assert "eve" in mpage.locator("#qualified").inner_text()
    manager.shoot("desk-training-granted-zh-390.png")
    page.goto(f"{user.base}/training/")
    assert "Valid" in page.locator("body").inner_text()
    assert user.fits() and manager.fits()
    assert not user.csp_violations() and not manager.csp_violations()
