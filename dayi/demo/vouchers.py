"""Generated demo data for innovation vouchers: two schemes, their officers, listed providers, vouchers, uses
on completed orders and claims in every state. GENERATED, not real: the schemes' terms and budgets, the
funders' credit codes, the officers, the company members, the applications, orders and claims.

The Shanghai scheme (通兑) recognises the Zhejiang scheme's providers, so Shanghai companies may use their
vouchers at Hangzhou providers and the Shanghai budget pays; the Zhejiang scheme is 通用 (the company pays in
full and claims the subsidy back). Everything happens through the voucher and orders services, dated over the
last five months, so the pages, the ledger and ``queries.reconcile`` see the engine's real rows. Only the demo
orders themselves are written directly, already in service (submitting samples needs a price list that the
demo instruments do not have); the services then complete, charge and pay them.

Deterministic for a seed: companies, providers and instruments are taken in a fixed order, every choice comes
from ``random.Random`` seeded with the load's seed, and ``now`` is the load's.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from dayi.accounts.access import Actor, actor_for
from dayi.accounts.models import Role, RoleGrant, User
from dayi.core import audit
from dayi.core.money import fmt
from dayi.demo.generate import DEMO_PASSWORD, DemoData, new_credit_code
from dayi.demo.models import DemoInstitution, DemoUser
from dayi.directory.models import Instrument
from dayi.network.models import Institution, Membership, MembershipStatus, Platform
from dayi.orders import services as orders
from dayi.orders.models import LedgerEntry, Order, PriceRule, PriceUnit, UserClass
from dayi.vouchers import services
from dayi.vouchers.models import ProviderCreditEntry, RedemptionClaim, Voucher, VoucherLedgerEntry

# The append-only triggers of the two ledgers (dayi/core/migration_ops.py): demo rows are generated, so a
# reload may remove them; nothing else may.
APPEND_ONLY = (
    ("vouchers_voucherledgerentry", "voucher_ledger_entry_append_only"),
    ("orders_ledgerentry", "ledger_entry_append_only"),
)

FUNDERS = (
    ("上海市科学技术委员会", "Science and Technology Commission of Shanghai Municipality", "310000"),
    ("浙江省科学技术厅", "Department of Science and Technology of Zhejiang Province", "330000"),
)


@dataclass(frozen=True)
class SchemeSpec:
    code: str
    name: str
    province: str  # two-digit prefix of the eligible companies' and the listed providers' region codes
    funder: int  # index into FUNDERS
    officer: str
    officer_name: str
    terms: dict[str, Any]


SCHEMES = (
    SchemeSpec(
        "sh2026",
        "上海市科技创新券",
        "31",
        0,
        "sh-voucher",
        "上海创新券经办",
        {
            "budget": Decimal("20000000"),
            "subsidy_ratio": Decimal("0.50"),
            "cap_per_company": Decimal("300000"),
            "eligible_regions": ["310000"],
            "sme_only": True,
            "mode": "tongdui",
            "redemption_days": 90,
        },
    ),
    SchemeSpec(
        "zj2026",
        "浙江省科技创新券",
        "33",
        1,
        "zj-voucher",
        "浙江创新券经办",
        {
            "budget": Decimal("15000000"),
            "subsidy_ratio": Decimal("0.40"),
            "cap_per_company": Decimal("150000"),
            "eligible_regions": ["330000"],
            "sme_only": True,
            "max_company_age_years": 20,
            "mode": "tongyong",
            "redemption_days": 90,
        },
    ),
)

COMPANIES_PER_SCHEME = {"sh2026": 4, "zj2026": 3}
PROVIDERS_PER_SCHEME = 3
# What a report of each middle class finds ({v}, {w}: generated figures); the report names the instrument,
# so a report always matches the instrument that made it.
FINDINGS = {
    "0101": "形貌像 {w} 幅，EDS 元素分布图 {w} 幅",
    "0102": "检出目标化合物 {w} 种，附质谱图",
    "0103": "物相分析：主相含量 {v}‰，附衍射图谱",
    "0104": "光谱 {w} 条，特征峰归属见附表",
    "0105": "色谱纯度 99.{w}%，检出杂质峰 {w} 个",
    "0106": "谱图 {w} 张，结构归属见附表",
    "0109": "热分析曲线 {w} 条，起始分解温度 {v} ℃",
    "0110": "检测数据 {w} 组，附原始数据文件",
    "0205": "比表面积 {v} m²/g，孔容 0.{w} cm³/g",
}
FINDING = "测试数据 {w} 组，附原始数据与图谱"


def report_for(instrument: Instrument, number: str, rng: random.Random) -> str:
    """The report of a sample order, naming the instrument and a finding of its class."""
    finding = FINDINGS.get(instrument.category_id[:4], FINDING)
    text = finding.format(v=rng.randrange(50, 900), w=rng.randrange(2, 9))
    return f"检测报告 {number}：{instrument.name}（{instrument.model}），{text}"


def clear_ledgers() -> None:
    """Remove the ledger rows that refer to demo data, so that ``loader.clear`` can remove the rest.

    Both ledgers refuse UPDATE and DELETE through a trigger. The trigger is switched off for this one
    statement and on again inside the load's transaction (ALTER TABLE takes the table's lock until commit,
    so no other session can write while it is off), and only rows tied to demo institutions or users go.
    """
    institutions = list(DemoInstitution.objects.values_list("institution_id", flat=True))
    users = list(DemoUser.objects.values_list("user_id", flat=True))
    demo_orders = Order.objects.filter(
        Q(provider_id__in=institutions)
        | Q(customer_institution_id__in=institutions)
        | Q(customer_id__in=users)
    ).values("pk")
    doomed = {
        "vouchers_voucherledgerentry": VoucherLedgerEntry.objects.filter(
            Q(scheme__funder_id__in=institutions)
            | Q(voucher__company_id__in=institutions)
            | Q(order__in=demo_orders)
            | Q(actor_id__in=users)
        ),
        "orders_ledgerentry": LedgerEntry.objects.filter(Q(order__in=demo_orders) | Q(actor_id__in=users)),
    }
    # A provider's credit record lets a purge through (its trigger reads the purge setting).
    audit.allow_purge()
    ProviderCreditEntry.objects.filter(
        Q(provider_id__in=institutions) | Q(scheme__funder_id__in=institutions) | Q(actor_id__in=users)
    ).delete()
    for table, trigger in APPEND_ONLY:
        rows = doomed[table]
        if not rows.exists():
            continue
        with connection.cursor() as cur:
            # DDL refuses to run on a table with deferred foreign-key checks pending (rows written earlier in
            # this transaction): run them now. Only constant names from this module go into the DDL.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER "{trigger}"')
            rows.delete()
            cur.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER "{trigger}"')
            cur.execute("SET CONSTRAINTS ALL DEFERRED")


@dataclass
class _Plan:
    """Who does what in the demo: the acting users and the chosen institutions."""

    admin: Actor  # the national platform's admin: sets up the schemes
    officers: dict[str, Actor]
    members: dict[int, Actor]  # company id → its member
    companies: dict[str, list[Institution]]
    providers: dict[str, list[Institution]]
    instruments: dict[int, list[Instrument]]  # provider id → its sample-taking instruments
    # provider id → its own institution admin: asks to be listed, completes and charges its orders, claims
    # (a platform admin oversees providers but does not operate them)
    provider_admins: dict[int, Actor]


def load(
    data: DemoData, ids: list[int], platforms: dict[str, Platform], *, now: dt.datetime
) -> dict[str, int]:
    """Write the voucher demo; return counts. ``ids`` are the demo institutions' ids in ``data`` order."""
    rng = random.Random(f"vouchers-{data.seed}")
    start = now - dt.timedelta(days=150)
    funders = _write_funders(rng, platforms, {i.credit_code for i in data.institutions})
    plan = _plan(data, ids, funders, now=start)
    for spec in SCHEMES:
        _set_up(spec, plan, funders, start=start - dt.timedelta(days=30), now=now)
    services.add_recognition(
        plan.officers["sh2026"],
        "sh2026",
        accepts="zj2026",
        payer="issuer",
        mode="tongdui",
        now=start - dt.timedelta(days=20),
    )
    n = 0
    for spec in SCHEMES:
        n = _vouchers_and_services(spec, plan, rng, start=start, now=now, n=n)
    _decide_claims(plan, now=now)
    return {
        "voucher_schemes": len(SCHEMES),
        "vouchers": Voucher.objects.filter(scheme__code__in=[s.code for s in SCHEMES]).count(),
        "voucher_claims": RedemptionClaim.objects.filter(scheme__code__in=[s.code for s in SCHEMES]).count(),
    }


# --- who ------------------------------------------------------------------------------------------------


def _write_funders(rng: random.Random, platforms: dict[str, Platform], taken: set[str]) -> list[Institution]:
    """The funding bodies: generated government institutions, members of the national and YRD platforms (so
    the national admin may set up their schemes)."""
    funders = []
    for name, name_en, region in FUNDERS:
        funder = Institution.objects.create(
            name=name,
            name_en=name_en,
            credit_code=new_credit_code(rng, "11", region, taken),  # an organ (1) of government (1)
            kind="government",
            region_id=region,
        )
        DemoInstitution.objects.create(institution=funder)
        for code in ("cn", "yrd"):
            Membership.objects.create(
                platform=platforms[code], institution=funder, status=MembershipStatus.ACCEPTED
            )
        funders.append(funder)
    return funders


def _user(username: str, display_name: str, institution: Institution | None, password: str) -> User:
    user = User.objects.create(
        username=username,
        password=password,
        display_name=display_name,
        email=f"{username}@demo.invalid",
        institution=institution,
    )
    DemoUser.objects.create(user=user)
    return user


def _plan(data: DemoData, ids: list[int], funders: list[Institution], *, now: dt.datetime) -> _Plan:
    password = make_password(DEMO_PASSWORD)  # one hash for all, as the loader does
    officers = {}
    for spec in SCHEMES:
        user = _user(spec.officer, spec.officer_name, None, password)
        RoleGrant.objects.create(user=user, role=Role.VOUCHER_OFFICER, scheme=spec.code)
        officers[spec.code] = actor_for(user)
    holders = Institution.objects.filter(pk__in=ids[: data.holders])
    customer = User.objects.filter(username="sme-user", institution__is_sme=True).first()
    companies = Institution.objects.filter(pk__in=ids[data.holders :], is_sme=True)
    chosen: dict[str, list[Institution]] = {}
    providers: dict[str, list[Institution]] = {}
    instruments: dict[int, list[Instrument]] = {}
    members: dict[int, Actor] = {}
    provider_admins: dict[int, Actor] = {}
    for spec in SCHEMES:
        # Companies young enough for every scheme's age limit, in credit-code order.
        # Companies young enough for every scheme's age limit, in credit-code order; the demo customer
        # (sme-user) first when their company qualifies, so their wallet has vouchers in it.
        young = companies.filter(
            region__code__startswith=spec.province, founded__gte=dt.date(now.year - 19, 1, 1)
        ).order_by("credit_code")
        picked = list(young.filter(users=customer)) if customer else []
        picked += list(
            young.exclude(pk__in=[c.pk for c in picked])[: COMPANIES_PER_SCHEME[spec.code] - len(picked)]
        )
        chosen[spec.code] = picked
        for k, company in enumerate(picked, start=1):
            if customer is not None and company.pk == customer.institution_id:
                members[company.pk] = actor_for(customer)
                continue
            user = _user(f"{spec.code[:2]}-sme{k}", f"{company.name[:12]}（企业用户）", company, password)
            members[company.pk] = actor_for(user)
        providers[spec.code] = []
        for holder in holders.filter(region__code__startswith=spec.province).order_by("credit_code"):
            sample = list(
                Instrument.objects.filter(
                    institution=holder, retired__isnull=True, modes__contains=["sample"]
                ).order_by("inventory_no")[:3]
            )
            if sample:
                providers[spec.code].append(holder)
                instruments[holder.pk] = sample
                if holder.pk not in provider_admins:
                    k = len(providers[spec.code])
                    user = _user(
                        f"{spec.code[:2]}-provider{k}", f"{holder.name[:12]}（单位管理员）", holder, password
                    )
                    RoleGrant.objects.create(user=user, role=Role.INSTITUTION_ADMIN, institution=holder)
                    provider_admins[holder.pk] = actor_for(user)
            if len(providers[spec.code]) == PROVIDERS_PER_SCHEME + 1:  # the last one stays in public notice
                break
    admin = actor_for(User.objects.get(username="cn-admin"))
    return _Plan(admin, officers, members, chosen, providers, instruments, provider_admins)


# --- schemes and listings -------------------------------------------------------------------------------


def _set_up(
    spec: SchemeSpec, plan: _Plan, funders: list[Institution], *, start: dt.datetime, now: dt.datetime
) -> None:
    data = {
        "code": spec.code,
        "name": f"{spec.name} {now.year}",
        "funder": funders[spec.funder].pk,
        "region": f"{spec.province}0000",
        "period_start": (start - dt.timedelta(days=30)).date(),
        "period_end": (now + dt.timedelta(days=300)).date(),
        "use_days": 365,
        **spec.terms,
    }
    services.create_scheme(plan.admin, data, now=start)
    listed, waiting = (
        plan.providers[spec.code][:PROVIDERS_PER_SCHEME],
        plan.providers[spec.code][PROVIDERS_PER_SCHEME:],
    )
    for provider in listed:
        listing = services.request_listing(
            plan.provider_admins[provider.pk], spec.code, provider.pk, now=start
        )
        services.approve_listing(
            plan.officers[spec.code], spec.code, listing.pk, now=start + services.NOTICE_PERIOD
        )
    for provider in waiting:  # asked two days ago: in its public notice on the scheme's page
        services.request_listing(
            plan.provider_admins[provider.pk], spec.code, provider.pk, now=now - dt.timedelta(days=2)
        )


# --- vouchers, orders, uses and claims ------------------------------------------------------------------


def _vouchers_and_services(
    spec: SchemeSpec, plan: _Plan, rng: random.Random, *, start: dt.datetime, now: dt.datetime, n: int
) -> int:
    """Each company applies; all but the last are approved and buy two or three services paid partly by the
    voucher; the last waits in the officer's queue. The first company has one more service done and not yet
    paid, and a second application of theirs is rejected."""
    officer = plan.officers[spec.code]
    companies = plan.companies[spec.code]
    per_company = 3 if spec.code == "sh2026" else 2
    gap = 125 / max(1, (len(companies) - 1) * per_company)  # days between two services
    first_n = n + 1
    for k, company in enumerate(companies):
        member = plan.members[company.pk]
        at = start + dt.timedelta(days=4 * k, hours=rng.randrange(9, 17))
        amount = Decimal(rng.choice((30000, 50000, 80000, 100000)))
        application = services.apply_for_voucher(
            member,
            scheme_code=spec.code,
            company_id=company.pk,
            amount=amount,
            purpose=rng.choice(("新材料表征检测", "药物杂质分析", "电子元器件失效分析", "食品安全检测")),
            now=at,
        )
        if k == len(companies) - 1:
            continue  # waits for the officer
        voucher = services.approve_application(officer, application.pk, now=at + dt.timedelta(days=2))
        for _ in range(per_company):
            n += 1
            provider = _provider_for(spec, plan, rng, n)
            if provider is None:
                break
            # The scheme's services spread over the five months, the latest a few weeks ago (their claims
            # still wait in the queue).
            placed = start + dt.timedelta(days=10 + gap * (n - first_n), hours=rng.randrange(9, 17))
            order, done = _delivered(plan, company, provider, rng, n, at=placed)
            services.apply_voucher_to_order(
                member, order.pk, voucher.number, now=done + dt.timedelta(hours=1)
            )
            claimant = member if spec.terms["mode"] == "tongyong" else plan.provider_admins[provider.pk]
            services.claim_redemption(claimant, order.pk, now=done + dt.timedelta(days=1))
    if companies and plan.providers[spec.code]:
        # The first company's latest service is done and not yet paid: its wallet offers the voucher for it.
        n += 1
        _delivered(plan, companies[0], plan.providers[spec.code][0], rng, n, at=now - dt.timedelta(days=6))
    if companies:
        first = companies[0]
        rejected = services.apply_for_voucher(
            plan.members[first.pk],
            scheme_code=spec.code,
            company_id=first.pk,
            amount=Decimal("200000"),
            purpose="购置检测设备一台",
            now=start + dt.timedelta(days=20),
        )
        services.reject_application(
            officer,
            rejected.pk,
            reason="创新券用于购买检测服务，不支持设备购置",
            now=start + dt.timedelta(days=22),
        )
    return n


def _provider_for(spec: SchemeSpec, plan: _Plan, rng: random.Random, n: int) -> Institution | None:
    """Mostly the scheme's first listed provider (so one provider's voucher income is concentrated, for the
    officer's list); a Shanghai company's every third service is bought in Zhejiang under the recognition."""
    own = plan.providers[spec.code][:PROVIDERS_PER_SCHEME]
    if spec.code == "sh2026" and n % 3 == 0 and plan.providers["zj2026"]:
        return plan.providers["zj2026"][0]
    if not own:
        return None
    return own[0] if rng.random() < 0.6 else rng.choice(own)


def _one_line(description: str, amount: str) -> dict[str, str]:
    """A quote line in the shape the API lists (one item at the amount)."""
    return {
        "description": description,
        "unit": "item",
        "quantity": "1",
        "unit_price": amount,
        "amount": amount,
    }


def _priced_line(instrument: Instrument, count: int) -> dict[str, str] | None:
    """The quote line a company gets from the instrument's price list (dayi.demo.prices), if it has one."""
    rule = PriceRule.objects.filter(
        instrument=instrument, unit=PriceUnit.SAMPLE, user_class=UserClass.ENTERPRISE
    ).first()
    if rule is None:
        return None
    return {
        "description": "送样检测 (per sample)",
        "unit": PriceUnit.SAMPLE,
        "quantity": str(count),
        "unit_price": fmt(rule.amount),
        "amount": fmt(rule.amount * count),
    }


def _delivered(
    plan: _Plan,
    company: Institution,
    provider: Institution,
    rng: random.Random,
    n: int,
    *,
    at: dt.datetime,
) -> tuple[Order, dt.datetime]:
    """A sample order in service, then completed with its report and charged through the orders services;
    the order and when it was done. Every fifth is completed minutes after it was placed (a pattern the
    officer is shown)."""
    instrument = plan.instruments[provider.pk][n % len(plan.instruments[provider.pk])]
    count = rng.randrange(1, 6)
    line = _priced_line(instrument, count) or _one_line(instrument.name, f"{rng.randrange(80, 1200) * 10}.00")
    amount = Decimal(line["amount"])
    member = plan.members[company.pk]
    order = Order.objects.create(
        kind="sample",
        status="in_service",
        instrument=instrument,
        mode="sample",
        customer=member.user,
        customer_institution=company,
        provider=provider,
        samples={"count": count, "kind": "粉末", "return_or_dispose": "dispose"},
        description="演示订单（生成数据）",
        quote={"amount": str(amount), "lines": [line]},
        created=at,
        updated=at,
    )
    done = at + (dt.timedelta(minutes=4) if n % 5 == 0 else dt.timedelta(days=2, hours=3))
    report = report_for(instrument, f"DEMO-{at:%Y%m}-{n:03d}", rng)
    staff = plan.provider_admins[provider.pk]
    orders.complete_order(staff, order.pk, now=done, note=report)
    return orders.charge_order(staff, order.pk, now=done), done


def _decide_claims(plan: _Plan, *, now: dt.datetime) -> None:
    """Claims of the months that ended six weeks or more ago are decided: the first rejected with its
    reason, the rest settled by the monthly batch; newer claims wait in the officer's queue."""
    for spec in SCHEMES:
        officer = plan.officers[spec.code]
        closed = _month_of(now - dt.timedelta(days=45))  # months before this one are closed
        old = [
            c
            for c in RedemptionClaim.objects.filter(scheme__code=spec.code, status="submitted").order_by(
                "created", "pk"
            )
            if _month_of(c.created) < closed
        ]
        if not old:
            continue
        services.reject_claim(
            officer,
            old[0].pk,
            reason="检测报告与委托单位名称不一致，请补正后重新申请",
            now=now - dt.timedelta(days=20),
        )
        for month in sorted({_month_of(c.created) for c in old[1:]}):
            services.settle_month(officer, spec.code, month=month, now=now - dt.timedelta(days=15))


def _month_of(moment: dt.datetime) -> dt.date:
    """The first day of the month of ``moment`` in Asia/Shanghai (the monthly batch's months are local)."""
    return timezone.localtime(moment).date().replace(day=1)
