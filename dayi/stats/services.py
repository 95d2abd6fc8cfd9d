"""Every write of the stats domain: tell a holder that an instrument is idle; propose its transfer.

Each function takes the acting ``Actor`` first and a keyword-only ``now``, runs in one transaction, checks
permission through ``dayi.accounts.access`` (deny by default) and writes an audit row; the e-mail to the
holder's instrument managers goes out after commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from dayi.accounts.access import Actor, require_signed_in
from dayi.accounts.access.stats import may_notify_idle, may_propose_transfer, may_receive_transfer
from dayi.accounts.models import Role, User
from dayi.core import audit
from dayi.core.errors import Conflict, Forbidden, NotFound, RuleViolation, ValidationFailed
from dayi.directory.models import Instrument
from dayi.network.models import Institution
from dayi.stats import idle as queries
from dayi.stats.models import IdleNotice, TransferProposal

logger = logging.getLogger(__name__)


def _instrument(instrument_id: int) -> Instrument:
    instrument = (
        Instrument.objects.select_related("institution")
        .select_for_update(of=("self",))
        .filter(pk=instrument_id, retired__isnull=True)
        .first()
    )
    if instrument is None:
        raise NotFound(gettext("仪器不存在"))
    return instrument


def _check_idle(instrument: Instrument, *, now: dt.datetime) -> tuple[Decimal, Decimal]:
    """The instrument's effective hours in the last 12 months and the threshold; refuses a busy one."""
    hours = queries.recent_hours(instrument.pk, now=now)
    threshold = queries.default_idle_threshold(now=now)
    if hours >= threshold:
        raise RuleViolation(
            "not_idle",
            f"该仪器近12个月有效机时 {hours} 小时，不低于闲置阈值 {threshold} 小时 "
            f"(not idle: {hours} h in the last 12 months, threshold {threshold} h)",
        )
    return hours, threshold


def _managers_emails(institution_id: int) -> list[str]:
    return sorted(
        set(
            User.objects.filter(
                is_active=True,
                grants__role__in=[Role.INSTRUMENT_MANAGER, Role.INSTITUTION_ADMIN],
                grants__institution_id=institution_id,
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def _mail_after_commit(notice: IdleNotice, instrument: Instrument) -> None:
    link = f"{settings.DAYI_SITE_URL}/instruments/{instrument.pk}/"
    body = "\n".join(
        [
            f"您单位的仪器「{instrument.name}」近12个月有效机时为 {notice.effective_hours} 小时，"
            f"低于闲置阈值 {notice.threshold_hours} 小时，已列入闲置仪器清单。",
            "请提高开放共享程度，或说明情况；长期闲置的仪器可能被建议调剂至其他单位使用。",
            notice.message,
            link,
            "",
            "—",
            "",
            f"Your instrument {instrument.name_en or instrument.name} ran {notice.effective_hours} "
            f"effective hours in the last 12 months, below the idle threshold of {notice.threshold_hours} h.",
        ]
    )
    recipients = _managers_emails(instrument.institution_id)

    def send() -> None:
        if not recipients:
            return
        messages = [
            EmailMessage(
                subject=f"[大仪 Dayi] 闲置仪器提醒 / Idle instrument · {instrument.name}", body=body, to=[t]
            )
            for t in recipients
        ]
        try:
            get_connection().send_messages(messages)
        except Exception:
            logger.exception("could not send the idle notice of instrument %s", instrument.pk)

    transaction.on_commit(send)


@transaction.atomic
def notify_idle(actor: Actor, instrument_id: int, *, message: str = "", now: dt.datetime) -> IdleNotice:
    """An admin of the holder (or of a platform it belongs to) tells its managers the instrument is idle."""
    require_signed_in(actor.user)
    instrument = _instrument(instrument_id)
    if not may_notify_idle(actor, instrument.institution_id):
        raise Forbidden(gettext("只有该单位或其所属平台的管理员可以提醒"))
    hours, threshold = _check_idle(instrument, now=now)
    notice = IdleNotice.objects.create(
        instrument=instrument,
        sent_by=actor.user,
        effective_hours=hours,
        threshold_hours=threshold,
        message=message.strip()[:2000],
        created=now,
    )
    audit.record(
        "stats.idle_notice",
        notice,
        actor=actor.user,
        after=audit.snapshot(notice),
        institution_id=instrument.institution_id,
        now=now,
    )
    _mail_after_commit(notice, instrument)
    return notice


@transaction.atomic
def propose_transfer(
    actor: Actor, instrument_id: int, *, to_institution: int, reason: str = "", now: dt.datetime
) -> TransferProposal:
    """A platform admin proposes that an idle instrument go to another institution of their platforms."""
    require_signed_in(actor.user)
    instrument = _instrument(instrument_id)
    if not may_propose_transfer(actor, instrument.institution_id):
        raise Forbidden(gettext("只有该单位所属平台的管理员可以提议调剂"))
    target = Institution.objects.filter(pk=to_institution).first()
    if target is None or not may_receive_transfer(actor, target.pk):
        raise ValidationFailed(fields={"to_institution": [gettext("须为您所管理平台的成员单位")]})
    if target.pk == instrument.institution_id:
        raise ValidationFailed(fields={"to_institution": [gettext("不能调剂给原单位")]})
    _check_idle(instrument, now=now)
    try:
        with transaction.atomic():
            proposal = TransferProposal.objects.create(
                instrument=instrument,
                to_institution=target,
                proposed_by=actor.user,
                reason=reason.strip()[:2000],
                created=now,
            )
    except IntegrityError:  # stats_one_open_transfer: another admin proposed first
        raise Conflict(gettext("该仪器已有待处理的调剂提议"), code="duplicate") from None
    audit.record(
        "stats.transfer_proposed",
        proposal,
        actor=actor.user,
        after=audit.snapshot(proposal),
        institution_id=instrument.institution_id,
        now=now,
    )
    return proposal
