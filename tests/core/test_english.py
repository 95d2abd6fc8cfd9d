"""English mode (issue 12): every coded value has an English label, messages follow the request's language
and the English catalogues use no full-width punctuation."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Any

import polib
import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.utils import translation

from dayi.booking.models import BookingStatus
from dayi.core.errors import NotFound
from dayi.orders.errors import InsufficientFunds

ROOT = Path(__file__).resolve().parents[2] / "dayi"
FULL_WIDTH = "：，（）。、；！？"


def _choices() -> list[type[models.Choices]]:
    found: list[type[models.Choices]] = []
    for app in apps.get_app_configs():
        if not app.name.startswith("dayi."):
            continue
        try:
            module = importlib.import_module(f"{app.name}.models")
        except ImportError:
            continue
        found += [
            obj
            for obj in vars(module).values()
            if inspect.isclass(obj) and issubclass(obj, models.Choices) and obj.__module__ == module.__name__
        ]
    return found


def _chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


CHOICES = _choices()


def test_the_models_have_choices_to_check() -> None:
    assert len(CHOICES) >= 30


@pytest.mark.parametrize("choices", CHOICES, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_choice_has_an_english_label_and_keeps_its_chinese_one(choices: type[models.Choices]) -> None:
    for member in choices:
        with translation.override("en"):
            english = str(member.label)
        with translation.override("zh-hans"):
            chinese = str(member.label)
        assert _chinese(chinese), f"{choices.__name__}.{member.name}: the default label is Chinese"
        assert not _chinese(english), f"{choices.__name__}.{member.name}: {english}"
        assert not set(english) & set(FULL_WIDTH), english


def test_a_display_method_reads_the_active_language() -> None:
    with translation.override("en"):
        assert str(BookingStatus.CONFIRMED.label) == str(BookingStatus("confirmed").label) != "已确认"


@pytest.mark.parametrize("po", sorted(ROOT.glob("**/locale/en/LC_MESSAGES/django.po")), ids=str)
def test_no_english_translation_has_full_width_punctuation(po: Path) -> None:
    bad = [e.msgstr for e in polib.pofile(str(po)) if e.msgstr and set(e.msgstr) & set(FULL_WIDTH)]
    assert bad == []


def test_a_domain_error_speaks_the_language_active_when_it_is_raised() -> None:
    with translation.override("en"):
        english = InsufficientFunds().message
    with translation.override("zh-hans"):
        chinese = InsufficientFunds().message
    assert (chinese, english) == ("余额不足", "The account's balance does not cover this charge")
    assert NotFound().code == "not_found"


@pytest.mark.django_db
def test_api_errors_follow_accept_language(network: Any) -> None:
    zh = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/api/v1/platforms/nowhere")
    en = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/platforms/nowhere")
    assert zh.status_code == en.status_code == 404
    assert zh.json()["error"]["code"] == en.json()["error"]["code"] == "not_found"
    assert zh.json()["error"]["message"] == "平台 nowhere 不存在"
    assert en.json()["error"]["message"] == "No platform nowhere"


@pytest.mark.django_db
def test_field_errors_follow_accept_language(network: Any) -> None:
    en = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/instruments", {"sort": "sideways"})
    zh = Client().get("/api/v1/instruments", {"sort": "sideways"})
    assert en.status_code == zh.status_code
    assert en.json()["error"]["fields"]["sort"] == ["One of relevance, value, -value, name, updated"], (
        en.json()
    )
    assert zh.json()["error"]["fields"]["sort"] == ["应为 relevance, value, -value, name, updated 之一"]
