"""Who may see and move the money of research-group accounts.

- An account is read by its PI, its members, the admins of its institution (and the platform admins above
  it, as the package's ``administers_institution`` says) and the institution's finance officers.
- Its keeper (the PI, or an admin of its institution) asks for a top-up; only a ``finance_officer`` of the
  account's institution who did not ask confirms, rejects or reverses it (four eyes). So nobody alone
  creates spendable money.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from dayi.accounts.access import Actor, administers_institution, require_signed_in
from dayi.core.errors import Forbidden, NotFound
from dayi.network.models import Institution, InstitutionKind
from dayi.orders.models import Account, TopUp


def keeps_account(actor: Actor, account: Account) -> bool:
    """The PI keeps the account; the institution's admins may act for them."""
    return account.pi_id == actor.user.pk or administers_institution(actor, account.institution_id)


def check_keeper(actor: Actor, account: Account) -> None:
    if not keeps_account(actor, account):
        raise Forbidden(gettext("只有课题组负责人或单位管理员可以这样做"))


def confirms_top_ups_of(actor: Actor, institution_id: int) -> bool:
    """A finance officer of the institution (or a superuser) decides its accounts' top-ups."""
    return actor.is_superuser or institution_id in actor.finance_institutions


def keeps_books(actor: Actor) -> bool:
    """A finance officer of some institution: the one who sees the queue of top-ups."""
    return actor.is_superuser or bool(actor.finance_institutions)


def reads_company_books(actor: Actor, institution_id: int | None) -> bool:
    """A company's own people read its statements: in money a company's users act for it, as they hold and
    spend its innovation vouchers (``acts_for_company``). A university's researchers do not read their
    university's books (its admins do, ``oversees_institution_records``)."""
    if institution_id is None or not actor.is_authenticated or actor.institution_id != institution_id:
        return False
    return Institution.objects.filter(pk=institution_id, kind=InstitutionKind.ENTERPRISE).exists()


def service_record_institution_ids(actor: Actor) -> set[int] | None:
    """Providers whose national service records the actor may export (``oversees_institution``: their own
    admins and managers, the platform admins above them); None means all (a superuser)."""
    if actor.is_superuser:
        return None
    if not actor.is_authenticated:
        return set()
    return set(actor.admin_institutions) | set(actor.manager_institutions) | set(actor.overseen_institutions)


def may_decide_top_up(actor: Actor, top_up: TopUp) -> bool:
    """Four eyes: a finance officer of the account's institution who is not the requester."""
    return (
        confirms_top_ups_of(actor, top_up.account.institution_id) and top_up.requested_by_id != actor.user.pk
    )


def check_may_decide_top_up(actor: Actor, top_up: TopUp) -> None:
    if top_up.requested_by_id == actor.user.pk:
        raise Forbidden(gettext("不能确认自己申请的充值"))
    if not may_decide_top_up(actor, top_up):
        raise Forbidden(gettext("只有该单位的财务人员可以确认充值"))


def visible_accounts(actor: Actor) -> QuerySet[Account]:
    """Accounts the actor may read: led by them, joined by them, of an institution they administer or
    keep the books of."""
    if not actor.is_authenticated:
        return Account.objects.none()
    if actor.is_superuser:
        return Account.objects.all()
    institutions = actor.admin_institutions | actor.platform_institutions | actor.finance_institutions
    q = Q(pi=actor.user) | Q(members=actor.user) | Q(institution_id__in=institutions)
    return Account.objects.filter(q).distinct()


def chargeable_accounts(actor: Actor) -> QuerySet[Account]:
    """The group accounts the actor may charge a booking or an order to: those they lead or joined (an
    institution's admin or finance officer reads its accounts but does not spend from them)."""
    if not actor.is_authenticated:
        return Account.objects.none()
    return Account.objects.filter(Q(pi=actor.user) | Q(members=actor.user)).distinct()


def access_account(actor: Actor, account_id: int, *, for_update: bool = False) -> Account:
    require_signed_in(actor.user)
    account = visible_accounts(actor).filter(pk=account_id).first()
    if account is None:
        raise NotFound(gettext("账户不存在"))
    if for_update:
        # The visibility query has DISTINCT (no FOR UPDATE there): lock the row by its key.
        account = Account.objects.select_for_update().get(pk=account.pk)
    return account


def visible_top_ups(actor: Actor) -> QuerySet[TopUp]:
    """Top-ups of the accounts the actor may read."""
    if not actor.is_authenticated:
        return TopUp.objects.none()
    if actor.is_superuser:
        return TopUp.objects.all()
    accounts: Any = visible_accounts(actor).values("pk")
    return TopUp.objects.filter(account_id__in=accounts)


def access_top_up(actor: Actor, top_up_id: int, *, for_update: bool = False) -> TopUp:
    require_signed_in(actor.user)
    if not visible_top_ups(actor).filter(pk=top_up_id).exists():
        raise NotFound(gettext("充值申请不存在"))
    qs = TopUp.objects.select_related("account")
    if for_update:
        # Locks the top-up row (not the account's): two officers deciding at once queue here.
        qs = qs.select_for_update(of=("self",))
    return qs.get(pk=top_up_id)


def top_ups_to_decide(actor: Actor) -> QuerySet[TopUp]:
    """The finance officer's queue: pending top-ups of their institutions' accounts."""
    qs = TopUp.objects.filter(status="pending").select_related(
        "account", "account__institution", "requested_by"
    )
    if actor.is_superuser:
        return qs.order_by("requested", "id")
    return qs.filter(account__institution_id__in=actor.finance_institutions).order_by("requested", "id")
