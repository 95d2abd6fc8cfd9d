"""/api/v1/invitations, /users/{id}/deactivate|reactivate|roles, /roles/{id}: the services of the pages."""

from __future__ import annotations

from typing import Any

import pytest

from dayi.accounts.models import Invitation, RoleGrant, User

pytestmark = pytest.mark.django_db


def test_an_institution_admin_invites_through_the_api(network: Any, api_as: Any) -> None:
    res = api_as("amy").post(
        "/api/v1/invitations", {"institution": network["zju"].pk, "email": "a@zju.edu.cn"}
    )

    assert res.status_code == 201, res.content
    assert res.json()["email"] == "a@zju.edu.cn" and Invitation.objects.count() == 1


def test_an_address_outside_the_domains_is_a_422_with_its_code(network: Any, api_as: Any) -> None:
    zju = network["zju"]
    zju.email_domains = ["zju.edu.cn"]
    zju.save()

    res = api_as("amy").post("/api/v1/invitations", {"institution": zju.pk, "email": "a@gmail.com"})

    assert res.status_code == 422 and res.json()["error"]["code"] == "email_domain"
    assert not Invitation.objects.exists()


def test_an_invitation_is_withdrawn(network: Any, api_as: Any) -> None:
    created = api_as("amy").post("/api/v1/invitations", {"institution": network["zju"].pk, "email": "a@b.cn"})

    res = api_as("amy").delete(f"/api/v1/invitations/{created.json()['id']}")

    assert res.status_code == 204 and Invitation.objects.get().revoked is not None


def test_deactivate_and_reactivate_through_the_api(network: Any, people: Any, api_as: Any) -> None:
    eve = people["eve"]

    off = api_as("amy").post(f"/api/v1/users/{eve.pk}/deactivate", {"reason": "left"})
    on = api_as("amy").post(f"/api/v1/users/{eve.pk}/reactivate")

    assert off.status_code == 200 and off.json()["is_active"] is False
    assert on.status_code == 200 and on.json()["is_active"] is True


def test_a_platform_admin_overseeing_the_institution_gets_404(network: Any, people: Any, api_as: Any) -> None:
    res = api_as("carol").post(f"/api/v1/users/{people['eve'].pk}/deactivate", {})

    assert res.status_code == 404
    assert User.objects.get(pk=people["eve"].pk).is_active


def test_grant_and_revoke_a_role_through_the_api(network: Any, people: Any, api_as: Any) -> None:
    eve = people["eve"]

    res = api_as("amy").post(f"/api/v1/users/{eve.pk}/roles", {"role": "instrument_manager"})
    assert res.status_code == 201, res.content
    assert res.json()["institution"] == network["zju"].pk
    gone = api_as("amy").delete(f"/api/v1/roles/{res.json()['id']}")

    assert gone.status_code == 204 and not RoleGrant.objects.filter(user=eve).exists()


def test_granting_oneself_is_forbidden(network: Any, people: Any, api_as: Any) -> None:
    res = api_as("amy").post(f"/api/v1/users/{people['amy'].pk}/roles", {"role": "finance_officer"})

    assert res.status_code == 403
    assert RoleGrant.objects.filter(user=people["amy"]).count() == 1
