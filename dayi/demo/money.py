"""Demo research-group accounts and their top-ups, in each state, through the services (so audited).

浙江大学 and 北京大学 each get one group account led by their instrument manager (often a PI too); the
group asks for top-ups, and the institution's finance officer (``zju-finance``, ``pku-finance``) has
confirmed one, rejected one and has one waiting in the queue.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from dayi.accounts.access import actor_for
from dayi.accounts.models import User
from dayi.demo.models import DemoInstitution, DemoUser
from dayi.orders import services
from dayi.orders.models import TopUp

# (institution's prefix, the account's name, [(amount, method, reference, decision)])
ACCOUNTS = (
    (
        "zju",
        "催化材料课题组",
        [
            ("50000.00", "fund_card", "经费卡 2026-ZJ-0418", "confirm"),
            ("12000.00", "bank_transfer", "汇款 20260301-77", "reject"),
            ("8000.00", "internal_transfer", "校内转账 NB-2026-031", "pending"),
        ],
    ),
    (
        "pku",
        "功能分子课题组",
        [
            ("30000.00", "bank_transfer", "汇款 20260215-12", "confirm"),
            ("5000.00", "fund_card", "经费卡 2026-BJ-0107", "pending"),
        ],
    ),
)


def clear_top_ups() -> None:
    """Top-ups name ledger rows that ``vouchers.clear_ledgers`` removes with its checks immediate: they go
    first."""
    users = DemoUser.objects.values("user_id")
    institutions = DemoInstitution.objects.values("institution_id")
    TopUp.objects.filter(Q(requested_by_id__in=users) | Q(account__institution_id__in=institutions)).delete()


def load(*, now: dt.datetime) -> int:
    """Open the demo accounts and ask, confirm and reject their top-ups; return how many top-ups."""
    count = 0
    for prefix, name, top_ups in ACCOUNTS:
        pi = User.objects.get(username=f"{prefix}-manager")
        finance = actor_for(User.objects.get(username=f"{prefix}-finance"))
        assert pi.institution_id is not None
        account = services.open_account(
            actor_for(pi), name=name, institution_id=pi.institution_id, pi_id=pi.pk, now=now
        )
        for amount, method, reference, decision in top_ups:
            asked = services.request_top_up(
                actor_for(pi), account.pk, amount=amount, method=method, reference=reference, now=now
            )
            if decision == "confirm":
                services.confirm_top_up(finance, asked.pk, now=now)
            elif decision == "reject":
                services.reject_top_up(finance, asked.pk, reason="未查到到账记录 (no such transfer)", now=now)
            count += 1
    return count
