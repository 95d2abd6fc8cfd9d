#!/usr/bin/env python3
"""Dayi's translation catalogues without GNU gettext: extract the marked strings and compile .po to .mo.

    python scripts/compile_messages.py            compile dayi/locale/*/LC_MESSAGES/django.po to django.mo
    python scripts/compile_messages.py --check    exit 1 if a committed .mo differs from its .po
    python scripts/compile_messages.py --extract  add newly marked strings (empty translations) to each .po

Strings are Chinese first: the msgids are the Chinese texts of the templates and the code, and the English
catalogue translates them. Marked strings are {% translate "…" %} and {% blocktranslate %} blocks in
dayi/templates/**, _("…") / gettext("…") / gettext_lazy("…") / gettext_noop("…") in dayi/**.py, and the
Chinese labels of the models' TextChoices (the portal shows them through gettext).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "dayi"
LOCALE = PACKAGE / "locale"

TRANSLATE_TAG = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.*?)\1""", re.S)
BLOCK_TAG = re.compile(r"\{%\s*blocktrans(?:late)?\b(.*?)%\}(.*?)\{%\s*endblocktrans(?:late)?\s*%\}", re.S)
BLOCK_VAR = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
PY_CALL = re.compile(
    r"""\b(?:_|gettext|gettext_lazy|gettext_noop|pgettext_lazy)\(\s*(?:"[^"]*",\s*)?(["'])((?:\\.|(?!\1).)*)\1\s*[,)]"""
)
CHOICE = re.compile(r"""^\s+[A-Z][A-Z0-9_]*\s*=\s*"[^"]*",\s*"([^"]+)"\s*$""", re.M)


PLURAL_TAG = re.compile(r"\{%\s*plural\s*%\}")


def _block_text(options: str, body: str) -> str:
    text = BLOCK_VAR.sub(lambda m: f"%({m.group(1)})s", body.replace("%", "%%"))
    if "trimmed" in options.split():
        text = " ".join(line.strip() for line in text.strip().splitlines() if line.strip())
    return text


def _block_msgid(options: str, body: str) -> str:
    """The msgid Django looks up; a plural block gives "singular\x00plural" (split again in ``update``)."""
    return "\x00".join(_block_text(options, part) for part in PLURAL_TAG.split(body, maxsplit=1))


def extract(root: Path = PACKAGE) -> dict[str, list[str]]:
    """Every marked string under ``root`` with where it occurs (``path:line``)."""
    found: dict[str, list[str]] = {}

    def add(msgid: str, path: Path, text: str, pos: int) -> None:
        if msgid:
            line = text.count("\n", 0, pos) + 1
            found.setdefault(msgid, []).append(f"{path.relative_to(ROOT)}:{line}")

    for path in sorted((root / "templates").rglob("*.html")) + sorted(root.glob("*/templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        for m in TRANSLATE_TAG.finditer(text):
            add(m.group(2), path, text, m.start())
        for m in BLOCK_TAG.finditer(text):
            add(_block_msgid(m.group(1), m.group(2)), path, text, m.start())
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for m in PY_CALL.finditer(text):
            add(m.group(2).replace('\\"', '"').replace("\\'", "'"), path, text, m.start())
        if path.name == "models.py":
            for m in CHOICE.finditer(text):
                add(m.group(1), path, text, m.start(1))
    return found


def catalogues() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))


def app_catalogues() -> list[Path]:
    """A domain's own catalogue (dayi/<app>/locale/…): compiled here, but --extract leaves it alone — its
    authors add their entries by hand, so domains built side by side never edit one file."""
    return sorted(PACKAGE.glob("*/locale/*/LC_MESSAGES/django.po"))


def compiled(po_path: Path) -> bytes:
    return polib.pofile(str(po_path)).to_binary()


def update(po_path: Path, found: dict[str, list[str]]) -> list[str]:
    """Add the strings ``po_path`` lacks (untranslated), refresh locations, mark vanished ones obsolete."""
    po = polib.pofile(str(po_path), wrapwidth=0)
    added = []
    for msgid, places in found.items():
        singular, _, plural = msgid.partition("\x00")
        entry = po.find(singular)
        if entry is None:
            entry = polib.POEntry(msgid=singular, msgstr="")
            if plural:
                entry = polib.POEntry(msgid=singular, msgid_plural=plural, msgstr_plural={0: "", 1: ""})
            po.append(entry)
            added.append(singular)
        entry.occurrences = [tuple(p.rsplit(":", 1)) for p in places[:5]]  # type: ignore[misc]
        if "%(" in msgid and "python-format" not in entry.flags:
            entry.flags.append("python-format")
    singulars = {msgid.partition("\x00")[0] for msgid in found}
    for entry in po:
        entry.obsolete = entry.msgid not in singulars  # kept as #~ for reference, left out of the .mo
    po.save(str(po_path))
    return added


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="fail if a .mo is out of date")
    parser.add_argument("--extract", action="store_true", help="add newly marked strings to the .po files")
    args = parser.parse_args()
    if args.extract:
        found = extract()
        for po_path in catalogues():
            added = update(po_path, found)
            untranslated = [e.msgid for e in polib.pofile(str(po_path)) if not e.translated()]
            print(f"{po_path.relative_to(ROOT)}: {len(added)} added, {len(untranslated)} untranslated")
        return 0
    stale = []
    for po_path in catalogues() + app_catalogues():
        mo_path = po_path.with_suffix(".mo")
        data = compiled(po_path)
        if args.check:
            if not mo_path.exists() or mo_path.read_bytes() != data:
                stale.append(str(mo_path.relative_to(ROOT)))
        else:
            mo_path.write_bytes(data)
            print(f"compiled {mo_path.relative_to(ROOT)}")
    if stale:
        print("out of date (run python scripts/compile_messages.py):", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
