"""The escalation ladder: the maths (pure), and its steps taken once per database by any number of
dashboards, resuming after a restart, its repeats stopped by an acknowledgement — SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from core.cases import Action
from core.clock import FrozenClock
from core.config import ConfigError, Settings, load_settings
from core.deadlines import Deadline, pending_deadlines
from core.escalation import MANAGER, OWNER, SUPERVISOR, Ladder, LadderState, due_now
from core.payloads import AcknowledgePayload, EscalatePayload
from core.policy import FIX_OR_UPDATE
from core.shifts import Shift
from storage.database import Database
from storage.errors import ValidationError
from storage.models import EventRow
from storage.service import WorkflowService
from tests.test_service import NOW, new_case

LADDER = Ladder(timedelta(minutes=10), timedelta(minutes=10), timedelta(minutes=30), "Dana Reyes")
DUE = datetime(2026, 11, 25, 15, 20, tzinfo=UTC)


def minutes(n: float) -> datetime:
    return DUE + timedelta(minutes=n)


# -- the maths -----------------------------------------------------------------------------------------


def test_the_step_due_climbs_at_the_configured_minutes() -> None:
    assert LADDER.step_due(DUE, minutes(-0.1)) is None
    assert [LADDER.step_due(DUE, minutes(m)) for m in (0, 9.9, 10, 29, 30, 500)] == [0, 0, 1, 1, 2, 2]
    assert [rung.role for rung in LADDER.rungs] == [OWNER, SUPERVISOR, MANAGER]
    # Without a named manager the ladder stops at the supervisor.
    assert Ladder(manager="").step_due(DUE, minutes(500)) == 1


def test_next_instant_is_the_breach_a_step_or_a_repeat() -> None:
    ladder = Ladder(timedelta(minutes=7), timedelta(minutes=10), timedelta(minutes=30), "Dana")
    assert ladder.next_at(DUE, minutes(-5)) == DUE
    assert ladder.next_at(DUE, minutes(0)) == minutes(7)  # a repeat before the supervisor's step
    assert ladder.next_at(DUE, minutes(7)) == minutes(10)  # the step before the next repeat (14)
    assert ladder.next_at(DUE, minutes(10)) == minutes(14)
    assert ladder.next_at(DUE, minutes(28)) == minutes(30)


def test_due_now_takes_new_steps_and_repeats_only_unacknowledged_ones() -> None:
    deadline = Deadline(4, FIX_OR_UPDATE, DUE, "Billy")
    nothing = LadderState()
    due = due_now(deadline, minutes(0), None, LADDER, nothing)
    assert due is not None and (due.take, due.repeat) == (0, None)
    taken = LadderState(frozenset({0}))
    # No repeat between two looks inside the same 10 minutes, one when the grid is crossed.
    assert due_now(deadline, minutes(5), minutes(1), LADDER, taken) is None
    repeat = due_now(
        deadline,
        minutes(10) - timedelta(seconds=1) + timedelta(seconds=1),
        minutes(5),
        LADDER,
        LadderState(frozenset({0, 1})),
    )
    assert repeat is not None and repeat.repeat == 1  # minute 10: step 1 taken, its alert again
    acked = LadderState(frozenset({0, 1}), frozenset({1}))
    assert due_now(deadline, minutes(20), minutes(15), LADDER, acked) is None
    # After a restart (no `since`) what was missed is not replayed; a higher step still is taken.
    assert due_now(deadline, minutes(25), None, LADDER, LadderState(frozenset({0, 1}))) is None
    climbed = due_now(deadline, minutes(45), None, LADDER, LadderState(frozenset({0})))
    assert climbed is not None and climbed.take == 2  # the manager's step: the supervisor's time passed
    assert (
        due_now(Deadline(4, FIX_OR_UPDATE, DUE, "Billy", met_at=DUE), minutes(40), None, LADDER, nothing)
        is None
    )


# -- once per database ------------------------------------------------------------------------------------


def settings() -> Settings:
    shift = Shift(
        "Late",
        datetime(2026, 1, 1, 14).time(),
        datetime(2026, 1, 1, 22).time(),
        "Sam Ortiz",
        ("Billy", "Ana Ruiz"),
    )
    return Settings(zone=UTC, shifts=(shift,), escalation=LADDER)


def dashboard(url: str, clock: FrozenClock) -> WorkflowService:
    """One terminal: its own engine on the shared database, the shared (frozen) clock."""
    return WorkflowService(Database(url), settings(), clock)


def breached(service: WorkflowService, case_id: int) -> list[Deadline]:
    case = service.get(case_id)
    return pending_deadlines(case, service.settings.deadlines, service.settings.calendar)


def ladder_events(database: Database, case_id: int) -> list[tuple[str, dict[str, object]]]:
    with database.read() as session:
        rows = session.execute(
            select(EventRow.action, EventRow.data)
            .where(EventRow.case_id == case_id, EventRow.action.in_(["escalate", "acknowledge"]))
            .order_by(EventRow.id)
        ).all()
    return [(action, data) for action, data in rows]


def test_two_dashboards_take_each_step_once_and_a_restart_goes_on(database_url: str) -> None:
    clock = FrozenClock(NOW)
    first, second = dashboard(database_url, clock), dashboard(database_url, clock)
    try:
        case = first.open_case(new_case(), "Sam Ortiz")
        assert case.id is not None
        (deadline,) = breached(first, case.id)
        due = deadline.due_at
        since: dict[str, datetime | None] = {"first": None, "second": None}

        def round_(service: WorkflowService, name: str) -> list[tuple[int, bool, str]]:
            alerts = service.escalate_breached(breached(service, case.id or 0), since[name])
            since[name] = clock.now()
            return [(alert.step, alert.repeat, alert.target) for alert in alerts]

        clock.set(due - timedelta(seconds=1))
        assert round_(first, "first") == [] and round_(second, "second") == []
        clock.set(due)
        assert round_(first, "first") == [(0, False, "Billy")]
        assert round_(second, "second") == []  # the step is the first's: taken once
        clock.set(due + timedelta(minutes=10))
        assert round_(second, "second") == [(1, False, "Sam Ortiz")]
        # The first shows the supervisor's alert too (not as a step of its own: nothing is recorded twice).
        assert round_(first, "first") == [(1, True, "Sam Ortiz")]
        clock.set(due + timedelta(minutes=20))
        assert round_(first, "first") == [(1, True, "Sam Ortiz")]  # step 1 repeats, on each dashboard
        assert round_(second, "second") == [(1, True, "Sam Ortiz")]

        # A restart: a new dashboard goes on from the stored step, neither retaking nor replaying.
        second.database.dispose()
        second = dashboard(database_url, clock)
        since["second"] = None
        clock.set(due + timedelta(minutes=25))
        assert round_(second, "second") == []
        clock.set(due + timedelta(minutes=30))
        assert round_(second, "second") == [(2, False, "Dana Reyes")]
        assert round_(first, "first") == [(2, True, "Dana Reyes")]  # shown there, recorded once

        steps = [
            (action, data["step"], data["role"]) for action, data in ladder_events(first.database, case.id)
        ]
        assert steps == [("escalate", 0, OWNER), ("escalate", 1, SUPERVISOR), ("escalate", 2, MANAGER)]
        timeline = first.database  # the events read back typed, each with its sentence
        from storage.views import case_detail

        escalations = [e for e in case_detail(timeline, case.id).events if e.action is Action.ESCALATE]
        assert all(isinstance(e.payload, EscalatePayload) for e in escalations)
        assert escalations[-1].text == "escalated to the manager Dana Reyes after 30 min (fix-or-update)"
        assert first.get(case.id).version == case.version  # escalating never bumps a case being edited
    finally:
        first.database.dispose()
        second.database.dispose()


def test_acknowledging_stops_the_repeats_of_that_step_not_the_climb(database_url: str) -> None:
    clock = FrozenClock(NOW)
    service = dashboard(database_url, clock)
    try:
        case = service.open_case(new_case(), "Sam Ortiz")
        assert case.id is not None
        with pytest.raises(ValidationError, match="no escalation waiting"):
            service.acknowledge(case.id, "Sam Ortiz")
        (deadline,) = breached(service, case.id)
        clock.set(deadline.due_at)
        assert len(service.escalate_breached(breached(service, case.id), None)) == 1
        last = clock.now()
        clock.advance(minutes=10)
        repeats = service.escalate_breached(breached(service, case.id), last)
        assert [(a.step, a.repeat) for a in repeats] == [(1, False)]  # climbed to the supervisor
        last = clock.now()
        service.acknowledge(case.id, "Sam Ortiz")
        clock.advance(minutes=10)
        assert service.escalate_breached(breached(service, case.id), last) == []  # no repeat of step 1
        last = clock.now()
        clock.advance(minutes=10)  # minute 30: the manager's step is still taken
        assert [(a.step, a.repeat) for a in service.escalate_breached(breached(service, case.id), last)] == [
            (2, False)
        ]
        last = clock.now()
        clock.advance(minutes=10)
        assert [(a.step, a.repeat) for a in service.escalate_breached(breached(service, case.id), last)] == [
            (2, True)
        ]
        acks = [data for action, data in ladder_events(service.database, case.id) if action == "acknowledge"]
        assert len(acks) == 1 and AcknowledgePayload.from_json(acks[0]).step == 1
        # A contact with the customer meets the deadline: the ladder of that deadline ends.
        service.act(case.id, Action.APOLOGIZE, "Billy", "Sorry")
        last = clock.now()
        clock.advance(minutes=10)
        assert service.escalate_breached(breached(service, case.id), last) == []
    finally:
        service.database.dispose()


def test_the_database_itself_refuses_a_step_twice(database: Database) -> None:
    """The once-rule lives in the schema (0005's unique key), not in any dashboard's memory."""
    from sqlalchemy.exc import IntegrityError

    from storage.models import EscalationRow

    service = WorkflowService(database, settings(), FrozenClock(NOW))
    case = service.open_case(new_case(), "Sam Ortiz")
    row = {"case_id": case.id, "kind": FIX_OR_UPDATE, "due_at": DUE, "step": 1, "target": "Sam", "at": NOW}
    with database.write() as session:
        session.add(EscalationRow(**row))
    with pytest.raises(IntegrityError), database.engine.begin() as connection:
        connection.execute(EscalationRow.__table__.insert(), [{**row, "target": "someone else"}])


def test_dashboards_racing_for_one_step_take_it_once(database_url: str) -> None:
    """Four terminals at the same instant, each on its own connection: one insert wins, the rest lose."""
    from concurrent.futures import ThreadPoolExecutor

    clock = FrozenClock(NOW)
    services = [dashboard(database_url, clock) for _ in range(4)]
    try:
        case = services[0].open_case(new_case(), "Sam Ortiz")
        assert case.id is not None
        (deadline,) = breached(services[0], case.id)
        clock.set(deadline.due_at + timedelta(minutes=10))
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(lambda s: s.escalate(deadline, 1, SUPERVISOR, "Sam Ortiz"), services))
        assert sum(result is not None for result in results) == 1
        assert [data["step"] for _, data in ladder_events(services[0].database, case.id)] == [1]
    finally:
        for service in services:
            service.database.dispose()


# -- [escalation] in the configuration file ----------------------------------------------------------------


def test_escalation_keys_are_read_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        "[escalation]\nrepeat_minutes = 5\nsupervisor_after = 15\nmanager_after = 45\n"
        'manager = "Dana Reyes"\n',
        encoding="utf-8",
    )
    ladder = load_settings(path).escalation
    assert ladder == Ladder(timedelta(minutes=5), timedelta(minutes=15), timedelta(minutes=45), "Dana Reyes")
    assert Settings().escalation == Ladder()  # defaults: every 10 min, supervisor at 10, no manager


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("repeat_minutes = 0", "[escalation] repeat_minutes: must be a whole number of minutes ≥ 1"),
        ("repeat_minutes = nan", "[escalation] repeat_minutes: must be a whole number"),
        ("repeat_minutes = 1e9", "[escalation] repeat_minutes: must be a whole number"),
        ("supervisor_after = 99999999", "[escalation] supervisor_after: must be a whole number"),
        ("supervisor_after = true", "[escalation] supervisor_after: must be a whole number"),
        ('manager = "Dana\\u001b[2J"', "[escalation] manager: contains a control character"),
        ("manager = 7", "[escalation] manager: must be a string"),
        ('manager = "Dana"\nmanager_after = 10', "[escalation] manager_after: must be later than"),
        ("every = 3", "[escalation] every: unknown setting"),
    ],
)
def test_escalation_mistakes_name_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[escalation]\n{text}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(caught.value).startswith(f"{path}: ") and message in str(caught.value)
