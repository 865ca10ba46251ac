"""The workflow service and storage, run against SQLite and a real PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select, text

from core.cases import Action, Case, Gesture, Stage
from core.clock import FrozenClock
from core.config import Settings
from core.deposition import Deposition, Factor
from core.payloads import FixPayload
from core.policy import AuthorityError, AuthorityPolicy
from core.workflow import WorkflowError
from storage import views
from storage.database import HEAD_REVISION, Database, DatabaseError
from storage.errors import CaseNotFound, ConflictError, ValidationError
from storage.models import EventRow
from storage.service import WorkflowService

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
DEPOSITION = Deposition(
    customer_view="Sofa two days late, nobody called",
    customer_needed="A delivery date she can trust",
    actions_taken="Rebooked with a second carrier, called daily",
    root_cause="Carrier missed the slot",
    factors=(Factor.EXTERNAL, Factor.PROCESS),
)


@pytest.fixture
def service(database: Database) -> WorkflowService:
    settings = Settings(zone=UTC, authority=AuthorityPolicy(default_limit=25, limits={"Omar": 200}))
    return WorkflowService(database, settings, FrozenClock(NOW))


def new_case(**overrides: object) -> Case:
    fields: dict[str, object] = {
        "opened_at": NOW,
        "customer": "Ada [bold]Brennan[/bold]",
        "category": "late delivery",
        "site": "Harbour Road",
        "region": "North",
        "product": "Sofa",
        "staff": "Billy",
        "owner": "Billy",
        "assignee": "Billy",
        "description": "Sofa did not arrive",
    }
    fields.update(overrides)
    return Case(**fields)  # type: ignore[arg-type]


def event_count(database: Database) -> int:
    with database.read() as session:
        return int(session.execute(select(func.count()).select_from(EventRow)).scalar_one())


def take_through_everything(service: WorkflowService, case_id: int) -> None:
    clock = service.clock
    assert isinstance(clock, FrozenClock)
    service.act(case_id, Action.APOLOGIZE, "Billy", "I am so sorry")
    clock.advance(minutes=3)
    service.act(case_id, Action.REVIEW, "Billy", "Late and no call", {"needs": "a firm date"})
    clock.advance(minutes=10)
    service.act(case_id, Action.UPDATE, "Billy", "Carrier booked for 17:00")
    clock.advance(minutes=15)
    service.fix(case_id, "Billy", "Delivered", gesture_kind="voucher", gesture_value=80, approved_by="Omar")
    clock.advance(minutes=20)
    service.follow_up(case_id, "Billy", "All good", satisfied=True)
    clock.advance(minutes=5)
    service.file_deposition(case_id, "Billy", DEPOSITION)
    service.act(case_id, Action.AMEND, "Omar", "Carrier was the second one, not the first")
    service.act(case_id, Action.CLOSE, "Billy", "")


def test_schema_is_created_at_the_newest_revision(database: Database) -> None:
    from storage.migrate import head_revision

    assert database.current_revision() == HEAD_REVISION == head_revision()
    database.upgrade()  # idempotent
    assert database.current_revision() == HEAD_REVISION


def open_before_0004(database: Database, case: Case, actions: tuple[str, ...] = ("open",)) -> int:
    """A case with its events as releases before schema 0004 wrote them (no recorder columns): the case
    row through the ORM (its table is unchanged), the events in plain SQL."""
    from storage.mapping import row_from_case

    with database.write() as session:
        row = row_from_case(case)
        session.add(row)
        session.flush()
        for action in actions:
            session.execute(
                text(
                    "INSERT INTO events (case_id, at, actor, action, text, data) "
                    "VALUES (:id, :at, 'Omar', :action, 'as written before 0004', '{}')"
                ),
                {"id": row.id, "at": NOW.replace(tzinfo=None), "action": action},
            )
        return row.id


def test_a_database_from_the_first_release_is_upgraded_with_its_cases_kept(database_url: str) -> None:
    older = Database(database_url, create=False)
    older.upgrade("0001")  # the schema as the first release left it: no index on events.at
    assert older.current_revision() == "0001"
    case_id = open_before_0004(older, new_case(), ("open", "apologize"))
    older.dispose()
    database = Database(database_url)
    database.ensure_schema()
    assert database.current_revision() == HEAD_REVISION
    assert [event.action for event in views.case_detail(database, case_id).events] == [
        Action.OPEN,
        Action.APOLOGIZE,
    ]
    with database.read() as session:
        indexes = {index["name"] for index in inspect(session.connection()).get_indexes("events")}
    assert "ix_events_at" in indexes
    # Rows from before 0004 do not know who recorded them, and say so.
    assert {e.recorded_by for e in views.case_detail(database, case_id).events} == {None}
    database.dispose()


def test_open_case_and_read_it_back(service: WorkflowService, database: Database) -> None:
    case = service.open_case(new_case(), "Omar")
    assert case.id is not None and case.stage is Stage.NEW and case.version == 1
    detail = views.case_detail(database, case.id)
    assert detail.case.customer == "Ada [bold]Brennan[/bold]"
    assert [(e.action, e.actor) for e in detail.events] == [(Action.OPEN, "Omar")]
    assert detail.case.opened_at == NOW
    assert [c.id for c in views.open_cases(database)] == [case.id]


def test_whole_sequence_is_recorded_event_by_event(service: WorkflowService, database: Database) -> None:
    case = service.open_case(new_case(), "Omar")
    assert case.id is not None
    take_through_everything(service, case.id)
    detail = views.case_detail(database, case.id)
    assert detail.case.stage is Stage.CLOSED
    assert [e.action for e in detail.events] == [
        Action.OPEN, Action.APOLOGIZE, Action.REVIEW, Action.UPDATE, Action.FIX,
        Action.FOLLOW_UP, Action.DOCUMENT, Action.AMEND, Action.CLOSE,
    ]  # fmt: skip
    fix = detail.events[4]
    assert fix.payload == FixPayload(Gesture("voucher", 80.0, "Omar"))
    assert fix.at == NOW + timedelta(minutes=28)
    assert detail.deposition is not None
    assert detail.deposition.content == DEPOSITION
    assert [a.text for a in detail.deposition.amendments] == ["Carrier was the second one, not the first"]
    assert views.open_cases(database) == []
    assert views.recent_depositions(database)[0].case_id == case.id


def test_refusals_store_nothing(service: WorkflowService, database: Database) -> None:
    case = service.open_case(new_case(), "Omar")
    assert case.id is not None
    before = event_count(database)
    with pytest.raises(WorkflowError, match="apologize to the customer first"):
        service.act(case.id, Action.FIX, "Billy", "fixed")
    service.act(case.id, Action.APOLOGIZE, "Billy", "sorry")
    service.act(case.id, Action.REVIEW, "Billy", "late", {"needs": "date"})
    with pytest.raises(AuthorityError, match="name an approver"):
        service.fix(case.id, "Billy", "fixed", gesture_kind="upgrade", gesture_value=120)
    with pytest.raises(ValidationError, match="root_cause: must not be empty"):
        service.file_deposition(case.id, "Billy", Deposition("a", "b", "c", ""))
    assert event_count(database) == before + 2
    assert service.get(case.id).stage is Stage.REVIEWED


def test_invalid_intake_is_refused_with_field_names(service: WorkflowService, database: Database) -> None:
    with pytest.raises(ValidationError) as raised:
        service.open_case(new_case(customer=" ", description="x" * 10_001, site="Har\x1bbour"), "Omar")
    problems = raised.value.problems
    assert "customer: must not be empty" in problems
    assert any(p.startswith("description: longer than 10000") for p in problems)
    assert any(p.startswith("site: contains a control character (U+001B)") for p in problems)
    assert views.list_cases(database) == []


def test_stale_version_is_a_conflict_with_the_fresh_state(
    service: WorkflowService, database: Database
) -> None:
    case = service.open_case(new_case(), "Omar")
    assert case.id is not None
    service.reassign(case.id, "Hana", "Omar", expected_version=case.version)
    before = event_count(database)
    with pytest.raises(ConflictError) as raised:
        service.reassign(case.id, "Marta", "Grace", expected_version=case.version)
    assert raised.value.current.assignee == "Hana"
    assert "changed by someone else" in str(raised.value)
    assert event_count(database) == before


def test_two_sessions_racing_on_one_case_exactly_one_wins(database_url: str) -> None:
    import threading

    first = WorkflowService(Database(database_url), Settings(zone=UTC), FrozenClock(NOW))
    second = WorkflowService(Database(database_url), Settings(zone=UTC), FrozenClock(NOW))
    case = first.open_case(new_case(), "Omar")
    assert case.id is not None
    case_id = case.id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def race(service: WorkflowService, agent: str) -> None:
        barrier.wait()
        try:
            service.reassign(case_id, agent, "sup", expected_version=case.version)
            outcomes.append(f"won:{agent}")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=race, args=(s, a)) for s, a in ((first, "Hana"), (second, "Marta"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.split(":")[0] for o in outcomes) == ["conflict", "won"]
    winner = next(o.split(":")[1] for o in outcomes if o.startswith("won"))
    detail = views.case_detail(first.database, case_id)
    assert detail.case.assignee == winner
    assert [e.action for e in detail.events].count(Action.REASSIGN) == 1


def test_event_log_is_append_only_in_the_database(service: WorkflowService, database: Database) -> None:
    service.open_case(new_case(), "Omar")
    for statement in ("UPDATE events SET text = 'rewritten'", "DELETE FROM events"):
        with pytest.raises(Exception, match="append-only"), database.write() as session:
            session.execute(text(statement))
    assert event_count(database) == 1


def test_changed_since_reports_only_what_changed(service: WorkflowService, database: Database) -> None:
    first = service.open_case(new_case(), "Omar")
    second = service.open_case(new_case(customer="Bruno"), "Omar")
    assert first.id is not None and second.id is not None
    watermark = views.latest_event_id(database)
    assert views.changed_since(database, watermark) == (watermark, [])
    service.act(second.id, Action.APOLOGIZE, "Billy", "sorry")
    newest, changed = views.changed_since(database, watermark)
    assert newest > watermark and [c.id for c in changed] == [second.id]


def test_unknown_case_is_a_clear_error(service: WorkflowService) -> None:
    with pytest.raises(CaseNotFound, match="no case #999"):
        service.act(999, Action.APOLOGIZE, "Billy", "sorry")


def test_agent_loads_count_open_cases(service: WorkflowService, database: Database) -> None:
    for owner in ("Billy", "Billy", "Hana"):
        service.open_case(new_case(owner=owner, assignee=owner), "Omar")
    assert views.agent_loads(database) == {"Billy": 2, "Hana": 1}


def test_sqlite_is_configured_for_durability(sqlite_url: str) -> None:
    database = Database(sqlite_url)
    with database.engine.connect() as connection:
        pragma = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
        }
    assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "synchronous": 2, "busy_timeout": 15000}


def test_sqlite_connections_keep_a_small_page_cache(sqlite_url: str) -> None:
    """The dashboard holds its connection all shift: its page cache is bounded at 1 MiB (SQLite's default
    2 MiB filled with pages read once as the database grew)."""
    database = Database(sqlite_url)
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -1024
    database.dispose()


def test_unreachable_database_error_hides_the_password() -> None:
    with pytest.raises(DatabaseError) as raised:
        Database("postgresql+psycopg://sup:s3cret-pw@127.0.0.1:9/shiftdesk")
    assert "s3cret-pw" not in str(raised.value) and "***" in str(raised.value)


def test_in_memory_sqlite_is_refused() -> None:
    with pytest.raises(DatabaseError, match="in-memory"):
        Database("sqlite://")


def test_every_event_stores_who_did_it_who_recorded_it_and_from_where(database: Database) -> None:
    """Floor-ready: every dashboard action was stored as the supervisor, the owner's check-back too."""
    service = WorkflowService(
        database, Settings(zone=UTC), FrozenClock(NOW), identity=lambda: ("omar", "desk-3")
    )
    case_id = service.open_case(new_case(owner="Dev Patel", assignee="Dev Patel"), "Omar Farouk").id
    assert case_id is not None
    service.act(case_id, Action.APOLOGIZE, "Dev Patel", "Sorry", recorded_by="Omar Farouk")
    service.reassign(case_id, "Hana", "Omar Farouk")
    with pytest.raises(WorkflowError, match="only the original owner Dev Patel"):
        service.act(case_id, Action.CHECK_BACK, "Omar Farouk", "Called her")
    assert service.get(case_id).check_back_owed_since is not None
    service.act(case_id, Action.CHECK_BACK, "Dev Patel", "Dev called her", recorded_by="Omar Farouk")
    assert service.get(case_id).check_back_owed_since is None
    events = views.case_detail(database, case_id).events
    assert [(e.action, e.actor, e.recorded_by, e.os_user, e.host) for e in events] == [
        (Action.OPEN, "Omar Farouk", "Omar Farouk", "omar", "desk-3"),
        (Action.APOLOGIZE, "Dev Patel", "Omar Farouk", "omar", "desk-3"),
        (Action.REASSIGN, "Omar Farouk", "Omar Farouk", "omar", "desk-3"),
        (Action.CHECK_BACK, "Dev Patel", "Omar Farouk", "omar", "desk-3"),
    ]


def test_imported_events_are_stamped_with_the_os_user_and_host(database: Database) -> None:
    from core.cases import CaseHistory, Event
    from core.payloads import OpenPayload

    service = WorkflowService(
        database, Settings(zone=UTC), FrozenClock(NOW), identity=lambda: ("omar", "desk-3")
    )
    case = new_case()
    history = CaseHistory(case, [Event(NOW, "Billy", Action.OPEN, "x", OpenPayload())])
    (case_id,) = service.import_histories([history])
    (opened,) = views.case_detail(database, case_id).events
    assert (opened.actor, opened.recorded_by, opened.os_user, opened.host) == (
        "Billy",
        "omar",
        "omar",
        "desk-3",
    )


def test_a_new_case_at_a_known_site_gets_its_region(database: Database) -> None:
    """Floor-ready: cases added without a region vanished from the region trends."""
    settings = Settings(zone=UTC, sites=(("Harbour Road", "North"),))
    service = WorkflowService(database, settings, FrozenClock(NOW))
    assert service.open_case(new_case(region=""), "Omar").region == "North"  # from [sites]
    service.open_case(new_case(site="Docklands", region="East"), "Omar")
    # Not configured: the region of the site's latest case that has one.
    assert service.open_case(new_case(site="Docklands", region=""), "Omar").region == "East"
    assert service.open_case(new_case(site="Nowhere", region=""), "Omar").region == ""
    assert service.open_case(new_case(region="South"), "Omar").region == "South"  # what is typed wins
