"""The UK "uniquip" equipment feed (equipment.data.ac.uk) mapped onto Dayi's instrument record.

A uniquip file lists what a university shares: a description, a department, a contact, a place, a web page.
It has no classification code, no original value, no model or maker, so an import maps what the feed has,
fills the two required fields from defaults given with the import, and reports per file what it lacked.

Mapping (uniquip column → Dayi field):
    ID → inventory_no (when absent: "UQ-" and a hash of the row, stable across re-imports of the same feed)
    Name, else Description → name and name_en (the feed is English)
    Description (when a Name is given, or when longer than a name), Technique → functions
    Department → unit;  Site Location, Building, Location (unless it is a URL) → location
    Contact Name, Contact Telephone, Contact Email (and the secondary contact) → contact
    Web Address, else Contact URL → booking_url;  Service Level → services
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext

from dayi.core.errors import ValidationFailed
from dayi.directory.importing import (
    Parsed,
    RawRow,
    RowError,
    Table,
    data_rows,
    find_header,
    is_blank,
    normalise_header,
)
from dayi.directory.records import TEXT_LIMITS, Lookups, clean_instrument

if TYPE_CHECKING:
    from dayi.directory.importing import Defaults

# UK feeds that are not UTF-8 are Windows-1252 (the St Andrews sample carries one stray 0xCA byte).
FALLBACK_ENCODING = "cp1252"

COLUMNS = (
    "Type",
    "Name",
    "Description",
    "Related Facility ID",
    "Technique",
    "Location",
    "Contact Name",
    "Contact Telephone",
    "Contact URL",
    "Contact Email",
    "Secondary Contact Name",
    "Secondary Contact Telephone",
    "Secondary Contact URL",
    "Secondary Contact Email",
    "ID",
    "Photo",
    "Department",
    "Site Location",
    "Building",
    "Service Level",
    "Web Address",
)
KNOWN = {normalise_header(c): c for c in COLUMNS}
# Columns Dayi has no field for; reported, not imported.
UNMAPPED = ("Type", "Related Facility ID", "Photo", "Secondary Contact URL")
# National record fields a uniquip feed never carries.
NEVER_CARRIED = (
    "category",
    "original_value",
    "model",
    "manufacturer",
    "country",
    "source",
    "purpose",
    "in_service_date",
    "specs",
    "disciplines",
    "results",
    "opening_rules",
    "fees_note",
    "region",
)
REPORTED_FIELDS = (
    "name",
    "functions",
    "unit",
    "location",
    "contact",
    "booking_url",
    "services",
    *NEVER_CARRIED,
)
EMAIL = re.compile(r"[^\s@<>,;]+@[A-Za-z0-9.-]+[A-Za-z]")


def looks_like_uniquip(table: Table) -> bool:
    return find_header(table.rows, _known, at_least=3) is not None


def _known(header: Any) -> bool:
    return normalise_header(header) in KNOWN


def uniquip_rows(table: Table, defaults: Defaults, lookups: Lookups) -> Parsed:
    header_at = find_header(table.rows, _known, at_least=2)
    if header_at is None:
        message = gettext("未找到 uniquip 表头（Description, Department, Contact Email …）")
        return Parsed(rows=[], columns={}, errors=[RowError(0, "", message)])
    header = table.rows[header_at]
    index = {KNOWN[normalise_header(h)]: i for i, h in enumerate(header) if _known(h)}
    fill = _checked_defaults(defaults, lookups)
    occurrences: Counter[str] = Counter()
    rows: list[RawRow] = []
    generated = 0
    for number, cells in data_rows(table.rows, header_at):
        record = {name: _value(cells, i) for name, i in index.items()}
        generated += not record.get("ID")
        rows.append(RawRow(number, {**fill, **_map(record, occurrences)}))
    parsed = Parsed(
        rows=rows,
        columns={"inventory_no": "ID", "name": "Description"},
        ignored_columns=[str(h).strip() for h in header if not is_blank(h) and not _known(h)],
    )
    parsed.report = _report(rows, index, fill, defaults) | {"generated_inventory_numbers": generated}
    return parsed


def _checked_defaults(defaults: Defaults, lookups: Lookups) -> dict[str, Any]:
    """The defaults as raw values, refused up front rather than once per row."""
    errors: dict[str, list[str]] = {}
    if is_blank(defaults.category):
        errors["default_category"] = [gettext("uniquip 文件没有分类编码，请指定默认分类")]
    if is_blank(defaults.original_value):
        errors["default_value"] = [gettext("uniquip 文件没有原值，请指定默认原值（元）")]
    if not errors:
        raw = {"category": defaults.category, "original_value": defaults.original_value}
        _, problems = clean_instrument(raw, lookups, partial=True)
        for key, messages in problems.items():
            errors["default_value" if key == "original_value" else "default_category"] = messages
    if errors:
        raise ValidationFailed(gettext("uniquip 导入需要默认分类和原值"), fields=errors)
    return {"category": defaults.category, "original_value": defaults.original_value}


def _value(cells: list[Any], i: int) -> str:
    value = cells[i] if i < len(cells) else None
    return "" if value is None else str(value).strip()


def _map(record: dict[str, str], occurrences: Counter[str]) -> dict[str, Any]:
    get = record.get
    description = get("Description", "")
    name = get("Name") or description
    limit = TEXT_LIMITS["name"]
    functions = [get("Technique", "")]
    if (get("Name") and description and description != name) or len(name) > limit:
        functions.insert(0, description)
    return {
        "inventory_no": get("ID") or _generated_id(record, occurrences),
        "name": name[:limit],
        "name_en": name[: TEXT_LIMITS["name_en"]],
        "functions": "\n".join(f for f in functions if f),
        "unit": get("Department", ""),
        "location": ", ".join(_place(record)),
        "contact": " ".join(_contact(record)),
        "booking_url": _url(get("Web Address", "")) or _url(get("Contact URL", "")),
        "services": get("Service Level", ""),
    }


def _generated_id(record: dict[str, str], occurrences: Counter[str]) -> str:
    """A stable number for a feed without IDs; identical rows (five units of one thing) get -2, -3 …"""
    key = "|".join(record.get(c, "").lower() for c in ("Name", "Description", "Department", "Contact Email"))
    digest = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:12]
    occurrences[digest] += 1
    n = occurrences[digest]
    return f"UQ-{digest}" if n == 1 else f"UQ-{digest}-{n}"


def _place(record: dict[str, str]) -> list[str]:
    parts = [record.get("Building", ""), record.get("Site Location", "")]
    location = record.get("Location", "")
    if location and not _url(location):
        parts.append(
            location
        )  # uniquip allows a URI here (St Andrews gives a Wikipedia page); keep text only
    return [p for p in parts if p]


def _contact(record: dict[str, str]) -> list[str]:
    parts: list[str] = []
    for prefix in ("", "Secondary "):
        parts += [record.get(f"{prefix}Contact Name", ""), record.get(f"{prefix}Contact Telephone", "")]
        email = EMAIL.search(record.get(f"{prefix}Contact Email", ""))
        parts.append(email.group(0) if email else "")  # drops stray bytes glued to the address
    return [p for p in parts if p]


def _url(text: str) -> str:
    return text if text.lower().startswith(("http://", "https://")) else ""


def _report(
    rows: list[RawRow], index: dict[str, int], fill: dict[str, Any], defaults: Defaults
) -> dict[str, Any]:
    """What the feed had and lacked: rows without a value per national field, defaults used."""
    missing = {}
    for name in REPORTED_FIELDS:
        n = sum(1 for r in rows if is_blank(r.values.get(name)))
        if name in fill:
            n = len(rows)  # filled from a default, so the feed lacked it in every row
        if n:
            missing[name] = n
    return {
        "source_format": "uniquip",
        "columns_found": sorted(index, key=COLUMNS.index),
        "columns_unmapped": [c for c in UNMAPPED if c in index],
        "missing": missing,
        "defaults_used": {"category": len(rows), "original_value": len(rows)} if rows else {},
        "defaults": {"category": defaults.category, "original_value": defaults.original_value},
    }
