"""Voucher administration (issue 12): setting up a scheme, its terms, recognitions and delisting a provider,
through the services, the pages and the API — the same services behind both.

Personas: olga is the officer of sh2026 (funded by 浙江大学 in these fixtures); zoe the officer of zj2026
(another funder); carol a YRD platform admin over the funder; amy 浙江大学's admin; eve a plain user.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from dayi.accounts.models import Role, RoleGrant, User
from dayi.core.errors import Conflict, Forbidden, NotFound, RuleViolation, ValidationFailed
from dayi.core.models import AuditEvent
from dayi.network.models import Institution
from dayi.vouchers import services
from dayi.vouchers.models import ProviderCreditEntry, Recognition, VoucherListing, VoucherScheme
from dayi.vouchers.services.checks import route
from tests.conftest import NOW, make_institution, make_user
from tests.vouchers.conftest import SCHEME, act, listed, make_scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def funder(network: dict[str, Any]) -> Institution:
    """A funding body that is not 浙江大学: zj2026's funder."""
    return make_institution(
        "浙江省科学技术厅", "11330000002482128K", "330000", network["yrd"], kind="government"
    )


@pytest.fixture
def zj(funder: Institution) -> VoucherScheme:
    return make_scheme(funder, code="zj2026", name="浙江省创新券 2026", region="330000")


@pytest.fixture
def zoe(zj: VoucherScheme) -> User:
    return make_user("zoe", None, Role.VOUCHER_OFFICER, scheme=zj.code)


@pytest.fixture
def provider(network: dict[str, Any]) -> Institution:
    return make_institution(
        "杭州检测技术有限公司", "91330100MA27X0001A", "330100", network["g60"], kind="enterprise"
    )


def client_of(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def new_scheme_data(funder: Institution, **overrides: Any) -> dict[str, Any]:
    return {**SCHEME, "code": "sh2027", "name": "上海市科技创新券 2027", "funder": funder.pk, **overrides}


# --- setting up a scheme ---------------------------------------------------------------------------------


def test_an_officer_sets_up_the_next_scheme_of_their_funder_and_becomes_its_officer(
    scheme: VoucherScheme, olga: User
) -> None:
    made = services.create_scheme(act(olga), new_scheme_data(scheme.funder), now=NOW)
    assert made.funder_id == scheme.funder_id
    assert RoleGrant.objects.filter(user=olga, role=Role.VOUCHER_OFFICER, scheme="sh2027").exists()
    assert AuditEvent.objects.filter(action="role.grant", actor=olga).exists()


def test_an_officer_may_not_set_up_a_scheme_for_another_funder(
    scheme: VoucherScheme, olga: User, funder: Institution
) -> None:
    with pytest.raises(Forbidden):
        services.create_scheme(act(olga), new_scheme_data(funder), now=NOW)
    assert not VoucherScheme.objects.filter(code="sh2027").exists()


def test_a_platform_admin_who_sets_up_a_scheme_is_not_made_its_officer(
    people: dict[str, User], network: dict[str, Any]
) -> None:
    services.create_scheme(act(people["carol"]), new_scheme_data(network["zju"]), now=NOW)
    assert not RoleGrant.objects.filter(scheme="sh2027").exists()


def test_an_officer_of_another_scheme_may_not_change_the_terms(scheme: VoucherScheme, zoe: User) -> None:
    with pytest.raises(Forbidden):
        services.update_scheme(act(zoe), scheme.code, {"budget": Decimal("1")}, now=NOW)


# --- delisting -------------------------------------------------------------------------------------------


def test_the_officer_delists_a_provider_with_a_reason_kept_on_its_credit_record(
    scheme: VoucherScheme, olga: User, provider: Institution
) -> None:
    listed(scheme, provider)
    listing = services.delist_provider(
        act(olga), scheme.code, provider.pk, reason="  串通虚开发票  ", now=NOW
    )
    assert (listing.status, listing.reason, listing.delisted) == ("delisted", "串通虚开发票", NOW)
    entry = ProviderCreditEntry.objects.get(provider=provider)
    assert (entry.scheme_id, entry.kind, entry.reason, entry.actor_id) == (
        scheme.pk,
        "delisted",
        "串通虚开发票",
        olga.pk,
    )
    event = AuditEvent.objects.get(action="voucher_listing.delist")
    assert event.reason == "串通虚开发票"


def test_a_delisted_provider_is_paid_neither_by_the_scheme_nor_through_a_recognition(
    scheme: VoucherScheme, olga: User, zj: VoucherScheme, provider: Institution
) -> None:
    listed(scheme, provider)
    listed(zj, provider)
    Recognition.objects.create(scheme=scheme, accepts=zj, created=NOW)
    services.delist_provider(act(olga), scheme.code, provider.pk, reason="虚假检测报告", now=NOW)
    with pytest.raises(RuleViolation) as refused:
        route(scheme, provider)
    assert refused.value.rule == "provider_not_listed"


def test_a_provider_paid_by_the_region_rule_can_be_barred_too(
    network: dict[str, Any], provider: Institution
) -> None:
    regional = make_scheme(network["zju"], code="hz2026", region="330100", provider_rule="region")
    officer = make_user("hz-officer", None, Role.VOUCHER_OFFICER, scheme="hz2026")
    assert route(regional, provider).payer == regional
    services.delist_provider(act(officer), "hz2026", provider.pk, reason="骗取补贴", now=NOW)
    with pytest.raises(RuleViolation):
        route(regional, provider)


def test_a_blank_reason_is_refused_and_nothing_changes(
    scheme: VoucherScheme, olga: User, provider: Institution
) -> None:
    listing = listed(scheme, provider)
    with pytest.raises(ValidationFailed) as refused:
        services.delist_provider(act(olga), scheme.code, provider.pk, reason="   ", now=NOW)
    assert "reason" in refused.value.fields
    listing.refresh_from_db()
    assert listing.status == "approved" and not ProviderCreditEntry.objects.exists()


def test_an_officer_of_another_scheme_may_not_delist(
    scheme: VoucherScheme, zoe: User, provider: Institution
) -> None:
    listed(scheme, provider)
    with pytest.raises(Forbidden):
        services.delist_provider(act(zoe), scheme.code, provider.pk, reason="越权", now=NOW)
    assert not ProviderCreditEntry.objects.exists()


def test_delisting_twice_is_a_conflict(scheme: VoucherScheme, olga: User, provider: Institution) -> None:
    listed(scheme, provider)
    services.delist_provider(act(olga), scheme.code, provider.pk, reason="一", now=NOW)
    with pytest.raises(Conflict):
        services.delist_provider(act(olga), scheme.code, provider.pk, reason="二", now=NOW)
    assert ProviderCreditEntry.objects.count() == 1


def test_a_delisted_provider_can_neither_ask_again_nor_be_approved(
    scheme: VoucherScheme, olga: User, provider: Institution, people: dict[str, User]
) -> None:
    pending = VoucherListing.objects.create(
        scheme=scheme, provider=provider, notice_until=NOW - dt.timedelta(days=1), created=NOW
    )
    services.delist_provider(act(olga), scheme.code, provider.pk, reason="公示期内被举报", now=NOW)
    with pytest.raises(Conflict):
        services.approve_listing(act(olga), scheme.code, pending.pk, now=NOW)
    with pytest.raises(Conflict):
        services.request_listing(act(people["root"]), scheme.code, provider.pk, now=NOW)


def test_the_credit_record_cannot_be_edited_or_deleted(
    scheme: VoucherScheme, olga: User, provider: Institution
) -> None:
    from django.db import DatabaseError, transaction

    services.delist_provider(act(olga), scheme.code, provider.pk, reason="记录", now=NOW)
    with pytest.raises(DatabaseError), transaction.atomic():
        ProviderCreditEntry.objects.update(reason="抹掉")
    with pytest.raises(DatabaseError), transaction.atomic():
        ProviderCreditEntry.objects.all().delete()


# --- the pages -------------------------------------------------------------------------------------------

FORM = {
    "code": "sh2027",
    "name": "上海市科技创新券 2027",
    "region": "310000",
    "budget": "200000",
    "subsidy_ratio": "0.4",
    "cap_per_company": "20000",
    "period_start": "2027-01-01",
    "period_end": "2027-12-31",
    "use_days": "180",
    "redemption_days": "60",
    "notice_days": "7",
    "eligible_regions": "310000",
    "sme_only": "on",
    "modes": ["sample", "assisted"],
    "categories": "",
    "provider_rule": "listed",
    "provider_platform": "",
    "mode": "tongdui",
}


def test_an_officer_sets_up_a_scheme_from_the_page(scheme: VoucherScheme, olga: User) -> None:
    client = client_of(olga)
    assert b"new-scheme" in client.get("/vouchers/").content
    form = client.get("/vouchers/new-scheme/")
    assert form.status_code == 200 and scheme.funder.name in form.content.decode()
    answer = client.post("/vouchers/new-scheme/", {**FORM, "funder": scheme.funder_id})
    assert answer.status_code == 302 and answer["Location"] == "/vouchers/schemes/sh2027/"
    made = VoucherScheme.objects.get(code="sh2027")
    assert (made.subsidy_ratio, made.modes, made.sme_only) == (Decimal("0.400"), ["sample", "assisted"], True)


def test_a_refused_scheme_keeps_what_was_typed(scheme: VoucherScheme, olga: User) -> None:
    data = {**FORM, "funder": scheme.funder_id, "subsidy_ratio": "1.5", "eligible_regions": "310000 999999"}
    answer = client_of(olga).post("/vouchers/new-scheme/", data)
    page = answer.content.decode()
    assert answer.status_code == 422
    assert 'value="上海市科技创新券 2027"' in page and 'value="2027-12-31"' in page
    assert 'value="310000 999999"' in page and "has-error" in page
    assert not VoucherScheme.objects.filter(code="sh2027").exists()


def test_someone_without_a_voucher_office_cannot_open_the_set_up_page(people: dict[str, User]) -> None:
    assert client_of(people["eve"]).get("/vouchers/new-scheme/").status_code == 403


def test_the_terms_page_shows_iso_dates_and_saves_a_change(scheme: VoucherScheme, olga: User) -> None:
    client = client_of(olga)
    page = client.get(f"/vouchers/schemes/{scheme.code}/terms/").content.decode()
    assert 'value="2026-12-31"' in page and 'name="code"' not in page
    data = {k: v for k, v in FORM.items() if k not in ("code", "region")}
    data.update(name=scheme.name, budget="150000", period_start="2026-01-01", period_end="2026-12-31")
    answer = client.post(f"/vouchers/schemes/{scheme.code}/terms/", data)
    assert answer.status_code == 302
    scheme.refresh_from_db()
    assert scheme.budget == Decimal("150000.00") and scheme.subsidy_ratio == Decimal("0.400")


def test_a_budget_below_what_is_reserved_is_refused_on_the_page_keeping_the_values(
    scheme: VoucherScheme, olga: User
) -> None:
    VoucherScheme.objects.filter(pk=scheme.pk).update(reserved=Decimal("50000"))
    data = {k: v for k, v in FORM.items() if k not in ("code", "region")}
    data.update(name="改过的名称", budget="1000")
    answer = client_of(olga).post(f"/vouchers/schemes/{scheme.code}/terms/", data)
    assert answer.status_code == 422
    page = answer.content.decode()
    assert 'value="改过的名称"' in page and 'value="1000"' in page
    scheme.refresh_from_db()
    assert scheme.budget == Decimal("100000.00") and scheme.name != "改过的名称"


def test_an_officer_of_another_scheme_cannot_open_the_terms(scheme: VoucherScheme, zoe: User) -> None:
    assert client_of(zoe).get(f"/vouchers/schemes/{scheme.code}/terms/").status_code == 403


def test_the_officer_signs_a_recognition_from_the_page(
    scheme: VoucherScheme, olga: User, zj: VoucherScheme
) -> None:
    client = client_of(olga)
    assert "zj2026" in client.get(f"/vouchers/schemes/{scheme.code}/recognitions/").content.decode()
    answer = client.post(
        f"/vouchers/schemes/{scheme.code}/recognitions/",
        {"scheme": "zj2026", "payer": "issuer", "mode": "tongdui"},
    )
    assert answer.status_code == 302
    assert Recognition.objects.filter(scheme=scheme, accepts=zj, payer="issuer").exists()


def test_a_recognition_the_other_scheme_pays_needs_its_officer_and_the_page_says_so(
    scheme: VoucherScheme, olga: User, zj: VoucherScheme
) -> None:
    answer = client_of(olga).post(
        f"/vouchers/schemes/{scheme.code}/recognitions/",
        {"scheme": "zj2026", "payer": "provider", "mode": "tongyong"},
    )
    assert answer.status_code == 403
    assert not Recognition.objects.exists()


def test_the_officer_delists_from_the_queue_with_htmx(
    scheme: VoucherScheme, olga: User, provider: Institution
) -> None:
    listing = listed(scheme, provider)
    client = client_of(olga)
    queue = client.get(f"/vouchers/schemes/{scheme.code}/queue/").content.decode()
    assert f"delist-reason-{listing.pk}" in queue
    url = f"/vouchers/schemes/{scheme.code}/queue/listings/{listing.pk}/delist/"
    blank = client.post(url, {"reason": ""}, HTTP_HX_REQUEST="true")
    assert blank.status_code == 422 and 'role="alert"' in blank.content.decode()
    done = client.post(url, {"reason": "串通套取补贴"}, HTTP_HX_REQUEST="true")
    assert done.status_code == 200 and "串通套取补贴" in done.content.decode()
    listing.refresh_from_db()
    assert listing.status == "delisted"
    public = client_of().get(f"/vouchers/schemes/{scheme.code}/").content.decode()
    assert "串通套取补贴" in public


def test_another_schemes_officer_cannot_delist_from_the_page(
    scheme: VoucherScheme, zoe: User, provider: Institution
) -> None:
    listing = listed(scheme, provider)
    url = f"/vouchers/schemes/{scheme.code}/queue/listings/{listing.pk}/delist/"
    assert client_of(zoe).post(url, {"reason": "越权"}).status_code in (403, 404)
    listing.refresh_from_db()
    assert listing.status == "approved"


def test_the_queue_shows_a_providers_credit_record_from_another_scheme(
    scheme: VoucherScheme, olga: User, zj: VoucherScheme, zoe: User, provider: Institution
) -> None:
    listed(zj, provider)
    services.delist_provider(act(zoe), zj.code, provider.pk, reason="在浙江被移出", now=NOW)
    VoucherListing.objects.create(scheme=scheme, provider=provider, notice_until=NOW, created=NOW)
    queue = client_of(olga).get(f"/vouchers/schemes/{scheme.code}/queue/").content.decode()
    assert "在浙江被移出" in queue


# --- the API ---------------------------------------------------------------------------------------------


def test_the_api_delists_with_the_same_service(
    scheme: VoucherScheme, olga: User, provider: Institution
) -> None:
    listed(scheme, provider)
    client = client_of(olga)
    answer = client.post(
        f"/api/v1/voucher-schemes/{scheme.code}/delistings",
        {"provider": provider.pk, "reason": "虚开发票"},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "delisted" and answer.json()["reason"] == "虚开发票"
    record = client.get(f"/api/v1/voucher-providers/{provider.pk}/credit-record").json()
    assert [(e["scheme"], e["reason"]) for e in record] == [(scheme.code, "虚开发票")]


def test_the_api_refuses_a_blank_reason_with_422(
    scheme: VoucherScheme, olga: User, provider: Institution
) -> None:
    answer = client_of(olga).post(
        f"/api/v1/voucher-schemes/{scheme.code}/delistings",
        {"provider": provider.pk, "reason": " "},
        content_type="application/json",
    )
    assert answer.status_code == 422 and "reason" in answer.json()["error"]["fields"]


def test_a_plain_user_reads_no_credit_record(
    scheme: VoucherScheme, olga: User, provider: Institution, people: dict[str, User]
) -> None:
    services.delist_provider(act(olga), scheme.code, provider.pk, reason="理由", now=NOW)
    answer = client_of(people["eve"]).get(f"/api/v1/voucher-providers/{provider.pk}/credit-record")
    assert answer.status_code == 200 and answer.json() == []


def test_unknown_scheme_delisting_is_404(olga: User, provider: Institution, scheme: VoucherScheme) -> None:
    with pytest.raises(NotFound):
        services.delist_provider(act(olga), "nope", provider.pk, reason="x", now=NOW)


def test_the_officer_bars_a_provider_paid_by_rule_by_its_credit_code(
    network: dict[str, Any], provider: Institution
) -> None:
    regional = make_scheme(network["zju"], code="hz2026", region="330100", provider_rule="region")
    officer = make_user("hz-officer", None, Role.VOUCHER_OFFICER, scheme="hz2026")
    client = client_of(officer)
    url = "/vouchers/schemes/hz2026/queue/bar/"
    unknown = client.post(url, {"credit_code": "91330100MA27X9999Z", "reason": "骗取补贴"})
    page = unknown.content.decode()
    assert unknown.status_code == 422 and 'value="91330100MA27X9999Z"' in page and "骗取补贴" in page
    done = client.post(url, {"credit_code": provider.credit_code.lower(), "reason": "骗取补贴"})
    assert done.status_code == 302
    with pytest.raises(RuleViolation):
        route(regional, provider)
    assert ProviderCreditEntry.objects.get(provider=provider).scheme == regional


def test_the_queue_reads_the_credit_records_in_a_fixed_number_of_queries(
    scheme: VoucherScheme, olga: User, zj: VoucherScheme, zoe: User
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(n: int) -> int:
        for i in range(n):
            inst = make_institution(
                f"检测公司{n}-{i}", f"91310115MA1Q{n:02d}{i:03d}X", "310115", kind="enterprise"
            )
            listed(scheme, inst)
            listed(zj, inst)
            services.delist_provider(act(zoe), zj.code, inst.pk, reason="在浙江被移出", now=NOW)
        client = client_of(olga)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/vouchers/schemes/{scheme.code}/queue/").status_code == 200
        return len(captured)

    assert queries_for(2) == queries_for(3)
