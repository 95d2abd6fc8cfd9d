"""Opening an edit form and saving it unchanged changes nothing, in Chinese and in English (issue 12).

Chinese formatted dates as ``2013/06/28``; ``<input type="date">`` refuses that value and shows the field
empty, so saving an instrument unchanged erased its in-service date and saved price rows came back
without their effective date. Each edit form of the pages is opened and saved in Chromium here, and the
rows it edits are compared before and after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.forms.models import model_to_dict

from dayi.directory.models import Instrument
from dayi.evaluation import queries as evaluation_queries
from dayi.evaluation.models import ManualInput
from dayi.network.models import Platform
from dayi.orders.models import InstrumentCharges, PriceRule
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
    """An instrument with an in-service date and price rows with effective dates (committed)."""
    with django_db_blocker.unblock():
        instrument = an_instrument_of_zju()
        _dates_on(instrument)
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
