"""Writing booking rules: an institution's default policy (an instrument's own is written by
``dayi.directory.services.update_instrument``, which validates it with the same ``validate_policy``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from dayi.accounts.access import Actor
from dayi.accounts.access.directory import access_administered_institution
from dayi.booking.policy import validate_policy
from dayi.core import audit
from dayi.core.errors import ValidationFailed
from dayi.network.models import Institution


@transaction.atomic
def set_default_policy(actor: Actor, institution_id: int, policy: Any, *, now: dt.datetime) -> Institution:
    """The booking policy the institution's new instruments start from; its admins' to set (audited)."""
    institution = access_administered_institution(actor, institution_id, for_update=True)
    errors = validate_policy(policy)
    if errors:
        raise ValidationFailed(_("预约规则有误"), fields=errors)
    before = institution.default_booking_policy
    Institution.objects.filter(pk=institution.pk).update(default_booking_policy=policy, updated=now)
    institution.default_booking_policy = policy
    audit.record(
        "institution.default_booking_policy",
        institution,
        actor=actor.user,
        before={"default_booking_policy": before},
        after={"default_booking_policy": policy},
        institution_id=institution.pk,
        now=now,
    )
    return institution
