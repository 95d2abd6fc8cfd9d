"""People administration: invitations, deactivation, role grants — each within the actor's powers.

amy is zju's admin; alice manages zju's instruments; eve is a zju customer; bob manages pku's instruments;
carol heads yrd (above g60, which zju belongs to: she oversees zju but does not operate it); dave heads bj.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core import mail, signing

from dayi.accounts import services
from dayi.accounts.access import actor_for
from dayi.accounts.models import Invitation, Role, RoleGrant, User
from dayi.core.errors import Conflict, Forbidden, NotAuthenticated, NotFound, ValidationFailed
from dayi.core.models import AuditEvent
from dayi.network.models import Delegation
from tests.conftest import NOW, make_user

pytestmark = pytest.mark.django_db

STRONG = "Tiegelzange-4711-Quarz"


def invite(people: dict[str, User], who: str, institution: Any, email: str = "new@zju.edu.cn") -> Any:
    return services.invite_user(actor_for(people[who]), institution_id=institution.pk, email=email, now=NOW)


def delegate_users(network: dict[str, Any], people: dict[str, User]) -> None:
    Delegation.objects.create(
        institution=network["zju"],
        platform=network["g60"],
        powers=["users"],
        created=NOW,
        created_by=people["amy"],
    )


# --- invitations -------------------------------------------------------------------------------------------


def test_an_institution_admin_invites_and_the_mail_goes_after_commit(
    network: Any, people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invitation, token = invite(people, "amy", network["zju"])

    assert len(callbacks) == 1 and len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@zju.edu.cn"]
    assert f"/invitations/{token}/" in mail.outbox[0].body
    assert invitation.expires == NOW + dt.timedelta(days=services.INVITATION_DAYS)
    assert AuditEvent.objects.filter(action="invitation.create", object_id=str(invitation.pk)).exists()


def test_no_mail_goes_when_the_invitation_is_refused(network: Any, people: Any) -> None:
    with pytest.raises(ValidationFailed):
        invite(people, "amy", network["zju"], email="not-an-address")

    assert not Invitation.objects.exists() and mail.outbox == []


@pytest.mark.parametrize("who", ["alice", "eve", "bob", "carol", "dave"])
def test_only_who_operates_the_institutions_users_invites(network: Any, people: Any, who: str) -> None:
    with pytest.raises(Forbidden):
        invite(people, who, network["zju"])

    assert not Invitation.objects.exists()


def test_a_platform_with_the_users_power_delegated_invites(network: Any, people: Any) -> None:
    delegate_users(network, people)

    invitation, _ = invite(people, "carol", network["zju"])

    assert invitation.institution == network["zju"]


def test_an_institution_with_email_domains_invites_only_addresses_in_them(network: Any, people: Any) -> None:
    zju = network["zju"]
    zju.email_domains = ["zju.edu.cn"]
    zju.save()

    with pytest.raises(ValidationFailed) as refused:
        invite(people, "amy", zju, email="someone@gmail.com")

    assert refused.value.code == "email_domain"
    assert invite(people, "amy", zju, email="someone@zju.edu.cn")[0].pk


def test_accepting_creates_a_user_of_the_institution_with_an_argon2_password(
    network: Any, people: Any, settings: Any
) -> None:
    settings.PASSWORD_HASHERS = ["tests.hashers.CheapArgon2Hasher"]  # argon2, as the project's first hasher
    _, token = invite(people, "amy", network["zju"])

    user = services.accept_invitation(token, username="newbie", password=STRONG, now=NOW)

    assert user.institution == network["zju"] and user.email == "new@zju.edu.cn"
    assert identify_hasher(user.password).algorithm == "argon2" and user.check_password(STRONG)
    assert Invitation.objects.get().user == user


def test_an_invitation_is_accepted_once(network: Any, people: Any) -> None:
    _, token = invite(people, "amy", network["zju"])
    services.accept_invitation(token, username="newbie", password=STRONG, now=NOW)

    with pytest.raises(Conflict) as refused:
        services.accept_invitation(token, username="other", password=STRONG, now=NOW)

    assert refused.value.code == "invitation_used"
    assert not User.objects.filter(username="other").exists()


def test_an_expired_invitation_is_refused(network: Any, people: Any) -> None:
    _, token = invite(people, "amy", network["zju"])
    later = NOW + dt.timedelta(days=services.INVITATION_DAYS, seconds=1)

    with pytest.raises(Conflict) as refused:
        services.accept_invitation(token, username="newbie", password=STRONG, now=later)

    assert refused.value.code == "invitation_expired"


def test_a_forged_token_is_not_found(network: Any, people: Any) -> None:
    invitation, _ = invite(people, "amy", network["zju"])
    forged = signing.dumps(invitation.pk, salt="another-salt")

    with pytest.raises(NotFound):
        services.accept_invitation(forged, username="newbie", password=STRONG, now=NOW)


def test_a_new_invitation_replaces_the_pending_one(network: Any, people: Any) -> None:
    _, first = invite(people, "amy", network["zju"])
    invite(people, "amy", network["zju"])

    with pytest.raises(Conflict) as refused:
        services.accept_invitation(first, username="newbie", password=STRONG, now=NOW)

    assert refused.value.code == "invitation_revoked"


def test_a_weak_password_keeps_the_invitation_open(network: Any, people: Any) -> None:
    _, token = invite(people, "amy", network["zju"])

    with pytest.raises(ValidationFailed):
        services.accept_invitation(token, username="newbie", password="12345678", now=NOW)

    assert services.open_invitation(token, now=NOW).accepted is None


# --- deactivation ------------------------------------------------------------------------------------------


def test_an_institution_admin_deactivates_and_reactivates_a_user(network: Any, people: Any) -> None:
    eve = people["eve"]

    services.deactivate_user(actor_for(people["amy"]), eve.pk, reason="left", now=NOW)
    eve.refresh_from_db()
    assert not eve.is_active
    services.reactivate_user(actor_for(people["amy"]), eve.pk, now=NOW)
    eve.refresh_from_db()

    assert eve.is_active
    actions = list(AuditEvent.objects.filter(object_id=str(eve.pk)).values_list("action", flat=True))
    assert sorted(actions) == ["user.deactivate", "user.reactivate"]


def test_a_deactivated_user_cannot_sign_in(network: Any, people: Any) -> None:
    services.deactivate_user(actor_for(people["amy"]), people["eve"].pk, now=NOW)

    with pytest.raises(NotAuthenticated):
        services.sign_in("eve", "correct-horse-battery-9", address=None, now=NOW)


def test_an_institution_admin_cannot_touch_another_institutions_users(network: Any, people: Any) -> None:
    with pytest.raises(NotFound):
        services.deactivate_user(actor_for(people["amy"]), people["bob"].pk, now=NOW)

    assert User.objects.get(pk=people["bob"].pk).is_active


@pytest.mark.parametrize("who", ["carol", "alice", "eve"])
def test_overseeing_or_managing_instruments_is_not_operating_users(
    network: Any, people: Any, who: str
) -> None:
    with pytest.raises(NotFound):
        services.deactivate_user(actor_for(people[who]), people["eve"].pk, now=NOW)

    assert User.objects.get(pk=people["eve"].pk).is_active


def test_nobody_deactivates_themselves(network: Any, people: Any) -> None:
    with pytest.raises(Forbidden):
        services.deactivate_user(actor_for(people["amy"]), people["amy"].pk, now=NOW)


def test_a_delegated_platform_cannot_deactivate_the_institutions_admin(network: Any, people: Any) -> None:
    delegate_users(network, people)

    services.deactivate_user(actor_for(people["carol"]), people["eve"].pk, now=NOW)
    with pytest.raises(Forbidden):
        services.deactivate_user(actor_for(people["carol"]), people["amy"].pk, now=NOW)

    assert User.objects.get(pk=people["amy"].pk).is_active


# --- role grants -------------------------------------------------------------------------------------------


def test_an_institution_admin_grants_and_revokes_a_role_with_audit(network: Any, people: Any) -> None:
    amy, eve = actor_for(people["amy"]), people["eve"]

    grant = services.grant_role(amy, user_id=eve.pk, role=Role.INSTRUMENT_MANAGER, now=NOW)
    assert grant.institution == network["zju"]
    services.revoke_role(amy, grant.pk, now=NOW)

    assert not RoleGrant.objects.filter(user=eve).exists()
    actions = set(AuditEvent.objects.filter(action__startswith="role.").values_list("action", flat=True))
    assert actions == {"role.grant", "role.revoke"}


def test_nobody_grants_themselves(network: Any, people: Any) -> None:
    with pytest.raises(Forbidden):
        services.grant_role(
            actor_for(people["amy"]), user_id=people["amy"].pk, role=Role.FINANCE_OFFICER, now=NOW
        )

    with pytest.raises(Forbidden):
        services.grant_role(
            actor_for(people["carol"]),
            user_id=people["carol"].pk,
            role=Role.PLATFORM_ADMIN,
            platform="g60",
            now=NOW,
        )


def test_nobody_revokes_their_own_grant(network: Any, people: Any) -> None:
    own = RoleGrant.objects.get(user=people["amy"])

    with pytest.raises(NotFound):
        services.revoke_role(actor_for(people["amy"]), own.pk, now=NOW)

    assert RoleGrant.objects.filter(pk=own.pk).exists()


def test_an_institution_admin_grants_nothing_beyond_the_institution(network: Any, people: Any) -> None:
    amy = actor_for(people["amy"])

    with pytest.raises(NotFound):  # bob is not amy's to manage
        services.grant_role(amy, user_id=people["bob"].pk, role=Role.INSTRUMENT_MANAGER, now=NOW)
    with pytest.raises(ValidationFailed):  # a zju user gets no pku role
        services.grant_role(
            amy,
            user_id=people["eve"].pk,
            role=Role.INSTRUMENT_MANAGER,
            institution=network["pku"].pk,
            now=NOW,
        )
    with pytest.raises(Forbidden):  # nor a platform
        services.grant_role(amy, user_id=people["eve"].pk, role=Role.PLATFORM_ADMIN, platform="g60", now=NOW)

    assert RoleGrant.objects.filter(user__in=[people["eve"], people["bob"]]).count() == 1  # bob's own


def test_a_platform_admin_cannot_grant_a_members_roles(network: Any, people: Any) -> None:
    with pytest.raises(NotFound):
        services.grant_role(
            actor_for(people["carol"]), user_id=people["eve"].pk, role=Role.INSTRUMENT_MANAGER, now=NOW
        )


def test_a_delegated_platform_appoints_managers_never_admins(network: Any, people: Any) -> None:
    delegate_users(network, people)
    carol = actor_for(people["carol"])

    services.grant_role(carol, user_id=people["eve"].pk, role=Role.INSTRUMENT_MANAGER, now=NOW)
    with pytest.raises(Forbidden):
        services.grant_role(carol, user_id=people["eve"].pk, role=Role.INSTITUTION_ADMIN, now=NOW)


def test_platform_admins_are_granted_by_the_platform_and_those_above(network: Any, people: Any) -> None:
    frank = make_user("frank", network["zju"])

    grant = services.grant_role(
        actor_for(people["carol"]), user_id=frank.pk, role=Role.PLATFORM_ADMIN, platform="g60", now=NOW
    )
    with pytest.raises(NotFound):  # dave heads bj, not yrd
        services.revoke_role(actor_for(people["dave"]), grant.pk, now=NOW)
    with pytest.raises(Forbidden):
        services.grant_role(
            actor_for(people["dave"]), user_id=frank.pk, role=Role.PLATFORM_ADMIN, platform="yrd", now=NOW
        )

    services.revoke_role(actor_for(people["carol"]), grant.pk, now=NOW)
    assert not RoleGrant.objects.filter(user=frank).exists()


def test_granting_a_role_twice_is_a_conflict(network: Any, people: Any) -> None:
    amy = actor_for(people["amy"])
    services.grant_role(amy, user_id=people["eve"].pk, role=Role.FINANCE_OFFICER, now=NOW)

    with pytest.raises(Conflict):
        services.grant_role(amy, user_id=people["eve"].pk, role=Role.FINANCE_OFFICER, now=NOW)
