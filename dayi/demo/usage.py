"""Generated usage records for the demo instruments, so the utilisation dashboards, the idle list and the
evaluation have something to show. Like all demo data they are made up (and said to be): a few busy
instruments and many nearly idle ones, over the 24 months before the load, in working hours.

Written in one INSERT … SELECT (no Python loop over rows), seeded so a seed gives the same records, then
the statistics are refreshed in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

# Records per instrument on average, and at most in all: the 100,000-instrument load stays quick.
PER_INSTRUMENT = 20
AT_MOST = 100_000
# The refresh writes a row per instrument and month (35 months here) whatever the usage: about 6 s per
# 1,000 instruments (31 s for the default 5,000). Above this many instruments the load leaves it to the
# ``stats.refresh`` job (every 10 minutes beside ``dayi demo``'s server) or to ``dayi stats_refresh``.
REFRESH_UP_TO = 10_000


def load(seed: int, instruments: int, *, now: dt.datetime) -> int:
    """Write the usage records of the demo instruments; returns how many."""
    count = min(instruments * PER_INSTRUMENT, AT_MOST)
    with connection.cursor() as cur:
        cur.execute("SELECT setseed(%s)", [((seed * 7919) % 10_000) / 10_000.0])
        # An instrument index x = ⌈n × u²⌉ for uniform u: low indexes busy, high ones idle. Seven in ten
        # records are by users of the holder (internal), the rest by any demo user (mostly external).
        cur.execute(
            """
            WITH inst AS (
                SELECT array_agg(i.id ORDER BY i.id) AS ids,
                       array_agg(i.institution_id ORDER BY i.id) AS owners
                FROM directory_instrument i
                JOIN demo_demoinstitution d ON d.institution_id = i.institution_id
                WHERE i.retired IS NULL
            ), users AS (
                SELECT array_agg(u.id ORDER BY u.id) AS ids FROM accounts_user u
                JOIN demo_demouser d ON d.user_id = u.id
            ), pick AS (
                SELECT greatest(1, ceil(cardinality(inst.ids) * power(random(), 2))::int) AS x,
                       random() AS who,
                       date_trunc('day', %(now)s::timestamptz - random() * interval '730 days')
                           + interval '1 hour' + floor(random() * 14) * interval '30 minutes' AS s,
                       (1 + floor(random() * 8)) / 2.0 AS h
                FROM generate_series(1, %(count)s), inst
                WHERE cardinality(inst.ids) > 0
            )
            INSERT INTO booking_usagerecord (start, "end", hours, source, confirmed, confirmed_at,
                                             superseded, claimed_end, auto_closed, reason, created,
                                             instrument_id, user_id, operator_id)
            SELECT p.s, p.s + p.h * interval '1 hour', p.h, 'manager', true, p.s + p.h * interval '1 hour',
                   false, NULL, false,
                   '演示数据（生成）(generated demo data)', p.s + p.h * interval '1 hour',
                   inst.ids[p.x],
                   coalesce(
                       CASE WHEN p.who < 0.7 THEN (
                           SELECT u.id FROM accounts_user u
                           WHERE u.institution_id = inst.owners[p.x] ORDER BY u.id LIMIT 1
                       ) END,
                       users.ids[1 + floor(p.who * cardinality(users.ids))::int]
                   ),
                   NULL
            FROM pick p, inst, users
            WHERE cardinality(users.ids) > 0 AND p.s < %(now)s
            """,
            {"now": now, "count": count},
        )
        return cur.rowcount


def refresh_statistics(now: dt.datetime, instruments: int) -> bool:
    """Refresh the utilisation statistics now, for a load of up to REFRESH_UP_TO instruments; say if so."""
    from dayi.stats import queries

    if instruments > REFRESH_UP_TO:
        queries.require_full_refresh()  # the generated records are dated in the past: not seen as changes
        return False
    queries.refresh(now=now)
    return True
