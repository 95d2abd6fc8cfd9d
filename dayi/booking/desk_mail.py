"""The e-mails of the manager's desk: training, qualifications, problem reports and downtime.

Each is queued after commit (``after_commit``) as one ``booking.send_desk_email`` job and composed when the
job runs (``messages_for``), in Chinese and then English like the booking e-mails, so a rolled-back write
never mails and a retried job reads the row as it is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

from dayi.booking import timeline
from dayi.booking.models import Booking, ProblemReport, Qualification, TrainingRequest
from dayi.booking.notifications import managers_of_institution
from dayi.directory.models import Instrument

logger = logging.getLogger(__name__)


def after_commit(kind: str, object_id: int, note: str = "") -> None:
    """Queue the e-mail of ``kind`` about ``object_id`` once the caller's transaction commits."""
    assert kind in COMPOSERS, kind

    def defer() -> None:
        from dayi.booking.tasks import send_desk_email  # here: tasks imports the services, which import us

        try:
            send_desk_email.defer(kind=kind, object_id=object_id, note=note)
        except Exception:
            logger.exception("could not queue the %s e-mail of %s", kind, object_id)

    transaction.on_commit(defer)


def _name(i: Instrument) -> tuple[str, str]:
    return i.name, i.name_en or i.name


def _mail(
    to: list[str], subject: tuple[str, str], zh: list[str], en: list[str], path: str
) -> list[EmailMessage]:
    link = f"{settings.DAYI_SITE_URL}{path}"
    body = "\n".join([*zh, "", f"查看：{link}", "", "—", "", *en, "", f"View: {link}", ""])
    return [
        EmailMessage(subject=f"[大仪 Dayi] {subject[0]} / {subject[1]}", body=body, to=[a]) for a in to if a
    ]


def _training(kind: str, t: TrainingRequest) -> list[EmailMessage]:
    zh_name, en_name = _name(t.instrument)
    if kind == "training_requested":
        who = t.user.get_full_name() or t.user.username
        return _mail(
            managers_of_institution(t.instrument.institution_id),
            (f"新的培训申请 · {zh_name}", f"A training request · {en_name}"),
            [f"{who} 申请 {zh_name} 的上机培训。", f"说明：{t.note or '—'}"],
            [f"{who} asks for training on {en_name}.", f"Note: {t.note or '—'}"],
            "/manage/training/",
        )
    zone = timeline.zone_of(t.instrument)
    when = f"{t.scheduled_at.astimezone(zone):%Y-%m-%d %H:%M}（{zone}）" if t.scheduled_at else "—"
    lines = {
        "training_scheduled": (
            ("培训已安排", "Training scheduled"),
            [f"您在 {zh_name} 上的培训已安排：{when}", f"说明：{t.schedule_note or '—'}"],
            [
                f"Your training on {en_name} is scheduled: {when.replace('（', ' (').replace('）', ')')}",
                f"Note: {t.schedule_note or '—'}",
            ],
        ),
        "training_passed": (
            ("培训考核通过", "Training passed"),
            [f"您已通过 {zh_name} 的培训考核，获得自主上机资格。"],
            [f"You passed the training on {en_name} and may now operate it yourself."],
        ),
        "training_failed": (
            ("培训考核未通过", "Training not passed"),
            [f"您未通过 {zh_name} 的培训考核。", f"说明：{t.result_note or '—'}"],
            [f"You did not pass the training on {en_name}.", f"Note: {t.result_note or '—'}"],
        ),
    }
    subject, zh, en = lines[kind]
    return _mail([t.user.email], subject, zh, en, "/training/")


def _qualification(kind: str, q: Qualification) -> list[EmailMessage]:
    zh_name, en_name = _name(q.instrument)
    if kind == "qualification_revoked":
        return _mail(
            [q.user.email],
            ("上机资格已撤销", "Qualification revoked"),
            [f"您在 {zh_name} 上的自主上机资格已被撤销。", f"原因：{q.revoke_reason}"],
            [f"Your qualification to operate {en_name} was revoked.", f"Reason: {q.revoke_reason}"],
            "/training/",
        )
    return _mail(
        [q.user.email],
        ("上机资格即将到期", "Your qualification expires soon"),
        [f"您在 {zh_name} 上的自主上机资格将于 {q.expires} 到期，如需继续使用请联系仪器管理员。"],
        [f"Your qualification to operate {en_name} expires on {q.expires}; ask its managers to renew it."],
        "/training/",
    )


def _problem(p: ProblemReport) -> list[EmailMessage]:
    zh_name, en_name = _name(p.instrument)
    return _mail(
        managers_of_institution(p.instrument.institution_id),
        (f"仪器故障报告 · {zh_name}", f"A fault report · {en_name}"),
        [f"有用户报告 {zh_name} 出现故障：", p.description],
        [f"A user reported a fault on {en_name}:", p.description],
        "/manage/problems/",
    )


def _downtime(b: Booking, note: str) -> list[EmailMessage]:
    zh_name, en_name = _name(b.instrument)
    zone = timeline.zone_of(b.instrument)
    when = f"{b.start.astimezone(zone):%Y-%m-%d %H:%M} – {b.end.astimezone(zone):%H:%M} ({zone})"
    return _mail(
        [b.user.email],
        (f"仪器停机通知 · {zh_name}", f"Instrument downtime · {en_name}"),
        [f"{zh_name} 将停机，与您的预约 {when} 冲突。仪器管理员会与您联系改期或取消。", f"停机：{note}"],
        [
            f"{en_name} will be down during your booking {when}. Its managers will contact you to move or "
            "cancel it.",
            f"Downtime: {note}",
        ],
        "/bookings/",
    )


def _load_training(pk: int) -> TrainingRequest | None:
    return TrainingRequest.objects.select_related("instrument", "user").filter(pk=pk).first()


def _load_qualification(pk: int) -> Qualification | None:
    return Qualification.objects.select_related("instrument", "user").filter(pk=pk).first()


def _training_mail(kind: str) -> Callable[[int, str], list[EmailMessage]]:
    def compose(pk: int, note: str) -> list[EmailMessage]:
        t = _load_training(pk)
        return _training(kind, t) if t else []

    return compose


def _qualification_mail(kind: str) -> Callable[[int, str], list[EmailMessage]]:
    def compose(pk: int, note: str) -> list[EmailMessage]:
        q = _load_qualification(pk)
        return _qualification(kind, q) if q else []

    return compose


def _problem_mail(pk: int, note: str) -> list[EmailMessage]:
    p = ProblemReport.objects.select_related("instrument").filter(pk=pk).first()
    return _problem(p) if p else []


def _downtime_mail(pk: int, note: str) -> list[EmailMessage]:
    b = Booking.objects.select_related("instrument", "user").filter(pk=pk).first()
    return _downtime(b, note) if b else []


TRAINING_KINDS = ("training_requested", "training_scheduled", "training_passed", "training_failed")
QUALIFICATION_KINDS = ("qualification_revoked", "qualification_expiring")
COMPOSERS: dict[str, Callable[[int, str], list[EmailMessage]]] = {
    **{kind: _training_mail(kind) for kind in TRAINING_KINDS},
    **{kind: _qualification_mail(kind) for kind in QUALIFICATION_KINDS},
    "problem_reported": _problem_mail,
    "downtime": _downtime_mail,
}


def messages_for(kind: str, object_id: int, note: str = "") -> list[EmailMessage]:
    return COMPOSERS[kind](object_id, note)
