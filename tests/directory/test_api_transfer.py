from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT
from openpyxl import load_workbook

from dayi.directory import importing
from dayi.directory.models import Instrument
from tests.conftest import make_instrument

pytestmark = pytest.mark.django_db

IMPORT = "/api/v1/instruments/import"
EXPORT = "/api/v1/instruments/export"
UNIQUIP = Path(__file__).parent / "data" / "st_andrews_uniquip_equipment.csv"
HEADER = "所属单位内部编号,仪器名称（中文）,分类编码,原值（万元）,服务方式\r\n"


def inventory_csv(*rows: str) -> bytes:
    return ("\ufeff" + HEADER + "".join(r + "\r\n" for r in rows)).encode("utf-8")


GOOD = inventory_csv(
    "ZJU-1,场发射透射电子显微镜,0101,850,占用共享;委托共享", "ZJU-2,核磁共振波谱仪,0106,600,送样检测"
)


def upload(client: Any, content: bytes, name: str = "inventory.csv", **form: Any) -> Any:
    data = {"file": SimpleUploadedFile(name, content), **form}
    return client.post(IMPORT, data, content_type=MULTIPART_CONTENT)


def test_a_manager_imports_a_file(network: Any, api_as: Any) -> None:
    res = upload(api_as("alice"), GOOD, institution=network["zju"].pk)

    assert res.status_code == 200, res.content
    body = res.json()
    assert (body["created"], body["updated"], body["dry_run"]) == (2, 0, False)
    assert Instrument.objects.get(inventory_no="ZJU-1").original_value == 8500000


def test_a_bad_row_answers_422_naming_the_row_and_field(network: Any, api_as: Any) -> None:
    content = inventory_csv("ZJU-1,透射电镜,0101,850,占用共享", "ZJU-2,核磁,0106,six hundred,送样检测")

    res = upload(api_as("alice"), content, institution=network["zju"].pk)

    assert res.status_code == 422
    error = res.json()["error"]
    assert error["code"] == "validation_error"
    assert error["rows"] == [
        {
            "row": 2,
            "field": "original_value",
            "column": "原值（万元）",
            "message": error["rows"][0]["message"],
        }
    ]
    assert "data rows from 1" in error["message"]
    assert not Instrument.objects.exists()


def test_a_dry_run_answers_counts_and_writes_nothing(network: Any, api_as: Any) -> None:
    res = upload(api_as("alice"), GOOD, institution=network["zju"].pk, dry_run="true")

    assert res.status_code == 200
    assert (res.json()["created"], res.json()["dry_run"]) == (2, True)
    assert not Instrument.objects.exists()


def test_it_refuses_a_manager_of_another_institution(network: Any, api_as: Any) -> None:
    res = upload(api_as("bob"), GOOD, institution=network["zju"].pk)

    assert res.status_code == 403
    assert res.json()["error"]["code"] == "forbidden"
    assert not Instrument.objects.exists()


def test_it_refuses_a_customer(network: Any, api_as: Any) -> None:
    res = upload(api_as("eve"), GOOD, institution=network["zju"].pk)

    assert res.status_code == 403


def test_it_requires_sign_in(network: Any, anon: Any) -> None:
    res = upload(anon, GOOD, institution=network["zju"].pk)

    assert res.status_code == 401
    assert res.json()["error"]["code"] == "not_authenticated"


def test_an_unknown_institution_is_a_validation_error(network: Any, api_as: Any) -> None:
    res = upload(api_as("root"), GOOD, institution=999999)

    assert res.status_code == 422
    assert "institution" in res.json()["error"]["fields"]


def test_a_missing_file_is_a_bad_request(network: Any, api_as: Any) -> None:
    res = api_as("alice").post(IMPORT, {"institution": network["zju"].pk}, content_type=MULTIPART_CONTENT)

    assert res.status_code == 400
    assert res.json()["error"]["code"] == "bad_request"


def test_a_file_over_the_limit_is_413(network: Any, api_as: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(importing, "MAX_BYTES", 100)

    res = upload(api_as("alice"), GOOD + b"x" * 200, institution=network["zju"].pk)

    assert res.status_code == 413
    assert res.json()["error"]["code"] == "file_too_large"


def test_a_file_that_is_neither_csv_nor_xlsx_is_415(network: Any, api_as: Any) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)

    res = upload(api_as("alice"), png, name="photo.png", institution=network["zju"].pk)

    assert res.status_code == 415
    assert res.json()["error"]["code"] == "unsupported_format"


def test_a_broken_xlsx_is_415(network: Any, api_as: Any) -> None:
    res = upload(api_as("alice"), b"PK\x03\x04not really a zip", name="a.xlsx", institution=network["zju"].pk)

    assert res.status_code == 415


def test_an_unknown_format_parameter_is_422(network: Any, api_as: Any) -> None:
    res = upload(api_as("alice"), GOOD, institution=network["zju"].pk, format="dbf")

    assert res.status_code == 422
    assert "format" in res.json()["error"]["fields"]


def test_uniquip_through_the_api_reports_what_the_feed_lacks(network: Any, api_as: Any) -> None:
    res = upload(
        api_as("alice"),
        UNIQUIP.read_bytes(),
        name="equipment.csv",
        institution=network["zju"].pk,
        format="uniquip",
        default_category="12",
        default_value="500000",
        dry_run="true",
    )

    assert res.status_code == 200, res.content
    body = res.json()
    assert body["created"] == 623
    assert body["report"]["defaults_used"] == {"category": 623, "original_value": 623}
    assert body["report"]["missing"]["manufacturer"] == 623


def test_uniquip_without_defaults_names_the_missing_parameters(network: Any, api_as: Any) -> None:
    res = upload(api_as("alice"), UNIQUIP.read_bytes(), institution=network["zju"].pk, format="uniquip")

    assert res.status_code == 422
    assert set(res.json()["error"]["fields"]) == {"default_category", "default_value"}


# --- export ------------------------------------------------------------------------------------------------


def exported_rows(res: Any) -> list[list[str]]:
    content = b"".join(res.streaming_content)
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_anyone_exports_csv_filtered_like_search(network: Any, anon: Any) -> None:
    make_instrument(network["zju"], "ZJU-1")
    make_instrument(network["zju"], "ZJU-2", category_id="0102", name="液相色谱-质谱联用仪")
    make_instrument(network["pku"], "PKU-1", category_id="0102", name="气相色谱-质谱联用仪")

    res = anon.get(EXPORT, {"format": "csv", "category": "0102", "institution": network["zju"].pk})

    assert res.status_code == 200
    assert res["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in res["Content-Disposition"]
    rows = exported_rows(res)
    assert rows[0][0] == "所属单位内部编号"
    assert [r[0] for r in rows[1:]] == ["ZJU-2"]


def test_export_with_english_headers(network: Any, anon: Any) -> None:
    make_instrument(network["zju"], "ZJU-1")

    rows = exported_rows(anon.get(EXPORT, {"headers": "en"}))

    assert rows[0][:4] == ["inventory_no", "name", "name_en", "category"]
    assert rows[1][rows[0].index("modes")] == "self;assisted;sample"


def test_export_xlsx(network: Any, anon: Any) -> None:
    make_instrument(network["zju"], "ZJU-1")

    res = anon.get(EXPORT, {"format": "xlsx"})

    assert res.status_code == 200
    assert res["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(res.streaming_content))).worksheets[0]
    assert [c.value for c in next(sheet.iter_rows(max_row=1))][:2] == ["所属单位内部编号", "仪器名称（中文）"]
    assert sheet.max_row == 2


def test_export_refuses_bad_filters_and_formats(network: Any, anon: Any) -> None:
    assert anon.get(EXPORT, {"category": "abc"}).status_code == 422
    res = anon.get(EXPORT, {"format": "pdf"})
    assert res.status_code == 422
    assert "format" in res.json()["error"]["fields"]


def test_an_export_imports_back_through_the_api(network: Any, api_as: Any, anon: Any) -> None:
    make_instrument(network["zju"], "ZJU-1", disciplines=["材料科学"], contact="王老师")
    make_instrument(network["zju"], "ZJU-2", category_id="0102", modes=["remote"])
    exported = b"".join(anon.get(EXPORT, {"institution": network["zju"].pk}).streaming_content)

    res = upload(api_as("alice"), exported, name="export.csv", institution=network["zju"].pk)

    assert res.status_code == 200, res.content
    assert (res.json()["created"], res.json()["updated"], res.json()["unchanged"]) == (0, 0, 2)


def test_imported_instruments_are_found_by_search_and_exported_by_query(
    network: Any, api_as: Any, anon: Any
) -> None:
    upload(api_as("alice"), GOOD, institution=network["zju"].pk)

    found = anon.get("/api/v1/instruments", {"q": "核磁共振"}).json()
    rows = exported_rows(anon.get(EXPORT, {"q": "核磁共振"}))

    assert [i["inventory_no"] for i in found["items"]] == ["ZJU-2"]
    assert [r[0] for r in rows[1:]] == ["ZJU-2"]
