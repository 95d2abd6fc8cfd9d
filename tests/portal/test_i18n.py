"""The English catalogue: complete for the portal, and its committed .mo compiled from the committed .po."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import polib
import pytest
from django.utils import translation

from dayi.portal.labels import CHOICES

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "dayi" / "locale" / "en" / "LC_MESSAGES" / "django.po"
# Other engineers' templates are extracted too; these are the ones this catalogue must always cover.
COVERED = ("dayi/templates/base.html", "dayi/templates/core/", "dayi/templates/portal/", "dayi/portal/")


def _script() -> ModuleType:
    path = ROOT / "scripts" / "compile_messages.py"
    spec = importlib.util.spec_from_file_location("compile_messages", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_mo_is_compiled_from_the_committed_po() -> None:
    script = _script()
    assert PO.with_suffix(".mo").read_bytes() == script.compiled(PO), "run python scripts/compile_messages.py"


def test_every_portal_string_has_an_english_translation() -> None:
    po = polib.pofile(str(PO))
    translated = {e.msgid for e in po if e.translated()}
    found = _script().extract()
    missing = [
        msgid
        for msgid, places in found.items()
        if any(p.startswith(COVERED) for p in places) and msgid.split("\x00")[0] not in translated
    ]
    assert not missing, "run scripts/compile_messages.py --extract and translate: " + ", ".join(missing)


@pytest.mark.parametrize("kind", sorted(CHOICES))
def test_every_coded_label_the_portal_shows_is_translated(kind: str) -> None:
    for _value, label in CHOICES[kind].choices:
        with translation.override("zh-hans"):
            chinese = str(label)
        with translation.override("en"):
            assert str(label) != chinese, chinese


def test_chinese_stays_the_source_language() -> None:
    with translation.override("zh-hans"):
        assert translation.gettext("仪器检索") == "仪器检索"
    with translation.override("en"):
        assert translation.gettext("仪器检索") == "Find instruments"
