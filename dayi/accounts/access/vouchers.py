"""Who may do what with the voucher schemes' fraud records (related parties)."""

from __future__ import annotations

from dayi.accounts.access import Actor, acts_for_scheme, administers_institution


def declaring_scheme(actor: Actor, scheme_code: str | None) -> str | None:
    """The scheme a declaration of related parties is made for: the one named, or the officer's only one."""
    if scheme_code:
        return scheme_code
    if len(actor.schemes) == 1 and not actor.is_superuser:
        return next(iter(actor.schemes))
    return None


def may_declare_related(actor: Actor, first_id: int, second_id: int, scheme_code: str | None) -> bool:
    """A scheme's officer declares for that scheme only: the declaration counts in that scheme's checks
    and no other (a Zhejiang officer's word does not weigh on Shanghai's vouchers). Without a scheme, the
    declaration counts in every scheme, so only an admin of one of the parties (declaring oneself related
    only ever restricts oneself) or a superuser may make it."""
    if scheme_code:
        return acts_for_scheme(actor, scheme_code)
    return (
        actor.is_superuser
        or administers_institution(actor, first_id)
        or administers_institution(actor, second_id)
    )
