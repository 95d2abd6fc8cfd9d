"""The Django admin: superusers inspect everything; only user accounts can be changed there."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import Client

from dayi.accounts.models import Role, RoleGrant, User
from dayi.core import audit
from dayi.core.models import AuditEvent
from dayi.directory.models import Category, Expert, Instrument
from dayi.network.models import Institution, Membership, Platform, Region
from tests.conftest import PASSWORD, make_instrument

pytestmark = pytest.mark.django_db

READ_ONLY = [AuditEvent, Platform, Institution, Membership, Region, Category, Instrument, Expert]


@pytest.fixture
def root_admin(people: dict[str, Any]) -> Client:
    client = Client()
    client.force_login(people["root"])
    return client


@pytest.fixture
def objects(network: dict[str, Any], people: dict[str, Any]) -> dict[str, Any]:
    """One row of each registered model, so every change page has something to show."""
    instrument = make_instrument(network["zju"])
    expert = Expert.objects.create(name="王教授", institution=network["zju"], fields_of_expertise=["电镜"])
    event = audit.record("instrument.create", instrument, actor=people["alice"], after={"name": "x"})
    return {
        AuditEvent: event,
        Platform: network["g60"],
        Institution: network["zju"],
        Membership: Membership.objects.first(),
        Region: Region.objects.get(code="330100"),
        Category: Category.objects.get(code="0101"),
        Instrument: instrument,
        Expert: expert,
        User: people["alice"],
    }


def _url(model: Any, view: str, *args: Any) -> str:
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/{view}{'/'.join(map(str, args))}"


def test_every_model_named_in_the_brief_is_registered() -> None:
    for model in [*READ_ONLY, User]:
        assert admin.site.is_registered(model), model


def test_the_index_renders_for_root(root_admin: Client) -> None:
    res = root_admin.get("/admin/")
    assert res.status_code == 200
    assert "仪器" in res.content.decode() or "Instrument" in res.content.decode()


@pytest.mark.parametrize("model", [*READ_ONLY, User], ids=lambda m: m.__name__)
def test_each_changelist_and_change_page_renders_for_root(
    root_admin: Client, objects: dict[str, Any], model: Any
) -> None:
    assert root_admin.get(_url(model, "")).status_code == 200
    res = root_admin.get(_url(model, "", objects[model].pk, "change/"))
    assert res.status_code == 200


def test_changelist_search_works_on_instruments(root_admin: Client, objects: dict[str, Any]) -> None:
    res = root_admin.get(_url(Instrument, ""), {"q": "Talos"})
    assert res.status_code == 200
    assert "场发射透射电子显微镜" in res.content.decode()


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda m: m.__name__)
def test_domain_models_cannot_be_added_changed_or_deleted(
    root_admin: Client, objects: dict[str, Any], model: Any
) -> None:
    obj = objects[model]
    assert root_admin.get(_url(model, "add/")).status_code == 403
    assert root_admin.post(_url(model, "", obj.pk, "delete/"), {"post": "yes"}).status_code == 403
    page = root_admin.get(_url(model, "", obj.pk, "change/")).content.decode()
    assert 'name="_save"' not in page  # a view-only page: no save button
    assert model.objects.filter(pk=obj.pk).exists()


def test_a_posted_instrument_change_is_refused_and_changes_nothing(
    root_admin: Client, objects: dict[str, Any]
) -> None:
    inst = objects[Instrument]
    res = root_admin.post(_url(Instrument, "", inst.pk, "change/"), {"name": "改过的名字"})
    assert res.status_code == 403
    inst.refresh_from_db()
    assert inst.name == "场发射透射电子显微镜"


def test_the_instrument_page_says_where_writes_go(root_admin: Client, objects: dict[str, Any]) -> None:
    inst = objects[Instrument]
    page = root_admin.get(_url(Instrument, "", inst.pk, "change/")).content.decode()
    assert "写入审计记录" in page
    assert f"/manage/instruments/{inst.pk}/edit/" in page


def test_non_staff_users_are_kept_out(network: Any, people: dict[str, Any]) -> None:
    client = Client()
    client.force_login(people["alice"])
    res = client.get(_url(Instrument, ""))
    assert res.status_code == 302
    assert res["Location"].startswith("/admin/login/")


def test_adding_a_user_hashes_the_password_and_audits(root_admin: Client, network: Any) -> None:
    res = root_admin.post(
        _url(User, "add/"),
        {
            "username": "zhang",
            "institution": network["zju"].pk,
            "display_name": "张工",
            "email": "",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "usable_password": "true",
            "grants-TOTAL_FORMS": "0",
            "grants-INITIAL_FORMS": "0",
            "api_tokens-TOTAL_FORMS": "0",
            "api_tokens-INITIAL_FORMS": "0",
        },
    )
    assert res.status_code == 302, res.content.decode()[:2000]
    user = User.objects.get(username="zhang")
    assert user.password.startswith("argon2$")
    assert user.check_password(PASSWORD)
    ev = AuditEvent.objects.get(action="user.create", object_id=str(user.pk))
    assert "password" not in ev.after
    assert ev.actor.username == "root"


def _change_form(user: User, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "phone": user.phone,
        "institution": user.institution_id or "",
        "is_active": "on",
        "grants-TOTAL_FORMS": "0",
        "grants-INITIAL_FORMS": "0",
        "api_tokens-TOTAL_FORMS": "0",
        "api_tokens-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_granting_a_role_in_the_admin_is_audited(
    root_admin: Client, network: Any, people: dict[str, Any]
) -> None:
    eve = people["eve"]
    res = root_admin.post(
        _url(User, "", eve.pk, "change/"),
        _change_form(
            eve,
            **{
                "grants-TOTAL_FORMS": "1",
                "grants-0-role": Role.INSTRUMENT_MANAGER,
                "grants-0-institution": network["zju"].pk,
                "grants-0-scheme": "",
            },
        ),
    )
    assert res.status_code == 302, res.content.decode()[:3000]
    grant = RoleGrant.objects.get(user=eve)
    assert grant.role == Role.INSTRUMENT_MANAGER
    ev = AuditEvent.objects.get(action="rolegrant.create")
    assert ev.object_id == str(grant.pk)
    assert ev.institution_id == network["zju"].pk
    # No field of eve herself changed, so there is no user.update row.
    assert not AuditEvent.objects.filter(action="user.update").exists()


def test_revoking_a_role_in_the_admin_is_audited(root_admin: Client, people: dict[str, Any]) -> None:
    alice = people["alice"]
    grant = alice.grants.get()
    res = root_admin.post(
        _url(User, "", alice.pk, "change/"),
        _change_form(
            alice,
            **{
                "grants-TOTAL_FORMS": "1",
                "grants-INITIAL_FORMS": "1",
                "grants-0-id": grant.pk,
                "grants-0-user": alice.pk,
                "grants-0-role": grant.role,
                "grants-0-institution": grant.institution_id,
                "grants-0-scheme": "",
                "grants-0-DELETE": "on",
            },
        ),
    )
    assert res.status_code == 302, res.content.decode()[:3000]
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    ev = AuditEvent.objects.get(action="rolegrant.delete")
    assert ev.object_id == str(grant.pk)
    assert ev.before["role"] == Role.INSTRUMENT_MANAGER


def test_deactivating_a_user_is_audited_and_users_cannot_be_deleted(
    root_admin: Client, people: dict[str, Any]
) -> None:
    eve = people["eve"]
    form = _change_form(eve)
    form.pop("is_active")
    assert root_admin.post(_url(User, "", eve.pk, "change/"), form).status_code == 302
    eve.refresh_from_db()
    assert not eve.is_active
    ev = AuditEvent.objects.get(action="user.update")
    assert ev.before == {"is_active": True} and ev.after == {"is_active": False}
    assert root_admin.post(_url(User, "", eve.pk, "delete/"), {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=eve.pk).exists()


def test_setting_a_password_in_the_admin_hashes_it_and_audits(
    root_admin: Client, people: dict[str, Any]
) -> None:
    eve = people["eve"]
    new = "another-horse-staple-7"
    res = root_admin.post(
        _url(User, "", eve.pk, "password/"),
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert res.status_code == 302, res.content.decode()[:2000]
    eve.refresh_from_db()
    assert eve.password.startswith("argon2$") and eve.check_password(new)
    assert AuditEvent.objects.filter(action="user.set_password", object_id=str(eve.pk)).count() == 1
