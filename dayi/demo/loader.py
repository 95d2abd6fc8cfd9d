"""Load the generated demo data, replacing the previous demo data and nothing else.

A bulk loader, not a per-object service: it runs from the command line (the operator's shell is the
authority), writes in one transaction (a failed load leaves the previous demo data as it was), writes
instruments with PostgreSQL COPY, and records one audit event for the whole load. It keeps the invariants
the services keep: valid credit codes, an instrument's region defaulting to its institution's, platform
paths, role scopes, search words from ``dayi.search.segment``.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import unicodedata
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.db.models import JSONField
from psycopg import sql

from dayi.accounts.models import RoleGrant, User
from dayi.core import audit
from dayi.core.errors import Conflict
from dayi.demo import evaluation, money, prices, usage, vouchers
from dayi.demo.generate import DEMO_PASSWORD, DemoData, RegionInfo, generate
from dayi.demo.models import DemoInstitution, DemoLoad, DemoPlatform, DemoUser
from dayi.directory.models import Category, Expert, Instrument
from dayi.network.models import Institution, Membership, MembershipStatus, Platform, Region

T = TypeVar("T")

# Serialises concurrent loads (two `dayi demo` at once): pg_advisory_xact_lock on this key.
LOCK_KEY = 0x64617969_64656D6F  # "dayi" "demo"


class DemoConflict(Conflict):
    """Demo data cannot be replaced: records that are not demo data are in the way."""

    code = "demo_conflict"


@dataclass
class LoadReport:
    load: DemoLoad
    counts: dict[str, int]
    removed: int  # instruments of the previous demo data that were replaced
    seconds: float
    statistics_refreshed: bool  # False for a load too large to refresh inline (usage.REFRESH_UP_TO)
    phases: dict[str, float]


# --- the whole load ------------------------------------------------------------------------------------


@transaction.atomic
def load(*, seed: int, instruments: int, now: dt.datetime, with_digest: bool = False) -> LoadReport:
    """Replace the demo data with the data of ``seed``. ``with_digest`` also computes the digest of the
    loaded rows (a few seconds for 100,000 instruments), to check that a seed gives the same data."""
    clock = Stopwatch()
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    previous = DemoLoad.objects.first()
    data = clock.lap(
        "generate", generate(seed, instruments, regions=_regions(), category_names=_category_names())
    )
    _check_nothing_in_the_way(data)
    removed = clock.lap("clear", clear())
    platforms = _write_platforms(data)
    ids = _write_institutions(data)
    _write_memberships(data, platforms, ids)
    clock.lap("network", None)
    _copy_instruments(data, ids, now)
    clock.lap("instruments", None)
    clock.lap("prices", prices.load(data, ids))
    _write_experts(data, ids)
    _write_users(data, platforms, ids)
    clock.lap("experts and users", None)
    clock.lap("vouchers", vouchers.load(data, ids, platforms, now=now))
    clock.lap("top-ups", money.load(now=now))
    clock.lap("usage", usage.load(seed, instruments, now=now))
    refreshed = clock.lap("statistics", usage.refresh_statistics(now, instruments))
    if refreshed:  # the evaluation reads the refreshed statistics
        clock.lap("evaluation", evaluation.load(now=now))
    digest_value = clock.lap("digest", digest()) if with_digest else ""
    seconds = clock.total()
    row = DemoLoad.objects.create(
        seed=seed, instruments=instruments, loaded=now, digest=digest_value, seconds=seconds
    )
    audit.record(
        "demo.load",
        row,
        actor=None,
        before=_summary(previous) if previous else None,
        after={**_summary(row), **data.counts, "replaced_instruments": removed},
        reason="dayi load_demo: generated demo data (credit codes, instruments, people are not real)",
        now=now,
    )
    return LoadReport(
        load=row,
        counts=data.counts,
        removed=removed,
        seconds=seconds,
        phases=clock.laps,
        statistics_refreshed=refreshed,
    )


class Stopwatch:
    """Seconds per phase of the load, for ``load_demo -v 2`` and the benchmark."""

    def __init__(self) -> None:
        self.started = self.last = time.monotonic()
        self.laps: dict[str, float] = {}

    def lap(self, name: str, result: T) -> T:
        now = time.monotonic()
        self.laps[name] = round(now - self.last, 2)
        self.last = now
        return result

    def total(self) -> float:
        return round(time.monotonic() - self.started, 2)


def _summary(row: DemoLoad) -> dict[str, Any]:
    return {"seed": row.seed, "instruments": row.instruments, "digest": row.digest}


def _regions() -> dict[str, RegionInfo]:
    return {
        code: RegionInfo(name, short)
        for code, name, short in Region.objects.values_list("code", "name", "short_name")
    }


def _category_names() -> dict[str, str]:
    return dict(Category.objects.values_list("code", "name"))


# --- replacing the previous demo data ------------------------------------------------------------------


def _check_nothing_in_the_way(data: DemoData) -> None:
    """Platform codes and usernames the demo needs must be free or already demo data."""
    codes = [p.code for p in data.platforms]
    foreign = list(
        Platform.objects.filter(code__in=codes, demo_mark__isnull=True).values_list("code", flat=True)
    )
    names = [u.username for u in data.users]
    foreign += list(
        User.objects.filter(username__in=names, demo_mark__isnull=True).values_list("username", flat=True)
    )
    if foreign:
        raise DemoConflict(
            f"这些平台或用户不是演示数据 (not demo data, left alone): {', '.join(foreign)}. "
            "Load the demo into a database of its own."
        )


@transaction.atomic  # one transaction: the purge permission below ends with it
def clear() -> int:
    """Delete the demo data and everything that refers to it; return how many instruments went.

    Demo data are the marked platforms, institutions and users. Rows of any domain that refer to them
    (instruments, bookings on those instruments, users of demo institutions …) go with them, whatever
    their ``on_delete``: they cannot outlive what they refer to. SET_NULL references are nulled instead,
    so the audit trail stays. Rows that refer to no demo data are never touched.
    """
    money.clear_top_ups()  # they name ledger rows
    vouchers.clear_ledgers()  # the ledgers are append-only: their demo rows go first, by their own rule
    # The audit log and the usage records are append-only too: their triggers let this transaction (and
    # only it: the setting is transaction-local) delete the demo's rows and null its users' references.
    audit.allow_purge()
    institutions = list(DemoInstitution.objects.values_list("institution_id", flat=True))
    removed = Instrument.objects.filter(institution_id__in=institutions).count()
    # Experts of demo institutions are demo data, though their reference is SET_NULL.
    Expert.objects.filter(institution_id__in=institutions).delete()
    users = list(DemoUser.objects.values_list("user_id", flat=True))
    with connection.cursor() as cur:
        # The generated usage records first, in one statement: the purge below would reach them through
        # their self-reference (supersedes) as nested IN subqueries, one level per step, which on a
        # freshly loaded table PostgreSQL plans as repeated scans (minutes for 20,000 rows).
        cur.execute(
            "DELETE FROM booking_usagerecord WHERE user_id = ANY(%s) OR instrument_id IN "
            "(SELECT id FROM directory_instrument WHERE institution_id = ANY(%s))",
            [users, institutions],
        )
        for model, ids in (
            (User, users),
            (Institution, institutions),
            (Platform, list(DemoPlatform.objects.values_list("platform_id", flat=True))),
        ):
            where = sql.SQL("{} = ANY({})").format(
                sql.Identifier(str(model._meta.pk.column)), sql.Literal(ids)
            )
            _purge(cur, model, where, depth=0)
    DemoLoad.objects.all().delete()
    return removed


MAX_DEPTH = 6  # deep enough for every chain of references in Dayi (platform trees are at most 5 deep)


def _purge(cur: Any, model: type[models.Model], where: sql.Composable, *, depth: int) -> None:
    """Delete ``model`` rows matching ``where`` after what refers to them (one statement per table).

    Set-based: one DELETE per table and relation, instead of the ORM's batches of 100 ids. Django's
    foreign keys are DEFERRABLE INITIALLY DEFERRED, so only the state at commit must be consistent.
    """
    table = sql.Identifier(model._meta.db_table)
    if depth < MAX_DEPTH:
        for rel in _references_to(model):
            if rel.on_delete is models.DO_NOTHING:
                continue
            child = rel.related_model
            column = sql.Identifier(rel.field.column)
            # The referenced column: the primary key, or the field a to_field names.
            matching = sql.SQL("SELECT {} FROM {} WHERE {}").format(
                sql.Identifier(rel.field.target_field.column), table, where
            )
            child_where = sql.SQL("{} IN ({})").format(column, matching)
            if rel.on_delete is models.SET_NULL:
                cur.execute(
                    sql.SQL("UPDATE {} SET {} = NULL WHERE {}").format(
                        sql.Identifier(child._meta.db_table), column, child_where
                    )
                )
            else:
                _purge(cur, child, child_where, depth=depth + 1)
    cur.execute(sql.SQL("DELETE FROM {} WHERE {}").format(table, where))


def _references_to(model: type[models.Model]) -> list[Any]:
    """Every foreign key (of any app, hidden ones included) that points at ``model``."""
    return [
        f
        for f in model._meta.get_fields(include_hidden=True)
        if (f.one_to_many or f.one_to_one) and f.auto_created and not f.concrete
    ]


# --- writing -------------------------------------------------------------------------------------------


def _write_platforms(data: DemoData) -> dict[str, Platform]:
    platforms: dict[str, Platform] = {}
    provinces = Region.objects.filter(level="province")
    for spec in data.platforms:  # parents come first in PLATFORMS
        parent = platforms[spec.parent] if spec.parent else None
        platform = Platform.objects.create(
            code=spec.code,
            name=spec.name,
            name_en=spec.name_en,
            level=spec.level,
            parent=parent,
            path=f"{parent.path if parent else '/'}{spec.code}/",
            description=spec.description,
        )
        # The national platform covers every province; the others name theirs.
        covered = Region.objects.filter(code__in=spec.regions) if spec.regions else provinces
        platform.regions.set(covered)
        platforms[spec.code] = platform
    DemoPlatform.objects.bulk_create([DemoPlatform(platform=p) for p in platforms.values()])
    return platforms


def _write_institutions(data: DemoData) -> list[int]:
    rows = [
        Institution(
            name=i.name,
            name_en=i.name_en,
            credit_code=i.credit_code,
            kind=i.kind,
            region_id=i.region,
            is_sme=i.is_sme,
            founded=i.founded,
            department=i.department,
            website=i.website,
            moe_code=i.moe_code,
        )
        for i in data.institutions
    ]
    Institution.objects.bulk_create(rows, batch_size=2000)
    DemoInstitution.objects.bulk_create([DemoInstitution(institution_id=r.pk) for r in rows], batch_size=2000)
    return [r.pk for r in rows]


def _write_memberships(data: DemoData, platforms: dict[str, Platform], ids: list[int]) -> None:
    Membership.objects.bulk_create(
        [
            Membership(platform=platforms[code], institution_id=ids[i], status=MembershipStatus.ACCEPTED)
            for code, i in data.memberships
        ],
        batch_size=5000,
    )


def _copy_instruments(data: DemoData, ids: list[int], now: dt.datetime) -> None:
    """COPY the instruments in, with the table's secondary indexes rebuilt afterwards when the load is big."""
    with connection.cursor() as cur:
        cur.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(Instrument._meta.db_table)))
        existing = cur.fetchone()[0]
        # Building an index once is several times faster than growing it row by row (the GIN indexes of
        # full-text and trigram search most of all), but it rebuilds the other rows' entries too: worth it
        # only when the load outnumbers the rows already there.
        rebuild = len(data.instruments) >= max(BULK_INDEX_THRESHOLD, existing)
        if not rebuild:
            _copy_rows(data, ids, now)
            return
        # DDL refuses to run on a table with deferred foreign-key checks pending: run them now.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        indexes = _drop_secondary_indexes(cur, Instrument._meta.db_table)
        _copy_rows(data, ids, now)
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for statement in indexes:
            cur.execute(statement)
        cur.execute("SET CONSTRAINTS ALL DEFERRED")


BULK_INDEX_THRESHOLD = 20_000


def _drop_secondary_indexes(cur: Any, table: str) -> list[str]:
    """Drop the table's indexes that back no constraint; return the statements that recreate them as they
    were (same names, same definitions). Inside the load's transaction: nobody sees the table without them.
    """
    cur.execute(
        "SELECT c.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
        "JOIN pg_class c ON c.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid) ORDER BY c.relname",
        [table],
    )
    found = cur.fetchall()
    for name, _ in found:
        cur.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    return [definition for _, definition in found]


def _copy_rows(data: DemoData, ids: list[int], now: dt.datetime) -> None:
    """COPY the instruments in: every column of the model, the generated value or the field's default."""
    fields = [f for f in Instrument._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: _copy_value(f, f.get_default()) for f in fields}
    defaults.update(created=now, updated=now, retired=None)
    attnames = [f.attname for f in fields]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    with (
        connection.cursor() as cur,
        cur.cursor.copy(f'COPY "{Instrument._meta.db_table}" ({columns}) FROM STDIN') as copy,
    ):
        for row in data.instruments:
            values = {**defaults, **row, "institution_id": ids[row["institution"]]}
            copy.write_row([values[a] for a in attnames])


def _copy_value(field: Any, value: Any) -> Any:
    """JSON columns go in as JSON text (the generator hands booking_policy over already dumped)."""
    if isinstance(field, JSONField) and not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return value


def _write_experts(data: DemoData, ids: list[int]) -> None:
    Expert.objects.bulk_create(
        [
            Expert(
                name=e.name,
                institution_id=ids[e.institution],
                title=e.title,
                fields_of_expertise=e.fields_of_expertise,
                contact=e.contact,
            )
            for e in data.experts
        ],
        batch_size=5000,
    )


def _institution_id(data: DemoData, ids: list[int], ref: str | None) -> int | None:
    if ref is None:
        return None
    if ref.startswith("company:"):
        return ids[data.holders + int(ref.split(":")[1])]
    index = next(i for i, inst in enumerate(data.institutions[: data.holders]) if inst.name == ref)
    return ids[index]


def _write_users(data: DemoData, platforms: dict[str, Platform], ids: list[int]) -> None:
    # One hash for every demo user: they share a password that is public anyway, and argon2 is slow on
    # purpose (about 0.1 s a hash).
    password = make_password(DEMO_PASSWORD)
    for spec in data.users:
        user = User.objects.create(
            username=spec.username,
            password=password,
            display_name=spec.display_name,
            email=f"{spec.username}@demo.invalid",
            institution_id=_institution_id(data, ids, spec.institution),
        )
        DemoUser.objects.create(user=user)
        if spec.role:
            RoleGrant.objects.create(
                user=user,
                role=spec.role,
                platform=platforms[spec.platform] if spec.platform else None,
                institution_id=_institution_id(data, ids, spec.role_institution),
            )


# --- the digest ----------------------------------------------------------------------------------------


def digest() -> str:
    """An md5 over the demo rows by natural keys (credit codes, inventory numbers, platform codes,
    usernames), leaving out ids, timestamps and password hashes: equal for two loads with one seed."""
    with connection.cursor() as cur:
        parts = []
        for sql in DIGEST_QUERIES:
            # Only constant SQL from this module goes in: no user input.
            query = f"{DIGEST_WITH} SELECT coalesce(md5(string_agg(h, '' ORDER BY k)), '') FROM ({sql}) s"  # noqa: S608
            cur.execute(query)
            parts.append(cur.fetchone()[0])
        cur.execute("SELECT md5(%s)", ["".join(parts)])
        return cur.fetchone()[0]


DIGEST_WITH = (
    "WITH demo_institutions AS (SELECT i.* FROM network_institution i "
    "JOIN demo_demoinstitution d ON d.institution_id = i.id) "
)
# Each query gives a sort key k (natural, collation "C") and a row hash h. Table names are Django's defaults.
DIGEST_QUERIES = [
    # institutions
    "SELECT i.credit_code COLLATE \"C\" AS k, md5((to_jsonb(i) - 'id' - 'created' - 'updated')::text) AS h "
    "FROM demo_institutions i",
    # instruments, by holder and inventory number
    "SELECT (i.credit_code || '/' || x.inventory_no) COLLATE \"C\" AS k, "
    "md5(i.credit_code || (to_jsonb(x) - 'id' - 'institution_id' - 'created' - 'updated')::text) AS h "
    "FROM directory_instrument x JOIN demo_institutions i ON i.id = x.institution_id",
    # memberships
    "SELECT (p.code || '/' || i.credit_code) COLLATE \"C\" AS k, md5(p.code || '/' || i.credit_code) AS h "
    "FROM network_membership m JOIN demo_institutions i ON i.id = m.institution_id "
    "JOIN network_platform p ON p.id = m.platform_id",
    # platforms and their regions
    'SELECT p.path COLLATE "C" AS k, '
    "md5((to_jsonb(p) - 'id' - 'parent_id' - 'created' - 'updated')::text || "
    "(SELECT coalesce(string_agg(r.region_id, ',' ORDER BY r.region_id), '') "
    "FROM network_platform_regions r WHERE r.platform_id = p.id)) AS h "
    "FROM network_platform p JOIN demo_demoplatform d ON d.platform_id = p.id",
    # experts
    "SELECT (i.credit_code || '/' || e.contact) COLLATE \"C\" AS k, "
    "md5(i.credit_code || (to_jsonb(e) - 'id' - 'institution_id' - 'created')::text) AS h "
    "FROM directory_expert e JOIN demo_institutions i ON i.id = e.institution_id",
    # users and their roles (no password hashes, no ids)
    'SELECT u.username COLLATE "C" AS k, '
    "md5(concat_ws('/', u.username, u.email, u.display_name, i.credit_code, "
    "(SELECT string_agg(concat_ws(':', g.role, p.code, gi.credit_code, g.scheme), ',' ORDER BY g.role) "
    "FROM accounts_rolegrant g LEFT JOIN network_platform p ON p.id = g.platform_id "
    "LEFT JOIN network_institution gi ON gi.id = g.institution_id WHERE g.user_id = u.id))) AS h "
    "FROM accounts_user u JOIN demo_demouser d ON d.user_id = u.id "
    "LEFT JOIN network_institution i ON i.id = u.institution_id",
]


# --- who can sign in -----------------------------------------------------------------------------------


def sign_ins() -> list[dict[str, str]]:
    """The demo users as they are in the database: username, password, role and scope."""
    rows = []
    # The generated users that only hold usage records (dayi.demo.usage) cannot sign in: not listed.
    users = (
        User.objects.filter(demo_mark__isnull=False)
        .exclude(password__startswith="!")  # noqa: S106 - Django's mark of an unusable password
        .select_related("institution")
        .order_by("pk")
    )
    grants = {
        g.user_id: g
        for g in RoleGrant.objects.filter(user__in=users).select_related("platform", "institution")
    }
    for user in users:
        grant = grants.get(user.pk)
        if grant is None:
            role, scope = "customer", user.institution.name if user.institution else ""
        elif grant.platform is not None:
            role, scope = grant.role, f"{grant.platform.name} ({grant.platform.code})"
        else:
            role, scope = grant.role, grant.institution.name if grant.institution else grant.scheme
        rows.append({"username": user.username, "password": DEMO_PASSWORD, "role": role, "scope": scope})
    return rows


def table(rows: list[dict[str, str]]) -> str:
    """A small plain-text table; CJK characters count two columns wide."""
    if not rows:
        return ""
    keys = list(rows[0])
    widths = {k: max(_width(k), *(_width(r[k]) for r in rows)) for k in keys}

    def line(values: dict[str, str]) -> str:
        return "  ".join(v + " " * (widths[k] - _width(v)) for k, v in values.items()).rstrip()

    rule = "  ".join("-" * widths[k] for k in keys)
    return "\n".join([line({k: k for k in keys}), rule, *(line(r) for r in rows)])


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
