"""/manage/network/platforms/ and /manage/network/institutions/: platform admins create platforms under their
own and onboard institutions (credit code checked); each admin edits only what is theirs; refusals keep
what was typed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dayi.core.models import AuditEvent
from dayi.network.models import Institution, Membership, Platform

pytestmark = pytest.mark.django_db

PLATFORMS = "/manage/network/platforms/"
NEW_INSTITUTION = "/manage/network/institutions/new/"
VALID_CODE = "91330106MA27XLUX33"


@pytest.fixture
def browser(people: dict[str, Any]) -> Any:
    def make(name: str) -> Client:
        client = Client()
        client.force_login(people[name])
        return client

    return make


def text(res: Any) -> str:
    return res.content.decode()


def new_institution(**extra: Any) -> dict[str, Any]:
    return {
        "name": "杭州某某科技有限公司",
        "credit_code": VALID_CODE,
        "kind": "enterprise",
        "region": "330106",
        "platforms": ["g60"],
        "email_domains": "example.com",
        **extra,
    }


def test_a_platform_admin_sees_the_platforms_they_head(network: Any, browser: Any) -> None:
    page = text(browser("carol").get(PLATFORMS))

    assert "YRD" in page and "G60" in page and "BJ" not in page
    assert "<script>" not in page and " style=" not in page


@pytest.mark.parametrize("who", ["amy", "alice", "eve"])
def test_who_heads_no_platform_gets_nothing(network: Any, browser: Any, who: str) -> None:
    assert browser(who).get(PLATFORMS).status_code == 404
    assert browser(who).get(NEW_INSTITUTION).status_code == 404


def test_a_platform_admin_creates_a_platform_under_their_own(network: Any, browser: Any) -> None:
    res = browser("carol").post(
        PLATFORMS,
        {"code": "hz", "parent": "g60", "name": "杭州平台", "level": "municipal", "regions": "330100"},
    )

    assert res.status_code == 302
    hz = Platform.objects.get(code="hz")
    assert hz.path == "/cn/yrd/g60/hz/" and [r.code for r in hz.regions.all()] == ["330100"]
    assert AuditEvent.objects.filter(action="platform.create").exists()


def test_a_platform_cannot_be_created_under_another(network: Any, browser: Any) -> None:
    res = browser("carol").post(PLATFORMS, {"code": "x", "parent": "bj", "name": "X", "level": "municipal"})

    assert res.status_code == 422  # bj is not among carol's choices
    assert not Platform.objects.filter(code="x").exists()


def test_an_unknown_region_keeps_the_form(network: Any, browser: Any) -> None:
    res = browser("carol").post(
        PLATFORMS,
        {"code": "hz", "parent": "g60", "name": "杭州平台", "level": "municipal", "regions": "999999"},
    )

    assert res.status_code == 422
    page = text(res)
    assert "999999" in page and 'value="杭州平台"' in page and 'value="hz"' in page


def test_a_platform_admin_edits_a_platform_and_its_regions(network: Any, browser: Any) -> None:
    url = f"{PLATFORMS}g60/"
    assert "310117" in text(browser("carol").get(url))

    res = browser("carol").post(
        url, {"name": "G60 科创走廊", "level": "regional", "regions": "310117 330100"}
    )

    assert res.status_code == 302
    g60 = Platform.objects.get(code="g60")
    assert g60.name == "G60 科创走廊" and sorted(r.code for r in g60.regions.all()) == ["310117", "330100"]


def test_an_unrelated_platform_admin_cannot_edit(network: Any, browser: Any) -> None:
    assert browser("dave").get(f"{PLATFORMS}g60/").status_code == 404
    assert browser("dave").post(f"{PLATFORMS}g60/", {"name": "x", "level": "regional"}).status_code == 404
    assert Platform.objects.get(code="g60").name == "G60"


def test_a_platform_admin_onboards_an_institution(network: Any, browser: Any) -> None:
    res = browser("carol").post(NEW_INSTITUTION, new_institution())

    assert res.status_code == 302
    inst = Institution.objects.get(credit_code=VALID_CODE)
    assert inst.email_domains == ["example.com"]
    assert Membership.objects.filter(institution=inst, platform__code="g60").exists()


def test_a_wrong_credit_code_is_refused_with_the_form_kept(network: Any, browser: Any) -> None:
    wrong = VALID_CODE[:-1] + ("A" if VALID_CODE[-1] != "A" else "C")

    res = browser("carol").post(NEW_INSTITUTION, new_institution(credit_code=wrong))

    assert res.status_code == 422
    page = text(res)
    assert f'value="{wrong}"' in page and 'value="杭州某某科技有限公司"' in page
    assert not Institution.objects.filter(name="杭州某某科技有限公司").exists()


def test_the_institution_admin_edits_its_record_and_email_domains(network: Any, browser: Any) -> None:
    zju = network["zju"]
    url = f"/manage/network/institutions/{zju.pk}/"
    assert 'value="浙江大学"' in text(browser("amy").get(url))

    res = browser("amy").post(
        url,
        {"name": "浙江大学", "credit_code": zju.credit_code, "kind": "university", "region": "330100",
         "email_domains": "zju.edu.cn, intl.zju.edu.cn"},
    )  # fmt: skip

    assert res.status_code == 302
    zju.refresh_from_db()
    assert zju.email_domains == ["zju.edu.cn", "intl.zju.edu.cn"]


def test_a_bad_domain_keeps_the_form(network: Any, browser: Any) -> None:
    zju = network["zju"]

    res = browser("amy").post(
        f"/manage/network/institutions/{zju.pk}/",
        {"name": "浙江大学", "credit_code": zju.credit_code, "kind": "university", "region": "330100",
         "email_domains": "not a domain"},
    )  # fmt: skip

    assert res.status_code == 422 and "not a domain" in text(res)
    zju.refresh_from_db()
    assert zju.email_domains == []


@pytest.mark.parametrize("who", ["carol", "alice", "bob"])
def test_only_the_institutions_own_admin_edits_it(network: Any, browser: Any, who: str) -> None:
    res = browser(who).post(f"/manage/network/institutions/{network['zju'].pk}/", {"name": "改名"})

    assert res.status_code == 404
    assert Institution.objects.get(pk=network["zju"].pk).name == "浙江大学"


def test_the_pages_are_in_english_too(network: Any, browser: Any) -> None:
    page = text(browser("carol").get(NEW_INSTITUTION, HTTP_ACCEPT_LANGUAGE="en"))

    assert "Register an institution" in page and "Unified social credit code" in page
    assert "：" not in page.split("<main", 1)[1]


def test_a_platform_admin_removes_a_member_from_the_platform_page(network: Any, browser: Any) -> None:
    zju = network["zju"]
    assert "浙江大学" in text(browser("carol").get(f"{PLATFORMS}g60/"))

    res = browser("carol").post(f"{PLATFORMS}g60/members/{zju.pk}/remove/")

    assert res.status_code == 302
    assert not Membership.objects.filter(institution=zju, platform__code="g60").exists()


def test_an_unrelated_platform_admin_cannot_remove_a_member(network: Any, browser: Any) -> None:
    res = browser("dave").post(f"{PLATFORMS}g60/members/{network['zju'].pk}/remove/")

    assert res.status_code == 403
    assert Membership.objects.filter(institution=network["zju"], platform__code="g60").exists()
