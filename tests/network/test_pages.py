"""/manage/network/: an institution's admin decides membership requests and grants or revokes delegations;
a platform admin invites an institution to join; outsiders get nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dayi.core.models import AuditEvent
from dayi.network.models import Delegation, Membership
from tests.conftest import NOW, make_institution

pytestmark = pytest.mark.django_db

PAGE = "/manage/network/"


@pytest.fixture
def browser(people: dict[str, Any]) -> Any:
    def make(name: str) -> Client:
        client = Client()
        client.force_login(people[name])
        return client

    return make


@pytest.fixture
def pending(network: Any) -> Membership:
    """yrd asked zju (already in g60) to join it too."""
    return Membership.requests.create(platform=network["yrd"], institution=network["zju"])


def text(res: Any) -> str:
    return res.content.decode()


def test_the_page_asks_to_sign_in(network: Any) -> None:
    res = Client().get(PAGE)
    assert res.status_code == 302 and "/login" in res["Location"]


def test_an_institution_admin_sees_requests_memberships_and_delegations(
    network: Any, browser: Any, pending: Membership
) -> None:
    res = browser("amy").get(PAGE)

    assert res.status_code == 200
    page = text(res)
    assert "待确认的加入邀请" in page and "YRD" in page
    assert f"/manage/network/memberships/{pending.pk}/accept/" in page
    assert "G60" in page  # its accepted platform
    assert 'name="powers"' in page and 'type="date"' in page
    assert "<script>" not in page and " style=" not in page


def test_the_page_is_bilingual(network: Any, browser: Any) -> None:
    res = browser("amy").get(PAGE, HTTP_ACCEPT_LANGUAGE="en")

    assert "Platforms and delegations" in text(res)


def test_an_institution_admin_accepts_a_request_from_the_page(
    network: Any, browser: Any, pending: Membership
) -> None:
    res = browser("amy").post(f"/manage/network/memberships/{pending.pk}/accept/")

    assert res.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "accepted"
    assert AuditEvent.objects.filter(action="membership.accept").count() == 1


def test_an_institution_admin_refuses_with_a_reason(network: Any, browser: Any, pending: Membership) -> None:
    browser("amy").post(f"/manage/network/memberships/{pending.pk}/refuse/", {"reason": "不需要"})

    pending.refresh_from_db()
    assert (pending.status, pending.refusal) == ("refused", "不需要")


@pytest.mark.parametrize("persona", ["carol", "alice", "eve", "bob"])
def test_outsiders_cannot_decide_from_the_page(
    network: Any, browser: Any, pending: Membership, persona: str
) -> None:
    client = browser(persona)

    assert client.post(f"/manage/network/memberships/{pending.pk}/accept/").status_code == 404
    assert (
        client.post(f"/manage/network/memberships/{pending.pk}/refuse/", {"reason": "x"}).status_code == 404
    )
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_an_institution_admin_grants_and_revokes_a_delegation(network: Any, browser: Any) -> None:
    zju = network["zju"].pk
    res = browser("amy").post(
        f"/manage/network/institutions/{zju}/delegations/",
        {"platform": "g60", "powers": ["instruments", "orders"], "until": "2099-12-31"},
    )
    assert res.status_code == 302, text(res)
    d = Delegation.objects.get()
    assert d.powers == ["instruments", "orders"] and str(d.until) == "2099-12-31"

    res = browser("amy").post(f"/manage/network/institutions/{zju}/delegations/{d.pk}/revoke/")

    assert res.status_code == 302
    d.refresh_from_db()
    assert d.revoked is not None


def test_an_invalid_delegation_form_shows_its_errors(network: Any, browser: Any) -> None:
    res = browser("amy").post(
        f"/manage/network/institutions/{network['zju'].pk}/delegations/", {"platform": "g60", "powers": []}
    )

    assert res.status_code == 422
    assert not Delegation.objects.exists()


@pytest.mark.parametrize("persona", ["carol", "alice", "eve"])
def test_outsiders_cannot_delegate_or_revoke_from_the_page(
    network: Any, browser: Any, people: Any, persona: str
) -> None:
    zju = network["zju"].pk
    d = Delegation.objects.create(
        institution=network["zju"],
        platform=network["g60"],
        powers=["orders"],
        created=NOW,
        created_by=people["amy"],
    )
    client = browser(persona)

    valid = {"platform": "g60", "powers": ["instruments"]}
    assert client.post(f"/manage/network/institutions/{zju}/delegations/", valid).status_code == 404
    assert client.post(f"/manage/network/institutions/{zju}/delegations/", {}).status_code == 404
    assert client.post(f"/manage/network/institutions/{zju}/delegations/{d.pk}/revoke/").status_code == 404
    assert Delegation.objects.filter(revoked__isnull=True).count() == 1


def test_a_platform_admin_invites_an_institution_by_its_credit_code(network: Any, browser: Any) -> None:
    newcomer = make_institution("浙江工业大学", "12330000470003231X", "330106")

    res = browser("carol").post(
        "/manage/network/requests/", {"platform": "g60", "credit_code": "12330000470003231x"}
    )

    assert res.status_code == 302, text(res)
    assert Membership.requests.get(institution=newcomer).status == "pending"


def test_an_invitation_outside_the_regions_is_shown_on_the_form(network: Any, browser: Any) -> None:
    res = browser("carol").post(
        "/manage/network/requests/", {"platform": "g60", "credit_code": network["pku"].credit_code}
    )

    assert res.status_code == 422
    assert "地区范围" in text(res)
    assert not Membership.requests.filter(institution=network["pku"], platform__code="g60").exists()


def test_only_platform_admins_invite(network: Any, browser: Any) -> None:
    res = browser("amy").post(
        "/manage/network/requests/", {"platform": "g60", "credit_code": "12330000470003231X"}
    )

    assert res.status_code == 403
