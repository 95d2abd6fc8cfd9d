"""What the journeys share: Chromium through Playwright against the live server, the demo data, a tab
that signs in as a demo role, and the checks every page gets (it fits the screen, no CSP violation).

A journey is a list of small steps, each a function taking a ``Tab``: adding a step to a role is adding
a function and naming it in the role's list (tests/journeys/test_journeys.py).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dayi.demo import loader
from dayi.demo.generate import DEMO_PASSWORD
from tests.screenshots import SCREENSHOTS

# Playwright's sync API runs an event loop in this thread; Django's ORM (used by the fixtures) refuses to
# run inside one unless told it is safe, which it is here: one thread drives the browser, another serves.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LOCALES = {"zh-hans": "zh-CN", "en": "en-US"}
DEMO_INSTRUMENTS = 60  # enough for every platform and holder to have some; a load takes a few seconds

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium"
    ),
    # The data is committed for the whole module (``site``, and module fixtures that add to it); a test
    # only reads, in a transaction that sees what the live server committed (a write there would hold its
    # locks against the server until the test ends).
    pytest.mark.django_db,
]


@pytest.fixture(scope="session")
def _no_connections_left(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """At the end of the session, before pytest-django drops the test database, close what is left open
    (not earlier: other modules' live servers keep their connections until then)."""
    yield
    with django_db_blocker.unblock():
        _close_other_connections()


@pytest.fixture(scope="module")  # not the session: a running sync Playwright refuses to start another
def browser(_no_connections_left: None) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Site:
    """The live server of one test module and the demo data it serves."""

    def __init__(self, url: str, demo: loader.LoadReport) -> None:
        self.url = url
        self.demo = demo


@pytest.fixture(scope="module")
def site(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Site]:
    """The demo data as ``dayi demo`` loads it (small, committed), served by a live server of this module.

    Loaded once per module: pytest-django's ``live_server`` would flush the database after every test and
    a load takes seconds. So the module's tests share the data and see what the earlier ones wrote through
    the pages (each journey makes its own bookings and orders); the module ends with a flush, as a
    transactional test does, so the tests after it find an empty database.
    """
    from django.core.management import call_command
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
        demo = loader.load(seed=7, instruments=DEMO_INSTRUMENTS, now=now)
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield Site(server.url, demo)
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command(
                "flush", interactive=False, verbosity=0
            )  # its post_migrate refills the reference data


def _close_other_connections() -> None:
    """Close the connections to the test database other than this one: the server's request threads keep
    theirs (CONN_MAX_AGE) after it stops, and the ORM used inside Playwright's event loop has its own (a
    connection per context); either would keep the test database from being dropped."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


class Tab:
    """One browser context in one language and size: its page, the console errors it logged, and the
    checks every page of a journey gets."""

    def __init__(
        self, browser: Any, base: str, *, language: str = "zh-hans", viewport: dict[str, int]
    ) -> None:
        self.context = browser.new_context(viewport=viewport, locale=LOCALES[language])
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)  # CI machines are slow and shared
        self.base = base
        self.language = language
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.go("/")  # the browser's locale chose the language already; the button makes it stick
        switch = self.page.locator(f"button[name=language][value={language}]")
        if switch.count():
            switch.click()
            self.page.wait_for_load_state()

    def go(self, path: str) -> Any:
        self.page.goto(self.base + path)
        return self.page

    def sign_in(self, username: str, password: str = DEMO_PASSWORD) -> Any:
        self.go("/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.locator("main form button[type=submit]").click()
        self.page.wait_for_load_state()
        assert "/login/" not in self.page.url, f"{username} could not sign in"
        return self.page

    def overflow(self) -> int:
        """How far the page scrolls sideways (0 when it fits the screen)."""
        return int(self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))

    def csp_violations(self) -> list[str]:
        return [e for e in self.errors if "Content Security Policy" in e]

    def shoot(self, name: str) -> None:
        path = SCREENSHOTS / name
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=False)  # the screen the person sees: small files

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_tab(browser: Any, site: Site) -> Iterator[Any]:
    """``open_tab(language="en", viewport=PHONE)``: a new tab, closed after the test."""
    tabs: list[Tab] = []

    def make(*, language: str = "zh-hans", viewport: dict[str, int] = DESKTOP) -> Tab:
        tabs.append(Tab(browser, site.url, language=language, viewport=viewport))
        return tabs[-1]

    yield make
    for tab in tabs:
        tab.close()
