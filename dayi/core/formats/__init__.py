"""Dayi's own formats, over Django's per language (settings.FORMAT_MODULE_PATH): only what must differ.

The first input format of each kind is the one a form widget renders its value in. HTML's
``<input type="date">`` and ``<input type="datetime-local">`` accept only ISO values (2013-06-28,
2013-06-28T09:30) and show any other value as empty, so saving the form unchanged would erase it; Django's
Chinese formats put ``2013/06/28`` first. So every language renders ISO first, and still reads what its
users type (the other formats follow).
"""

from __future__ import annotations

from types import ModuleType

from django.conf.locale.en import formats as django_en
from django.conf.locale.zh_Hans import formats as django_zh

ISO_DATE = "%Y-%m-%d"
ISO_TIME = "%H:%M"
# The value of ``<input type="datetime-local">``: wall-clock time, no zone (dayi.core.pages.LOCAL_FORMAT).
ISO_DATETIME = "%Y-%m-%dT%H:%M"


def iso_first(formats: list[str], iso: str) -> list[str]:
    return [iso, *(f for f in formats if f != iso)]


def input_formats(django: ModuleType) -> dict[str, list[str]]:
    """The language's input formats of ``django`` (its module of formats), ISO first."""
    return {
        "DATE_INPUT_FORMATS": iso_first(django.DATE_INPUT_FORMATS, ISO_DATE),
        "TIME_INPUT_FORMATS": iso_first(django.TIME_INPUT_FORMATS, ISO_TIME),
        "DATETIME_INPUT_FORMATS": iso_first(django.DATETIME_INPUT_FORMATS, ISO_DATETIME),
    }


ZH_HANS = input_formats(django_zh)
EN = input_formats(django_en)
