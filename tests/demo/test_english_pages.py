"""The main pages in English (issue 12), anonymous and signed in as each demo role: no Chinese left in the
interface text — Chinese that is data (an instrument's, an institution's or a person's name) may stay — and
no full-width punctuation outside the data."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.apps import apps
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.test import Client

from dayi.accounts.models import User
from dayi.demo.generate import USERS
from dayi.directory.models import Instrument
from dayi.network.models import Institution, Platform

pytestmark = pytest.mark.django_db

CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
FULL_WIDTH = re.compile(r"[：，（）。、；！？]")
CHINESE_RUN = re.compile(r"[\u4e00-\u9fff：，（）。、；！？]+")
# The product's name beside its English name (大仪 Dayi) and the language switch's "中文".
BRAND = {"大仪", "中文"}
SEEN_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")


class _Text(HTMLParser):
    """The text a reader sees: text nodes and the attributes read out, without scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        self.parts += [v for k, v in attrs if k in SEEN_ATTRIBUTES and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def _data_text() -> str:
    """Every short text value the database holds (names, places, notes, lists of fields of expertise): what
    a page may show in Chinese."""
    values: list[str] = []
    for model in apps.get_models():
        if not model.__module__.startswith("dayi."):
            continue
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | ArrayField) and not f.choices
        ]
        for row in model.objects.values_list(*fields) if fields else []:
            for value in row:
                texts = value if isinstance(value, list) else [value]
                values += [v for v in texts if isinstance(v, str) and CJK_RUN.search(v)]
    return "\n".join(values)


def _leftovers(html: str, data: str) -> list[str]:
    """Text with Chinese that is not data, or with full-width punctuation outside the data."""
    parser = _Text()
    parser.feed(html)
    found = []
    for text in parser.parts:
        for run in CHINESE_RUN.findall(text):
            if run in BRAND or run in data:
                continue
            if FULL_WIDTH.search(run) or any(word not in data for word in CJK_RUN.findall(run)):
                found.append(text)
                break
    return found


def _pages(shared_demo: Any) -> list[str]:
    instrument = Instrument.objects.filter(retired__isnull=True).order_by("pk").first()
    institution = Institution.objects.get(name="浙江大学")
    platform = Platform.objects.order_by("pk").first()
    assert instrument is not None and platform is not None
    return [
        "/",
        "/instruments/",
        "/instruments/?q=电镜",
        f"/instruments/{instrument.pk}/",
        f"/institutions/{institution.pk}/",
        f"/platforms/{platform.code}/",
        "/experts/",
        "/demands/",
        "/stats/",
        "/vouchers/",
        "/evaluations/",
    ]


def _nav_links(html: str) -> list[str]:
    nav = html[html.index('<nav aria-label="') : html.index("</nav>")]
    return [h for h in re.findall(r'href="(/[^"#?]*)"', nav) if not h.startswith("/api/")]


ROLES = [None, *sorted({u.username for u in USERS})]


@pytest.mark.parametrize("username", ROLES, ids=lambda u: u or "anonymous")
def test_the_main_pages_speak_english_to_each_role(shared_demo: Any, username: str | None) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if username:
        client.force_login(User.objects.get(username=username))
    home = client.get("/")
    pages = list(dict.fromkeys(_pages(shared_demo) + _nav_links(home.content.decode())))
    data = _data_text()
    problems: dict[str, list[str]] = {}
    for path in pages:
        res = client.get(path)
        assert res.status_code == 200, path
        html = res.content.decode()
        assert '<html lang="en"' in html, path
        left = _leftovers(html, data)
        if left:
            problems[path] = left[:8]
    assert problems == {}, "\n".join(f"{path}: {texts}" for path, texts in problems.items())


def test_the_check_finds_chinese_interface_text_and_full_width_punctuation_but_not_data() -> None:
    data = "浙江大学\n国仪量子技术（合肥）股份有限公司"
    assert _leftovers("<p>型号 EVO 15</p>", data) == ["型号 EVO 15"]
    assert _leftovers("<p>Model：EVO 15</p>", data) == ["Model：EVO 15"]
    assert _leftovers('<input placeholder="关键词">', data) == ["关键词"]
    assert _leftovers("<p>Holder: 浙江大学</p><p>国仪量子技术（合肥）股份有限公司</p>", data) == []
    assert _leftovers("<script>var a = '型号';</script><title>大仪 Dayi</title>", data) == []
