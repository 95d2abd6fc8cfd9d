"""Hostile uploads: a zip bomb and an oversized file are refused before they are parsed whole."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.test import Client
from django.test.client import MULTIPART_CONTENT

from dayi.accounts.access import actor_for
from dayi.directory import importing
from dayi.directory.errors import ImportFileTooLarge
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

FIFTY_MB = 50 * 1024 * 1024


def zip_bomb(unpacked_mb: int = 40) -> bytes:
    """A workbook-shaped zip whose sheet is megabytes of one repeated byte: it packs a thousandfold."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            chunk = b"<c><v>0</v></c>" * 65536
            for _ in range(unpacked_mb * 1024 * 1024 // len(chunk)):
                sheet.write(chunk)
    return out.getvalue()


@pytest.fixture
def openpyxl_must_not_open(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("openpyxl was asked to open the bomb")

    monkeypatch.setattr("openpyxl.load_workbook", refuse)


def test_a_zip_bomb_is_refused_before_openpyxl_opens_it(
    network: Any, people: Any, openpyxl_must_not_open: None
) -> None:
    bomb = zip_bomb()
    assert len(bomb) < 1024 * 1024  # small on the wire

    with pytest.raises(ImportFileTooLarge):
        importing.import_instruments(
            actor_for(people["alice"]), network["zju"].pk, bomb, filename="a.xlsx", now=NOW
        )


def test_a_workbook_unpacking_past_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing, "XLSX_MAX_UNPACKED_BYTES", 1024)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:  # stored: no ratio to notice
        archive.writestr("xl/worksheets/sheet1.xml", b"x" * 4096)

    with pytest.raises(ImportFileTooLarge):
        importing.check_zip_sizes(out.getvalue())


def test_an_ordinary_workbook_passes_the_check() -> None:
    from openpyxl import Workbook

    book = Workbook()
    for n in range(2000):
        book.active.append([f"ZJU-{n:05d}", f"液相色谱-质谱联用仪{n}", "0102", 3200000])
    out = io.BytesIO()
    book.save(out)

    importing.check_zip_sizes(out.getvalue())  # no error


def test_the_api_answers_a_zip_bomb_with_413(api_as: Any, network: Any, openpyxl_must_not_open: None) -> None:
    upload = io.BytesIO(zip_bomb())
    upload.name = "bomb.xlsx"

    res = api_as("alice").post(
        "/api/v1/instruments/import",
        {"file": upload, "institution": str(network["zju"].pk)},
        content_type=MULTIPART_CONTENT,
    )

    assert res.status_code == 413, res.content
    assert res.json()["error"]["code"] == "file_too_large"


@pytest.mark.parametrize("path", ["/api/v1/instruments/import", "/manage/instruments/import/"])
def test_a_50_mb_upload_is_refused_from_its_declared_length(people: Any, path: str) -> None:
    client = Client()
    client.force_login(people["alice"])

    # The body is a few bytes; the header says 50 MB. Nothing reads or buffers the body.
    res = client.generic(
        "POST",
        path,
        b"--b\r\n",
        content_type="multipart/form-data; boundary=b",
        CONTENT_LENGTH=str(FIFTY_MB),
    )

    assert res.status_code == 413


def test_a_real_50_mb_csv_gets_413_not_a_parse(api_as: Any, network: Any, monkeypatch: Any) -> None:
    parsed: list[bytes] = []
    monkeypatch.setattr(importing, "read_csv", lambda *a, **k: parsed.append(b"x"))
    upload = io.BytesIO(b"a,b\n" + b"1,2\n" * (FIFTY_MB // 4))
    upload.name = "big.csv"

    res = api_as("alice").post(
        "/api/v1/instruments/import",
        {"file": upload, "institution": str(network["zju"].pk)},
        content_type=MULTIPART_CONTENT,
    )

    assert res.status_code == 413, res.content[:300]
    assert not parsed
