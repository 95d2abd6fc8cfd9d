"""The voucher pages: each renders for the right people and refuses the wrong ones, and each form action works
end to end through the page (the same services as the API); bad input shows a message and changes nothing.

The pages call the services at the real time, so the scheme here runs around today and the vouchers are
issued today (the shared fixtures' scheme and NOW are in March 2026).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dayi.accounts.models import Role, User
from dayi.network.models import Institution
from dayi.orders.models import Order
from dayi.vouchers import services
from dayi.vouchers.models import (
    RedemptionClaim,
    Voucher,
    VoucherApplication,
    VoucherLedgerEntry,
    VoucherListing,
    VoucherScheme,
    VoucherUse,
)
from tests.conftest import make_user
from tests.vouchers.conftest import act, company, delivered_order, listed, make_scheme

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def client_of(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def now() -> dt.datetime:
    return timezone.now()


@pytest.fixture
def scheme(network: dict[str, Any]) -> VoucherScheme:
    """sh2026 (ratio 0.5, cap 30,000, Shanghai SMEs), running from a month ago to a year from now."""
    return make_scheme(
        network["zju"],
        period_start=TODAY - dt.timedelta(days=30),
        period_end=TODAY + dt.timedelta(days=365),
    )


@pytest.fixture
def zj(network: dict[str, Any]) -> VoucherScheme:
    return make_scheme(
        network["zju"],
        code="zj2026",
        name="浙江省创新券 2026",
        region="330000",
        eligible_regions=["330000"],
        period_start=TODAY - dt.timedelta(days=30),
        period_end=TODAY + dt.timedelta(days=365),
    )


@pytest.fixture
def zoe(zj: VoucherScheme) -> User:
    """An officer of the other scheme."""
    return make_user("zoe", None, Role.VOUCHER_OFFICER, scheme=zj.code)


def apply(user: User, scheme: VoucherScheme, inst: Institution, amount: str = "10000") -> VoucherApplication:
    return services.apply_for_voucher(
        act(user),
        scheme_code=scheme.code,
        company_id=inst.pk,
        amount=Decimal(amount),
        purpose="比表面积检测",
        now=now(),
    )


def issued(
    scheme: VoucherScheme, inst: Institution, member: User, officer: User, amount: str = "10000"
) -> Voucher:
    return services.approve_application(act(officer), apply(member, scheme, inst, amount).pk, now=now())


@pytest.fixture
def paid(
    scheme: VoucherScheme, sme: Institution, cathy: User, olga: User, people: dict[str, User]
) -> dict[str, Any]:
    """浙江大学 listed; a voucher of 10,000; an order of 2,000 done and charged, paid by the voucher."""
    listed(scheme, scheme.funder)
    voucher = issued(scheme, sme, cathy, olga)
    order = delivered_order(cathy, sme, scheme.funder, people["alice"], "2000", 1)
    services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=now())
    return {"voucher": voucher, "order": order}


def claimed(paid: dict[str, Any], people: dict[str, User]) -> RedemptionClaim:
    """The provider (通兑) claims what the voucher paid."""
    return services.claim_redemption(act(people["alice"]), paid["order"].pk, now=now())


# --- the public pages ------------------------------------------------------------------------------------


def test_the_index_lists_the_schemes_with_their_budgets_and_the_nav_links_it(scheme: VoucherScheme) -> None:
    html = client_of().get("/vouchers/").content.decode()

    assert "上海市科技创新券 2026" in html
    assert 'href="/vouchers/schemes/sh2026/"' in html
    assert "100000.00" in html
    assert 'href="/vouchers/"' in html and "创新券" in html
    assert "/vouchers/wallet/" not in html


def test_the_index_links_a_member_to_the_wallet_and_an_officer_to_the_queue(
    scheme: VoucherScheme, cathy: User, olga: User
) -> None:
    member = client_of(cathy).get("/vouchers/").content.decode()
    officer = client_of(olga).get("/vouchers/").content.decode()

    assert 'href="/vouchers/wallet/"' in member and "/queue/" not in member
    assert 'href="/vouchers/schemes/sh2026/queue/"' in officer


def test_the_scheme_page_shows_figures_terms_providers_notices_and_recognitions(
    scheme: VoucherScheme, zj: VoucherScheme, network: dict[str, Any], olga: User, paid: dict[str, Any]
) -> None:
    services.request_listing(act(User.objects.get(username="root")), "sh2026", network["pku"].pk, now=now())
    services.add_recognition(act(olga), "sh2026", accepts="zj2026", payer="issuer", mode="tongdui", now=now())

    html = client_of().get("/vouchers/schemes/sh2026/").content.decode()

    assert "50%" in html and "30000.00" in html  # ratio and cap
    assert "9000.00" in html  # reserved: 10,000 issued − 1,000 applied
    assert "1000.00" in html  # spent
    assert "浙江大学" in html  # listed provider
    assert "北京大学" in html and "公示截止" in html  # pending in public notice
    assert "浙江省创新券 2026" in html and "通兑" in html  # recognition
    assert "台账核对" not in html  # the reconciliation is for officers and admins


def test_an_officer_sees_the_reconciliation_and_the_ledger_link(scheme: VoucherScheme, olga: User) -> None:
    html = client_of(olga).get("/vouchers/schemes/sh2026/").content.decode()

    assert "台账与预算数一致" in html
    assert 'href="/vouchers/schemes/sh2026/ledger/"' in html


def test_an_unknown_scheme_is_404(scheme: VoucherScheme) -> None:
    assert client_of().get("/vouchers/schemes/nope/").status_code == 404


def test_a_provider_admin_asks_to_be_listed_from_the_scheme_page(
    scheme: VoucherScheme, people: dict[str, User], network: dict[str, Any]
) -> None:
    page = client_of(people["amy"]).get("/vouchers/schemes/sh2026/").content.decode()
    r = client_of(people["amy"]).post("/vouchers/schemes/sh2026/listing/", {"provider": network["zju"].pk})

    assert "申请成为本券种服务机构" in page
    assert r.status_code == 302
    listing = VoucherListing.objects.get()
    assert listing.provider == network["zju"] and listing.status == "pending"


def test_someone_who_administers_no_provider_cannot_ask_for_a_listing(
    scheme: VoucherScheme, cathy: User, network: dict[str, Any]
) -> None:
    page = client_of(cathy).get("/vouchers/schemes/sh2026/").content.decode()
    r = client_of(cathy).post("/vouchers/schemes/sh2026/listing/", {"provider": network["zju"].pk})

    assert "申请成为本券种服务机构" not in page
    assert r.status_code == 422
    assert not VoucherListing.objects.exists()


def test_the_funded_list_shows_each_funded_service_in_a_fixed_number_of_queries(
    paid: dict[str, Any], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(2):  # the count and one page, whatever the number of rows
        html = client_of().get("/vouchers/funded/").content.decode()

    assert "上海示例科技有限公司0" in html and "浙江大学" in html
    assert "1000.00" in html and "场发射透射电子显微镜" in html


def test_the_funded_list_leaves_out_a_use_whose_claim_was_rejected(
    paid: dict[str, Any], people: dict[str, User], olga: User
) -> None:
    claim = claimed(paid, people)
    services.reject_claim(act(olga), claim.pk, reason="无检测报告原件", now=now())

    html = client_of().get("/vouchers/funded/").content.decode()

    assert "暂无创新券资助的服务" in html


def test_the_flows_page_has_the_chart_data_and_the_same_data_as_a_table(paid: dict[str, Any]) -> None:
    html = client_of().get("/vouchers/flows/").content.decode()
    one = client_of().get("/vouchers/flows/", {"scheme": "sh2026"})

    assert 'id="flows-data"' in html and "vendor/echarts/echarts.min.js" in html
    assert "<td>上海市</td><td>浙江省</td>" in html.replace("\n", "")
    assert one.status_code == 200
    assert client_of().get("/vouchers/flows/", {"scheme": "nope"}).status_code == 404


# --- applying --------------------------------------------------------------------------------------------


def test_anonymous_cannot_apply(scheme: VoucherScheme) -> None:
    page = client_of().get("/vouchers/apply/")
    r = client_of().post("/vouchers/apply/", {"scheme": "sh2026", "amount": "5000", "purpose": "检测"})

    assert page.status_code == 302 and "/login" in page["Location"]
    assert r.status_code == 302
    assert not VoucherApplication.objects.exists()


def test_a_member_applies_from_the_page(scheme: VoucherScheme, cathy: User, sme: Institution) -> None:
    form = client_of(cathy).get("/vouchers/apply/?scheme=sh2026").content.decode()
    r = client_of(cathy).post(
        "/vouchers/apply/", {"scheme": "sh2026", "amount": "5000", "purpose": "XRD 物相分析"}
    )

    assert "上海示例科技有限公司0" in form
    assert r.status_code == 302 and r["Location"] == "/vouchers/wallet/"
    application = VoucherApplication.objects.get()
    assert application.company == sme and application.amount == Decimal("5000.00")
    assert application.applicant == cathy and application.status == "submitted"


def test_an_ineligible_company_sees_why_and_nothing_is_submitted(scheme: VoucherScheme) -> None:
    hz = company(1, region="330106")  # a Hangzhou company applying to the Shanghai scheme
    henry = make_user("henry", hz)

    r = client_of(henry).post("/vouchers/apply/", {"scheme": "sh2026", "amount": "5000", "purpose": "检测"})

    assert r.status_code == 422
    assert "不在该券种范围内" in r.content.decode()
    assert not VoucherApplication.objects.exists()


def test_a_bad_amount_is_shown_and_nothing_is_submitted(scheme: VoucherScheme, cathy: User) -> None:
    r = client_of(cathy).post("/vouchers/apply/", {"scheme": "sh2026", "amount": "-5", "purpose": "检测"})

    assert r.status_code == 422
    assert "请检查申请内容" in r.content.decode()
    assert not VoucherApplication.objects.exists()


def test_a_user_of_no_company_is_told_so(scheme: VoucherScheme, people: dict[str, User]) -> None:
    carol = people["carol"]  # a platform admin, member of no institution

    page = client_of(carol).get("/vouchers/apply/").content.decode()
    r = client_of(carol).post("/vouchers/apply/", {"scheme": "sh2026", "amount": "5000", "purpose": "检测"})

    assert "未关联企业" in page
    assert r.status_code == 403
    assert not VoucherApplication.objects.exists()


# --- the wallet ------------------------------------------------------------------------------------------


def test_the_wallet_lists_the_companys_vouchers_uses_and_claims(
    paid: dict[str, Any], people: dict[str, User], cathy: User
) -> None:
    claimed(paid, people)

    html = client_of(cathy).get("/vouchers/wallet/").content.decode()

    number = paid["voucher"].number
    assert number in html
    assert "9000.00" in html  # the balance after 1,000 paid
    assert paid["voucher"].use_by.isoformat() in html and paid["voucher"].redeem_by.isoformat() in html
    assert "待审核" in html  # the claim's status
    assert f'href="/orders/{paid["order"].pk}/"' in html


def test_anonymous_is_sent_to_sign_in_from_the_wallet() -> None:
    r = client_of().get("/vouchers/wallet/")
    assert r.status_code == 302 and "/login" in r["Location"]


def test_a_member_pays_a_completed_order_with_a_voucher_from_the_wallet(
    scheme: VoucherScheme, sme: Institution, cathy: User, olga: User, people: dict[str, User]
) -> None:
    listed(scheme, scheme.funder)
    voucher = issued(scheme, sme, cathy, olga)
    order = delivered_order(cathy, sme, scheme.funder, people["alice"], "3000", 2)

    page = client_of(cathy).get("/vouchers/wallet/").content.decode()
    r = client_of(cathy).post("/vouchers/wallet/use/", {"order": order.pk, "voucher": voucher.number})

    assert "使用创新券" in page and f'value="{order.pk}"' in page
    assert r.status_code == 302
    use = VoucherUse.objects.get()
    assert use.order == order and use.amount == Decimal("1500.00")
    voucher.refresh_from_db()
    assert voucher.balance == Decimal("8500.00")


def test_a_refused_use_shows_the_reason_and_changes_nothing(paid: dict[str, Any], cathy: User) -> None:
    # the order's subsidised share is already covered by the first use: the wallet no longer offers it
    r = client_of(cathy).post(
        "/vouchers/wallet/use/", {"order": paid["order"].pk, "voucher": paid["voucher"].number}
    )

    assert r.status_code == 422
    assert VoucherUse.objects.count() == 1


def test_someone_elses_order_is_not_offered_and_cannot_be_posted(
    paid: dict[str, Any], scheme: VoucherScheme, people: dict[str, User]
) -> None:
    other = company(2)
    olive = make_user("olive", other)

    r = client_of(olive).post(
        "/vouchers/wallet/use/", {"order": paid["order"].pk, "voucher": paid["voucher"].number}
    )

    assert r.status_code == 422
    assert VoucherUse.objects.count() == 1


# --- the officers' queue ---------------------------------------------------------------------------------


def test_only_the_schemes_officers_open_its_queue(
    scheme: VoucherScheme, olga: User, zoe: User, cathy: User, sme: Institution
) -> None:
    apply(cathy, scheme, sme)

    mine = client_of(olga).get("/vouchers/schemes/sh2026/queue/")
    other = client_of(zoe).get("/vouchers/schemes/sh2026/queue/")
    member = client_of(cathy).get("/vouchers/schemes/sh2026/queue/")
    anon = client_of().get("/vouchers/schemes/sh2026/queue/")

    assert mine.status_code == 200 and "比表面积检测" in mine.content.decode()
    assert other.status_code == 403 and "比表面积检测" not in other.content.decode()
    assert member.status_code == 403
    assert anon.status_code == 302


def test_an_officer_approves_an_application_from_the_queue(
    scheme: VoucherScheme, olga: User, cathy: User, sme: Institution
) -> None:
    application = apply(cathy, scheme, sme)

    r = client_of(olga).post(f"/vouchers/schemes/sh2026/queue/applications/{application.pk}/approve/")

    assert r.status_code == 302 and r["Location"].endswith("#applications")
    voucher = Voucher.objects.get()
    assert voucher.application == application and voucher.balance == Decimal("10000.00")
    scheme.refresh_from_db()
    assert scheme.reserved == Decimal("10000.00")


def test_htmx_approval_answers_the_row_with_the_voucher_number(
    scheme: VoucherScheme, olga: User, cathy: User, sme: Institution
) -> None:
    application = apply(cathy, scheme, sme)

    r = client_of(olga).post(
        f"/vouchers/schemes/sh2026/queue/applications/{application.pk}/approve/", HTTP_HX_REQUEST="true"
    )

    html = r.content.decode()
    assert r.status_code == 200
    assert html.strip().startswith(f'<tr id="application-{application.pk}"')
    assert Voucher.objects.get().number in html and "已批准" in html


def test_an_officer_rejects_an_application_with_a_reason(
    scheme: VoucherScheme, olga: User, cathy: User, sme: Institution
) -> None:
    application = apply(cathy, scheme, sme)

    r = client_of(olga).post(
        f"/vouchers/schemes/sh2026/queue/applications/{application.pk}/reject/", {"reason": "用途与检测无关"}
    )

    application.refresh_from_db()
    assert r.status_code == 302
    assert application.status == "rejected" and application.reason == "用途与检测无关"


def test_a_rejection_without_a_reason_is_refused_with_a_message(
    scheme: VoucherScheme, olga: User, cathy: User, sme: Institution
) -> None:
    application = apply(cathy, scheme, sme)

    r = client_of(olga).post(
        f"/vouchers/schemes/sh2026/queue/applications/{application.pk}/reject/", {"reason": " "}
    )
    htmx = client_of(olga).post(
        f"/vouchers/schemes/sh2026/queue/applications/{application.pk}/reject/",
        {"reason": ""},
        HTTP_HX_REQUEST="true",
    )

    application.refresh_from_db()
    assert r.status_code == 422 and "请说明理由" in r.content.decode()
    assert htmx.status_code == 422 and 'role="alert"' in htmx.content.decode()
    assert application.status == "submitted"


def test_an_approval_over_the_cap_shows_the_reason_and_changes_nothing(
    scheme: VoucherScheme, olga: User, cathy: User, sme: Institution
) -> None:
    issued(scheme, sme, cathy, olga, "25000")
    application = apply(cathy, scheme, sme, "10000")

    r = client_of(olga).post(f"/vouchers/schemes/sh2026/queue/applications/{application.pk}/approve/")

    assert r.status_code == 409 and "上限" in r.content.decode()
    assert Voucher.objects.count() == 1


def test_an_officer_of_another_scheme_can_neither_see_nor_act(
    scheme: VoucherScheme, zj: VoucherScheme, zoe: User, cathy: User, sme: Institution
) -> None:
    application = apply(cathy, scheme, sme)

    through_sh = client_of(zoe).post(f"/vouchers/schemes/sh2026/queue/applications/{application.pk}/approve/")
    through_zj = client_of(zoe).post(f"/vouchers/schemes/zj2026/queue/applications/{application.pk}/approve/")
    batch = client_of(zoe).post(
        "/vouchers/schemes/sh2026/queue/settle-month/", {"month": TODAY.strftime("%Y-%m")}
    )

    assert through_sh.status_code == 403
    assert through_zj.status_code == 404  # not an application of her scheme
    assert batch.status_code == 403
    assert not Voucher.objects.exists()
    application.refresh_from_db()
    assert application.status == "submitted"


def test_an_officer_approves_a_listing_after_its_notice(
    scheme: VoucherScheme, olga: User, people: dict[str, User], network: dict[str, Any]
) -> None:
    listing = services.request_listing(
        act(people["root"]), "sh2026", network["pku"].pk, now=now() - dt.timedelta(days=8)
    )

    page = client_of(olga).get("/vouchers/schemes/sh2026/queue/").content.decode()
    r = client_of(olga).post(f"/vouchers/schemes/sh2026/queue/listings/{listing.pk}/approve/")

    assert "北京大学" in page
    listing.refresh_from_db()
    assert r.status_code == 302 and listing.status == "approved"


def test_a_listing_in_its_notice_period_cannot_be_approved_yet(
    scheme: VoucherScheme, olga: User, people: dict[str, User], network: dict[str, Any]
) -> None:
    listing = services.request_listing(act(people["root"]), "sh2026", network["pku"].pk, now=now())

    r = client_of(olga).post(
        f"/vouchers/schemes/sh2026/queue/listings/{listing.pk}/approve/", HTTP_HX_REQUEST="true"
    )

    listing.refresh_from_db()
    assert r.status_code == 409 and "公示期未满" in r.content.decode()
    assert listing.status == "pending"


def test_the_queue_shows_each_claims_evidence_and_its_notes_as_warnings(
    paid: dict[str, Any], people: dict[str, User], olga: User
) -> None:
    claim = claimed(paid, people)
    assert claim.notes  # completed within minutes of its creation (the fixture's order)

    html = client_of(olga).get("/vouchers/schemes/sh2026/queue/").content.decode()

    assert "检测报告 R-2026-001" in html  # the evidence: the result the managers recorded
    assert 'class="warn" role="note"' in html and claim.notes[0] in html


def test_an_officer_settles_a_claim_from_the_queue(
    paid: dict[str, Any], people: dict[str, User], olga: User, scheme: VoucherScheme
) -> None:
    claim = claimed(paid, people)

    r = client_of(olga).post(
        f"/vouchers/schemes/sh2026/queue/claims/{claim.pk}/settle/", HTTP_HX_REQUEST="true"
    )

    claim.refresh_from_db()
    scheme.refresh_from_db()
    assert r.status_code == 200 and "已兑付" in r.content.decode()
    assert claim.status == "settled" and scheme.settled == Decimal("1000.00")


def test_an_officer_rejects_a_claim_with_a_reason(
    paid: dict[str, Any], people: dict[str, User], olga: User, scheme: VoucherScheme
) -> None:
    claim = claimed(paid, people)

    blank = client_of(olga).post(f"/vouchers/schemes/sh2026/queue/claims/{claim.pk}/reject/", {"reason": ""})
    r = client_of(olga).post(
        f"/vouchers/schemes/sh2026/queue/claims/{claim.pk}/reject/", {"reason": "报告与订单不符"}
    )

    claim.refresh_from_db()
    scheme.refresh_from_db()
    assert blank.status_code == 422 and "请说明驳回理由" in blank.content.decode()
    assert r.status_code == 302
    assert claim.status == "rejected" and claim.reason == "报告与订单不符"
    assert scheme.spent == Decimal("0.00")


def test_the_month_batch_settles_every_submitted_claim_of_the_month(
    scheme: VoucherScheme, sme: Institution, cathy: User, olga: User, people: dict[str, User]
) -> None:
    listed(scheme, scheme.funder)
    voucher = issued(scheme, sme, cathy, olga)
    for n in (3, 4):
        order = delivered_order(cathy, sme, scheme.funder, people["alice"], "1000", n)
        services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=now())
        services.claim_redemption(act(people["alice"]), order.pk, now=now())

    r = client_of(olga).post(
        "/vouchers/schemes/sh2026/queue/settle-month/", {"month": TODAY.strftime("%Y-%m")}
    )

    assert r.status_code == 302
    assert set(RedemptionClaim.objects.values_list("status", flat=True)) == {"settled"}
    scheme.refresh_from_db()
    assert scheme.settled == Decimal("1000.00")


def test_a_bad_month_is_shown_and_nothing_is_settled(
    paid: dict[str, Any], people: dict[str, User], olga: User
) -> None:
    claimed(paid, people)

    r = client_of(olga).post("/vouchers/schemes/sh2026/queue/settle-month/", {"month": "March"})

    assert r.status_code == 422 and "请填写月份" in r.content.decode()
    assert RedemptionClaim.objects.get().status == "submitted"


def test_the_ledger_is_for_the_schemes_officers(
    paid: dict[str, Any], olga: User, zoe: User, cathy: User
) -> None:
    mine = client_of(olga).get("/vouchers/schemes/sh2026/ledger/")

    assert mine.status_code == 200
    html = mine.content.decode()
    assert paid["voucher"].number in html and "预留" in html and "抵扣" in html
    assert client_of(zoe).get("/vouchers/schemes/sh2026/ledger/").status_code == 403
    assert client_of(cathy).get("/vouchers/schemes/sh2026/ledger/").status_code == 403
    assert VoucherLedgerEntry.objects.count() == 2


def test_no_page_changes_anything_on_get(paid: dict[str, Any], olga: User, cathy: User) -> None:
    before = (VoucherLedgerEntry.objects.count(), Order.objects.count(), VoucherUse.objects.count())
    for path in ("/vouchers/", "/vouchers/schemes/sh2026/", "/vouchers/funded/", "/vouchers/flows/"):
        assert client_of().get(path).status_code == 200
    assert client_of(cathy).get("/vouchers/wallet/").status_code == 200
    assert client_of(olga).get("/vouchers/schemes/sh2026/queue/").status_code == 200
    assert (VoucherLedgerEntry.objects.count(), Order.objects.count(), VoucherUse.objects.count()) == before


def test_the_pages_speak_english_from_their_catalogue(paid: dict[str, Any], olga: User) -> None:
    client = client_of(olga)
    client.cookies["django_language"] = "en"

    index = client.get("/vouchers/").content.decode()
    scheme = client.get("/vouchers/schemes/sh2026/").content.decode()
    queue = client.get("/vouchers/schemes/sh2026/queue/").content.decode()

    assert "Innovation vouchers" in index and ">Vouchers</a>" in index
    assert (
        "Terms" in scheme and "Listed providers" in scheme and "The ledger accounts for every yuan" in scheme
    )
    assert "Voucher applications" in queue and "Settle a month at once" in queue


def test_in_tongyong_the_company_claims_from_the_wallet(
    scheme: VoucherScheme, sme: Institution, cathy: User, olga: User, people: dict[str, User]
) -> None:
    VoucherScheme.objects.filter(pk=scheme.pk).update(mode="tongyong")  # given a 通用 scheme
    listed(scheme, scheme.funder)
    voucher = issued(scheme, sme, cathy, olga)
    order = delivered_order(cathy, sme, scheme.funder, people["alice"], "2000", 5)
    services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=now())

    page = client_of(cathy).get("/vouchers/wallet/").content.decode()
    r = client_of(cathy).post("/vouchers/wallet/claim/", {"order": order.pk})

    assert 'action="/vouchers/wallet/claim/"' in page
    assert r.status_code == 302
    claim = RedemptionClaim.objects.get()
    assert claim.claimant == sme and claim.mode == "tongyong" and claim.amount == Decimal("1000.00")


def test_in_tongdui_the_company_cannot_claim_and_nothing_changes(paid: dict[str, Any], cathy: User) -> None:
    page = client_of(cathy).get("/vouchers/wallet/").content.decode()
    r = client_of(cathy).post("/vouchers/wallet/claim/", {"order": paid["order"].pk})

    assert 'action="/vouchers/wallet/claim/"' not in page
    assert r.status_code == 403 and "通兑模式由服务机构申请兑付" in r.content.decode()
    assert not RedemptionClaim.objects.exists()


def test_the_apply_page_says_which_schemes_the_company_may_apply_to(
    scheme: VoucherScheme, zj: VoucherScheme, cathy: User
) -> None:
    html = client_of(cathy).get("/vouchers/apply/").content.decode()

    assert "可申请" in html and "不在该券种范围内" in html  # Shanghai yes, Zhejiang no
