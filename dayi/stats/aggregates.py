"""Rebuild the pre-aggregated tables (``dayi.stats.models``) from the records, in SQL only.

``rebuild(first, last)`` recomputes whole years: the month rows of every instrument from ``first`` (a
1 January) to ``last`` (a first of month), the year rows, who was served, and the scope rows. Each figure
is one ``GROUP BY`` over its source table; no Python loop ever sees a usage row.

Definitions (DOMAIN.md, issue 7), each month in the instrument's own time zone:
- available hours: the opening hours of the policy (every day round the clock when it has none) minus
  the closures' overlap with them. Overlapping closures are each subtracted (clamped at zero): the
  policy validator does not forbid them, and they are rare enough not to pay for a union here;
- booked hours: bookings that fell due (confirmed, in progress, completed, no-show), by their start;
- effective hours: usage records not superseded and confirmed, by their start. Self-reported hours count
  only once a manager confirmed them (issue 11); until then they are ``unconfirmed hours``, kept beside
  so the dashboards show both, and their users are not yet counted as served;
- external hours: confirmed hours whose user's institution (the booking's customer, else the user's own)
  is not the instrument's holder; a user with no institution counts as external;
- samples: sample orders completed (or later), ``samples.count`` (1 when missing), by the order's creation;
- income: the charge and correction entries of the ledger, by the entry's time; internal when the order's
  customer institution is the holder;
- ratings: by the rating's time; bookings and no-shows: by the booking's start.
"""

# ruff: noqa: S608 — the SQL here is built from this module's constant fragments and column names only;
# every value is a bound parameter.

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import connection

from dayi.booking.models import BookingStatus
from dayi.orders.models import OrderStatus

ALL_WEEK = json.dumps([{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(1, 8)])
DUE = [BookingStatus.CONFIRMED, BookingStatus.IN_PROGRESS, BookingStatus.COMPLETED, BookingStatus.NO_SHOW]
DONE = [OrderStatus.COMPLETED, OrderStatus.CHARGED, OrderStatus.SETTLED]
# An ISO 8601 time with an offset; a bare date ("2026-03-02") or a naive time means the instrument's zone.
WITH_OFFSET = r"[T ][0-9:.]+(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"

_WINDOW_END = "CASE WHEN w->>'end' = '24:00' THEN interval '24 hours' ELSE (w->>'end')::time::interval END"
_LOCAL_MONTH = "date_trunc('month', {col} AT TIME ZONE i.timezone)::date"


def _moment(key: str) -> str:
    return (
        f"CASE WHEN c->>'{key}' ~ %(with_offset)s THEN (c->>'{key}')::timestamptz "
        f"ELSE (c->>'{key}')::timestamp AT TIME ZONE p.tz END"
    )


SERVED_SQL = f"""
INSERT INTO stats_served (instrument_id, month, user_id, institution_id, is_company)
SELECT DISTINCT x.instrument_id, x.month, x.user_id, x.institution_id,
       coalesce(inst.kind = 'enterprise', false)
FROM (
    SELECT u.instrument_id, {_LOCAL_MONTH.format(col="u.start")} AS month, u.user_id,
           coalesce(b.customer_id, usr.institution_id) AS institution_id
    FROM booking_usagerecord u
    JOIN directory_instrument i ON i.id = u.instrument_id
    JOIN accounts_user usr ON usr.id = u.user_id
    LEFT JOIN booking_booking b ON b.id = u.booking_id
    WHERE NOT u.superseded AND u.confirmed AND u.start >= %(lo)s AND u.start < %(hi)s
    UNION ALL
    SELECT o.instrument_id, {_LOCAL_MONTH.format(col="o.created")}, o.customer_id, o.customer_institution_id
    FROM orders_order o JOIN directory_instrument i ON i.id = o.instrument_id
    WHERE o.kind = 'sample' AND o.status = ANY(%(done)s) AND o.created >= %(lo)s AND o.created < %(hi)s
) x
LEFT JOIN network_institution inst ON inst.id = x.institution_id
WHERE x.month BETWEEN %(first)s AND %(last)s
"""

MONTHS_SQL = f"""
INSERT INTO stats_instrumentperiod (
    instrument_id, kind, start, institution_id, region_id, category_id, instruments, original_value,
    available_hours, booked_hours, effective_hours, external_hours, unconfirmed_hours, samples, users,
    user_institutions, companies, income_internal, income_external, ratings, rating_sum, bookings, no_shows)
WITH months AS (
    SELECT m::date AS month FROM generate_series(%(first)s::date, %(last)s::date, interval '1 month') m
),
weekdays AS (
    SELECT date_trunc('month', d)::date AS month, extract(isodow FROM d)::int AS isodow, count(*) AS n
    FROM generate_series(%(first)s::date, %(last)s::date + interval '1 month' - interval '1 day',
                         interval '1 day') d
    GROUP BY 1, 2
),
policy AS (
    SELECT i.id AS instrument_id, i.timezone AS tz,
           CASE WHEN jsonb_typeof(i.booking_policy -> 'opening_hours') = 'array'
                THEN i.booking_policy -> 'opening_hours' ELSE %(all_week)s::jsonb END AS opening,
           CASE WHEN jsonb_typeof(i.booking_policy -> 'closures') = 'array'
                THEN i.booking_policy -> 'closures' ELSE '[]'::jsonb END AS closures
    FROM directory_instrument i
),
-- Opening hours depend only on the weekly pattern: count each distinct pattern once per month.
pattern_month AS (
    SELECT p.opening, wd.month,
           sum(wd.n * extract(epoch FROM {_WINDOW_END} - (w->>'start')::time::interval) / 3600) AS hours
    FROM (SELECT DISTINCT opening FROM policy) p
    CROSS JOIN LATERAL jsonb_array_elements(p.opening) w
    JOIN weekdays wd ON wd.isodow = (w->>'weekday')::int
    GROUP BY 1, 2
),
closed AS (
    SELECT p.instrument_id, date_trunc('month', day)::date AS month,
           sum(extract(epoch FROM upper(x.r) - lower(x.r)) / 3600) AS hours
    FROM policy p
    CROSS JOIN LATERAL jsonb_array_elements(p.closures) c
    CROSS JOIN LATERAL (SELECT tstzrange({_moment("start")}, {_moment("end")}) AS r) cl
    CROSS JOIN LATERAL generate_series((lower(cl.r) AT TIME ZONE p.tz)::date,
                                       (upper(cl.r) AT TIME ZONE p.tz)::date, interval '1 day') day
    CROSS JOIN LATERAL jsonb_array_elements(p.opening) w
    CROSS JOIN LATERAL (
        SELECT tstzrange((day::date + (w->>'start')::time) AT TIME ZONE p.tz,
                         (day::date + {_WINDOW_END}) AT TIME ZONE p.tz) * cl.r AS r
    ) x
    WHERE p.closures <> '[]'::jsonb AND (w->>'weekday')::int = extract(isodow FROM day)
      AND NOT isempty(x.r)
    GROUP BY 1, 2
),
booked AS (
    SELECT b.instrument_id, {_LOCAL_MONTH.format(col="b.start")} AS month,
           sum(extract(epoch FROM b."end" - b.start) / 3600) AS hours, count(*) AS bookings,
           count(*) FILTER (WHERE b.status = 'no_show') AS no_shows
    FROM booking_booking b JOIN directory_instrument i ON i.id = b.instrument_id
    WHERE b.status = ANY(%(due)s) AND b.start >= %(lo)s AND b.start < %(hi)s
    GROUP BY 1, 2
),
used AS (
    SELECT u.instrument_id, {_LOCAL_MONTH.format(col="u.start")} AS month,
           coalesce(sum(u.hours) FILTER (WHERE u.confirmed), 0) AS hours,
           coalesce(sum(u.hours) FILTER (
               WHERE u.confirmed
                 AND coalesce(b.customer_id, usr.institution_id) IS DISTINCT FROM i.institution_id), 0
           ) AS external,
           coalesce(sum(u.hours) FILTER (WHERE NOT u.confirmed), 0) AS unconfirmed
    FROM booking_usagerecord u
    JOIN directory_instrument i ON i.id = u.instrument_id
    JOIN accounts_user usr ON usr.id = u.user_id
    LEFT JOIN booking_booking b ON b.id = u.booking_id
    WHERE NOT u.superseded AND u.start >= %(lo)s AND u.start < %(hi)s
    GROUP BY 1, 2
),
sampled AS (
    SELECT o.instrument_id, {_LOCAL_MONTH.format(col="o.created")} AS month,
           sum(CASE WHEN o.samples->>'count' ~ '^[0-9]{{1,6}}$' THEN (o.samples->>'count')::int ELSE 1 END)
               AS samples
    FROM orders_order o JOIN directory_instrument i ON i.id = o.instrument_id
    WHERE o.kind = 'sample' AND o.status = ANY(%(done)s) AND o.created >= %(lo)s AND o.created < %(hi)s
    GROUP BY 1, 2
),
income AS (
    SELECT o.instrument_id, {_LOCAL_MONTH.format(col="e.created")} AS month,
           coalesce(sum(e.amount) FILTER (
               WHERE o.customer_institution_id IS NOT DISTINCT FROM i.institution_id), 0) AS internal,
           coalesce(sum(e.amount) FILTER (
               WHERE o.customer_institution_id IS DISTINCT FROM i.institution_id), 0) AS external
    FROM orders_ledgerentry e
    JOIN orders_order o ON o.id = e.order_id
    JOIN directory_instrument i ON i.id = o.instrument_id
    WHERE e.kind IN ('charge', 'correction') AND e.created >= %(lo)s AND e.created < %(hi)s
    GROUP BY 1, 2
),
rated AS (
    SELECT o.instrument_id, {_LOCAL_MONTH.format(col="r.created")} AS month, count(*) AS n,
           sum(r.level) AS total
    FROM ratings_rating r
    JOIN orders_order o ON o.id = r.order_id
    JOIN directory_instrument i ON i.id = o.instrument_id
    WHERE r.created >= %(lo)s AND r.created < %(hi)s
    GROUP BY 1, 2
),
who AS (
    SELECT instrument_id, month, count(DISTINCT user_id) AS users,
           count(DISTINCT institution_id) AS institutions,
           count(DISTINCT institution_id) FILTER (WHERE is_company) AS companies
    FROM stats_served WHERE month BETWEEN %(first)s AND %(last)s
    GROUP BY 1, 2
)
SELECT i.id, 'month', m.month, i.institution_id, i.region_id, i.category_id, 1, i.original_value,
       round(greatest(coalesce(pm.hours, 0) - coalesce(cl.hours, 0), 0), 2),
       round(coalesce(bk.hours, 0), 2), coalesce(us.hours, 0), coalesce(us.external, 0),
       coalesce(us.unconfirmed, 0), coalesce(sa.samples, 0), coalesce(wh.users, 0),
       coalesce(wh.institutions, 0), coalesce(wh.companies, 0), coalesce(inc.internal, 0),
       coalesce(inc.external, 0),
       coalesce(ra.n, 0), coalesce(ra.total, 0), coalesce(bk.bookings, 0), coalesce(bk.no_shows, 0)
FROM directory_instrument i
CROSS JOIN months m
JOIN policy p ON p.instrument_id = i.id
LEFT JOIN pattern_month pm ON pm.opening = p.opening AND pm.month = m.month
LEFT JOIN closed cl ON cl.instrument_id = i.id AND cl.month = m.month
LEFT JOIN booked bk ON bk.instrument_id = i.id AND bk.month = m.month
LEFT JOIN used us ON us.instrument_id = i.id AND us.month = m.month
LEFT JOIN sampled sa ON sa.instrument_id = i.id AND sa.month = m.month
LEFT JOIN income inc ON inc.instrument_id = i.id AND inc.month = m.month
LEFT JOIN rated ra ON ra.instrument_id = i.id AND ra.month = m.month
LEFT JOIN who wh ON wh.instrument_id = i.id AND wh.month = m.month
-- An instrument counts from the month it entered service until the month it was retired.
WHERE (i.retired IS NULL OR i.retired >= m.month)
  AND (i.in_service_date IS NULL OR i.in_service_date < m.month + interval '1 month')
"""

_ADDITIVE = [
    "available_hours",
    "booked_hours",
    "effective_hours",
    "external_hours",
    "unconfirmed_hours",
    "samples",
    "income_internal",
    "income_external",
    "ratings",
    "rating_sum",
    "bookings",
    "no_shows",
]
_SUMS = ", ".join(f"sum(ip.{c})" for c in _ADDITIVE)
_COLUMNS = ", ".join(_ADDITIVE)

YEARS_SQL = f"""
INSERT INTO stats_instrumentperiod (
    instrument_id, kind, start, institution_id, region_id, category_id, instruments, original_value,
    users, user_institutions, companies, {_COLUMNS})
SELECT ip.instrument_id, 'year', date_trunc('year', ip.start)::date, max(ip.institution_id),
       max(ip.region_id), max(ip.category_id), 1, max(ip.original_value),
       coalesce(max(wh.users), 0), coalesce(max(wh.institutions), 0), coalesce(max(wh.companies), 0), {_SUMS}
FROM stats_instrumentperiod ip
LEFT JOIN (
    SELECT instrument_id, date_trunc('year', month)::date AS year, count(DISTINCT user_id) AS users,
           count(DISTINCT institution_id) AS institutions,
           count(DISTINCT institution_id) FILTER (WHERE is_company) AS companies
    FROM stats_served WHERE month BETWEEN %(first)s AND %(last)s
    GROUP BY 1, 2
) wh ON wh.instrument_id = ip.instrument_id AND wh.year = date_trunc('year', ip.start)::date
WHERE ip.kind = 'month' AND ip.start BETWEEN %(first)s AND %(last)s
GROUP BY ip.instrument_id, date_trunc('year', ip.start)
"""

# Each instrument's scopes: the nation, its province and city, its holder, and every platform whose
# subtree holds a platform the holder is a member of (a platform counts a member's instrument once).
SCOPE_MAP_SQL = """
CREATE TEMP TABLE stats_scope_map ON COMMIT DROP AS
SELECT id AS instrument_id, 'cn'::text AS scope FROM directory_instrument
UNION ALL SELECT id, 'r:' || left(region_id, 2) FROM directory_instrument
UNION ALL
SELECT id, 'r:' || left(region_id, 4) FROM directory_instrument WHERE substr(region_id, 3, 2) <> '00'
UNION ALL SELECT id, 'i:' || institution_id FROM directory_instrument
UNION ALL
SELECT i.id, 'p:' || pi.platform_id
FROM directory_instrument i
JOIN (
    SELECT DISTINCT anc.id AS platform_id, m.institution_id
    FROM network_membership m
    JOIN network_platform p ON p.id = m.platform_id
    JOIN network_platform anc ON p.path LIKE anc.path || '%%'
    WHERE m.status = 'accepted'
) pi ON pi.institution_id = i.institution_id
"""

_DISTINCT = (
    "count(DISTINCT sv.user_id), count(DISTINCT sv.institution_id), "
    "count(DISTINCT sv.institution_id) FILTER (WHERE sv.is_company)"
)

SCOPES_SQL = f"""
INSERT INTO stats_scopefigures (
    scope, category, kind, start, instruments, original_value, users, user_institutions, companies,
    {_COLUMNS})
SELECT a.scope, a.category, a.kind, a.start, a.instruments, a.original_value,
       coalesce(d.users, 0), coalesce(d.institutions, 0), coalesce(d.companies, 0), {_COLUMNS}
FROM (
    SELECT s.scope, ''::text AS category, ip.kind, ip.start, count(*) AS instruments,
           sum(ip.original_value) AS original_value, {", ".join(f"sum(ip.{c}) AS {c}" for c in _ADDITIVE)}
    FROM stats_instrumentperiod ip JOIN stats_scope_map s ON s.instrument_id = ip.instrument_id
    WHERE ip.start BETWEEN %(first)s AND %(last)s
    GROUP BY s.scope, ip.kind, ip.start
    UNION ALL
    SELECT s.scope, left(ip.category_id, 2), ip.kind, ip.start, count(*), sum(ip.original_value),
           {", ".join(f"sum(ip.{c})" for c in _ADDITIVE)}
    FROM stats_instrumentperiod ip JOIN stats_scope_map s ON s.instrument_id = ip.instrument_id
    WHERE ip.kind = 'year' AND ip.start BETWEEN %(first)s AND %(last)s
    GROUP BY s.scope, left(ip.category_id, 2), ip.kind, ip.start
) a
LEFT JOIN (
    SELECT s.scope, ''::text AS category, 'month'::text AS kind, sv.month AS start,
           count(DISTINCT sv.user_id) AS users, count(DISTINCT sv.institution_id) AS institutions,
           count(DISTINCT sv.institution_id) FILTER (WHERE sv.is_company) AS companies
    FROM stats_served sv JOIN stats_scope_map s ON s.instrument_id = sv.instrument_id
    WHERE sv.month BETWEEN %(first)s AND %(last)s
    GROUP BY s.scope, sv.month
    UNION ALL
    SELECT s.scope, '', 'year', date_trunc('year', sv.month)::date, {_DISTINCT}
    FROM stats_served sv JOIN stats_scope_map s ON s.instrument_id = sv.instrument_id
    WHERE sv.month BETWEEN %(first)s AND %(last)s
    GROUP BY s.scope, date_trunc('year', sv.month)
    UNION ALL
    SELECT s.scope, left(i.category_id, 2), 'year', date_trunc('year', sv.month)::date, {_DISTINCT}
    FROM stats_served sv
    JOIN stats_scope_map s ON s.instrument_id = sv.instrument_id
    JOIN directory_instrument i ON i.id = sv.instrument_id
    WHERE sv.month BETWEEN %(first)s AND %(last)s
    GROUP BY s.scope, left(i.category_id, 2), date_trunc('year', sv.month)
) d ON d.scope = a.scope AND d.category = a.category AND d.kind = a.kind AND d.start = a.start
"""


RECENT_SQL = """
INSERT INTO stats_recenthours (instrument_id, window_end, recent, previous, institution_id, region_id,
                               category_id, original_value)
SELECT i.id, %(end)s, coalesce(sum(ip.effective_hours) FILTER (WHERE ip.start >= %(first)s), 0),
       sum(ip.effective_hours) FILTER (WHERE ip.start < %(first)s),
       i.institution_id, i.region_id, i.category_id, i.original_value
FROM directory_instrument i
LEFT JOIN stats_instrumentperiod ip ON ip.instrument_id = i.id AND ip.kind = 'month'
     AND ip.start >= %(before)s AND ip.start < %(end)s
WHERE i.retired IS NULL
GROUP BY i.id
"""


def rebuild_recent(before: dt.date, first: dt.date, end: dt.date) -> None:
    """Each listed instrument's hours in [first, end) and [before, first): the idle list's table."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM stats_recenthours")
        cursor.execute(RECENT_SQL, {"before": before, "first": first, "end": end})
        cursor.execute("ANALYZE stats_recenthours")


def _params(first: dt.date, last: dt.date) -> dict[str, Any]:
    # UTC bounds a day wider than the local months, so every zone's records are read; the month of each
    # record (in its instrument's zone) then decides whether it falls inside [first, last].
    lo = dt.datetime.combine(first, dt.time(), dt.UTC) - dt.timedelta(days=1)
    after_last = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    hi = dt.datetime.combine(after_last, dt.time(), dt.UTC) + dt.timedelta(days=1)
    return {
        "first": first,
        "last": last,
        "lo": lo,
        "hi": hi,
        "all_week": ALL_WEEK,
        "with_offset": WITH_OFFSET,
        "due": [str(s) for s in DUE],
        "done": [str(s) for s in DONE],
    }


# The tables the aggregates are computed from.
SOURCES = [
    "directory_instrument",
    "booking_usagerecord",
    "booking_booking",
    "orders_order",
    "orders_ledgerentry",
    "ratings_rating",
    "accounts_user",
    "network_institution",
    "network_membership",
    "network_platform",
]


def rebuild(first: dt.date, last: dt.date) -> None:
    """Recompute every aggregate row from ``first`` (1 January) to ``last`` (a first of month).

    Call inside a transaction: readers see the old rows until it commits.
    """
    params = _params(first, last)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM stats_served WHERE month >= %(first)s", params)
        cursor.execute("DELETE FROM stats_instrumentperiod WHERE start >= %(first)s", params)
        cursor.execute("DELETE FROM stats_scopefigures WHERE start >= %(first)s", params)
        # Fresh statistics, of the sources and after each step (which reads what the one before wrote),
        # keep the planner from taking a freshly filled table for an empty one: after a bulk load that
        # autovacuum had not yet seen, it chose nested loops re-aggregating the usage records once per
        # instrument-month (minutes where the hash joins take half a second). Sampling costs ~1 s at
        # 5,000,000 usage records.
        cursor.execute(f"ANALYZE {', '.join(SOURCES)}")
        cursor.execute(SERVED_SQL, params)
        cursor.execute("ANALYZE stats_served")
        cursor.execute(MONTHS_SQL, params)
        cursor.execute("ANALYZE stats_instrumentperiod")
        cursor.execute(YEARS_SQL, params)
        cursor.execute("ANALYZE stats_instrumentperiod")
        cursor.execute(SCOPE_MAP_SQL, params)
        cursor.execute("ANALYZE stats_scope_map")
        cursor.execute(SCOPES_SQL, params)
        cursor.execute("DROP TABLE stats_scope_map")
        cursor.execute("ANALYZE stats_scopefigures")
