"""Each role's daily journeys through the pages only, in Chromium, in Chinese and in English (issue 12).

A journey is a list of small steps; a step is a function ``step(tab, world)`` that goes through the pages
as that person would and checks what they see. To add a step, write the function and name it in the
role's list in ``JOURNEYS``; docs/journeys.md lists the journeys (keep it in step). Each journey ends with
a screenshot, written to docs/screenshots/journeys/ only when DAYI_SCREENSHOTS=docs/screenshots.

What the journeys need beyond the demo data (a researcher, prices, a booking to approve, a top-up to
confirm) is made once for the module by ``world``, through the services; the journeys themselves only use
the pages.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from dayi.accounts.access import actor_for
from dayi.accounts.models import User
from dayi.booking.models import Booking
from dayi.booking.services import create_booking
from dayi.demo.generate import DEMO_PASSWORD
from dayi.directory.models import Instrument
from dayi.network.models import Institution
from dayi.orders import services as order_services
from dayi.orders.models import Account, PriceRule, TopUp
from tests.journeys.conftest import BROWSER_MARKS, DESKTOP, PHONE, Site, Tab

pytestmark = BROWSER_MARKS

LANGUAGES = ("zh-hans", "en")
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# Open every day, hour slots from midnight: a booking at 10:00 is right whether slots align to midnight or
# to the opening; the booker is external, so it waits for the manager's approval.
POLICY = {
    "opening_hours": [{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(1, 8)],
    "slot_minutes": 60,
    "min_minutes": 60,
    "max_minutes": 240,
    "min_notice_minutes": 0,
    "max_advance_days": 60,
    "approval": "external",
    "self_requires_qualification": False,
}


@dataclass
class World:
    site: Site
    instrument: Instrument  # of 浙江大学: bookable by the hour, takes samples, priced for every class
    days: dict[str, dt.date]  # the day each language's researcher books (languages never clash)
    pending: dict[str, int]  # the booking each language's manager approves
    top_ups: dict[str, str]  # the reference of the top-up each language's finance officer confirms


def _priced(instrument: Instrument, today: dt.date) -> None:
    PriceRule.objects.filter(instrument=instrument).delete()
    for user_class in ("internal", "academic", "enterprise", "member"):
        for unit, mode in (("hour", "assisted"), ("hour", "self"), ("sample", "sample")):
            PriceRule.objects.create(
                instrument=instrument,
                unit=unit,
                mode=mode,
                user_class=user_class,
                amount=Decimal("200.00"),
                valid_from=today - dt.timedelta(days=30),
            )


@pytest.fixture(scope="module")
def world(site: Site, django_db_blocker: Any) -> World:
    with django_db_blocker.unblock():
        now = dt.datetime.now(dt.UTC)
        today = now.astimezone(SHANGHAI).date()
        zju = Institution.objects.get(name="浙江大学")
        instrument = (
            Instrument.objects.filter(
                institution=zju, retired__isnull=True, share_mode="external", status="normal"
            )
            .order_by("pk")
            .first()
        )
        assert instrument is not None, "the demo gives 浙江大学 an instrument open to outsiders"
        instrument.booking_policy = {**instrument.booking_policy, **POLICY, "closures": []}
        instrument.modes = ["assisted", "self", "sample"]
        instrument.save(update_fields=["booking_policy", "modes"])
        _priced(instrument, today)
        researcher = User.objects.create_user(
            username="pku-researcher",
            password=DEMO_PASSWORD,
            display_name="北大研究人员",
            institution=Institution.objects.get(name="北京大学"),
        )
        days, pending, top_ups = {}, {}, {}
        account = Account.objects.get(institution=zju, name="催化材料课题组")
        keeper = actor_for(User.objects.get(username="zju-manager"))
        for n, language in enumerate(LANGUAGES):
            days[language] = today + dt.timedelta(days=2 + n)
            start = dt.datetime.combine(today + dt.timedelta(days=5 + n), dt.time(14), SHANGHAI)
            pending[language] = create_booking(
                actor_for(researcher),
                instrument_id=instrument.pk,
                start=start,
                end=start + dt.timedelta(hours=1),
                mode="assisted",
                purpose="XRD 物相分析",
                now=now,
            ).pk
            top_ups[language] = f"校内转账 JOURNEY-{n}"
            order_services.request_top_up(
                keeper,
                account.pk,
                amount="1000.00",
                method="internal_transfer",
                reference=top_ups[language],
                now=now,
            )
    return World(site, instrument, days, pending, top_ups)


def said(tab: Tab, zh: str, en: str) -> str:
    """The words of the tab's language."""
    return en if tab.language == "en" else zh


# --- steps: each one small, through the pages only ----------------------------------------------------


def search_and_open_an_instrument(tab: Tab, world: World) -> None:
    tab.go("/")
    tab.page.locator("#home-q").fill(world.instrument.name)
    tab.page.locator("form.bigsearch button[type=submit]").click()
    tab.page.wait_for_url("**/instruments/?q=*")
    tab.page.locator(f".hit h3 a[href='/instruments/{world.instrument.pk}/']").first.click()
    tab.page.wait_for_url(f"**/instruments/{world.instrument.pk}/")
    assert tab.page.locator("#instrument-title").is_visible()


def open_the_calendar(tab: Tab, world: World) -> None:
    tab.go(f"/instruments/{world.instrument.pk}/calendar/")
    assert tab.page.locator("#booking-form").is_visible()


def book_an_hour(tab: Tab, world: World) -> None:
    day = world.days[tab.language].isoformat()
    tab.page.fill("#id_start", f"{day}T10:00")
    tab.page.fill("#id_end", f"{day}T11:00")
    tab.page.select_option("#id_mode", "assisted")
    tab.page.fill("#id_purpose", said(tab, "XRD 物相分析", "XRD phase analysis"))
    tab.page.locator("#booking-form button[type=submit]").click()
    tab.page.wait_for_url(f"**/calendar/?date={day}")
    assert not tab.page.locator("#booking-error").count()


def see_it_in_my_bookings(tab: Tab, world: World) -> None:
    tab.page.locator("#site-nav").get_by_role("link", name=said(tab, "我的预约", "My bookings")).click()
    tab.page.wait_for_url("**/bookings/")
    row = tab.page.locator("main tr", has_text=f"{world.days[tab.language].isoformat()} 10:00")
    assert world.instrument.name in row.inner_text()


def report_a_fault(tab: Tab, world: World) -> None:
    tab.go(f"/instruments/{world.instrument.pk}/")
    tab.page.locator(f"main a[href='/instruments/{world.instrument.pk}/report-problem/']").click()
    tab.page.wait_for_url("**/report-problem/")
    tab.page.locator("main form textarea").fill(
        said(tab, "样品台无法归零", "The stage does not return to zero")
    )
    tab.page.locator("main form button.primary").click()
    tab.page.wait_for_url(f"**/instruments/{world.instrument.pk}/")
    assert tab.page.locator(".messages .msg.success").is_visible()


def submit_samples(tab: Tab, world: World) -> None:
    tab.go(f"/instruments/{world.instrument.pk}/samples/")
    tab.page.fill("#id_count", "3")
    tab.page.fill("#id_kind", said(tab, "粉末", "powder"))
    tab.page.locator("main form button.primary").click()
    tab.page.wait_for_url("**/orders/*/")
    assert world.instrument.name in tab.page.locator("main").inner_text()


def see_my_orders(tab: Tab, world: World) -> None:
    tab.go("/orders/")
    assert tab.page.locator("main a[href*='/orders/']").count() >= 1


def see_my_statements(tab: Tab, world: World) -> None:
    tab.go("/statements/")
    assert tab.page.locator("main h1").inner_text() == said(tab, "对账单", "Statements")
    assert tab.page.locator("#choice option").count() >= 1


def approve_a_booking(tab: Tab, world: World) -> None:
    tab.go("/manage/bookings/")
    row = tab.page.locator(f"#manage-{world.pending[tab.language]}")
    row.get_by_role("button", name=said(tab, "批准", "Approve")).click()
    row.get_by_role("button", name=said(tab, "批准", "Approve")).wait_for(state="detached")
    assert Booking.objects.get(pk=world.pending[tab.language]).status == "confirmed"


def open_my_day(tab: Tab, world: World) -> None:
    tab.go("/manage/day/")
    assert tab.page.locator("main h1").inner_text() == said(tab, "今日安排", "Today's schedule")
    assert tab.page.locator("#schedule").is_visible()


def preview_the_booking_rules(tab: Tab, world: World) -> None:
    tab.go(f"/manage/instruments/{world.instrument.pk}/booking-rules/")
    # the preview is drawn from the form's rules (open all day in ``world``) without saving them
    days = tab.page.locator("#rules-preview ul.rules-preview li")
    days.first.wait_for()
    assert days.count() == 7
    assert "00:00" in days.first.inner_text()


def edit_an_instrument(tab: Tab, world: World) -> None:
    tab.go("/manage/instruments/")
    tab.page.locator(f"main a[href='/manage/instruments/{world.instrument.pk}/edit/']").first.click()
    tab.page.wait_for_url("**/edit/")
    contact = said(tab, "王老师 0571-87950000", "Ms Wang +86 571 8795 0000")
    tab.page.fill("#id_contact", contact)
    tab.page.locator("main form button.primary").click()
    tab.page.wait_for_url("**/manage/instruments/?institution=*")
    assert Instrument.objects.get(pk=world.instrument.pk).contact == contact


def invite_someone(tab: Tab, world: World) -> None:
    tab.go("/manage/people/")
    email = f"new-colleague-{tab.language}@zju.edu.cn"
    invite = tab.page.locator("form[action*='/invite/']")
    invite.locator("input[name=email]").fill(email)
    invite.locator("input[name=display_name]").fill(said(tab, "新同事", "New colleague"))
    invite.locator("button.primary").click()
    tab.page.wait_for_load_state()
    assert tab.page.locator("main section[aria-labelledby=invitations-title]", has_text=email).is_visible()


def from_the_menu(tab: Tab, zh: str, en: str, path: str) -> None:
    """Follow the navigation's link named ``zh`` (``en`` in English) from the home page to ``path``."""
    tab.go("/")
    tab.page.locator("#site-nav").get_by_role("link", name=said(tab, zh, en)).click()
    tab.page.wait_for_url(f"**{path}")


def open_the_network_page(tab: Tab, world: World) -> None:
    from_the_menu(tab, "平台成员与授权", "Platforms and delegations", "/manage/network/")
    assert tab.page.locator("main h1").is_visible()


def open_the_platforms_page(tab: Tab, world: World) -> None:
    tab.go("/manage/network/platforms/")
    assert tab.page.locator("main h1").inner_text() == said(tab, "平台管理", "Platforms")
    assert tab.page.locator("main a[href='/manage/network/platforms/cn/']").count() >= 1


def open_the_scheme_terms(tab: Tab, world: World) -> None:
    tab.go("/vouchers/schemes/sh2026/")
    tab.page.locator("main a[href='/vouchers/schemes/sh2026/terms/']").first.click()
    tab.page.wait_for_url("**/terms/")
    assert tab.page.locator("main form button.primary").is_visible()


def open_the_voucher_queue(tab: Tab, world: World) -> None:
    tab.go("/vouchers/schemes/sh2026/queue/")
    assert tab.page.locator("main h1").is_visible()


def confirm_a_top_up(tab: Tab, world: World) -> None:
    from_the_menu(tab, "待确认的充值", "Top-ups to confirm", "/finance/top-ups/")
    reference = world.top_ups[tab.language]
    tab.page.locator("main li", has_text=reference).locator("button.primary").click()
    tab.page.wait_for_load_state()
    assert TopUp.objects.get(reference=reference).status == "confirmed"


# --- the journeys ---------------------------------------------------------------------------------------

Step = Callable[[Tab, World], None]


@dataclass(frozen=True)
class Journey:
    role: str  # the name in the test's id and the screenshot's
    username: str | None  # the demo sign-in (None: a visitor)
    steps: tuple[Step, ...]
    phone: bool = False  # at 390 px, else at 1280 px


JOURNEYS = (
    Journey("visitor", None, (search_and_open_an_instrument,), phone=True),
    Journey(
        "researcher",
        "pku-researcher",
        (
            search_and_open_an_instrument,
            open_the_calendar,
            book_an_hour,
            see_it_in_my_bookings,
            report_a_fault,
        ),
    ),
    Journey("company", "sme-user", (submit_samples, see_my_orders, see_my_statements), phone=True),
    Journey("instrument-manager", "zju-manager", (approve_a_booking, open_my_day, preview_the_booking_rules)),
    Journey("institution-admin", "zju-admin", (edit_an_instrument, invite_someone)),
    Journey("platform-admin", "cn-admin", (open_the_network_page, open_the_platforms_page)),
    Journey("voucher-officer", "sh-voucher", (open_the_voucher_queue, open_the_scheme_terms), phone=True),
    Journey("finance-officer", "zju-finance", (confirm_a_top_up,)),
)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("journey", JOURNEYS, ids=[j.role for j in JOURNEYS])
def test_journey(world: World, open_tab: Any, journey: Journey, language: str) -> None:
    tab = open_tab(language=language, viewport=PHONE if journey.phone else DESKTOP)
    if journey.username:
        tab.sign_in(journey.username)
    for step in journey.steps:
        step(tab, world)
        assert tab.overflow() <= 0, f"{step.__name__}: the page scrolls sideways"
    assert not tab.csp_violations()
    tab.shoot(f"journeys/{journey.role}-{'zh' if language == 'zh-hans' else 'en'}.png")
