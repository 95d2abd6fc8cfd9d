"""A world of objects that belong to someone, for trying every write as an outsider.

The target side: 浙江大学 (zju, in g60 under yrd), its managers alice and amy, its priced BET analyser
and an internal-only microscope, and
frank of 某某科技有限公司 (a company customer) with a booking, orders, a rating, a private demand with
zju's quote; a Shanghai voucher scheme (funder zju, officer olga) with an SME, its member cathy, a voucher,
an application, a listing and a claim; an evaluation of yrd; amy's API token; a search synonym.

The outsiders (OUTSIDERS): anonymous; eve, a customer (at zju, with no role); bob, the manager of another
institution (北京大学); dave, the admin of an unrelated platform (bj, Beijing).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dayi.accounts import services as account_services
from dayi.accounts.access import actor_for
from dayi.accounts.models import User
from dayi.booking.models import Booking, UsageRecord, UsageSource
from dayi.demands import services as demand_services
from dayi.directory.models import Expert
from dayi.evaluation import queries as evaluation_queries
from dayi.evaluation.models import Evaluation
from dayi.orders import services as order_services
from dayi.orders.models import Order
from dayi.ratings import services as rating_services
from dayi.search.models import Synonym
from dayi.vouchers.models import RedemptionClaim, VoucherApplication
from tests.booking.conftest import BET_POLICY, make_bet
from tests.conftest import make_institution, make_instrument, make_user
from tests.orders.conftest import NOW, PRICE_LIST
from tests.vouchers.conftest import company, delivered_order, issue, listed, make_scheme

OUTSIDERS: dict[str, str | None] = {
    "anonymous": None,
    "customer": "eve",
    "manager of another institution": "bob",
    "admin of an unrelated platform": "dave",
}


def build(network: dict[str, Any], people: dict[str, User]) -> dict[str, Any]:
    zju, alice, amy = network["zju"], people["alice"], people["amy"]
    acme = make_institution("某某科技有限公司", "91330100MA2XXXXX1A", "330100", kind="enterprise")
    frank = make_user("frank", acme)
    bet = make_bet(zju)
    internal = make_instrument(zju, "TEM-INT", share_mode="internal", booking_policy=BET_POLICY)
    for instrument in (bet, internal):
        order_services.replace_prices(actor_for(alice), instrument.pk, PRICE_LIST, now=NOW)
    order_services.set_charge_shares(actor_for(alice), bet.pk, late_cancellation="0.5", no_show="1", now=NOW)
    samples = {"count": 2, "kind": "粉末", "hazards": "", "return_or_dispose": "dispose"}

    def sample_order() -> Order:
        return order_services.create_sample_order(
            actor_for(frank), instrument_id=bet.pk, samples=samples, now=NOW
        )

    order = sample_order()  # submitted
    rated = sample_order()
    for step in ("accept_order", "receive_samples", "start_order", "complete_order"):
        getattr(order_services, step)(actor_for(alice), rated.pk, now=NOW)
    rating = rating_services.rate_order(actor_for(frank), rated.pk, level=4, comment="好", now=NOW)
    booking = Booking.objects.filter(user=frank).first() or _booking(frank, bet)
    account = order_services.open_account(
        actor_for(amy), name="催化课题组", institution_id=zju.pk, pi_id=alice.pk, now=NOW
    )
    deadline = timezone.localdate() + dt.timedelta(days=60)
    demand = demand_services.post_demand(
        actor_for(frank),
        {"title": "比表面积测试", "description": "BET", "samples": "5", "budget": Decimal("2000"),
         "deadline": deadline, "is_public": False, "category": None, "region": None},
        now=NOW,
    )  # fmt: skip
    quote = demand_services.quote_demand(
        actor_for(alice), demand.pk, instrument_id=bet.pk, amount="1500", note="", now=NOW
    )
    scheme = make_scheme(zju)
    olga = make_user("olga", None, "voucher_officer", scheme=scheme.code)
    sme = company()
    cathy = make_user("cathy", sme)
    listing = listed(scheme, zju)
    voucher = issue(scheme, sme, olga)
    application = VoucherApplication.objects.create(
        scheme=scheme, company=sme, amount=Decimal("500"), purpose="检测", status="submitted",
        applicant=cathy, created=NOW,
    )  # fmt: skip
    claimed = delivered_order(cathy, sme, zju, alice, "1000", 7)
    claim = RedemptionClaim.objects.create(
        order=claimed, scheme=scheme, claimant=zju, mode="tongdui", amount=Decimal("500"), created=NOW
    )
    config, _ = evaluation_queries.config_of(network["yrd"], 2025)
    evaluation = Evaluation.objects.create(platform=network["yrd"], year=2025, config=config, created=NOW)
    _, token_row = account_services.issue_token(amy, now=timezone.now())
    synonym = Synonym.objects.order_by("pk").first()  # the loaded synonyms: national data
    usage = UsageRecord.objects.create(
        booking=booking, instrument=bet, user=frank, start=booking.start, end=booking.end,
        hours=Decimal("1.00"), source=UsageSource.values[0], created=NOW,  # whichever sources there are
    )  # fmt: skip
    merged = _of_merged_branches(zju, network, account, alice, amy)
    invitation, _ = account_services.invite_user(
        actor_for(amy), institution_id=zju.pk, email="new@zju.edu.cn", now=NOW
    )
    return {
        **network,
        **merged,
        **_desk(bet, frank, alice),
        "usage": usage,
        **people,
        "acme": acme, "frank": frank, "bet": bet, "internal_instrument": internal,
        "order": order, "rated_order": rated, "rating": rating,
        "booking": booking, "account": account, "demand": demand, "quote": quote, "scheme": scheme,
        "olga": olga, "sme": sme, "cathy": cathy, "listing": listing, "voucher": voucher,
        "application": application, "claim": claim, "claimed_order": claimed, "evaluation": evaluation,
        "token": token_row, "synonym": synonym,
        "invitation": invitation, "alice_grant": alice.grants.get(),
        "expert": Expert.objects.create(name="李明", institution=zju, fields_of_expertise=["电子显微学"]),
    }  # fmt: skip


def _of_merged_branches(
    zju: Any, network: dict[str, Any], account: Any, alice: User, amy: User
) -> dict[str, Any]:
    """The objects of the features the other branches of issue 11 add (top-ups, membership requests,
    delegations), built when their models are there: the permission matrix covers their endpoints."""
    from dayi.network import models as network_models
    from dayi.orders import models as order_models

    built: dict[str, Any] = {}
    if hasattr(order_models, "TopUp"):
        built["top_up"] = order_models.TopUp.objects.create(
            account=account, amount=Decimal("1000.00"), method="bank_transfer", reference="BANK-2026-0001",
            requested_by=alice, requested=NOW,
        )  # fmt: skip
    if hasattr(network_models, "Delegation"):
        built["membership"] = network_models.Membership.objects.create(
            platform=network["yrd"], institution=zju, status="pending", requested_by=network_admin(network)
        )
        built["delegation"] = network_models.Delegation.objects.create(
            institution=zju, platform=network["g60"], powers=["instruments"], created=NOW, created_by=amy
        )
    return built


def _desk(bet: Any, frank: User, alice: User) -> dict[str, Any]:
    """The manager's desk (issue 12): frank's training request and fault report on the BET, and the
    qualification alice granted him."""
    from dayi.booking.services import problems, training
    from dayi.booking.services.usage import grant_qualification

    return {
        "training": training.request_training(actor_for(frank), instrument_id=bet.pk, note="", now=NOW),
        "qualification": grant_qualification(
            actor_for(alice), instrument_id=bet.pk, user_id=frank.pk, expires=None, now=NOW
        )[0],
        "problem": problems.report_problem(
            actor_for(frank), instrument_id=bet.pk, description="异响", now=NOW
        ),
    }


def network_admin(network: dict[str, Any]) -> User:
    return User.objects.get(username="carol")  # the admin of yrd (tests/conftest.py)


def _booking(user: User, instrument: Any) -> Booking:
    from tests.booking.conftest import book

    return book(user, instrument, "2026-03-03 10:00", "2026-03-03 11:00")
