"""Who reads and acts on the figures: idle lists, idle notices, transfer proposals. All of it is
*overseeing*: it follows the platform tree and an institution's own admins, never delegation."""

from __future__ import annotations

from dayi.accounts.access import (
    Actor,
    is_platform_admin,
    oversees_institution_records,
    platform_oversees_institution,
)


def may_notify_idle(actor: Actor, institution_id: int) -> bool:
    """The holder's own admins, or the admins of a platform it belongs to, tell its managers."""
    return oversees_institution_records(actor, institution_id)


def may_propose_transfer(actor: Actor, from_institution: int) -> bool:
    """A platform admin whose platforms hold the instrument's holder."""
    return is_platform_admin(actor) and platform_oversees_institution(actor, from_institution)


def may_receive_transfer(actor: Actor, to_institution: int) -> bool:
    """The receiving institution must be in the proposing admin's platforms too."""
    return platform_oversees_institution(actor, to_institution)


def platform_overseen_ids(actor: Actor) -> set[int] | None:
    """Institutions the actor oversees as a platform admin (None: all, a superuser; empty: none)."""
    if actor.is_superuser:
        return None
    return set(actor.overseen_institutions)


def own_institution_ids(actor: Actor) -> list[int]:
    """The institutions the actor is staff of (admin or manager), in id order."""
    return sorted(actor.admin_institutions | actor.manager_institutions)
