"""Opening an edit form and saving it unchanged changes nothing, in Chinese and in English (issue 12).

Chinese formatted dates as ``2013/06/28``; ``<input type="date">`` refuses that value and shows the field
empty, so saving an instrument unchanged erased its in-service date and saved price rows came back
without their effective date. Each edit form of the pages is opened and saved in Chromium here, and the
rows it edits are compared before and after.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.forms.models import model_to_dict

from dayi.booking import timeline
from dayi.booking.policy import WORKING_WEEK, BookingPolicy, parse_policy
from dayi.directory.models import Expert, Instrument
from dayi.evaluation import queries as evaluation_queries
from dayi.evaluation.models import ManualInput
from dayi.network.models import Institution, Platform
from dayi.orders.models import InstrumentCharges, PriceRule
from dayi.vouchers.models import VoucherScheme
from tests.journeys.conftest import BROWSER_MARKS, Site, Tab

pytestmark = BROWSER_MARKS

IN_SERVICE = dt.date(2013, 6, 28)  # a day and a month above 12: no format can read it both ways
YEAR = 2025


def an_instrument_of_zju() -> Instrument:
    instrument = (
        Instrument.objects.filter(institution__name="浙江大学", retired__isnull=True).order_by("pk").first()
    )
    assert instrument is not None, "the demo gives 浙江大学 instruments"
    return instrument


def instrument_record(pk: int) -> dict[str, Any]:
    return model_to_dict(Instrument.objects.get(pk=pk), exclude=["search_words"])


def row(model: Any, **lookup: Any) -> dict[str, Any]:
    """One row as its form edits it (``updated`` moves on every save; it is not what the form shows)."""
    return model_to_dict(model.objects.get(**lookup), exclude=["updated", "search_words"])


def meaning(raw: dict[str, Any], zone: zoneinfo.ZoneInfo) -> BookingPolicy:
    """What booking rules mean: the editor writes a closure in local time ("2027-01-01T00:00", naive
    meaning the instrument's zone) and spells out the limits left empty, so the stored JSON differs."""
    policy = parse_policy(raw)

    def aware(moment: dt.datetime) -> dt.datetime:
        return moment if moment.tzinfo else moment.replace(tzinfo=zone)

    closures = tuple(dataclasses.replace(c, start=aware(c.start), end=aware(c.end)) for c in policy.closures)
    return dataclasses.replace(policy, closures=closures)


def booking_rules(pk: int) -> BookingPolicy:
    instrument = Instrument.objects.get(pk=pk)
    return meaning(instrument.booking_policy, timeline.zone_of(instrument))


def default_booking_rules(pk: int) -> BookingPolicy:
    # none stored means the working week: the editor shows it, and saving it unchanged may store it
    raw = Institution.objects.get(pk=pk).default_booking_policy or WORKING_WEEK
    return meaning(raw, zoneinfo.ZoneInfo(timeline.DEFAULT_ZONE))


def price_list(pk: int) -> list[dict[str, Any]]:
    rows = PriceRule.objects.filter(instrument_id=pk).order_by("pk")
    charges = InstrumentCharges.objects.filter(pk=pk).first() or InstrumentCharges()  # none: the defaults
    return [model_to_dict(r, exclude=["id"]) for r in rows] + [
        (charges.late_cancellation_share, charges.no_show_share)
    ]


def evaluation_settings() -> list[Any]:
    cn = Platform.objects.get(code="cn")
    inputs = ManualInput.objects.filter(platform=cn, year=YEAR).order_by("institution_id")
    return [
        evaluation_queries.config_of(cn, YEAR)[0],
        list(
            inputs.values("institution_id", "technical_staff", "rules_published", "online_platform", "note")
        ),
    ]


@pytest.fixture(scope="module")
def dated(site: Site, django_db_blocker: Any) -> Instrument:
    """An instrument with an in-service date and price rows with effective dates, and an expert of its
    institution (committed)."""
    with django_db_blocker.unblock():
        instrument = an_instrument_of_zju()
        _dates_on(instrument)
        if not Expert.objects.filter(institution_id=instrument.institution_id, retired__isnull=True).exists():
            Expert.objects.create(
                name="陈教授",
                institution_id=instrument.institution_id,
                title="教授",
                fields_of_expertise=["材料表征", "催化"],
                contact="chen@zju.edu.cn",
            )
    return instrument


def _dates_on(instrument: Instrument) -> None:
    Instrument.objects.filter(pk=instrument.pk).update(in_service_date=IN_SERVICE)
    PriceRule.objects.filter(instrument=instrument).delete()
    PriceRule.objects.create(
        instrument=instrument,
        unit="hour",
        mode="self",
        user_class="internal",
        amount=Decimal("120.00"),
        valid_from=IN_SERVICE,
        valid_until=dt.date(2027, 1, 1),
    )
    PriceRule.objects.create(
        instrument=instrument,
        unit="sample",
        mode="sample",
        user_class="enterprise",
        amount=Decimal("300.00"),
        minimum=Decimal("50.00"),
        valid_from=dt.date(2026, 11, 30),
    )


def save_unchanged(tab: Tab, path: str, snapshot: Callable[[], Any]) -> None:
    """Open ``path``, press its form's main button, and check the rows it edits are as they were."""
    before = snapshot()
    tab.go(path)
    tab.page.locator("main form button.primary").first.click()
    tab.page.wait_for_load_state()
    assert "has-error" not in tab.page.content() and "errorlist" not in tab.page.content(), (
        f"{path} refused its own values unchanged"
    )
    assert snapshot() == before, f"saving {path} unchanged changed what it shows"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_saving_every_edit_form_unchanged_changes_nothing(
    dated: Instrument, open_tab: Any, language: str
) -> None:
    # Given an instrument with an in-service date and price rows with effective dates
    instrument = dated

    # When its holder's admin, its manager and the national platform's admin open each edit form and save it
    admin = open_tab(language=language)
    admin.sign_in("zju-admin")
    save_unchanged(
        admin, f"/manage/instruments/{instrument.pk}/edit/", lambda: instrument_record(instrument.pk)
    )
    manager = open_tab(language=language)
    manager.sign_in("zju-manager")
    save_unchanged(manager, f"/manage/instruments/{instrument.pk}/prices/", lambda: price_list(instrument.pk))
    platform_admin = open_tab(language=language)
    platform_admin.sign_in("cn-admin")
    save_unchanged(platform_admin, f"/evaluations/config/cn/{YEAR}/", evaluation_settings)
    save_unchanged(platform_admin, f"/evaluations/inputs/cn/{YEAR}/", evaluation_settings)

    # ... and the pages issue 12 added: booking rules, an institution's default ones, the institution and
    # the platform, a voucher scheme's terms and an expert
    zju = instrument.institution_id
    save_unchanged(
        manager, f"/manage/instruments/{instrument.pk}/booking-rules/", lambda: booking_rules(instrument.pk)
    )
    save_unchanged(admin, f"/manage/institutions/{zju}/booking-rules/", lambda: default_booking_rules(zju))
    save_unchanged(admin, f"/manage/network/institutions/{zju}/", lambda: row(Institution, pk=zju))
    save_unchanged(platform_admin, "/manage/network/platforms/cn/", lambda: row(Platform, code="cn"))
    officer = open_tab(language=language)
    officer.sign_in("sh-voucher")
    save_unchanged(officer, "/vouchers/schemes/sh2026/terms/", lambda: row(VoucherScheme, code="sh2026"))
    expert = Expert.objects.filter(institution_id=zju, retired__isnull=True).order_by("pk").first()
    assert expert is not None, "``dated`` gives 浙江大学 an expert"
    save_unchanged(admin, f"/manage/experts/{expert.pk}/edit/", lambda: row(Expert, pk=expert.pk))

    # Then the dates are still there (the snapshots compared everything; this says what broke before)
    assert Instrument.objects.get(pk=instrument.pk).in_service_date == IN_SERVICE
    assert sorted(PriceRule.objects.filter(instrument=instrument).values_list("valid_from", flat=True)) == [
        IN_SERVICE,
        dt.date(2026, 11, 30),
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_date_fields_show_their_values_in_the_browser(
    dated: Instrument, open_tab: Any, language: str
) -> None:
    instrument = dated
    tab = open_tab(language=language)
    tab.sign_in("zju-manager")
    tab.go(f"/manage/instruments/{instrument.pk}/prices/")
    shown = tab.page.locator("input[type=date]").evaluate_all("els => els.map(e => e.value)")
    assert "2013-06-28" in shown and "2026-11-30" in shown
