"""Hostile or broken ``q``: a normal answer or a 4xx, never a 5xx, and nothing executed."""

from __future__ import annotations

from typing import Any

import pytest

from dayi.directory.models import Instrument
from tests.search.conftest import add_instrument

pytestmark = pytest.mark.django_db

HOSTILE = [
    "'; DROP TABLE directory_instrument; --",
    "' OR 1=1 --",
    '" OR ""="',
    "透射电镜' OR '1'='1",
    "TEM') | ('x",
    "tem & !tem",
    "tem:* | a <-> b",
    "'':*",
    "\\",
    "\\'",
    "%",
    "_%_",
    "%' --",
    "$$; SELECT pg_sleep(5); $$",
    "(",
    ")",
    "!!!",
    "-",
    "。，、",
    "😀",
    "😀TEM😀",
    "<script>alert(1)</script>",
    "ＴＥＭ",
    "𠀀𠀁",
    "\x01\x02\x1b[31m",
    "\u202etem",
    "\ufeff透射电镜",
    " ",
    "a" * 200,
    "透" * 200,
]


@pytest.fixture
def listed(holders: Any) -> Instrument:
    return add_instrument(holders["A"], "tem", name="透射电子显微镜", model="Talos F200X")


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_q_gets_an_answer_not_a_server_error(q: str, listed: Any, anon: Any) -> None:
    res = anon.get("/api/v1/instruments", {"q": q})
    assert res.status_code == 200, (q, res.status_code, res.content[:300])
    body = res.json()
    assert body["count"] in (0, 1)
    assert Instrument.objects.filter(pk=listed.pk).exists()  # the table survived


@pytest.mark.parametrize("q", ["tem\x00", "\x00"])
def test_a_nul_in_q_is_refused_with_422_like_every_nul(q: str, listed: Any, anon: Any) -> None:
    # PostgreSQL text cannot hold a NUL: the API refuses it in every input (docs/security.md, "Limits").
    res = anon.get("/api/v1/instruments", {"q": q})
    assert res.status_code == 422
    assert res.json()["error"]["fields"] == {"q": ["不能包含 NUL 字符"]}


@pytest.mark.parametrize("q", ["x" * 10_000, "透" * 10_000, "x" * 201])
def test_a_very_long_q_is_refused_with_a_4xx(q: str, listed: Any, anon: Any) -> None:
    res = anon.get("/api/v1/instruments", {"q": q})
    assert 400 <= res.status_code < 500
    assert res.json()["error"]["code"] in ("bad_request", "validation_error")


@pytest.mark.parametrize("q", HOSTILE[:8])
def test_hostile_q_is_safe_in_the_export_and_with_other_filters(q: str, listed: Any, anon: Any) -> None:
    res = anon.get("/api/v1/instruments", {"q": q, "region": "330000", "category": "01", "near": "330400"})
    assert res.status_code == 200
    assert anon.get("/api/v1/instruments/export", {"q": q, "format": "csv"}).status_code == 200


def test_a_quote_in_q_still_finds_the_words_around_it(listed: Any, anon: Any) -> None:
    body = anon.get("/api/v1/instruments", {"q": "透射电镜' OR '1'='1"}).json()
    # the words are 透射电镜, or and 1: "or" is in no record, so nothing matches — and nothing leaks
    assert body["count"] == 0
    assert anon.get("/api/v1/instruments", {"q": "'透射电镜'"}).json()["count"] == 1
