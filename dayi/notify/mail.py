"""Plain e-mails sent once the transaction that caused them commits (a rolled-back write mails no one)."""

from __future__ import annotations

import logging

from django.core.mail import EmailMessage, get_connection
from django.db import transaction

logger = logging.getLogger(__name__)


def send_after_commit(*, to: list[str], subject: str, body: str, what: str) -> None:
    """Queue the mail for after commit; a failure to send is logged (``what`` names it), never raised: the
    write it reports has already happened."""
    recipients = [t for t in to if t]

    def send() -> None:
        if not recipients:
            return
        try:
            get_connection().send_messages(
                [EmailMessage(subject=subject, body=body, to=[t]) for t in recipients]
            )
        except Exception:
            logger.exception("could not send %s", what)

    transaction.on_commit(send)
