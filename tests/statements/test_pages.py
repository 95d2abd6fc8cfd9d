"""/statements/: the picker, a statement page, its files, and 404 for another institution."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.statements.conftest import charged, submit


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_shows_the_statement_and_its_files(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    charged(people, submit(outsiders["gina"], priced, count=3))
    url = f"/statements/institution/{outsiders['gina'].institution_id}/2026-03/"
    client = signed_in(people["carol"])
    page = client.get(url).content.decode()
    assert "上海交通大学" in page and "240.00" in page
    assert client.get(url + "?format=pdf").content.startswith(b"%PDF")
    assert "上海交通大学" in client.get("/statements/").content.decode()


def test_the_page_is_404_for_another_institution(
    priced: Any, people: dict[str, Any], outsiders: dict[str, Any]
) -> None:
    charged(people, submit(outsiders["gina"], priced, count=3))
    url = f"/statements/institution/{outsiders['gina'].institution_id}/2026-03/"
    assert signed_in(people["bob"]).get(url).status_code == 404
