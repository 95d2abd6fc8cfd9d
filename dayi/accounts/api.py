"""/api/v1/auth, /me and /users: parse, call a service, serialise."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from dayi.accounts import services
from dayi.accounts.access import actor_for
from dayi.accounts.models import User
from dayi.api import SIGNED_IN, signed_in
from dayi.core.limits import client_address

router = Router(tags=["accounts"])


class TokenIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=1024)
    name: str = ""


class UserBrief(Schema):
    id: int
    username: str
    roles: list[str]


class TokenOut(Schema):
    token: str
    expires: str
    user: UserBrief


class GrantIn(Schema):
    role: str
    platform: str | None = None
    institution: int | None = None
    scheme: str | None = None


class UserIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(max_length=1024)
    email: str = ""
    display_name: str = ""
    institution: int | None = None
    roles: list[GrantIn] = []


class MeOut(Schema):
    id: int
    username: str
    email: str
    display_name: str
    institution: int | None
    roles: list[str]
    grants: list[dict[str, object]]


def _address(request: HttpRequest) -> str | None:
    return client_address(request)


@router.post("/auth/token", response={200: TokenOut}, summary="Exchange a username and password for a token")
def create_token(request: HttpRequest, body: TokenIn) -> dict[str, object]:
    now = timezone.now()
    user = services.sign_in(body.username, body.password, address=_address(request), now=now)
    token, row = services.issue_token(user, now=now, name=body.name)
    return {
        "token": token,
        "expires": row.expires.isoformat(),
        "user": {"id": user.pk, "username": user.username, "roles": actor_for(user).roles()},
    }


@router.delete(
    "/auth/tokens/{token_id}", auth=SIGNED_IN, response={204: None}, summary="Revoke one of my tokens"
)
def delete_token(request: HttpRequest, token_id: int) -> Status[None]:
    services.revoke_token(signed_in(request), token_id, now=timezone.now())
    return Status(204, None)


@router.get("/me", auth=SIGNED_IN, response=MeOut, summary="The signed-in user, institution and roles")
def me(request: HttpRequest) -> dict[str, object]:
    return services.profile(signed_in(request))


@router.post("/users", auth=SIGNED_IN, response={201: MeOut}, summary="Create a user with roles")
def create_user(request: HttpRequest, body: UserIn) -> Status[dict[str, object]]:
    actor = signed_in(request)
    user = services.create_user(
        actor,
        username=body.username,
        password=body.password,
        email=body.email,
        display_name=body.display_name,
        institution_id=body.institution,
        roles=[services.GrantSpec(**g.dict()) for g in body.roles],
        now=timezone.now(),
    )
    return Status(201, services.profile(actor_for(user)))


class InvitationIn(Schema):
    institution: int
    email: str = Field(min_length=3, max_length=254)
    display_name: str = Field(default="", max_length=64)


class InvitationOut(Schema):
    id: int
    email: str
    institution: int
    expires: str


class DeactivateIn(Schema):
    reason: str = Field(default="", max_length=2000)


class UserState(Schema):
    id: int
    username: str
    institution: int | None
    is_active: bool


class RoleGrantIn(Schema):
    role: str
    platform: str | None = None
    institution: int | None = None


class RoleGrantOut(Schema):
    id: int
    user: int
    role: str
    platform: str | None = None
    institution: int | None = None


def _user_state(user: User) -> dict[str, object]:
    return {
        "id": user.pk,
        "username": user.username,
        "institution": user.institution_id,
        "is_active": user.is_active,
    }


@router.post(
    "/invitations",
    auth=SIGNED_IN,
    response={201: InvitationOut},
    summary="Invite a person by e-mail to join an institution (its users' admin only)",
    description="The e-mail with a signed link, valid 14 days, goes after commit. An institution with e-mail "
    "domains invites addresses in them only (422 `email_domain`).",
)
def create_invitation(request: HttpRequest, body: InvitationIn) -> Status[dict[str, object]]:
    invitation, _token = services.invite_user(
        signed_in(request),
        institution_id=body.institution,
        email=body.email,
        display_name=body.display_name,
        now=timezone.now(),
    )
    out = {"id": invitation.pk, "email": invitation.email, "institution": invitation.institution_id}
    return Status(201, {**out, "expires": invitation.expires.isoformat()})


@router.delete(
    "/invitations/{invitation_id}", auth=SIGNED_IN, response={204: None}, summary="Withdraw an invitation"
)
def delete_invitation(request: HttpRequest, invitation_id: int) -> Status[None]:
    services.revoke_invitation(signed_in(request), invitation_id, now=timezone.now())
    return Status(204, None)


@router.post(
    "/users/{user_id}/deactivate",
    auth=SIGNED_IN,
    response=UserState,
    summary="Stop a user signing in (their institution's users' admin; never oneself)",
)
def deactivate_user(request: HttpRequest, user_id: int, body: DeactivateIn) -> dict[str, object]:
    user = services.deactivate_user(signed_in(request), user_id, reason=body.reason, now=timezone.now())
    return _user_state(user)


@router.post(
    "/users/{user_id}/reactivate", auth=SIGNED_IN, response=UserState, summary="Let a user sign in again"
)
def reactivate_user(request: HttpRequest, user_id: int) -> dict[str, object]:
    return _user_state(services.reactivate_user(signed_in(request), user_id, now=timezone.now()))


@router.post(
    "/users/{user_id}/roles",
    auth=SIGNED_IN,
    response={201: RoleGrantOut},
    summary="Grant a role (within the actor's institutions or platforms; never to oneself)",
)
def grant_role(request: HttpRequest, user_id: int, body: RoleGrantIn) -> Status[dict[str, object]]:
    grant = services.grant_role(
        signed_in(request),
        user_id=user_id,
        role=body.role,
        platform=body.platform,
        institution=body.institution,
        now=timezone.now(),
    )
    return Status(201, {"id": grant.pk, "user": grant.user_id, **grant.as_dict()})


@router.delete("/roles/{grant_id}", auth=SIGNED_IN, response={204: None}, summary="Revoke a role grant")
def revoke_role(request: HttpRequest, grant_id: int) -> Status[None]:
    services.revoke_role(signed_in(request), grant_id, now=timezone.now())
    return Status(204, None)
