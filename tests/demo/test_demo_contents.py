"""What the loaded demo holds: valid credit codes, real regions, consistent memberships and categories, and
sign-ins that work. One load, shared by the module's tests (they only read it)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dayi.demo import loader
from dayi.demo.generate import DEMO_PASSWORD, G60_CITIES, USERS, YRD_PROVINCES
from dayi.directory.models import Category, Instrument
from dayi.network import credit_code
from dayi.network.models import Institution, Membership, Platform
from dayi.search.segment import instrument_words
from tests.demo.conftest import SMALL, user_named

pytestmark = pytest.mark.django_db


def test_credit_codes_are_valid_and_carry_the_region(shared_demo: Any, db: Any) -> None:
    institutions = Institution.objects.filter(demo_mark__isnull=False)
    assert institutions.count() > 1500
    for inst in institutions:
        assert credit_code.is_valid(inst.credit_code), inst.name
        assert inst.credit_code[2:8] == inst.region_id


def test_institutions_are_placed_in_their_real_regions(shared_demo: Any, db: Any) -> None:
    def region(name: str) -> str:
        return Institution.objects.get(name=name).region_id

    assert region("浙江大学") == "330100"
    assert region("北京大学") == "110100"
    assert region("四川大学") == "510100"
    assert region("兰州大学") == "620100"
    assert region("东华大学") == "310117"  # Songjiang: a G60 member
    assert region("中国科学院生物物理研究所") == "110100"  # an evaluated institute, in its capital


def test_members_of_each_platform_are_in_its_regions(shared_demo: Any, db: Any) -> None:
    def member_regions(code: str) -> set[str]:
        return set(
            Membership.objects.filter(platform__code=code).values_list("institution__region_id", flat=True)
        )

    # A member sits in one of the nine cities, or in a county of one (昆山 320583 is in 苏州 320500).
    assert {r if r in G60_CITIES else r[:4] + "00" for r in member_regions("g60")} <= set(G60_CITIES)
    assert {r[:2] for r in member_regions("yrd")} <= {p[:2] for p in YRD_PROVINCES}
    assert {r[:2] for r in member_regions("bj")} == {"11"}
    assert {r[:2] for r in member_regions("sc")} == {"51"}
    assert {r[:2] for r in member_regions("gs")} == {"62"}
    assert {r[:2] for r in member_regions("gz")} == {"52"}
    assert Membership.objects.filter(platform__code="cn").count() == Institution.objects.count()
    assert Platform.objects.get(code="g60").path == "/cn/yrd/g60/"


def test_every_instrument_has_a_category_that_exists_and_its_holders_region(
    shared_demo: Any, db: Any
) -> None:
    codes = set(Category.objects.values_list("code", flat=True))
    rows = Instrument.objects.select_related("institution", "category")
    assert rows.count() == SMALL
    for instrument in rows:
        assert instrument.category_id in codes
        assert instrument.region_id == instrument.institution.region_id
    sample = rows.earliest("pk")
    assert sample.search_words == instrument_words(sample)


def test_companies_are_generated_smes(shared_demo: Any, db: Any) -> None:
    companies = Institution.objects.filter(kind="enterprise", demo_mark__isnull=False)
    assert companies.count() == 150
    assert companies.filter(is_sme=True).count() > 100
    company = user_named("sme-user").institution
    assert company is not None and company.is_sme


@pytest.mark.parametrize("username", [u.username for u in USERS])
def test_demo_users_can_sign_in(shared_demo: Any, db: Any, username: str) -> None:
    res = Client().post(
        "/api/v1/auth/token",
        {"username": username, "password": DEMO_PASSWORD},
        content_type="application/json",
    )
    assert res.status_code == 200, res.content
    assert res.json()["user"]["username"] == username


def test_the_sign_ins_name_each_role_and_scope(shared_demo: Any, db: Any) -> None:
    rows = {r["username"]: r for r in loader.sign_ins()}
    assert rows["cn-admin"]["role"] == "platform_admin"
    assert rows["yrd-admin"]["scope"].endswith("(yrd)")
    assert rows["zju-manager"] == {
        "username": "zju-manager",
        "password": DEMO_PASSWORD,
        "role": "instrument_manager",
        "scope": "浙江大学",
    }
    assert rows["sme-user"]["role"] == "customer"
