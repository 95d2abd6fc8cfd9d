"""Generate a network's worth of instruments and usage records in SQL, for the stats benchmarks.

    from benchmarks.stats_data import generate
    generate(instruments=50_000, usage_records=5_000_000, institutions=1_000, seed=1)

Into the current (Django) database, which should be a benchmark's own, migrated and otherwise empty:

- one national platform ``bench`` and a provincial platform per province (``bench-33`` …) below it; every
  institution is a member of its province's platform;
- ``institutions`` institutions spread over the cities with coordinates, one in ten a company, each with
  20 users;
- ``instruments`` instruments in the middle classes of the classification, each held by an institution,
  worth 0.5–20 million yuan; seven in ten open Monday–Friday 09:00–17:00, the rest round the clock;
- ``usage_records`` usage records over 2024 and 2025, half an hour to six hours each, skewed so that some
  instruments are busy and many are nearly idle; seven in ten by a user of the holder, the rest by anyone.

Every table is filled by one INSERT … SELECT over ``generate_series`` (ids are contiguous, so rows refer to
each other by arithmetic); PostgreSQL's ``setseed`` makes a run repeatable.
"""

from __future__ import annotations

import time

from django.db import connection

USERS_PER_INSTITUTION = 20
SPREAD = 7919  # a prime: instrument g belongs to institution 1 + (g × SPREAD) mod N


def _scalar(sql: str, params: list[object] | None = None) -> object:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        row = cursor.fetchone()
        return row[0] if row else None


def _run(sql: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def _sync_sequence(table: str) -> None:
    """Rows were inserted with explicit ids: move the table's id sequence past them."""
    _run(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")


def _platforms() -> None:
    _run(
        "INSERT INTO network_platform (code, name, name_en, level, path, description, created, updated) "
        "VALUES ('bench', '全国（基准测试）', 'Nation (benchmark)', 'national', '/bench/', '', now(), now())"
    )
    _run(
        "INSERT INTO network_platform (code, name, name_en, level, parent_id, path, description, created, "
        "updated) SELECT 'bench-' || left(r.code, 2), r.name || '平台', r.name_en, 'provincial', p.id, "
        "'/bench/bench-' || left(r.code, 2) || '/', '', now(), now() "
        "FROM network_region r, network_platform p WHERE r.level = 'province' AND p.code = 'bench' "
        "ORDER BY r.code"
    )


def _institutions(count: int) -> int:
    first = _scalar("SELECT coalesce(max(id), 0) + 1 FROM network_institution")
    _run(
        """
        WITH cities AS (
            SELECT array_agg(code ORDER BY code) AS codes FROM network_region
            WHERE level = 'city' AND lon IS NOT NULL
        )
        INSERT INTO network_institution (id, name, name_en, credit_code, kind, is_sme, department, website,
                                         moe_code, email_domains, default_booking_policy, created, updated,
                                         region_id)
        OVERRIDING SYSTEM VALUE
        SELECT %s + g - 1, '基准单位' || g, 'Bench institution ' || g,
               '12' || lpad(g::text, 16, '0'),
               CASE WHEN g %% 10 = 0 THEN 'enterprise' ELSE 'university' END, g %% 10 = 0, '', '', '',
               '{}', '{}', now(), now(), codes[1 + (g * 31) %% cardinality(codes)]
        FROM cities, generate_series(1, %s) g
        """,
        [first, count],
    )
    _sync_sequence("network_institution")
    _run(
        "INSERT INTO network_membership (joined, institution_id, platform_id, status, reason, refusal) "
        "SELECT now(), i.id, p.id, 'accepted', '', '' FROM network_institution i "
        "JOIN network_platform p ON p.code = 'bench-' || left(i.region_id, 2) WHERE i.id >= %s",
        [first],
    )
    return int(first)  # type: ignore[call-overload]


def _users(first_institution: int, count: int) -> int:
    first = _scalar("SELECT coalesce(max(id), 0) + 1 FROM accounts_user")
    _run(
        """
        INSERT INTO accounts_user (id, password, is_superuser, username, first_name, last_name, email,
                                   is_staff, is_active, date_joined, display_name, phone, institution_id)
        OVERRIDING SYSTEM VALUE
        SELECT %s + g - 1, '!', false, 'bench-u' || g, '', '', '', false, true, now(), '', '',
               %s + (g - 1) / %s
        FROM generate_series(1, %s) g
        """,
        [first, first_institution, USERS_PER_INSTITUTION, count * USERS_PER_INSTITUTION],
    )
    _sync_sequence("accounts_user")
    return int(first)  # type: ignore[call-overload]


def _instruments(first_institution: int, institutions: int, count: int) -> int:
    first = _scalar("SELECT coalesce(max(id), 0) + 1 FROM directory_instrument")
    weekdays = (
        '[{"weekday":1,"start":"09:00","end":"17:00"},{"weekday":2,"start":"09:00","end":"17:00"},'
        '{"weekday":3,"start":"09:00","end":"17:00"},{"weekday":4,"start":"09:00","end":"17:00"},'
        '{"weekday":5,"start":"09:00","end":"17:00"}]'
    )
    _run(
        """
        WITH classes AS (
            SELECT array_agg(code ORDER BY code) AS codes, array_agg(name ORDER BY code) AS names
            FROM directory_category WHERE level = 2
        )
        INSERT INTO directory_instrument (
            id, inventory_no, name, name_en, original_value, status, share_mode, modes, model, manufacturer,
            country, source, purpose, specs, functions, disciplines, services, results, opening_rules,
            location, contact, fees_note, booking_url, unit, timezone, booking_policy, created, updated,
            category_id, institution_id, region_id, search_words)
        OVERRIDING SYSTEM VALUE
        SELECT %(first)s + g - 1, 'B-' || g, names[c], '', round((500000 + random() * 19500000)::numeric, 2),
               'normal', 'external', ARRAY['self', 'sample'], '', '', '', '', '', '', '', '{}', '', '',
               '', '', '', '', '', '', 'Asia/Shanghai',
               CASE WHEN g %% 10 < 7 THEN jsonb_build_object('opening_hours', %(weekdays)s::jsonb)
                    ELSE '{}'::jsonb END,
               now(), now(), codes[c], inst.id, inst.region_id, ''
        FROM classes, generate_series(1, %(count)s) g
        CROSS JOIN LATERAL (SELECT 1 + (g * 37) %% cardinality(codes) AS c) pick
        JOIN network_institution inst ON inst.id = %(inst0)s + (g::bigint * %(spread)s) %% %(n)s
        """,
        {
            "first": first,
            "count": count,
            "inst0": first_institution,
            "n": institutions,
            "spread": SPREAD,
            "weekdays": weekdays,
        },
    )
    _sync_sequence("directory_instrument")
    return int(first)  # type: ignore[call-overload]


def _usage(
    first_instrument: int,
    instruments: int,
    first_institution: int,
    institutions: int,
    first_user: int,
    count: int,
) -> None:
    # Instrument index x = 1 + ⌊instruments × u²⌋ for uniform u: low indexes are busy, high ones idle.
    _run(
        """
        INSERT INTO booking_usagerecord (start, "end", hours, source, confirmed, confirmed_at, superseded,
                                         auto_closed, reason, created, instrument_id, user_id)
        SELECT s, s + h * interval '1 hour', h, 'manager', true, s + h * interval '1 hour', false,
               false, '', s + h * interval '1 hour',
               %(instr0)s + x - 1,
               CASE WHEN random() < 0.7
                    THEN %(user0)s + ((x::bigint * %(spread)s) %% %(n)s) * %(per)s
                         + floor(random() * %(per)s)::int
                    ELSE %(user0)s + floor(random() * %(n)s * %(per)s)::int END
        -- The random picks in a subquery's select list: evaluated for every row. (In an uncorrelated
        -- LATERAL subquery PostgreSQL computes them once, and every record would be the same.)
        FROM (
            SELECT least(%(instruments)s, 1 + floor(%(instruments)s * power(random(), 2))::int) AS x,
                   timestamptz '2024-01-01 00:00+08'
                       + floor(random() * 731 * 48) * interval '30 minutes' AS s,
                   (1 + floor(random() * 12)) / 2.0 AS h
            FROM generate_series(1, %(count)s) g
        ) pick
        """,
        {
            "instr0": first_instrument,
            "instruments": instruments,
            "user0": first_user,
            "n": institutions,
            "per": USERS_PER_INSTITUTION,
            "spread": SPREAD,
            "count": count,
        },
    )


def generate(instruments: int, usage_records: int, institutions: int, seed: int) -> dict[str, float]:
    """Fill the database; returns the seconds each step took."""
    timings: dict[str, float] = {}
    _run("SELECT setseed(%s)", [((seed * 7919) % 10_000) / 10_000])
    clock = time.perf_counter()
    if not _scalar("SELECT count(*) FROM network_platform WHERE code = 'bench'"):
        _platforms()
    first_institution = _institutions(institutions)
    first_user = _users(first_institution, institutions)
    timings["institutions_and_users"] = time.perf_counter() - clock
    clock = time.perf_counter()
    first_instrument = _instruments(first_institution, institutions, instruments)
    timings["instruments"] = time.perf_counter() - clock
    clock = time.perf_counter()
    _usage(first_instrument, instruments, first_institution, institutions, first_user, usage_records)
    timings["usage_records"] = time.perf_counter() - clock
    _run("ANALYZE")
    return timings
