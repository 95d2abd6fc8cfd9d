"""Jobs of the demands domain, run by procrastinate's worker (``dayi worker``) from PostgreSQL.

``demands.notify_suggested``: deferred after a demand's transaction commits; one e-mail to each manager
of the suggested instruments' holders (separate messages: managers do not see each other's addresses),
retried with back-off when the mail server fails.
``demands.expire``: hourly, open demands past their deadline become expired.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from procrastinate.contrib.django import app

from dayi.accounts.models import Role, User
from dayi.booking.tasks import MAIL_QUEUE, MAIL_RETRY, PERIODIC_QUEUE, tick_time
from dayi.demands import services
from dayi.demands.models import Demand
from dayi.directory.models import Instrument

logger = logging.getLogger(__name__)


def managers_of(instruments: list[Instrument]) -> dict[str, list[Instrument]]:
    """Each manager's address with the suggested instruments they manage."""
    by_institution: dict[int, list[Instrument]] = {}
    for instrument in instruments:
        by_institution.setdefault(instrument.institution_id, []).append(instrument)
    users = User.objects.filter(
        is_active=True, grants__role=Role.INSTRUMENT_MANAGER, grants__institution_id__in=by_institution
    ).exclude(email="")
    out: dict[str, list[Instrument]] = {}
    for email, institution_id in users.values_list("email", "grants__institution_id").distinct():
        out.setdefault(email, []).extend(by_institution[institution_id])
    return out


def message(demand: Demand, to: str, instruments: list[Instrument]) -> EmailMessage:
    link = f"{settings.DAYI_SITE_URL}/demands/{demand.pk}/"
    names = "、".join(i.name for i in instruments)
    deadline = demand.deadline.isoformat()
    body = "\n".join(
        [
            "有企业发布了可能适合您所管理仪器的检测需求：",
            "",
            f"需求：{demand.title}",
            f"发布单位：{demand.company.name}",
            f"截止日期：{deadline}",
            f"相关仪器：{names}",
            "",
            f"查看并报价：{link}",
            "",
            "—",
            "",
            "A company posted a testing demand that an instrument you manage may answer:",
            "",
            f"Demand: {demand.title}",
            f"Deadline: {deadline}",
            "",
            f"View and quote: {link}",
            "",
        ]
    )
    subject = f"[大仪 Dayi] 新的检测需求 / New demand · {demand.title}"
    return EmailMessage(subject=subject, body=body, to=[to])


@app.task(name="demands.notify_suggested", queue=MAIL_QUEUE, retry=MAIL_RETRY)
def notify_suggested(demand_id: int) -> int:
    """Tell the suggested instruments' managers about a demand; returns how many e-mails went out."""
    demand = Demand.objects.select_related("company").filter(pk=demand_id).first()
    if demand is None:
        logger.warning("demand %s is gone; no e-mails", demand_id)
        return 0
    suggested = list(demand.suggested.order_by("name", "id"))
    messages = [message(demand, to, items) for to, items in sorted(managers_of(suggested).items())]
    if messages:
        get_connection().send_messages(messages)
    return len(messages)


@app.periodic(cron="7 * * * *", periodic_id="demands_expire")
@app.task(name="demands.expire", queue=PERIODIC_QUEUE, queueing_lock="demands.expire")
def expire(timestamp: int) -> list[int]:
    expired = services.expire_due_demands(now=tick_time(timestamp))
    if expired:
        logger.info("expired %d demands: %s", len(expired), expired)
    return expired
