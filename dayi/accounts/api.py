"""/api/v1/auth, /me and /users: parse, call a service, serialise."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from dayi.accounts import services
from dayi.accounts.access import actor_for
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
