"""Price lists of the demo instruments: every instrument that can be booked or sent samples has a rate for
each user class of each of its service modes, so a demo booking or order is never unpriced.

The rates are the figures of the instrument's published reference fee (``fees_note``, drawn by the
generator): the internal rate, 1.5 times that for other academic users and twice that for companies.
Time on the instrument (self-operated, assisted, remote) is priced per hour, sample submission per sample.
Like all demo data they are generated, not any holder's real fees.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import connection

from dayi.demo.generate import DemoData, round_fee
from dayi.directory.models import ServiceMode
from dayi.orders.models import PriceRule, PriceUnit, UserClass

# (user class, multiple of the internal rate), as the reference fee note states them
CLASSES = ((UserClass.INTERNAL, 1), (UserClass.ACADEMIC, 1.5), (UserClass.ENTERPRISE, 2))
VALID_FROM = dt.date(2024, 1, 1)  # before the oldest generated usage, order or booking


def unit_of(mode: str) -> str:
    return PriceUnit.SAMPLE if mode == ServiceMode.SAMPLE else PriceUnit.HOUR


def amount(rate: int, multiple: float) -> Decimal:
    """The class's rate, rounded as the fee note rounds it (to 10 yuan from 50 up)."""
    return Decimal(round_fee(rate * multiple)).quantize(Decimal("0.01"))


def rows(data: DemoData, instrument_ids: dict[tuple[int, str], int]) -> list[tuple[Any, ...]]:
    """(instrument id, unit, mode, user class, amount) for every mode and class of every demo instrument."""
    out = []
    for row in data.instruments:
        instrument_id = instrument_ids[(row["institution"], row["inventory_no"])]
        for mode in row["modes"]:
            for user_class, multiple in CLASSES:
                out.append((instrument_id, unit_of(mode), mode, user_class, amount(row["rate"], multiple)))
    return out


def load(data: DemoData, ids: list[int]) -> int:
    """COPY the price rules of the demo instruments in; return how many."""
    index = {pk: n for n, pk in enumerate(ids)}
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id, institution_id, inventory_no FROM directory_instrument "
            "WHERE institution_id = ANY(%s)",
            [ids],
        )
        instrument_ids = {(index[inst], no): pk for pk, inst, no in cur.fetchall()}
    found = rows(data, instrument_ids)
    table = PriceRule._meta.db_table
    columns = "instrument_id, unit, mode, user_class, amount, minimum, valid_from, valid_until, item_name"
    with connection.cursor() as cur, cur.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for instrument_id, unit, mode, user_class, price in found:
            copy.write_row(
                (instrument_id, unit, mode, user_class, price, Decimal("0.00"), VALID_FROM, None, "")
            )
    return len(found)
