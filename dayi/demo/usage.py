"""Generated usage of the demo instruments, so the utilisation dashboards, the idle list and the evaluation
show plausible figures. Like all demo data they are made up (and the records say so).

Plausible means the national figures of DOMAIN.md: an instrument works about 1,340 (2018) to 1,599 (2025)
effective hours a year on average, about a sixth of them for outside users, and idle instruments are
common. Each demo instrument draws its yearly hours around ``MEDIAN_HOURS`` (log-normal, capped below its
opening hours); one in eight is nearly idle, and one out of service works little. The hours are written as
one record per instrument and month — the month's effective hours, as a holder imports them from the
instrument's own timer (``source = import``) — for the months from January of last year to the last whole
month, each by one of the holder's own users or, one month in six, an outside user. A record per session
would take 250 records an instrument a year (1.2 million for the default 5,000 instruments, minutes to
load); monthly totals keep the load at about 23 records an instrument and the figures the same.

Each holder without a demo user gets one generated user (it cannot sign in) whose records are the
holder's own use. A few self-reported sessions at 浙江大学 wait for its manager's confirmation (they count
as unconfirmed hours until then).

Written in INSERT … SELECT statements (no Python loop over rows); the numbers are drawn from the seed and
each row's natural key, so a seed gives the same records;
the statistics are refreshed in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone

# Hours a year of a typical (median) working demo instrument, and the spread (log-normal sigma).
MEDIAN_HOURS = 1_650
SPREAD = 0.35
MOST_HOURS = 2_200  # a year's opening hours are about 2,250 (weekdays 08:30-17:30)
IDLE_SHARE = 0.12  # nearly idle instruments: 50-300 hours a year
OUT_OF_SERVICE = ("frequent_faults", "awaiting_repair", "awaiting_scrapping")
EXTERNAL_SHARE = 0.17  # of effective hours, for outside users (national: 226 of 1,340, 273 of 1,599)
# Busier and quieter months (Spring Festival in February, summer in August); they average 1.
MONTH_FACTORS = (1.0, 0.6, 1.1, 1.1, 1.05, 1.1, 0.9, 0.7, 1.1, 1.1, 1.15, 1.1)
# The refresh writes a row per instrument and month whatever the usage. Above this many instruments the
# load leaves it to the ``stats.refresh`` job (every 10 minutes beside ``dayi demo``'s server) or to
# ``dayi stats_refresh``.
REFRESH_UP_TO = 10_000
REASON = "演示数据（生成）：当月有效机时合计 (generated demo data: the month's effective hours)"
SELF_REASON = "演示数据（生成）：用户自报，待管理员确认 (generated demo data: self-reported, to confirm)"


def months(now: dt.datetime) -> tuple[dt.date, dt.date]:
    """The first and the last month with usage: January of last year to the last whole month (local)."""
    local = timezone.localtime(now).date()
    last = (local.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return dt.date(local.year - 1, 1, 1), last


# Uniform numbers in [0, 1) drawn from the seed and a row's natural key (not from random(): its sequence
# would follow the order PostgreSQL happens to read the rows in, and ids differ between loads): one md5 of
# the key gives four, from its four 8-digit quarters.
def _u(digest: str, quarter: int) -> str:
    return f"(('x' || substr({digest}, {1 + 8 * quarter}, 8))::bit(32)::bigint::float8 / 4294967296.0)"


_MONTHLY = f"""
WITH inst AS MATERIALIZED (
    SELECT i.id, i.institution_id, n.credit_code || '/' || i.inventory_no AS key,
           CASE WHEN i.status = ANY(%(out)s) THEN 0.15 ELSE 1 END AS working,
           md5(%(seed)s || ':' || n.credit_code || '/' || i.inventory_no) AS h
    FROM directory_instrument i
    JOIN demo_demoinstitution d ON d.institution_id = i.institution_id
    JOIN network_institution n ON n.id = i.institution_id
    WHERE i.retired IS NULL
), yearly AS MATERIALIZED (
    -- Box-Muller: a standard normal from two uniforms (1 - u: ln(0) is undefined)
    SELECT id, institution_id, key, working * CASE
        WHEN {_u("h", 0)} < %(idle)s THEN 50 + 250 * {_u("h", 1)}
        ELSE least(%(most)s, %(median)s
                   * exp(%(spread)s * sqrt(-2 * ln(1 - {_u("h", 1)})) * cos(2 * pi() * {_u("h", 2)})))
    END AS hours
    FROM inst
), months AS (
    SELECT m::date AS month, (%(factors)s::float8[])[extract(month FROM m)::int] AS factor
    FROM generate_series(%(first)s::date, %(last)s::date, interval '1 month') m
), owners AS (
    SELECT DISTINCT ON (u.institution_id) u.institution_id, u.id
    FROM accounts_user u JOIN demo_demouser d ON d.user_id = u.id
    ORDER BY u.institution_id, u.id
), users AS MATERIALIZED (
    SELECT row_number() OVER (ORDER BY u.id) AS n, u.id
    FROM accounts_user u JOIN demo_demouser d ON d.user_id = u.id
), drawn AS MATERIALIZED (
    SELECT y.id AS instrument_id, y.institution_id, m.month, y.hours, m.factor,
           md5(%(seed)s || ':' || y.key || ':' || m.month) AS h
    FROM yearly y CROSS JOIN months m
), rows AS MATERIALIZED (
    SELECT instrument_id, institution_id, month,
           hours / 12 * factor * (0.85 + 0.3 * {_u("h", 0)}) AS hours,
           {_u("h", 1)} < %(external)s AS external,
           1 + floor({_u("h", 2)} * (SELECT count(*) FROM users))::int AS pick
    FROM drawn
)
INSERT INTO booking_usagerecord (start, "end", hours, source, confirmed, confirmed_at, superseded,
                                 claimed_end, auto_closed, reason, created, instrument_id, user_id,
                                 operator_id)
SELECT s.start, s.finish, round(r.hours::numeric, 2), 'import', true, s.finish, false, NULL, false,
       %(reason)s, s.finish, r.instrument_id, coalesce(o.id, anyone.id), NULL
FROM rows r
JOIN users anyone ON anyone.n = r.pick
LEFT JOIN owners o ON o.institution_id = r.institution_id AND NOT r.external
CROSS JOIN LATERAL (
    SELECT r.month::timestamp AT TIME ZONE 'Asia/Shanghai' AS start,
           (r.month + interval '1 month')::timestamp AT TIME ZONE 'Asia/Shanghai' AS finish
) s
WHERE r.hours >= 0.01
"""  # noqa: S608

# One generated user per holder that has none (records need a user, and a holder's own user makes the hours
# internal); they cannot sign in (an unusable password) and are demo users, so a reload removes them.
_RECORDERS = """
WITH holders AS (
    SELECT n.id, n.credit_code FROM network_institution n
    JOIN demo_demoinstitution d ON d.institution_id = n.id
    WHERE EXISTS (SELECT 1 FROM directory_instrument i WHERE i.institution_id = n.id)
      AND NOT EXISTS (SELECT 1 FROM accounts_user u WHERE u.institution_id = n.id)
), made AS (
    -- in the credit codes' order, so a seed gives the same ids' order (the records pick users by it)
    INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff,
                               is_active, date_joined, display_name, phone, institution_id)
    SELECT '!generated-demo-user', false, 'demo-lab-' || lower(h.credit_code), '', '', '', false, true,
           %(now)s, '课题组用户（演示，生成）', '', h.id
    FROM holders h ORDER BY h.credit_code
    RETURNING id
)
INSERT INTO demo_demouser (user_id) SELECT id FROM made
"""

_SELF_REPORTED = """
INSERT INTO booking_usagerecord (start, "end", hours, source, confirmed, confirmed_at, superseded,
                                 claimed_end, auto_closed, reason, created, instrument_id, user_id,
                                 operator_id)
SELECT s.start, s.start + h.hours * interval '1 hour', h.hours, 'self', false, NULL, false, NULL, false,
       %(reason)s, s.start + h.hours * interval '1 hour', i.id, u.id, NULL
FROM (
    SELECT i.id, row_number() OVER (ORDER BY i.id) AS n
    FROM directory_instrument i JOIN network_institution n ON n.id = i.institution_id
    WHERE n.name = '浙江大学' AND i.retired IS NULL AND cardinality(i.modes) > 0
    ORDER BY i.id LIMIT 3
) i
CROSS JOIN LATERAL (SELECT (1 + i.n)::numeric AS hours) h
CROSS JOIN LATERAL (
    SELECT date_trunc('day', %(now)s::timestamptz - i.n * interval '1 day') + interval '1 hour 30 minutes'
        AS start
) s
JOIN accounts_user u ON u.username = 'sme-user'
"""


def load(seed: int, instruments: int, *, now: dt.datetime) -> int:
    """Write the usage records of the demo instruments; returns how many."""
    first, last = months(now)
    with connection.cursor() as cur:
        # The planner cannot estimate the generated rows (it guesses millions) and would compile the
        # statement's expressions first (JIT: 2.6 s of a 5,000-instrument load's usage).
        cur.execute("SET LOCAL jit = off")
        cur.execute(_RECORDERS, {"now": now})
        cur.execute(
            _MONTHLY,
            {
                "out": list(OUT_OF_SERVICE),
                "idle": IDLE_SHARE,
                "most": MOST_HOURS,
                "median": MEDIAN_HOURS,
                "spread": SPREAD,
                "factors": list(MONTH_FACTORS),
                "first": first,
                "last": last,
                "external": EXTERNAL_SHARE,
                "reason": REASON,
                "seed": str(seed),
            },
        )
        count = cur.rowcount
        cur.execute(_SELF_REPORTED, {"now": now, "reason": SELF_REASON})
        return count + cur.rowcount


def refresh_statistics(now: dt.datetime, instruments: int) -> bool:
    """Refresh the utilisation statistics now, for a load of up to REFRESH_UP_TO instruments; say if so."""
    from dayi.stats import queries

    if instruments > REFRESH_UP_TO:
        queries.require_full_refresh()  # the generated records are dated in the past: not seen as changes
        return False
    queries.refresh(now=now)
    return True
