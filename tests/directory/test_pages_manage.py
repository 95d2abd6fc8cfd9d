"""The instrument managers' pages under /manage/: list, create, edit, retire, import."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dayi.core.models import AuditEvent
from dayi.directory import queries, views
from dayi.directory.models import Instrument
from tests.conftest import make_instrument

pytestmark = pytest.mark.django_db

FORM = {
    "inventory_no": "ZJU-2024-0100",
    "name": "核磁共振波谱仪",
    "category": "0106",
    "original_value": "6,800,000",
    "status": "normal",
    "share_mode": "external",
    "modes": ["sample", "assisted"],
    "manufacturer": "Bruker",
    "model": "AVANCE NEO 600",
    "disciplines": "化学; 材料科学",
    "in_service_date": "2021-09-01",
}

GOOD_CSV = (
    "inventory_no,name,category,original_value,status,modes\n"
    "ZJU-IMP-001,扫描电子显微镜,0101,2500000,normal,self;sample\n"
    "ZJU-IMP-002,气相色谱质谱联用仪,0102,1200000.50,standby,sample\n"
).encode()
BAD_CSV = (
    "inventory_no,name,category,original_value,status,modes\n"
    "ZJU-IMP-001,扫描电子显微镜,0101,2500000,normal,self\n"
    "ZJU-IMP-002,气相色谱质谱联用仪,9999,1200000,normal,sample\n"
    "ZJU-IMP-003,X射线衍射仪,0104,lots,normal,sample\n"
).encode()


@pytest.fixture
def browser(people: dict[str, Any]) -> Any:
    """``browser("alice")``: a page client with alice's session."""

    def make(name: str) -> Client:
        client = Client()
        client.force_login(people[name])
        return client

    return make


def _page(res: Any) -> str:
    return res.content.decode()


# --- every page renders -----------------------------------------------------------------------------------


def test_each_page_renders_for_alice(network: Any, browser: Any) -> None:
    inst = make_instrument(network["zju"])
    alice = browser("alice")
    for url, needle in [
        ("/manage/instruments/", inst.inventory_no),
        ("/manage/instruments/new/", 'name="inventory_no"'),
        (f"/manage/instruments/{inst.pk}/edit/", 'value="Talos F200X"'),
        (f"/manage/instruments/{inst.pk}/retire/", "确认退役"),
        ("/manage/instruments/import/", 'type="file"'),
    ]:
        res = alice.get(url)
        assert res.status_code == 200, url
        assert needle in _page(res), url


def test_manage_root_leads_to_the_list(network: Any, browser: Any) -> None:
    res = browser("alice").get("/manage/")
    assert res.status_code == 302
    assert res["Location"] == "/manage/instruments/"


def test_the_list_shows_only_the_institutions_the_user_manages(network: Any, browser: Any) -> None:
    make_instrument(network["zju"], "ZJU-1")
    make_instrument(network["pku"], "PKU-1")
    page = _page(browser("alice").get("/manage/instruments/"))
    assert "ZJU-1" in page
    assert "PKU-1" not in page
    assert "北京大学" not in page  # not even offered in the institution filter


def test_the_superuser_sees_every_institution(network: Any, browser: Any) -> None:
    make_instrument(network["zju"], "ZJU-1")
    make_instrument(network["pku"], "PKU-1")
    page = _page(browser("root").get("/manage/instruments/"))
    assert "ZJU-1" in page and "PKU-1" in page


def test_the_filter_answers_htmx_with_the_results_alone(network: Any, browser: Any) -> None:
    make_instrument(network["zju"], "ZJU-OK", status="normal")
    make_instrument(network["zju"], "ZJU-BROKEN", status="awaiting_repair")
    res = browser("alice").get(
        "/manage/instruments/", {"status": "awaiting_repair"}, headers={"HX-Request": "true"}
    )
    page = _page(res)
    assert res.status_code == 200
    assert "<html" not in page
    assert "ZJU-BROKEN" in page
    assert "ZJU-OK" not in page


def test_the_filter_narrows_by_institution_and_text(network: Any, browser: Any, people: Any) -> None:
    make_instrument(network["zju"], "ZJU-TEM")
    make_instrument(network["zju"], "ZJU-NMR", name="核磁共振波谱仪")
    make_instrument(network["pku"], "PKU-TEM")
    root = browser("root")
    page = _page(root.get("/manage/instruments/", {"institution": network["pku"].pk}))
    assert "PKU-TEM" in page and "ZJU-TEM" not in page
    page = _page(root.get("/manage/instruments/", {"q": "核磁"}))
    assert "ZJU-NMR" in page and "ZJU-TEM" not in page


def test_the_list_paginates_and_keeps_the_filter(network: Any, browser: Any) -> None:
    for n in range(55):
        make_instrument(network["zju"], f"ZJU-{n:03d}", status="standby")
    client = browser("alice")
    first = _page(client.get("/manage/instruments/", {"status": "standby"}))
    assert first.count('href="/manage/instruments/') >= 50
    assert "status=standby&amp;page=2" in first or "page=2&amp;status=standby" in first
    second = client.get("/manage/instruments/", {"status": "standby", "page": 2})
    assert _page(second).count("/edit/") == 5


def test_retired_instruments_are_listed_only_under_their_own_filter(network: Any, browser: Any) -> None:
    make_instrument(network["zju"], "ZJU-GONE", retired="2026-01-01T00:00:00Z")
    client = browser("alice")
    assert "ZJU-GONE" not in _page(client.get("/manage/instruments/"))
    assert "ZJU-GONE" in _page(client.get("/manage/instruments/", {"status": "retired"}))


# --- who may come in --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/manage/instruments/", "/manage/instruments/new/", "/manage/instruments/import/"]
)
def test_anonymous_is_sent_to_sign_in(network: Any, url: str) -> None:
    res = Client().get(url)
    assert res.status_code == 302
    assert res["Location"] == f"/login/?next={url}"


def test_anonymous_cannot_retire(network: Any) -> None:
    inst = make_instrument(network["zju"])
    res = Client().post(f"/manage/instruments/{inst.pk}/retire/")
    assert res.status_code == 302
    assert res["Location"].startswith("/login/")
    inst.refresh_from_db()
    assert inst.retired is None


def test_a_user_who_manages_nothing_is_told_so(network: Any, people: Any, browser: Any) -> None:
    eve = browser("eve")
    res = eve.get("/manage/instruments/")
    assert res.status_code == 200
    assert "您还没有可管理的单位" in _page(res)
    assert eve.get("/manage/instruments/new/").status_code == 403
    assert eve.get("/manage/instruments/import/").status_code == 403
    res = eve.post("/manage/instruments/new/", {**FORM, "institution": network["zju"].pk})
    assert res.status_code == 403
    assert not Instrument.objects.exists()


def test_bob_cannot_edit_a_zju_instrument(network: Any, browser: Any) -> None:
    inst = make_instrument(network["zju"])
    bob = browser("bob")
    assert bob.get(f"/manage/instruments/{inst.pk}/edit/").status_code == 404
    res = bob.post(f"/manage/instruments/{inst.pk}/edit/", {**FORM, "name": "被改名"})
    assert res.status_code == 404
    assert "无权管理" in _page(res)
    inst.refresh_from_db()
    assert inst.name == "场发射透射电子显微镜"
    assert not AuditEvent.objects.exists()


def test_bob_cannot_retire_a_zju_instrument(network: Any, browser: Any) -> None:
    inst = make_instrument(network["zju"])
    bob = browser("bob")
    assert bob.get(f"/manage/instruments/{inst.pk}/retire/").status_code == 404
    assert bob.post(f"/manage/instruments/{inst.pk}/retire/").status_code == 404
    inst.refresh_from_db()
    assert inst.retired is None


def test_bob_cannot_create_in_zju_through_the_form(network: Any, browser: Any) -> None:
    res = browser("bob").post("/manage/instruments/new/", {**FORM, "institution": network["zju"].pk})
    assert res.status_code == 422  # zju is not among the institutions offered to bob
    assert not Instrument.objects.exists()


def test_a_missing_instrument_is_404(network: Any, browser: Any) -> None:
    assert browser("alice").get("/manage/instruments/999999/edit/").status_code == 404


# --- create and edit --------------------------------------------------------------------------------------


def test_create_via_the_form_writes_one_instrument_and_one_audit_row(network: Any, browser: Any) -> None:
    res = browser("alice").post("/manage/instruments/new/", {**FORM, "institution": network["zju"].pk})
    assert res.status_code == 302
    inst = Instrument.objects.get()
    assert inst.institution == network["zju"]
    assert str(inst.original_value) == "6800000.00"
    assert inst.modes == ["sample", "assisted"]
    assert inst.disciplines == ["化学", "材料科学"]
    assert inst.region_id == "330100"  # the institution's, as the region was left blank
    assert AuditEvent.objects.filter(action="instrument.create", object_id=str(inst.pk)).count() == 1
    assert AuditEvent.objects.count() == 1
    follow = browser("alice").get(res["Location"])
    assert "ZJU-2024-0100" in _page(follow)


def test_a_choice_the_form_cannot_parse_shows_its_field_error(network: Any, browser: Any) -> None:
    res = browser("alice").post(
        "/manage/instruments/new/", {**FORM, "institution": network["zju"].pk, "category": "9999"}
    )
    assert res.status_code == 422
    page = _page(res)
    assert re.search(r'<select name="category"[^>]*aria-invalid="true"', page)
    assert 'id="id_category_error"' in page
    assert "未保存" in page
    assert not Instrument.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_value_the_service_refuses_shows_its_field_error(network: Any, browser: Any) -> None:
    res = browser("alice").post(
        "/manage/instruments/new/",
        {**FORM, "institution": network["zju"].pk, "original_value": "很多", "region": "999999"},
    )
    assert res.status_code == 422
    page = _page(res)
    assert "应为金额" in page  # the records module's message, on the original_value field
    assert "未知的行政区划代码" in page
    assert 'value="很多"' in page  # what the user typed is kept for correction
    assert not Instrument.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_taken_inventory_number_is_409_on_the_field(network: Any, browser: Any) -> None:
    make_instrument(network["zju"], FORM["inventory_no"])
    res = browser("alice").post("/manage/instruments/new/", {**FORM, "institution": network["zju"].pk})
    assert res.status_code == 409
    assert "已存在" in _page(res)
    assert Instrument.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_edit_saves_the_changes_and_audits_them(network: Any, browser: Any) -> None:
    inst = make_instrument(network["zju"])
    res = browser("alice").post(
        f"/manage/instruments/{inst.pk}/edit/",
        {**FORM, "inventory_no": inst.inventory_no, "status": "awaiting_repair", "institution": 999},
    )
    assert res.status_code == 302
    inst.refresh_from_db()
    assert inst.status == "awaiting_repair"
    assert inst.name == FORM["name"]
    assert inst.institution == network["zju"]  # an instrument never moves institution
    ev = AuditEvent.objects.get(action="instrument.update")
    assert ev.before["status"] == "normal" and ev.after["status"] == "awaiting_repair"


def test_a_bad_edit_changes_nothing(network: Any, browser: Any) -> None:
    inst = make_instrument(network["zju"])
    res = browser("alice").post(
        f"/manage/instruments/{inst.pk}/edit/", {**FORM, "original_value": "-5", "name": "新名字"}
    )
    assert res.status_code == 422
    assert "金额应在" in _page(res)
    inst.refresh_from_db()
    assert inst.name == "场发射透射电子显微镜"
    assert not AuditEvent.objects.exists()


# --- retire -----------------------------------------------------------------------------------------------


def test_retire_asks_first_then_hides_the_instrument_from_search(network: Any, browser: Any) -> None:
    inst = make_instrument(network["zju"])
    alice = browser("alice")
    alice.get(f"/manage/instruments/{inst.pk}/retire/")
    inst.refresh_from_db()
    assert inst.retired is None  # the confirm page itself changes nothing
    res = alice.post(f"/manage/instruments/{inst.pk}/retire/", {"reason": "已报废"})
    assert res.status_code == 302
    assert not queries.search(queries.InstrumentFilters()).filter(pk=inst.pk).exists()
    assert Client().get("/api/v1/instruments").json()["count"] == 0
    ev = AuditEvent.objects.get(action="instrument.retire")
    assert ev.reason == "已报废"
    assert alice.get(f"/manage/instruments/{inst.pk}/edit/").status_code == 404


# --- import -----------------------------------------------------------------------------------------------


def _upload(client: Client, institution: Any, content: bytes, name: str = "inventory.csv") -> Any:
    return client.post(
        "/manage/instruments/import/",
        {
            "action": "check",
            "institution": institution.pk,
            "file": SimpleUploadedFile(name, content, content_type="text/csv"),
        },
    )


def test_a_good_file_is_checked_then_imported_on_confirmation(network: Any, browser: Any) -> None:
    alice = browser("alice")
    res = _upload(alice, network["zju"], GOOD_CSV)
    assert res.status_code == 200
    page = _page(res)
    assert "文件检查通过" in page
    assert "<dd>2</dd>" in page  # two to create
    assert not Instrument.objects.exists()  # the check is a dry run
    res = alice.post("/manage/instruments/import/", {"action": "confirm"})
    assert res.status_code == 302
    assert set(Instrument.objects.values_list("inventory_no", flat=True)) == {"ZJU-IMP-001", "ZJU-IMP-002"}
    assert set(Instrument.objects.values_list("institution_id", flat=True)) == {network["zju"].pk}
    assert "新增 2 台" in _page(alice.get(res["Location"]))
    # The pending upload was used up: confirming again imports nothing more.
    again = alice.post("/manage/instruments/import/", {"action": "confirm"})
    assert again.status_code == 302 and again["Location"] == "/manage/instruments/import/"
    assert Instrument.objects.count() == 2


def test_reimporting_counts_updates(network: Any, browser: Any) -> None:
    make_instrument(network["zju"], "ZJU-IMP-001")
    res = _upload(browser("alice"), network["zju"], GOOD_CSV)
    page = _page(res)
    assert "<dd>1</dd>" in page
    assert page.count("<dd>1</dd>") == 2  # one new, one updated


def test_a_bad_file_lists_its_bad_rows_and_imports_nothing(network: Any, browser: Any) -> None:
    alice = browser("alice")
    res = _upload(alice, network["zju"], BAD_CSV)
    assert res.status_code == 422
    page = _page(res)
    assert "未导入任何数据" in page
    assert "9999" in page  # the unknown category, in its row's message
    assert "<td>category</td>" in page
    assert "<td>original_value</td>" in page
    assert "确认导入" not in page
    assert not Instrument.objects.exists()
    # Nothing is pending: a confirmation now has nothing to import.
    assert alice.post("/manage/instruments/import/", {"action": "confirm"}).status_code == 302
    assert not Instrument.objects.exists()


def test_bob_cannot_import_into_zju(network: Any, browser: Any) -> None:
    res = _upload(browser("bob"), network["zju"], GOOD_CSV)
    assert res.status_code == 422  # zju is not offered to bob
    assert not Instrument.objects.exists()


def test_an_upload_without_a_file_is_refused(network: Any, browser: Any) -> None:
    res = browser("alice").post(
        "/manage/instruments/import/", {"action": "check", "institution": network["zju"].pk}
    )
    assert res.status_code == 422
    assert not Instrument.objects.exists()


def test_an_xlsx_file_with_chinese_headers_imports(network: Any, browser: Any) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["资产编号", "仪器名称", "分类编码", "原值"])
    sheet.append(["ZJU-X-1", "激光共聚焦显微镜", "0101", 3100000])
    buffer = io.BytesIO()
    book.save(buffer)
    alice = browser("alice")
    res = _upload(alice, network["zju"], buffer.getvalue(), name="清单.xlsx")
    assert res.status_code == 200, _page(res)[-3000:]
    assert alice.post("/manage/instruments/import/", {"action": "confirm"}).status_code == 302
    assert Instrument.objects.get().name == "激光共聚焦显微镜"


def test_a_confirmed_upload_leaves_no_file_behind(network: Any, browser: Any) -> None:
    alice = browser("alice")
    _upload(alice, network["zju"], GOOD_CSV)
    token = alice.session[views.PENDING_SESSION_KEY]["token"]
    assert (views.PENDING_DIR / token).is_file()
    alice.post("/manage/instruments/import/", {"action": "confirm"})
    assert not (views.PENDING_DIR / token).exists()
    assert views.PENDING_SESSION_KEY not in alice.session


def test_cancelling_a_checked_upload_imports_nothing(network: Any, browser: Any) -> None:
    alice = browser("alice")
    _upload(alice, network["zju"], GOOD_CSV)
    token = alice.session[views.PENDING_SESSION_KEY]["token"]
    assert alice.post("/manage/instruments/import/", {"action": "cancel"}).status_code == 302
    assert not (views.PENDING_DIR / token).exists()
    alice.post("/manage/instruments/import/", {"action": "confirm"})
    assert not Instrument.objects.exists()


def test_a_file_without_the_required_columns_is_named_as_the_header(network: Any, browser: Any) -> None:
    res = _upload(browser("alice"), network["zju"], "名称,备注\n电镜,无\n".encode())
    assert res.status_code == 422
    assert "表头" in _page(res)
    assert not Instrument.objects.exists()


def test_the_list_costs_the_same_queries_for_few_or_many_rows(network: Any, browser: Any) -> None:
    alice = browser("alice")

    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert alice.get("/manage/instruments/").status_code == 200
        return len(captured)

    make_instrument(network["zju"], "ZJU-0")
    few = queries_for_list()
    for n in range(1, 30):
        make_instrument(network["zju"], f"ZJU-{n}")
    assert queries_for_list() == few
