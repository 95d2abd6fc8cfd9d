"""/manage/people/ and /invitations/<token>/: the pages call the same services as the API, keep what the
user typed when refused, and show outsiders nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dayi.accounts import services
from dayi.accounts.access import actor_for
from dayi.accounts.models import Invitation, RoleGrant, User
from dayi.network.models import Delegation
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

PAGE = "/manage/people/"
STRONG = "Tiegelzange-4711-Quarz"


@pytest.fixture
def browser(people: dict[str, Any]) -> Any:
    def make(name: str) -> Client:
        client = Client()
        client.force_login(people[name])
        return client

    return make


def text(res: Any) -> str:
    return res.content.decode()


def test_an_institution_admin_sees_the_users_and_the_forms(network: Any, people: Any, browser: Any) -> None:
    res = browser("amy").get(PAGE)

    assert res.status_code == 200
    page = text(res)
    assert "eve" in page and "alice" in page and "bob" not in page
    assert f"/manage/people/users/{people['eve'].pk}/deactivate/" in page
    assert f"/manage/people/users/{people['amy'].pk}/deactivate/" not in page  # not herself
    assert 'href="/manage/people/"' in page  # the navigation links the page
    assert "<script>" not in page and " style=" not in page


def test_the_page_is_in_english_too(network: Any, browser: Any) -> None:
    res = browser("amy").get(PAGE, HTTP_ACCEPT_LANGUAGE="en")

    page = text(res)
    assert "People and roles" in page and "Send the invitation" in page
    assert "：" not in page.split("<main", 1)[1]


@pytest.mark.parametrize("who", ["eve", "alice", "bob"])
def test_who_manages_no_users_gets_nothing(network: Any, browser: Any, who: str) -> None:
    assert browser(who).get(PAGE).status_code == 404


def test_a_platform_admin_sees_platform_admins_but_not_a_members_users(
    network: Any, people: Any, browser: Any
) -> None:
    page = text(browser("carol").get(PAGE))

    assert "平台管理员" in page and "/manage/people/platform-admins/" in page
    assert "eve" not in page


def test_inviting_from_the_page_creates_the_invitation(network: Any, people: Any, browser: Any) -> None:
    zju = network["zju"]

    res = browser("amy").post(f"/manage/people/institutions/{zju.pk}/invite/", {"email": "new@zju.edu.cn"})

    assert res.status_code == 302
    assert Invitation.objects.get().email == "new@zju.edu.cn"


def test_a_refused_invitation_keeps_what_was_typed(network: Any, browser: Any) -> None:
    zju = network["zju"]
    zju.email_domains = ["zju.edu.cn"]
    zju.save()

    res = browser("amy").post(
        f"/manage/people/institutions/{zju.pk}/invite/", {"email": "li@gmail.com", "display_name": "李雷"}
    )

    assert res.status_code == 422
    page = text(res)
    assert 'value="li@gmail.com"' in page and 'value="李雷"' in page and "zju.edu.cn" in page
    assert not Invitation.objects.exists()


def test_an_outsider_cannot_invite_into_another_institution(network: Any, browser: Any) -> None:
    res = browser("bob").post(f"/manage/people/institutions/{network['zju'].pk}/invite/", {"email": "x@y.cn"})

    assert res.status_code == 403
    assert not Invitation.objects.exists()


def test_deactivating_and_reactivating_from_the_page(network: Any, people: Any, browser: Any) -> None:
    eve = people["eve"]

    browser("amy").post(f"/manage/people/users/{eve.pk}/deactivate/", {"reason": "离职"})
    assert not User.objects.get(pk=eve.pk).is_active
    browser("amy").post(f"/manage/people/users/{eve.pk}/reactivate/")

    assert User.objects.get(pk=eve.pk).is_active


def test_a_platform_admin_cannot_deactivate_a_members_user(network: Any, people: Any, browser: Any) -> None:
    res = browser("carol").post(f"/manage/people/users/{people['eve'].pk}/deactivate/")

    assert res.status_code == 404
    assert User.objects.get(pk=people["eve"].pk).is_active


def test_granting_and_revoking_a_role_from_the_page(network: Any, people: Any, browser: Any) -> None:
    eve = people["eve"]

    browser("amy").post(f"/manage/people/users/{eve.pk}/roles/", {"role": "finance_officer"})
    grant = RoleGrant.objects.get(user=eve)
    browser("amy").post(f"/manage/people/roles/{grant.pk}/revoke/")

    assert not RoleGrant.objects.filter(user=eve).exists()


def test_a_delegated_platform_refused_an_admin_grant_sees_why_beside_the_user(
    network: Any, people: Any, browser: Any
) -> None:
    Delegation.objects.create(
        institution=network["zju"],
        platform=network["g60"],
        powers=["users"],
        created=NOW,
        created_by=people["amy"],
    )
    eve = people["eve"]

    res = browser("carol").post(f"/manage/people/users/{eve.pk}/roles/", {"role": "institution_admin"})

    assert res.status_code == 403 and "不能授予这个角色" in text(res)
    assert not RoleGrant.objects.filter(user=eve).exists()


def test_a_platform_admin_appoints_one_by_username(network: Any, people: Any, browser: Any) -> None:
    res = browser("carol").post("/manage/people/platform-admins/", {"platform": "g60", "username": "eve"})

    assert res.status_code == 302
    assert RoleGrant.objects.filter(user=people["eve"], platform=network["g60"]).exists()


def test_an_unknown_username_keeps_the_form(network: Any, browser: Any) -> None:
    res = browser("carol").post("/manage/people/platform-admins/", {"platform": "g60", "username": "nobody"})

    assert res.status_code == 422 and 'value="nobody"' in text(res)


def test_the_invited_person_joins_from_the_link(network: Any, people: Any) -> None:
    _, token = services.invite_user(
        actor_for(people["amy"]), institution_id=network["zju"].pk, email="new@zju.edu.cn", now=timezone.now()
    )
    url = f"/invitations/{token}/"
    assert "浙江大学" in text(Client().get(url))

    res = Client().post(url, {"username": "newbie", "password": STRONG, "password_again": STRONG})

    assert res.status_code == 302 and res["Location"] == "/login/"
    assert User.objects.get(username="newbie").institution == network["zju"]
    assert Client().login(username="newbie", password=STRONG)


def test_a_mistyped_password_keeps_the_username(network: Any, people: Any) -> None:
    _, token = services.invite_user(
        actor_for(people["amy"]), institution_id=network["zju"].pk, email="new@zju.edu.cn", now=timezone.now()
    )

    res = Client().post(
        f"/invitations/{token}/", {"username": "newbie", "password": STRONG, "password_again": STRONG + "x"}
    )

    assert res.status_code == 422 and 'value="newbie"' in text(res)
    assert not User.objects.filter(username="newbie").exists()


def test_a_bad_link_is_not_found(network: Any) -> None:
    assert Client().get("/invitations/forged:token/").status_code == 404
