"""GET /api/v1/statements and /api/v1/service-records: formats and refusals."""

from __future__ import annotations

import io
import re
from typing import Any

from openpyxl import load_workbook

from tests.statements.conftest import charged, submit


def statement_url(institution: int, fmt: str = "json") -> str:
    return f"/api/v1/statements?institution={institution}&month=2026-03&format={fmt}"


def test_it_answers_a_statement_as_json(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any], api_as: Any
) -> None:
    charged(people, submit(outsiders["gina"], priced, count=3))
    body = api_as("carol").get(statement_url(outsiders["gina"].institution_id)).json()
    assert body["total"] == "240.00" and body["closing"] == "240.00" and body["month"] == "2026-03"
    assert [e["kind"] for e in body["entries"]] == ["charge"]


def test_it_writes_a_csv_with_a_bom(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any], api_as: Any
) -> None:
    charged(people, submit(outsiders["gina"], priced, count=3))
    response = api_as("carol").get(statement_url(outsiders["gina"].institution_id, "csv"))
    text = response.content.decode("utf-8")
    assert response.status_code == 200 and text.startswith("\ufeff")
    assert "上海交通大学" in text and "240.00" in text


def test_it_prints_a_pdf(priced: Any, people: dict[str, Any], outsiders: dict[str, Any], api_as: Any) -> None:
    charged(people, submit(outsiders["gina"], priced, count=3))
    response = api_as("carol").get(statement_url(outsiders["gina"].institution_id, "pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) > 1500
    assert len(re.findall(rb"/Type /Page\b", response.content)) == 1


def test_it_hides_a_statement_from_another_institution(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any], api_as: Any
) -> None:
    charged(people, submit(outsiders["gina"], priced, count=3))
    for name in ("bob", "dave", "eve"):
        response = api_as(name).get(statement_url(outsiders["gina"].institution_id))
        assert response.status_code == 404, name
        assert response.json()["error"]["code"] == "not_found"


def test_it_refuses_a_bad_month(people: dict[str, Any], api_as: Any, network: dict[str, Any]) -> None:
    response = api_as("root").get(f"/api/v1/statements?institution={network['zju'].pk}&month=2026-13")
    assert response.status_code == 422


def records_url(institution: int, fmt: str = "json") -> str:
    return f"/api/v1/service-records?institution={institution}&from=2026-03-01&to=2026-03-31&format={fmt}"


def test_service_records_carry_the_national_fields(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any], api_as: Any, network: dict[str, Any]
) -> None:
    charged(people, submit(outsiders["gina"], priced, count=3))
    body = api_as("amy").get(records_url(network["zju"].pk)).json()
    assert body["count"] == 1
    row = body["items"][0]
    assert row["amount"] == "240.00" and row["mode"] == "sample" and row["mode_name"].startswith("委托共享")
    assert row["samples"] == 3 and row["hours"] is None
    assert row["user"] == "gina" and row["user_institution"] == "上海交通大学"
    assert row["project"] == "" and row["funding_source"] == "" and row["rating"] is None


def test_service_records_leave_out_what_is_not_done_or_out_of_range(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any], api_as: Any, network: dict[str, Any]
) -> None:
    submit(outsiders["gina"], priced, count=3)  # submitted only
    charged(people, submit(outsiders["frank"], priced, count=1))
    body = api_as("alice").get(records_url(network["zju"].pk)).json()
    assert [r["user"] for r in body["items"]] == ["frank"]
    later = f"/api/v1/service-records?institution={network['zju'].pk}&from=2026-04-01"
    assert api_as("alice").get(later).json()["count"] == 0


def test_service_records_as_csv_and_xlsx(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any], api_as: Any, network: dict[str, Any]
) -> None:
    charged(people, submit(outsiders["gina"], priced, count=3))
    text = api_as("alice").get(records_url(network["zju"].pk, "csv")).content.decode("utf-8")
    assert text.startswith("\ufeff订单编号 order,收费金额（元） amount")
    assert "上海交通大学" in text
    response = api_as("alice").get(records_url(network["zju"].pk, "xlsx"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "收费金额（元） amount" and rows[1][1] == "240.00" and len(rows) == 2


def test_service_records_are_hidden_from_another_institution(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any], api_as: Any, network: dict[str, Any]
) -> None:
    charged(people, submit(outsiders["gina"], priced, count=3))
    for name in ("bob", "dave", "eve"):
        assert api_as(name).get(records_url(network["zju"].pk)).status_code == 404, name
    assert api_as("carol").get(records_url(network["zju"].pk)).status_code == 200


def test_service_records_carry_the_project_the_customer_named(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any], api_as: Any, network: dict[str, Any]
) -> None:
    order = submit(
        outsiders["gina"], priced, count=3, project="钙钛矿电池界面研究", funding_source="国家自然科学基金"
    )
    charged(people, order)
    row = api_as("amy").get(records_url(network["zju"].pk)).json()["items"][0]
    assert (row["project"], row["funding_source"]) == ("钙钛矿电池界面研究", "国家自然科学基金")
