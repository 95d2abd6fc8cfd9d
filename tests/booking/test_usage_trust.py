"""Issue 11, holes 4 and 6: usage records say who typed them in, count once confirmed, and cannot be
rewritten — not by a service, not by a stray UPDATE."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from dayi.accounts.access import actor_for
from dayi.booking import events, services
from dayi.booking.models import Booking, BookingStatus, UsageRecord, UsageSource
from dayi.core import audit
from dayi.core.errors import Forbidden, NotFound
from dayi.core.models import AuditEvent
from dayi.stats import queries as stats
from dayi.stats.models import InstrumentPeriod
from tests.booking.conftest import at, book

pytestmark = pytest.mark.django_db


def actor(people: Any, name: str) -> Any:
    return actor_for(people[name])


@pytest.fixture
def session(people: Any, bet: Any) -> Booking:
    """eve's 10:00–11:00 session, checked in at 10:00 by herself."""
    booking = book(people["eve"], bet, "2026-03-03 10:00", "2026-03-03 11:00", mode="self")
    services.check_in(actor(people, "eve"), booking.pk, now=at("2026-03-03 10:00"))
    return booking


# --- hole 4: source, confirmation, the cap ----------------------------------------------------------------


def test_the_bookers_own_check_out_is_capped_at_the_end_plus_the_grace(people: Any, session: Any) -> None:
    # When eve checks herself out at 19:00 (the default grace is 30 minutes)
    usage = services.check_out(actor(people, "eve"), session.pk, now=at("2026-03-03 19:00"))

    # Then her hours end at 11:30, the claim is kept beside, and they await a manager
    assert (usage.end, usage.hours, usage.claimed_end) == (
        at("2026-03-03 11:30"),
        Decimal("1.50"),
        at("2026-03-03 19:00"),
    )
    assert (usage.source, usage.confirmed) == (UsageSource.SELF, False)


def test_a_managers_check_out_is_confirmed_as_written(people: Any, session: Any) -> None:
    usage = services.check_out(actor(people, "alice"), session.pk, now=at("2026-03-03 12:00"))
    assert (usage.source, usage.confirmed, usage.confirmed_by) == (UsageSource.MANAGER, True, people["alice"])
    assert usage.hours == Decimal("2.00") and usage.claimed_end is None


def test_the_grace_is_a_validated_policy_field(people: Any, network: Any) -> None:
    from dayi.booking.policy import validate_policy

    assert validate_policy({"checkout_grace_minutes": -1}) == {
        "checkout_grace_minutes": ["应为 0 到 1440 之间的整数"]
    }
    with translation.override("en"):
        assert validate_policy({"checkout_grace_minutes": -1}) == {
            "checkout_grace_minutes": ["must be a whole number from 0 to 1440"]
        }
    assert validate_policy({"checkout_grace_minutes": 0, "approval_window_minutes": 60}) == {}


def test_a_manager_confirms_self_reported_hours_once(people: Any, session: Any) -> None:
    usage = services.check_out(actor(people, "eve"), session.pk, now=at("2026-03-03 11:00"))
    confirmed = services.confirm_usage(actor(people, "alice"), usage.pk, now=at("2026-03-03 12:00"))
    usage.refresh_from_db()
    assert (usage.confirmed, usage.confirmed_by, usage.confirmed_at) == (
        True,
        people["alice"],
        at("2026-03-03 12:00"),
    )
    assert confirmed.pk == usage.pk
    assert AuditEvent.objects.filter(action="usage.confirm", object_id=str(usage.pk)).count() == 1
    with pytest.raises(services.transitions.InvalidState):
        services.confirm_usage(actor(people, "alice"), usage.pk, now=at("2026-03-03 12:01"))


def test_a_manager_confirms_more_than_the_cap_as_a_new_record(people: Any, session: Any) -> None:
    capped = services.check_out(actor(people, "eve"), session.pk, now=at("2026-03-03 13:00"))
    more = services.confirm_usage(
        actor(people, "alice"),
        capped.pk,
        end=at("2026-03-03 13:00"),
        reason="样品多，延时",
        now=at("2026-03-03 14:00"),
    )
    capped.refresh_from_db()
    assert capped.superseded and more.supersedes == capped
    assert (more.hours, more.confirmed, more.source) == (Decimal("3.00"), True, UsageSource.MANAGER)


@pytest.mark.parametrize(("name", "refused"), [("eve", Forbidden), ("bob", NotFound), ("dave", NotFound)])
def test_only_the_instruments_managers_confirm(people: Any, session: Any, name: str, refused: Any) -> None:
    usage = services.check_out(actor(people, "eve"), session.pk, now=at("2026-03-03 11:00"))
    with pytest.raises(refused):
        services.confirm_usage(actor(people, name), usage.pk, now=at("2026-03-03 12:00"))
    usage.refresh_from_db()
    assert not usage.confirmed


def test_self_reported_hours_count_in_statistics_only_once_confirmed(
    people: Any, bet: Any, session: Any
) -> None:
    # Given eve's own check-out (1 hour) and a manager's entry (2 hours) the same month
    usage = services.check_out(actor(people, "eve"), session.pk, now=at("2026-03-03 11:00"))
    services.record_usage(
        actor(people, "alice"),
        instrument_id=bet.pk,
        user_id=people["eve"].pk,
        start=at("2026-03-04 09:00"),
        end=at("2026-03-04 11:00"),
        reason="补录",
        now=at("2026-03-04 12:00"),
    )

    def march() -> tuple[Decimal, Decimal]:
        stats.refresh(now=at("2026-03-05 00:00"))
        row = InstrumentPeriod.objects.get(instrument_id=bet.pk, kind="month", start=dt.date(2026, 3, 1))
        return row.effective_hours, row.unconfirmed_hours

    # Then only the manager's hours count, and eve's are shown beside them
    assert march() == (Decimal("2.00"), Decimal("1.00"))
    # When a manager confirms eve's hours, they count
    services.confirm_usage(actor(people, "alice"), usage.pk, now=at("2026-03-04 13:00"))
    assert march() == (Decimal("3.00"), Decimal("0.00"))


def test_the_job_closes_sessions_left_open_at_the_cap(people: Any, session: Any) -> None:
    assert services.close_open_sessions(now=at("2026-03-03 11:29")) == []
    assert services.close_open_sessions(now=at("2026-03-03 12:00")) == [session.pk]
    session.refresh_from_db()
    usage = UsageRecord.objects.get(booking=session)
    assert session.status == BookingStatus.COMPLETED
    assert (usage.end, usage.auto_closed, usage.confirmed) == (at("2026-03-03 11:30"), True, False)
    assert AuditEvent.objects.filter(action="booking.auto_close", object_id=str(session.pk)).exists()
    assert services.close_open_sessions(now=at("2026-03-03 13:00")) == []  # once


# --- hole 6: append-only in the database ------------------------------------------------------------------


@pytest.fixture
def entered(people: Any, bet: Any) -> UsageRecord:
    return services.record_usage(
        actor(people, "alice"),
        instrument_id=bet.pk,
        user_id=people["eve"].pk,
        start=at("2026-03-03 09:00"),
        end=at("2026-03-03 10:00"),
        reason="补录",
        now=at("2026-03-03 12:00"),
    )


def refused(sql: str, params: list[Any]) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, params)
    except IntegrityError as exc:
        return "append-only" in str(exc)
    return False


def test_an_ordinary_update_or_delete_of_a_usage_record_is_refused(entered: UsageRecord) -> None:
    assert refused("UPDATE booking_usagerecord SET hours = 99 WHERE id = %s", [entered.pk])
    assert refused(
        'UPDATE booking_usagerecord SET "end" = "end" + interval \'1 hour\' WHERE id = %s', [entered.pk]
    )
    assert refused("DELETE FROM booking_usagerecord WHERE id = %s", [entered.pk])
    # Un-superseding or un-confirming is refused too: each flag moves once, one way.
    assert refused(
        "UPDATE booking_usagerecord SET confirmed = false, confirmed_at = NULL WHERE id = %s", [entered.pk]
    )
    entered.refresh_from_db()
    assert entered.hours == Decimal("1.00")


def test_the_orm_cannot_rewrite_a_usage_record_either(entered: UsageRecord) -> None:
    entered.hours = Decimal("10.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        entered.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        UsageRecord.objects.filter(pk=entered.pk).delete()


def test_an_audit_row_cannot_be_updated_or_deleted(entered: UsageRecord) -> None:
    row = AuditEvent.objects.get(action="usage.record")
    assert refused("UPDATE core_auditevent SET reason = 'nothing happened' WHERE id = %s", [row.pk])
    assert refused("DELETE FROM core_auditevent WHERE id = %s", [row.pk])
    assert AuditEvent.objects.get(pk=row.pk).reason == "补录"


def test_only_the_purge_of_the_demo_clear_may_delete(entered: UsageRecord) -> None:
    class Undo(Exception):
        pass

    # Inside a transaction that turned the purge on, the rows may go ...
    with pytest.raises(Undo), transaction.atomic():
        audit.allow_purge()
        UsageRecord.objects.filter(pk=entered.pk).delete()
        AuditEvent.objects.filter(action="usage.record").delete()
        assert not UsageRecord.objects.filter(pk=entered.pk).exists()
        raise Undo
    # ... and the setting is local to it: once it is over, a delete is refused again.
    assert refused("DELETE FROM core_auditevent", [])
    assert refused("DELETE FROM booking_usagerecord", [])


def test_a_correction_is_a_new_record_and_the_old_one_stays(people: Any, entered: UsageRecord) -> None:
    new = services.correct_usage(
        actor(people, "alice"),
        entered.pk,
        start=entered.start,
        end=at("2026-03-03 09:30"),
        reason="实际半小时",
        now=at("2026-03-03 13:00"),
    )
    entered.refresh_from_db()
    assert (entered.superseded, entered.hours, new.supersedes_id, new.hours) == (
        True,
        Decimal("1.00"),
        entered.pk,
        Decimal("0.50"),
    )


def test_check_out_emits_its_event_after_commit(
    people: Any, session: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.check_out(actor(people, "eve"), session.pk, now=at("2026-03-03 11:00"))
    assert events.RECENT[-1] == events.Event("checked_out", session.pk)
