"""The writes: an idle notice to the holder and a transfer proposal; each denied outside one's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from dayi.accounts.access import actor_for
from dayi.core.errors import Conflict, Forbidden, NotAuthenticated, RuleViolation, ValidationFailed
from dayi.core.models import AuditEvent
from dayi.stats import queries, services
from dayi.stats.models import IdleNotice, TransferProposal
from tests.conftest import make_institution, make_instrument
from tests.stats.conftest import use


@pytest.fixture
def idle(network: Any, people: Any) -> dict[str, Any]:
    now = timezone.now()
    quiet = make_instrument(network["zju"], "QUIET")
    busy = make_instrument(network["zju"], "BUSY")
    use(busy, people["eve"], now - dt.timedelta(days=60), "900")
    people["alice"].email = "alice@zju.example.org"
    people["alice"].save()
    queries.refresh(now=now)
    return {"quiet": quiet, "busy": busy, "now": now}


def test_an_institution_admin_tells_the_managers(
    idle: Any, people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notice = services.notify_idle(
            actor_for(people["amy"]), idle["quiet"].pk, message="请开放", now=idle["now"]
        )
    assert notice.effective_hours == 0 and notice.threshold_hours == 400
    assert AuditEvent.objects.filter(action="stats.idle_notice", object_id=str(notice.pk)).exists()
    assert [m.to for m in mail.outbox] == [["alice@zju.example.org"]]
    assert "闲置" in mail.outbox[0].subject


def test_a_busy_instrument_is_not_idle(idle: Any, people: Any) -> None:
    with pytest.raises(RuleViolation) as caught:
        services.notify_idle(actor_for(people["amy"]), idle["busy"].pk, now=idle["now"])
    assert caught.value.rule == "not_idle"


@pytest.mark.parametrize("who", ["bob", "dave", "eve", "alice"])
def test_the_wrong_institution_may_not_send_a_notice(idle: Any, people: Any, who: str) -> None:
    # bob and dave administer or manage pku; eve is a customer; alice manages but does not administer
    with pytest.raises(Forbidden):
        services.notify_idle(actor_for(people[who]), idle["quiet"].pk, now=idle["now"])
    assert not IdleNotice.objects.exists()


def test_anonymous_may_not_send_a_notice(idle: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAuthenticated):
        services.notify_idle(actor_for(AnonymousUser()), idle["quiet"].pk, now=idle["now"])


def test_a_platform_admin_proposes_a_transfer_within_the_platform(
    idle: Any, people: Any, network: Any
) -> None:
    other = make_institution("浙江工业大学", "12330000470003231X", "330100", network["g60"])
    proposal = services.propose_transfer(
        actor_for(people["carol"]), idle["quiet"].pk, to_institution=other.pk, reason="闲置", now=idle["now"]
    )
    assert proposal.status == "proposed"
    assert AuditEvent.objects.filter(action="stats.transfer_proposed").count() == 1
    # A second proposal while one is open is a conflict
    with pytest.raises(Conflict) as caught:
        services.propose_transfer(
            actor_for(people["root"]), idle["quiet"].pk, to_institution=other.pk, now=idle["now"]
        )
    assert caught.value.code == "duplicate"


def test_a_transfer_goes_only_to_an_institution_of_ones_platforms(
    idle: Any, people: Any, network: Any
) -> None:
    with pytest.raises(ValidationFailed):
        services.propose_transfer(
            actor_for(people["carol"]), idle["quiet"].pk, to_institution=network["pku"].pk, now=idle["now"]
        )
    with pytest.raises(ValidationFailed):
        services.propose_transfer(
            actor_for(people["carol"]), idle["quiet"].pk, to_institution=network["zju"].pk, now=idle["now"]
        )


@pytest.mark.parametrize("who", ["amy", "dave", "eve"])
def test_only_a_platform_admin_of_the_holder_proposes(idle: Any, people: Any, network: Any, who: str) -> None:
    with pytest.raises(Forbidden):
        services.propose_transfer(
            actor_for(people[who]), idle["quiet"].pk, to_institution=network["pku"].pk, now=idle["now"]
        )
    assert not TransferProposal.objects.exists()


def test_the_api_answers_a_notice_and_a_forbidden_one(idle: Any, api_as: Any) -> None:
    url = f"/api/v1/stats/idle/{idle['quiet'].pk}/notice"
    assert api_as("bob").post(url, {}).status_code == 403
    res = api_as("amy").post(url, {"message": "请提高开放共享"})
    assert res.status_code == 201, res.content
    assert res.json()["threshold_hours"] == "400.00"
    assert api_as("amy").post(f"/api/v1/stats/idle/{idle['busy'].pk}/notice", {}).status_code == 422
    assert api_as("amy").post("/api/v1/stats/idle/999999/notice", {}).status_code == 404
