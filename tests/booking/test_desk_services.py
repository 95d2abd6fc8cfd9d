"""The manager's desk: training and qualifications, the manager's day, problem reports (issue 12).

Personas (tests/conftest.py): alice manages 浙江大学's instruments, amy is its admin, eve is a researcher
there, bob manages 北京大学's — another institution, so every object of 浙江大学 is "not found" to him.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dayi.accounts.access import actor_for
from dayi.booking import desk_mail
from dayi.booking.errors import BookingConflict, InvalidState
from dayi.booking.models import Booking, BookingStatus, ProblemReport, Qualification, TrainingRequest
from dayi.booking.services import desk, problems, training
from dayi.booking.services.usage import grant_qualification
from dayi.core.errors import Forbidden, NotFound, RuleViolation, ValidationFailed
from dayi.core.models import AuditEvent
from dayi.directory.models import Instrument, Status
from tests.booking.conftest import NOW, at, book, make_bet

pytestmark = pytest.mark.django_db


@pytest.fixture
def mails(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int, str]]:
    """The desk e-mails queued after commit, as (kind, object id, note)."""
    queued: list[tuple[str, int, str]] = []
    monkeypatch.setattr(desk_mail, "after_commit", lambda kind, pk, note="": queued.append((kind, pk, note)))
    return queued


@pytest.fixture
def trained(network: Any) -> Instrument:
    """An analyser whose self-operation needs a qualification."""
    return make_bet(network["zju"], "BET-Q", self_requires_qualification=True)


def _as(people: dict[str, Any], name: str) -> Any:
    return actor_for(people[name])


# --- training and qualifications -------------------------------------------------------------------


def test_a_user_asks_for_training_and_the_managers_are_told(
    people: Any, trained: Instrument, mails: Any
) -> None:
    t = training.request_training(_as(people, "eve"), instrument_id=trained.pk, note="测孔径", now=NOW)
    assert (t.status, t.user, t.note) == ("requested", people["eve"], "测孔径")
    assert mails == [("training_requested", t.pk, "")]
    assert AuditEvent.objects.filter(action="training.request", object_id=str(t.pk)).exists()


def test_a_second_open_request_for_the_same_instrument_is_refused(people: Any, trained: Instrument) -> None:
    training.request_training(_as(people, "eve"), instrument_id=trained.pk, now=NOW)
    with pytest.raises(InvalidState):
        training.request_training(_as(people, "eve"), instrument_id=trained.pk, now=NOW)
    assert TrainingRequest.objects.count() == 1


def test_scheduling_then_passing_grants_the_qualification_and_allows_self_operation(
    people: Any, trained: Instrument, mails: Any
) -> None:
    # Given eve asked and cannot yet book self-operation
    t = training.request_training(_as(people, "eve"), instrument_id=trained.pk, now=NOW)
    with pytest.raises(RuleViolation):
        book(people["eve"], trained, "2026-03-03 10:00", "2026-03-03 11:00", mode="self")
    # When alice schedules the session and records a pass with an expiry
    training.schedule_training(_as(people, "alice"), t.pk, at=at("2026-03-02 14:00"), note="B203", now=NOW)
    training.record_training_result(
        _as(people, "alice"), t.pk, passed=True, expires=dt.date(2026, 9, 1), note="", now=NOW
    )
    # Then eve holds the qualification and may operate the instrument herself
    q = Qualification.objects.get(user=people["eve"], instrument=trained)
    assert q.expires == dt.date(2026, 9, 1) and q.revoked is None
    assert book(people["eve"], trained, "2026-03-03 10:00", "2026-03-03 11:00", mode="self").pk
    assert [m[0] for m in mails] == ["training_requested", "training_scheduled", "training_passed"]


def test_a_training_in_the_past_cannot_be_scheduled(people: Any, trained: Instrument) -> None:
    t = training.request_training(_as(people, "eve"), instrument_id=trained.pk, now=NOW)
    with pytest.raises(ValidationFailed) as err:
        training.schedule_training(_as(people, "alice"), t.pk, at=NOW - dt.timedelta(hours=1), now=NOW)
    assert "at" in err.value.fields
    t.refresh_from_db()
    assert t.status == "requested"


def test_a_fail_needs_a_note_and_grants_nothing(people: Any, trained: Instrument) -> None:
    t = training.request_training(_as(people, "eve"), instrument_id=trained.pk, now=NOW)
    with pytest.raises(ValidationFailed):
        training.record_training_result(_as(people, "alice"), t.pk, passed=False, note=" ", now=NOW)
    training.record_training_result(_as(people, "alice"), t.pk, passed=False, note="操作不熟练", now=NOW)
    t.refresh_from_db()
    assert t.status == "failed" and not Qualification.objects.exists()


@pytest.mark.parametrize("who", ["bob", "eve"])
def test_only_the_instruments_managers_schedule_and_decide(
    people: Any, trained: Instrument, who: str
) -> None:
    # bob manages another institution's instruments; eve asked for the training herself
    t = training.request_training(_as(people, "eve"), instrument_id=trained.pk, now=NOW)
    with pytest.raises(NotFound):
        training.schedule_training(_as(people, who), t.pk, at=at("2026-03-04 10:00"), now=NOW)
    with pytest.raises(NotFound):
        training.record_training_result(_as(people, who), t.pk, passed=True, now=NOW)
    t.refresh_from_db()
    assert t.status == "requested" and not Qualification.objects.exists()


def test_a_revoked_qualification_no_longer_allows_self_operation_until_granted_again(
    people: Any, trained: Instrument, mails: Any
) -> None:
    q, _ = grant_qualification(
        _as(people, "alice"), instrument_id=trained.pk, user_id=people["eve"].pk, expires=None, now=NOW
    )
    training.revoke_qualification(_as(people, "alice"), q.pk, reason="违规操作", now=NOW)
    with pytest.raises(RuleViolation) as err:
        book(people["eve"], trained, "2026-03-03 10:00", "2026-03-03 11:00", mode="self")
    assert err.value.rule == "not_qualified"
    assert ("qualification_revoked", q.pk, "") in mails
    # Granting again restores it
    grant_qualification(
        _as(people, "alice"), instrument_id=trained.pk, user_id=people["eve"].pk, expires=None, now=NOW
    )
    q.refresh_from_db()
    assert q.revoked is None and q.revoke_reason == ""
    assert book(people["eve"], trained, "2026-03-03 10:00", "2026-03-03 11:00", mode="self").pk


def test_revoking_needs_a_reason_and_is_not_found_for_another_institution(
    people: Any, trained: Instrument
) -> None:
    q, _ = grant_qualification(
        _as(people, "alice"), instrument_id=trained.pk, user_id=people["eve"].pk, expires=None, now=NOW
    )
    with pytest.raises(ValidationFailed):
        training.revoke_qualification(_as(people, "alice"), q.pk, reason="", now=NOW)
    with pytest.raises(NotFound):
        training.revoke_qualification(_as(people, "bob"), q.pk, reason="越权", now=NOW)
    q.refresh_from_db()
    assert q.revoked is None


def test_the_reminder_job_tells_each_holder_once_per_expiry_date(
    people: Any, trained: Instrument, mails: Any
) -> None:
    alice = _as(people, "alice")
    soon, _ = grant_qualification(
        alice, instrument_id=trained.pk, user_id=people["eve"].pk, expires=dt.date(2026, 3, 20), now=NOW
    )
    grant_qualification(  # far off: not yet
        alice, instrument_id=trained.pk, user_id=people["amy"].pk, expires=dt.date(2026, 12, 1), now=NOW
    )
    assert training.remind_expiring_qualifications(now=NOW) == [soon.pk]
    assert training.remind_expiring_qualifications(now=NOW) == []
    # A renewal moves the date, and the next reminder is for the new one
    grant_qualification(
        alice, instrument_id=trained.pk, user_id=people["eve"].pk, expires=dt.date(2026, 3, 25), now=NOW
    )
    assert training.remind_expiring_qualifications(now=NOW) == [soon.pk]
    assert [m[0] for m in mails if m[0] == "qualification_expiring"] == ["qualification_expiring"] * 2


def test_the_desk_mails_are_chinese_then_english(people: Any, trained: Instrument) -> None:
    people["eve"].email = "eve@example.org"
    people["eve"].save()
    t = training.request_training(_as(people, "eve"), instrument_id=trained.pk, now=NOW)
    training.schedule_training(_as(people, "alice"), t.pk, at=at("2026-03-02 14:00"), note="B203", now=NOW)
    [message] = desk_mail.messages_for("training_scheduled", t.pk)
    assert message.to == ["eve@example.org"]
    assert "2026-03-02 14:00" in message.body and "B203" in message.body
    assert message.body.index("您在") < message.body.index("Your training")


# --- the manager's day -------------------------------------------------------------------------------


def test_a_manager_books_for_a_user_found_by_email(people: Any, bet: Instrument) -> None:
    people["eve"].email = "Eve@Example.org"
    people["eve"].save()
    b = desk.book_for_user(
        _as(people, "alice"),
        instrument_id=bet.pk,
        user="eve@example.org",
        start=at("2026-03-03 10:00"),
        end=at("2026-03-03 11:00"),
        mode="assisted",
        now=NOW,
    )
    assert (b.user, b.status) == (people["eve"], BookingStatus.CONFIRMED)
    assert AuditEvent.objects.filter(action="booking.book_for_user", actor=people["alice"]).exists()


def test_a_booking_for_someone_waiting_for_approval_is_confirmed_by_the_manager(
    people: Any, network: Any
) -> None:
    strict = make_bet(network["zju"], "BET-A", approval="always")
    b = desk.book_for_user(
        _as(people, "alice"),
        instrument_id=strict.pk,
        user="eve",
        start=at("2026-03-03 10:00"),
        end=at("2026-03-03 11:00"),
        mode="assisted",
        now=NOW,
    )
    assert b.status == BookingStatus.CONFIRMED


def test_booking_for_someone_elsewhere_is_not_found_before_the_user_is_looked_up(
    people: Any, bet: Instrument
) -> None:
    with pytest.raises(NotFound):
        desk.book_for_user(
            _as(people, "bob"),
            instrument_id=bet.pk,
            user="nobody-at-all",
            start=at("2026-03-03 10:00"),
            end=at("2026-03-03 11:00"),
            mode="assisted",
            now=NOW,
        )
    assert not Booking.objects.exists()


def test_an_unknown_user_is_a_field_error(people: Any, bet: Instrument) -> None:
    with pytest.raises(ValidationFailed) as err:
        desk.book_for_user(
            _as(people, "alice"),
            instrument_id=bet.pk,
            user="nobody",
            start=at("2026-03-03 10:00"),
            end=at("2026-03-03 11:00"),
            mode="assisted",
            now=NOW,
        )
    assert "user" in err.value.fields


def test_moving_keeps_the_length_says_why_and_tells_the_booker(people: Any, bet: Instrument) -> None:
    b = book(people["eve"], bet, "2026-03-03 10:00", "2026-03-03 11:00")
    moved = desk.move_booking(
        _as(people, "alice"), b.pk, start=at("2026-03-04 14:00"), reason="维护", now=NOW
    )
    assert (moved.start, moved.end, moved.reason) == (at("2026-03-04 14:00"), at("2026-03-04 15:00"), "维护")
    assert moved.occupied.lower == at("2026-03-04 13:40")  # the policy's 20-minute warm-up
    assert AuditEvent.objects.filter(action="booking.move", reason="维护").exists()


def test_moving_onto_another_booking_is_a_conflict_and_changes_nothing(people: Any, bet: Instrument) -> None:
    b = book(people["eve"], bet, "2026-03-03 10:00", "2026-03-03 11:00")
    book(people["amy"], bet, "2026-03-04 14:00", "2026-03-04 15:00")
    with pytest.raises(BookingConflict):
        desk.move_booking(_as(people, "alice"), b.pk, start=at("2026-03-04 14:30"), reason="调整", now=NOW)
    b.refresh_from_db()
    assert b.start == at("2026-03-03 10:00")


def test_moving_into_a_closure_is_refused(people: Any, network: Any) -> None:
    closed = make_bet(
        network["zju"],
        "BET-C",
        closures=[{"start": "2026-03-04T00:00", "end": "2026-03-05T00:00", "reason": "维护"}],
    )
    b = book(people["eve"], closed, "2026-03-03 10:00", "2026-03-03 11:00")
    with pytest.raises(RuleViolation):
        desk.move_booking(_as(people, "alice"), b.pk, start=at("2026-03-04 10:00"), reason="调整", now=NOW)


@pytest.mark.parametrize("who", ["bob", "eve"])
def test_only_the_instruments_managers_move_a_booking(people: Any, bet: Instrument, who: str) -> None:
    b = book(people["eve"], bet, "2026-03-03 10:00", "2026-03-03 11:00")
    # bob: another institution's booking does not exist for him; eve: her own, but she is no manager
    error = NotFound if who == "bob" else Forbidden
    with pytest.raises(error):
        desk.move_booking(_as(people, who), b.pk, start=at("2026-03-04 10:00"), reason="调整", now=NOW)
    b.refresh_from_db()
    assert b.start == at("2026-03-03 10:00")


def test_walk_up_use_is_recorded_for_the_user_and_confirmed(people: Any, bet: Instrument) -> None:
    u = desk.record_walk_up(
        _as(people, "alice"),
        instrument_id=bet.pk,
        user="EVE",
        start=at("2026-03-02 09:00"),
        end=at("2026-03-02 10:30"),
        reason="临时上机",
        now=NOW,
    )
    assert (u.user, str(u.hours), u.confirmed, u.booking) == (people["eve"], "1.50", True, None)
    with pytest.raises(NotFound):
        desk.record_walk_up(
            _as(people, "bob"),
            instrument_id=bet.pk,
            user="eve",
            start=at("2026-03-02 09:00"),
            end=at("2026-03-02 10:30"),
            reason="临时上机",
            now=NOW,
        )


# --- problem reports ---------------------------------------------------------------------------------


def test_any_signed_in_user_reports_a_fault_and_the_managers_are_told(
    people: Any, bet: Instrument, mails: Any
) -> None:
    report = problems.report_problem(
        _as(people, "bob"), instrument_id=bet.pk, description="真空泵异响", now=NOW
    )
    assert (report.status, report.reporter) == ("open", people["bob"])
    assert mails == [("problem_reported", report.pk, "")]


def test_a_downtime_closes_the_calendar_sets_the_status_and_tells_affected_bookers(
    people: Any, bet: Instrument, mails: Any
) -> None:
    # Given eve booked Tuesday morning and amy Thursday
    hit = book(people["eve"], bet, "2026-03-03 10:00", "2026-03-03 11:00")
    book(people["amy"], bet, "2026-03-05 10:00", "2026-03-05 11:00")
    report = problems.report_problem(_as(people, "eve"), instrument_id=bet.pk, description="漏气", now=NOW)
    # When alice marks it awaiting repair with a downtime over Tuesday
    _, affected = problems.handle_problem(
        _as(people, "alice"),
        report.pk,
        status=Status.OCCASIONAL_FAULTS,
        downtime_start=at("2026-03-03 00:00"),
        downtime_end=at("2026-03-04 00:00"),
        reason="更换真空泵",
        now=NOW,
    )
    # Then the instrument's status and calendar say so, and only eve is told
    bet.refresh_from_db()
    assert bet.status == Status.OCCASIONAL_FAULTS
    assert bet.booking_policy["closures"][-1]["reason"] == "更换真空泵"
    assert affected == [hit.pk]
    assert [m[:2] for m in mails if m[0] == "downtime"] == [("downtime", hit.pk)]
    with pytest.raises(RuleViolation) as err:
        book(people["amy"], bet, "2026-03-03 14:00", "2026-03-03 15:00")
    assert err.value.rule == "closed"


def test_a_half_given_downtime_is_refused_and_changes_nothing(people: Any, bet: Instrument) -> None:
    report = problems.report_problem(_as(people, "eve"), instrument_id=bet.pk, description="漏气", now=NOW)
    with pytest.raises(ValidationFailed):
        problems.handle_problem(
            _as(people, "alice"),
            report.pk,
            status="awaiting_repair",
            downtime_start=at("2026-03-03 00:00"),
            now=NOW,
        )
    bet.refresh_from_db()
    assert bet.status == "normal" and "closures" not in bet.booking_policy


def test_another_institutions_manager_cannot_handle_or_resolve_a_report(people: Any, bet: Instrument) -> None:
    report = problems.report_problem(_as(people, "eve"), instrument_id=bet.pk, description="漏气", now=NOW)
    with pytest.raises(NotFound):
        problems.handle_problem(_as(people, "bob"), report.pk, status="awaiting_repair", now=NOW)
    with pytest.raises(NotFound):
        problems.resolve_problem(_as(people, "bob"), report.pk, resolution="已修", now=NOW)
    with pytest.raises(NotFound):  # the reporter sees their report, but does not handle it
        problems.resolve_problem(_as(people, "eve"), report.pk, resolution="已修", now=NOW)
    report.refresh_from_db()
    assert report.status == "open"


def test_resolving_closes_the_report_once_and_may_set_the_status_back(people: Any, bet: Instrument) -> None:
    report = problems.report_problem(_as(people, "eve"), instrument_id=bet.pk, description="漏气", now=NOW)
    problems.handle_problem(_as(people, "alice"), report.pk, status="awaiting_repair", now=NOW)
    problems.resolve_problem(
        _as(people, "alice"), report.pk, resolution="已更换密封圈", status="normal", now=NOW
    )
    report.refresh_from_db()
    bet.refresh_from_db()
    assert (report.status, report.resolved_by, bet.status) == ("resolved", people["alice"], "normal")
    with pytest.raises(InvalidState):
        problems.resolve_problem(_as(people, "alice"), report.pk, resolution="again", now=NOW)
    assert ProblemReport.objects.count() == 1


def test_every_desk_mail_names_its_instrument_and_reaches_its_people(
    people: Any, trained: Instrument
) -> None:
    # Given addresses for eve (the user) and alice (a manager of 浙江大学)
    for name in ("eve", "alice"):
        people[name].email = f"{name}@example.org"
        people[name].save()
    eve, alice = _as(people, "eve"), _as(people, "alice")
    t = training.request_training(eve, instrument_id=trained.pk, now=NOW)
    training.record_training_result(alice, t.pk, passed=True, expires=dt.date(2026, 3, 20), now=NOW)
    q = Qualification.objects.get()
    report = problems.report_problem(eve, instrument_id=trained.pk, description="漏气", now=NOW)
    b = book(people["eve"], trained, "2026-03-03 10:00", "2026-03-03 11:00")
    sent = {
        "training_requested": (t.pk, ["alice@example.org"]),
        "training_passed": (t.pk, ["eve@example.org"]),
        "training_failed": (t.pk, ["eve@example.org"]),
        "training_scheduled": (t.pk, ["eve@example.org"]),
        "qualification_expiring": (q.pk, ["eve@example.org"]),
        "qualification_revoked": (q.pk, ["eve@example.org"]),
        "problem_reported": (report.pk, ["alice@example.org"]),
        "downtime": (b.pk, ["eve@example.org"]),
    }
    for kind, (pk, to) in sent.items():
        messages = desk_mail.messages_for(kind, pk, "2026-03-03 00:00 – 2026-03-04 00:00: 维修")
        assert [m.to for m in messages] == [[a] for a in to], kind
        assert trained.name in messages[0].body and "Dayi" in messages[0].subject, kind
    assert desk_mail.messages_for("downtime", 0) == []  # gone meanwhile: nothing to send
