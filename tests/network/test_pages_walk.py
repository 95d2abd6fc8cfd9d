"""What the browser walk found on /manage/network/: a platform's admin sees the invitations they sent and
what institutions delegated to their platforms (and so what they may operate), nothing revoked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from dayi.network.models import Delegation, Membership

pytestmark = pytest.mark.django_db


def page_of(user: Any, language: str = "zh-hans") -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client.get("/manage/network/").content.decode()


def delegation(network: Any, people: Any, **extra: Any) -> Delegation:
    return Delegation.objects.create(
        institution=network["zju"],
        platform=network["g60"],
        powers=["bookings"],
        created=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        created_by=people["amy"],
        **extra,
    )


def test_a_platform_admin_sees_the_invitation_they_sent(network: Any, people: Any) -> None:
    Membership.requests.create(platform=network["yrd"], institution=network["zju"], reason="长三角共享")
    page = page_of(people["carol"])
    section = page[page.index('id="sent-title"') :]
    assert "浙江大学" in section[: section.index("</section>")]


def test_a_platform_admin_sees_what_was_delegated_to_a_platform_below_them(network: Any, people: Any) -> None:
    delegation(network, people)
    page = page_of(people["carol"], "en")  # carol heads yrd, above g60
    section = page[page.index('id="received-title"') :]
    section = section[: section.index("</section>")]
    assert "浙江大学" in section and "Bookings" in section


def test_a_revoked_delegation_is_not_listed_to_the_platform(network: Any, people: Any) -> None:
    delegation(network, people, revoked=dt.datetime(2026, 3, 2, tzinfo=dt.UTC), revoked_by=people["amy"])
    page = page_of(people["carol"])
    section = page[page.index('id="received-title"') :]
    assert "浙江大学" not in section[: section.index("</section>")]


def test_another_platforms_admin_sees_neither(network: Any, people: Any) -> None:
    delegation(network, people)
    Membership.requests.create(platform=network["yrd"], institution=network["zju"])
    page = page_of(people["dave"])  # bj
    assert "浙江大学" not in page


def test_an_institution_admin_does_not_get_the_platform_sections(network: Any, people: Any) -> None:
    page = page_of(people["amy"])
    assert 'id="received-title"' not in page and 'id="sent-title"' not in page
