"""Pausing through the workflow service: stored as events, read back by every read, the clock frozen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.cases import Action
from core.clock import FrozenClock
from core.config import Settings
from core.deadlines import pending_deadlines
from core.pauses import ResumeWhy
from core.payloads import PausePayload, ResumePayload
from core.policy import FIX_OR_UPDATE, DeadlinePolicy
from core.workflow import WorkflowError
from storage import quick_read, views
from storage.database import Database
from storage.service import WorkflowService
from tests.test_service import event_count, new_case

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
CAP = timedelta(minutes=45)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def service(database: Database, clock: FrozenClock) -> WorkflowService:
    settings = Settings(zone=UTC, deadlines=DeadlinePolicy(pause_cap=CAP))
    return WorkflowService(database, settings, clock)


def remaining(service: WorkflowService, case_id: int, now: datetime) -> timedelta:
    case = service.get(case_id)
    (deadline,) = [d for d in pending_deadlines(case, service.settings.deadlines) if d.kind == FIX_OR_UPDATE]
    return deadline.remaining(now)


def test_a_pause_is_an_event_and_every_read_sees_it(service: WorkflowService, clock: FrozenClock) -> None:
    case_id = service.open_case(new_case(), "Billy").id
    assert case_id is not None
    clock.advance(minutes=5)
    until = NOW + timedelta(minutes=35)
    reason = "customer calls back after 3:30"
    paused = service.pause(case_id, "Hana", reason, until=until, recorded_by="Sam")
    assert [(p.by, p.reason, p.until) for p in paused.pauses] == [("Hana", reason, until)]
    detail = views.case_detail(service.database, case_id)
    last = detail.events[-1]
    assert (last.action, last.payload, last.recorded_by) == (
        Action.PAUSE,
        PausePayload(reason, until),
        "Sam",
    )
    assert detail.case.pauses == paused.pauses
    assert service.get(case_id).pauses == paused.pauses
    assert [case.pauses for case in views.open_cases(service.database)] == [paused.pauses]
    assert [case.pauses for case in views.changed_since(service.database, 0)[1]] == [paused.pauses]
    # The first-paint read (stdlib sqlite3) rebuilds the same pauses.
    if service.database.is_sqlite:
        assert quick_read.open_cases(service.database.url) == views.open_cases(service.database)
    # The clock stands still while paused (fifteen minutes were left), then runs from the resume time.
    for minutes in (10, 30, 34):
        assert remaining(service, case_id, NOW + timedelta(minutes=minutes)) == timedelta(minutes=15)
    assert remaining(service, case_id, NOW + timedelta(minutes=45)) == timedelta(minutes=5)


def test_resume_by_hand_and_refusals_store_nothing(service: WorkflowService, clock: FrozenClock) -> None:
    case_id = service.open_case(new_case(), "Billy").id
    assert case_id is not None
    with pytest.raises(WorkflowError, match="is not paused"):
        service.resume(case_id, "Hana")
    service.pause(case_id, "Billy", "waiting for the courier")
    before = event_count(service.database)
    with pytest.raises(WorkflowError, match="already paused"):
        service.pause(case_id, "Billy", "again")
    assert event_count(service.database) == before
    clock.advance(minutes=10)
    resumed = service.resume(case_id, "Hana", "courier confirmed")
    assert resumed.pauses[0].resumed_by == "Hana" and resumed.pauses[0].resumed_why is ResumeWhy.BY_HAND
    assert views.case_detail(service.database, case_id).events[-1].payload == ResumePayload(ResumeWhy.BY_HAND)
    assert remaining(service, case_id, clock.now()) == timedelta(minutes=20)


def test_a_customer_contact_resumes_even_in_the_same_instant(service: WorkflowService) -> None:
    case_id = service.open_case(new_case(), "Billy").id
    assert case_id is not None
    service.pause(case_id, "Billy", "customer calls back")
    # The frozen clock puts both at one instant: the order of the events decides, not their times.
    contacted = service.act(case_id, Action.APOLOGIZE, "Billy", "So sorry")
    assert contacted.pauses == ()
    assert service.get(case_id).pauses == ()
    assert views.open_cases(service.database)[0].pauses == ()
    if service.database.is_sqlite:
        assert quick_read.open_cases(service.database.url) == views.open_cases(service.database)


def test_the_configured_cap_ends_the_pause_and_refuses_another(
    service: WorkflowService, clock: FrozenClock
) -> None:
    case_id = service.open_case(new_case(), "Billy").id
    assert case_id is not None
    service.pause(case_id, "Billy", "parked")
    clock.advance(CAP + timedelta(minutes=1))
    assert remaining(service, case_id, clock.now()) == timedelta(minutes=19)
    with pytest.raises(WorkflowError, match="is not paused: its pause ended \\(cap reached\\)"):
        service.resume(case_id, "Billy")
    with pytest.raises(WorkflowError, match="paused for 45 min already"):
        service.pause(case_id, "Billy", "parked again")
    service.act(case_id, Action.APOLOGIZE, "Billy", "Sorry, still on it")  # a contact: a new clock
    assert service.pause(case_id, "Billy", "courier").pauses[0].reason == "courier"


def test_a_resume_time_in_the_past_is_refused(service: WorkflowService) -> None:
    case_id = service.open_case(new_case(), "Billy").id
    assert case_id is not None
    with pytest.raises(WorkflowError, match="is not later than now"):
        service.pause(case_id, "Billy", "courier", until=NOW - timedelta(minutes=1))
