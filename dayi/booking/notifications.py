"""The e-mails about bookings: who gets which message, in Chinese and then English.

Composing is separate from sending (``dayi.booking.tasks``), so the text can be read and tested without a
job runner. Times are shown on the instrument's wall clock with its zone named.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage

from dayi.accounts.models import Role, User
from dayi.booking import timeline
from dayi.booking.models import Booking
from dayi.directory.models import ServiceMode

KINDS = (
    "requested",
    "confirmed",
    "approved",
    "rejected",
    "cancelled",
    "no_show",
    "reminder",
    "expired",
    "shortened",
    "moved",
)


@dataclass(frozen=True)
class Wording:
    subject_zh: str
    subject_en: str
    lead_zh: str
    lead_en: str


WORDING = {
    "requested": Wording(
        "预约已提交，等待审批",
        "Booking request received, awaiting approval",
        "您的机时预约已提交，仪器管理员审批后生效。审批前该时段为您保留。",
        "Your booking request was received. It takes effect once the instrument's managers approve it; "
        "the time is held for you meanwhile.",
    ),
    "confirmed": Wording(
        "预约已确认",
        "Booking confirmed",
        "您的机时预约已确认。",
        "Your booking is confirmed.",
    ),
    "approved": Wording(
        "预约已通过审批",
        "Booking approved",
        "仪器管理员已批准您的机时预约。",
        "The instrument's managers approved your booking.",
    ),
    "rejected": Wording(
        "预约未通过审批",
        "Booking rejected",
        "很抱歉，仪器管理员未批准您的机时预约，该时段已释放。",
        "Sorry, the instrument's managers rejected your booking; the time has been released.",
    ),
    "cancelled": Wording(
        "预约已取消",
        "Booking cancelled",
        "您的机时预约已取消。",
        "Your booking was cancelled.",
    ),
    "no_show": Wording(
        "预约记为爽约",
        "Booking marked as a no-show",
        "您未在规定时间内签到，该预约已记为爽约，剩余时段已释放。",
        "You did not check in in time: the booking was marked as a no-show and the rest of the slot "
        "released.",
    ),
    "expired": Wording(
        "预约未获审批，已过期",
        "Booking request expired",
        "您的机时预约在审批期限内未获处理，已过期，该时段已释放。如仍需使用，请重新预约。",
        "Your booking request was not decided within the approval window: it expired and the time was "
        "released. Please book again if you still need it.",
    ),
    "shortened": Wording(
        "预约时段已被管理员缩短",
        "Booking shortened by the instrument's managers",
        "仪器管理员缩短了您的机时预约，新的时段如下。",
        "The instrument's managers shortened your booking; its new time is below.",
    ),
    "moved": Wording(
        "预约时段已被管理员调整",
        "Booking moved by the instrument's managers",
        "仪器管理员调整了您的机时预约，新的时段如下。",
        "The instrument's managers moved your booking; its new time is below.",
    ),
    "reminder": Wording(
        "机时预约提醒",
        "Reminder: your instrument booking",
        "提醒：您预约的机时即将开始。",
        "A reminder: your booked instrument time starts soon.",
    ),
}
MANAGER_WORDING = Wording(
    "新的预约待审批",
    "A booking awaits your approval",
    "有一项新的机时预约等待您审批。",
    "A new booking is waiting for your approval.",
)


def _mode(mode: str) -> tuple[str, str]:
    if mode in ServiceMode.values:
        return str(ServiceMode(mode).label), mode
    return mode, mode


def _details(b: Booking) -> tuple[list[str], list[str]]:
    zone = timeline.zone_of(b.instrument)
    start, end = b.start.astimezone(zone), b.end.astimezone(zone)
    when = (
        f"{start:%Y-%m-%d %H:%M} – {end:%H:%M}"
        if start.date() == end.date()
        else (f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M}")
    )
    mode_zh, mode_en = _mode(b.mode)
    inst = b.instrument
    zh = [
        f"仪器：{inst.name}（{inst.institution.name}）",
        f"时间：{when}（{zone}）",
        f"服务方式：{mode_zh}",
    ]
    en = [
        f"Instrument: {inst.name_en or inst.name} ({inst.institution.name})",
        f"Time: {when} ({zone})",
        f"Service mode: {mode_en}",
    ]
    if inst.location:
        zh.append(f"地点：{inst.location}")
        en.append(f"Location: {inst.location}")
    if b.reason:
        zh.append(f"原因：{b.reason}")
        en.append(f"Reason: {b.reason}")
    zh.append(f"预约编号：{b.pk}")
    en.append(f"Booking number: {b.pk}")
    return zh, en


def _body(w: Wording, b: Booking, link: str) -> str:
    zh, en = _details(b)
    return "\n".join(
        [w.lead_zh, "", *zh, "", f"查看：{link}", "", "—", "", w.lead_en, "", *en, "", f"View: {link}", ""]
    )


def _message(w: Wording, b: Booking, to: str, link: str) -> EmailMessage:
    subject = f"[大仪 Dayi] {w.subject_zh} / {w.subject_en} · {b.instrument.name}"
    return EmailMessage(subject=subject, body=_body(w, b, link), to=[to])


def managers_to_tell(b: Booking) -> list[str]:
    """The e-mail addresses of the instrument's managers and its institution's admins."""
    return managers_of_institution(b.instrument.institution_id)


def managers_of_institution(institution_id: int) -> list[str]:
    """The e-mail addresses of an institution's instrument managers and admins."""
    users = User.objects.filter(
        is_active=True,
        grants__institution_id=institution_id,
        grants__role__in=[Role.INSTRUMENT_MANAGER, Role.INSTITUTION_ADMIN],
    ).exclude(email="")
    return sorted({u.email for u in users.distinct()})


def messages_for(booking: Booking, kind: str) -> list[EmailMessage]:
    """The e-mails one event sends: one to the booker (if they have an address), and for a request that
    awaits approval one to each manager (separate messages: managers do not see each other's addresses)."""
    assert kind in KINDS, kind
    site = settings.DAYI_SITE_URL
    out: list[EmailMessage] = []
    if booking.user.email:
        out.append(_message(WORDING[kind], booking, booking.user.email, f"{site}/bookings/"))
    if kind == "requested":
        out += [
            _message(MANAGER_WORDING, booking, email, f"{site}/manage/bookings/")
            for email in managers_to_tell(booking)
        ]
    return out


def load(booking_id: int) -> Booking | None:
    return (
        Booking.objects.select_related("instrument", "instrument__institution", "user")
        .filter(pk=booking_id)
        .first()
    )


def describe(message: Any) -> str:
    return f"{message.subject} → {', '.join(message.to)}"
