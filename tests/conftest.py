"""Personas and clients shared by every test.

The network the personas live in:
    cn (national) ── yrd (regional: Yangtze River Delta) ── g60 (regional: the G60 corridor)
                  └─ bj (municipal: Beijing)
    zju (浙江大学, Hangzhou 330100) is a member of g60; pku (北京大学, Beijing 110000) of bj.
Personas: root (superuser), carol (platform_admin of yrd), dave (platform_admin of bj), amy
(institution_admin of zju), alice (instrument_manager of zju), bob (instrument_manager of pku), eve (a
customer at zju with no role), and anonymous.
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.db.models.signals import post_migrate
from django.test import Client, override_settings
from django.utils import timezone, translation

from dayi.accounts import services as account_services
from dayi.accounts.models import Role, RoleGrant, User
from dayi.directory.models import Category, Instrument
from dayi.network.models import Institution, Membership, MembershipStatus, Platform, Region
from dayi.orders.models import PriceRule, PriceUnit, UserClass
from dayi.search.segment import instrument_words

PASSWORD = "correct-horse-battery-9"
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def make_platform(
    code: str, level: str, parent: Platform | None = None, regions: tuple[str, ...] = ()
) -> Platform:
    p = Platform.objects.create(
        code=code,
        name=code.upper(),
        level=level,
        parent=parent,
        path=f"{parent.path if parent else '/'}{code}/",
    )
    p.regions.set(Region.objects.filter(code__in=regions))
    return p


def make_institution(
    name: str, credit_code: str, region: str, *platforms: Platform, **extra: Any
) -> Institution:
    inst = Institution.objects.create(
        name=name, credit_code=credit_code, kind=extra.pop("kind", "university"), region_id=region, **extra
    )
    for p in platforms:
        Membership.objects.create(platform=p, institution=inst, status=MembershipStatus.ACCEPTED)
    return inst


def make_user(
    username: str,
    member_of: Institution | None = None,
    role: str | None = None,
    *,
    platform: Platform | None = None,
    institution: Institution | None = None,
    scheme: str = "",
) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, institution=member_of)
    if role:
        RoleGrant.objects.create(
            user=user, role=role, platform=platform, institution=institution, scheme=scheme
        )
    return user


def free_price_list(instrument: Instrument) -> None:
    """Rates of 0.00 for every user class and mode: work on the instrument is priced (free), as Dayi now
    refuses work its price list does not cover. Tests about money set their own list (it replaces this)."""
    rules = [
        PriceRule(
            instrument=instrument,
            unit=PriceUnit.SAMPLE if mode == "sample" else PriceUnit.HOUR,
            mode=mode,
            user_class=user_class,
            amount=0,
            valid_from=dt.date(2000, 1, 1),
        )
        for mode in ("self", "assisted", "sample", "remote")
        for user_class in UserClass.values
    ]
    PriceRule.objects.bulk_create(rules)


def make_instrument(
    institution: Institution, inventory_no: str = "2019-001", *, priced: bool = True, **extra: Any
) -> Instrument:
    data: dict[str, Any] = {
        "name": "场发射透射电子显微镜",
        "name_en": "Field emission transmission electron microscope",
        "category_id": "0101",
        "original_value": "8500000.00",
        "region_id": institution.region_id,
        "modes": ["self", "assisted", "sample"],
        "model": "Talos F200X",
        "manufacturer": "Thermo Fisher Scientific",
    }
    data.update(extra)
    instrument = Instrument(institution=institution, inventory_no=inventory_no, **data)
    instrument.search_words = instrument_words(instrument)  # as every write path does
    instrument.save()
    if priced:
        free_price_list(instrument)
    return instrument


# The data migrations' loaders, in dependency order, with the model each fills.
REFERENCE_LOADERS = [
    # A reference table, and the data migrations that fill it, in order.
    (
        "network.Region",
        [
            ("dayi.network.migrations.0002_load_regions", "load_regions"),
            ("dayi.network.migrations.0006_region_english_names", "name_regions"),
        ],
    ),
    ("directory.Category", [("dayi.directory.migrations.0002_load_categories", "load_categories")]),
    (
        "search.Synonym",
        [
            ("dayi.search.migrations.0002_load_synonyms", "load_synonyms"),
            ("dayi.search.migrations.0005_maker_aliases", "load_makers"),
        ],
    ),
    (
        "evaluation.NationalResult",
        [("dayi.evaluation.migrations.0002_load_national_results", "load_national_results")],
    ),
]


def reload_reference_data() -> None:
    """Refill, with the migrations' own loaders, each reference table an earlier flush emptied."""
    for label, loaders in REFERENCE_LOADERS:
        if not django_apps.get_model(label).objects.exists():
            for module, loader in loaders:
                getattr(importlib.import_module(module), loader)(django_apps, None)


def _refill_after_flush(sender: Any, **kwargs: Any) -> None:
    """A transactional test ends with a flush that also empties what the data migrations loaded (regions,
    categories, synonyms); the flush then sends ``post_migrate``, once per app. Refill the tables then, in
    bulk, with the migrations' own loaders, so whatever test runs next finds them, in whatever order the
    tests run (pytest-xdist does not keep transactional tests last). Django's serialized rollback would
    put them back row by row, about 20 s a test here."""
    if sender.name == "dayi.network":
        reload_reference_data()


post_migrate.connect(_refill_after_flush, dispatch_uid="dayi-tests-refill-reference-data")


@pytest.fixture(autouse=True)
def _chinese_by_default() -> Any:
    """Each test starts in the default language: a request in English (LocaleMiddleware) leaves English
    active in the thread, and messages are in the active language only (issue 12)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Any:
    """Argon2 with a tiny cost for the whole run (see tests/hashers.py)."""
    with override_settings(
        PASSWORD_HASHERS=[
            "tests.hashers.CheapArgon2Hasher",
            "django.contrib.auth.hashers.Argon2PasswordHasher",
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        ]
    ):
        yield


@pytest.fixture
def network(db: Any) -> dict[str, Any]:
    cn = make_platform("cn", "national")
    yrd = make_platform("yrd", "regional", cn, ("310000", "320000", "330000", "340000"))
    g60 = make_platform("g60", "regional", yrd, ("310117", "330100", "330400"))
    bj = make_platform("bj", "municipal", cn, ("110000",))
    zju = make_institution("浙江大学", "12100000470095016Q", "330100", g60)
    pku = make_institution("北京大学", "12100000400002259P", "110000", bj)
    return {"cn": cn, "yrd": yrd, "g60": g60, "bj": bj, "zju": zju, "pku": pku}


@pytest.fixture
def people(network: dict[str, Any]) -> dict[str, User]:
    zju, pku = network["zju"], network["pku"]
    root = User.objects.create_superuser(username="root", password=PASSWORD, email="root@example.org")
    return {
        "root": root,
        "carol": make_user("carol", None, Role.PLATFORM_ADMIN, platform=network["yrd"]),
        "dave": make_user("dave", None, Role.PLATFORM_ADMIN, platform=network["bj"]),
        "amy": make_user("amy", zju, Role.INSTITUTION_ADMIN, institution=zju),
        "alice": make_user("alice", zju, Role.INSTRUMENT_MANAGER, institution=zju),
        "bob": make_user("bob", pku, Role.INSTRUMENT_MANAGER, institution=pku),
        "eve": make_user("eve", zju),
    }


class ApiClient(Client):
    """A test client that speaks JSON to /api/v1 with a bearer token."""

    def __init__(self, token: str | None = None) -> None:
        super().__init__()
        self.token = token

    def _headers(self, extra: dict[str, Any]) -> dict[str, Any]:
        if self.token:
            extra.setdefault("HTTP_AUTHORIZATION", f"Bearer {self.token}")
        return extra

    def get(self, path: str, data: Any = None, **extra: Any) -> Any:  # type: ignore[override]
        return super().get(path, data, **self._headers(extra))

    def post(self, path: str, data: Any = None, content_type: str = "application/json", **extra: Any) -> Any:  # type: ignore[override]
        return super().post(path, data, content_type=content_type, **self._headers(extra))

    def patch(self, path: str, data: Any = None, content_type: str = "application/json", **extra: Any) -> Any:  # type: ignore[override]
        return super().patch(path, data, content_type=content_type, **self._headers(extra))

    def put(self, path: str, data: Any = None, content_type: str = "application/json", **extra: Any) -> Any:  # type: ignore[override]
        return super().put(path, data, content_type=content_type, **self._headers(extra))

    def delete(
        self, path: str, data: Any = None, content_type: str = "application/json", **extra: Any
    ) -> Any:  # type: ignore[override]
        return super().delete(path, data, content_type=content_type, **self._headers(extra))


@pytest.fixture
def api_as(people: dict[str, User]) -> Any:
    """``api_as("alice")``: a JSON client signed in as alice (a real token); ``api_as(None)``: anonymous."""

    def make(name: str | None) -> ApiClient:
        if name is None:
            return ApiClient()
        token, _ = account_services.issue_token(people[name], now=timezone.now())
        return ApiClient(token)

    return make


@pytest.fixture
def anon() -> ApiClient:
    return ApiClient()


@pytest.fixture
def category_tem(db: Any) -> Category:
    return Category.objects.get(code="0101")
