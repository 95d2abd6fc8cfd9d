"""Loading the demo data: repeatable, replacing, never touching other data, and usable."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from dayi.accounts.models import RoleGrant, User
from dayi.core.models import AuditEvent
from dayi.demo.generate import DEMO_PASSWORD
from dayi.demo.loader import DemoConflict
from dayi.demo.models import DemoInstitution, DemoLoad
from dayi.directory.models import Expert, Instrument
from dayi.network.models import Institution, Membership, Platform
from tests.conftest import make_institution, make_instrument, make_user
from tests.demo.conftest import SMALL, user_named

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        m.__name__: m.objects.count()
        for m in (Institution, Platform, Membership, Instrument, Expert, DemoLoad, User, RoleGrant)
    }


def test_the_same_seed_loads_the_same_rows(load_demo: Any) -> None:
    first = load_demo(seed=7)
    second = load_demo(seed=7)
    assert first.load.digest
    assert second.load.digest == first.load.digest


def test_another_seed_loads_other_rows(load_demo: Any) -> None:
    first = load_demo(seed=7)
    other = load_demo(seed=8)
    assert other.load.digest != first.load.digest


def test_loading_again_replaces_the_demo_data_rather_than_adding_to_it(load_demo: Any) -> None:
    load_demo(seed=7)
    before = counts()
    report = load_demo(seed=7)
    after = counts()
    assert report.removed == SMALL
    assert Instrument.objects.count() == SMALL
    assert after == before


def test_it_leaves_data_that_is_not_demo_data_alone(load_demo: Any) -> None:
    own = make_institution("某某研究所", "12100000470095016Q", "330100")
    instrument = make_instrument(own, "OWN-1")
    user = make_user("someone", own)
    load_demo(seed=7)
    load_demo(seed=8)
    assert Institution.objects.get(pk=own.pk).name == "某某研究所"
    assert Instrument.objects.get(pk=instrument.pk).inventory_no == "OWN-1"
    assert User.objects.filter(pk=user.pk).exists()
    assert not DemoInstitution.objects.filter(institution=own).exists()


def test_it_refuses_to_replace_platforms_that_are_not_demo_data(network: Any, load_demo: Any) -> None:
    with pytest.raises(DemoConflict):
        load_demo(seed=7)
    assert not Instrument.objects.exists()
    assert Platform.objects.get(code="cn").name == "CN"


def test_what_refers_to_demo_data_goes_with_it_but_the_audit_trail_stays(load_demo: Any) -> None:
    load_demo(seed=7)
    zju = Institution.objects.get(name="浙江大学", demo_mark__isnull=False)
    visitor = make_user("visitor", zju)  # signed up inside the demo world
    manager = user_named("zju-manager")
    event = AuditEvent.objects.create(
        at=zju.created, actor=manager, action="instrument.update", object_type="instrument", object_id="1"
    )
    load_demo(seed=7)
    assert not User.objects.filter(pk=visitor.pk).exists()
    event.refresh_from_db()
    assert event.actor_id is None


def test_one_audit_event_records_the_whole_load(load_demo: Any) -> None:
    load_demo(seed=7)
    events = AuditEvent.objects.filter(action="demo.load")
    assert events.count() == 1
    after = events.get().after
    assert after is not None
    assert after["instruments"] == SMALL


def test_the_command_says_what_is_generated_and_prints_the_sign_ins(db: Any) -> None:
    out = io.StringIO()
    call_command("load_demo", instruments=20, seed=2, digest=True, stdout=out)
    text = out.getvalue()
    assert "GENERATED" in text
    assert "credit codes" in text
    assert "digest " in text
    assert "pku-manager" in text and DEMO_PASSWORD in text


class _ServedDemo:
    """`dayi demo` with the server and the database stop replaced by recorders."""

    def __init__(self, monkeypatch: Any) -> None:
        from dayi.demo.management.commands import demo

        self.served: list[dict[str, Any]] = []
        self.stopped = 0
        monkeypatch.setattr(demo.Command, "serve", lambda _, opts: self._serve(opts))
        monkeypatch.setattr(demo.Command, "stop_database", lambda _: self._stop())

    def _serve(self, opts: dict[str, Any]) -> int:
        self.served.append(opts)
        return 0

    def _stop(self) -> None:
        self.stopped += 1

    def __call__(self, **opts: Any) -> str:
        out = io.StringIO()
        call_command("demo", stdout=out, **opts)
        return out.getvalue()


def test_demo_loads_the_data_when_absent_then_serves_and_stops_the_database(
    db: Any, monkeypatch: Any
) -> None:
    demo = _ServedDemo(monkeypatch)
    text = demo(instruments=30, port=8102)
    assert Instrument.objects.count() == 30
    assert "zju-admin" in text
    assert demo.served[0]["port"] == 8102
    assert demo.stopped == 1


def test_demo_keeps_the_data_it_finds(load_demo: Any, monkeypatch: Any) -> None:
    load_demo(seed=7, instruments=40)
    demo = _ServedDemo(monkeypatch)
    text = demo(instruments=30)
    assert Instrument.objects.count() == 40
    assert "Demo data present" in text
    assert "pku-manager" in text
