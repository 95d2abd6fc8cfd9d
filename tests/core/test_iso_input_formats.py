"""Date and time inputs hold ISO values in every language (issue 12): ``<input type="date">`` shows any
other value as empty, and saving the form then erases the date."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.conf import settings
from django.utils import translation

DAY = dt.date(2013, 6, 28)
MOMENT = dt.datetime(2013, 6, 28, 9, 30)  # noqa: DTZ001 - the wall clock an input shows
LANGUAGES = [code for code, _ in settings.LANGUAGES]


class Dated(forms.Form):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    moment = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    hour = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))


@pytest.mark.parametrize("language", LANGUAGES)
def test_date_and_time_widgets_render_iso_values_in_every_language(language: str) -> None:
    with translation.override(language):
        html = str(Dated(initial={"day": DAY, "moment": MOMENT, "hour": MOMENT.time()}))
    assert 'value="2013-06-28"' in html
    assert 'value="2013-06-28T09:30"' in html
    assert 'value="09:30"' in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_form_reads_back_what_it_rendered(language: str) -> None:
    with translation.override(language):
        form = Dated(data={"day": "2013-06-28", "moment": "2013-06-28T09:30", "hour": "09:30"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == DAY
    assert form.cleaned_data["moment"].replace(tzinfo=None) == MOMENT


def test_chinese_still_reads_the_dates_people_type() -> None:
    with translation.override("zh-hans"):
        form = Dated(data={"day": "2013/06/28", "moment": "2013/06/28 09:30", "hour": "09:30"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == DAY
