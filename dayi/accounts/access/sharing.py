"""Who may use an instrument, given how its holder shares it: one rule for every path that asks for service
(a booking, a sample order, an order made from an accepted demand quote).

- ``external`` (对外共享): anyone signed in;
- ``internal`` (内部共享): members of the holding institution and those who manage its instruments;
- ``none`` (不共享): only those who manage its instruments.
"""

from __future__ import annotations

from django.utils.translation import gettext

from dayi.accounts.access import Actor, manages_instruments_of
from dayi.core.errors import RuleViolation
from dayi.directory.models import Instrument, ShareMode


def sharing_refusal(actor: Actor, instrument: Instrument) -> str | None:
    """Why the actor may not use the instrument under its share mode, or None when they may."""
    if manages_instruments_of(actor, instrument.institution_id):
        return None
    if instrument.share_mode == ShareMode.NONE:
        return gettext("该仪器不对外共享")
    if instrument.share_mode == ShareMode.INTERNAL and actor.institution_id != instrument.institution_id:
        return gettext("该仪器仅限本单位使用")
    return None


def may_use_instrument(actor: Actor, instrument: Instrument) -> bool:
    return sharing_refusal(actor, instrument) is None


def check_may_use_instrument(actor: Actor, instrument: Instrument) -> None:
    """Raise 422 ``instrument_unavailable`` (the booking's code for the same refusal)."""
    refusal = sharing_refusal(actor, instrument)
    if refusal is not None:
        raise RuleViolation("instrument_unavailable", refusal)
