"""Coded values shown in the reader's language: the models' Chinese labels, translated by the catalogue."""

from __future__ import annotations

from django.db.models import TextChoices
from django.utils.translation import gettext

from dayi.directory.models import Purpose, ServiceMode, ShareMode, Source, Status
from dayi.network.models import InstitutionKind, PlatformLevel

CHOICES: dict[str, type[TextChoices]] = {
    "status": Status,
    "mode": ServiceMode,
    "share_mode": ShareMode,
    "source": Source,
    "purpose": Purpose,
    "kind": InstitutionKind,
    "level": PlatformLevel,
}


def choice_label(kind: str, value: str) -> str:
    """The label of ``value`` among the ``kind`` choices, in the active language; unknown values as is."""
    labels = dict(CHOICES[kind].choices)
    label = labels.get(value)
    return gettext(str(label)) if label is not None else str(value)
