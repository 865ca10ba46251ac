"""Bulk writing of histories (storage/bulk.py): ids handed out in advance, stored as the service would."""

from __future__ import annotations

import copy
import json
import sqlite3
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from benchmarks.bench_import import write_csv
from core.cases import Action, Case, CaseHistory, Event, Stage
from core.clock import FrozenClock
from core.config import Settings
from core.csv_import import parse_cases_csv
from core.demo import build_demo
from core.payloads import OpenPayload
from storage import bulk
from storage.database import Database
from storage.models import CaseRow, DepositionRow, EventRow, TrendFactRow, UTCDateTime
from storage.service import WorkflowService
from tests.domain_helpers import make_case

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
SETTINGS = Settings(zone=LONDON)


@pytest.fixture
def service(database: Database) -> WorkflowService:
    return WorkflowService(database, SETTINGS, FrozenClock(NOW))


def csv_histories(rows: int, seed: int = 42) -> list[CaseHistory]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cases.csv"
        write_csv(path, rows, seed)
        return parse_cases_csv(path, SETTINGS, now=NOW, actor="Importer")


def new_case(**overrides: Any) -> Case:
    fields: dict[str, Any] = {
        "id": None,
        "opened_at": NOW - timedelta(hours=1),
        "description": "Sofa did not arrive",
    }
    fields.update(overrides)
    return make_case(**fields)


def stored(database: Database) -> dict[str, Any]:
    with database.read() as session:
        cases = session.execute(
            select(CaseRow.id, CaseRow.version, CaseRow.last_event_id).order_by(CaseRow.id)
        ).all()
        events = session.execute(select(EventRow.id, EventRow.case_id).order_by(EventRow.id)).all()
        documented = set(session.scalars(select(DepositionRow.case_id)))
        facts = set(session.scalars(select(TrendFactRow.case_id)))
    return {"cases": cases, "events": events, "documented": documented, "facts": facts}


def check_consistent(database: Database) -> dict[str, Any]:
    found = stored(database)
    case_ids = [row.id for row in found["cases"]]
    event_ids = [row.id for row in found["events"]]
    assert case_ids == list(range(1, len(case_ids) + 1)), "case ids consecutive and unique"
    assert event_ids == list(range(1, len(event_ids) + 1)), "event ids consecutive and unique"
    per_case: dict[int, list[int]] = {}
    for row in found["events"]:
        per_case.setdefault(row.case_id, []).append(row.id)
    for row in found["cases"]:
        events = per_case[row.id]
        assert row.version == len(events), f"case #{row.id}: one version per event"
        assert row.last_event_id == max(events), f"case #{row.id}: last_event_id is its newest event"
    assert found["documented"], "the data should hold documented cases"
    assert found["facts"] == found["documented"], "trend facts exactly for the documented cases"
    return found


def test_import_stores_consecutive_ids_versions_and_trend_facts(
    service: WorkflowService, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = service.open_case(new_case(), "Billy")
    histories = csv_histories(1_200)
    reported: list[int] = []
    monkeypatch.setattr(bulk, "BATCH", 500)  # several batches
    ids = service.import_histories(histories, progress=reported.append)
    assert first.id == 1
    assert ids == list(range(2, 2 + len(histories)))
    assert [h.case.id for h in histories] == ids
    assert all(h.case.version == len(h.events) for h in histories)
    assert reported == [500, 500, 200]
    found = check_consistent(database)
    assert len(found["events"]) == 1 + sum(len(h.events) for h in histories)

    # Ordinary commands afterwards get fresh ids (on PostgreSQL: the sequences were moved on).
    after = service.open_case(new_case(customer="Bruno Keller"), "Hana")
    assert after.id == ids[-1] + 1 and after.version == 1
    acted = service.act(after.id, Action.APOLOGIZE, "Hana", "Sorry")
    assert acted.version == 2
    found = check_consistent(database)
    assert found["cases"][-1].last_event_id == len(found["events"])
    # An imported case goes on through the workflow like any other, from its stored version.
    open_one = next(h for h in histories if h.case.stage is Stage.APOLOGIZED)
    assert open_one.case.id is not None
    moved = service.act(
        open_one.case.id,
        Action.REVIEW,
        "Hana",
        "Late",
        {"needs": "a date"},
        expected_version=open_one.case.version,
    )
    assert moved.version == len(open_one.events) + 1
    check_consistent(database)


def test_demo_histories_and_a_second_import(service: WorkflowService, database: Database) -> None:
    data = build_demo(NOW, LONDON, days=3)
    histories = [*data.history, *data.shift_cases]
    ids = service.import_histories(histories)
    assert ids == list(range(1, len(histories) + 1))
    more = service.import_histories(csv_histories(50, seed=7))
    assert more == list(range(len(histories) + 1, len(histories) + 51))
    check_consistent(database)
    assert service.open_case(new_case(), "Billy").id == more[-1] + 1


def test_a_failed_import_stores_nothing_and_leaves_ids_usable(
    service: WorkflowService, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "BATCH", 10)  # the bad row is in the third batch: all three roll back
    histories = csv_histories(30)
    bad = histories[-1]
    naive = bad.events[-1].at.replace(tzinfo=None)
    histories[-1] = replace(bad, events=[*bad.events[:-1], replace(bad.events[-1], at=naive)])
    with pytest.raises(Exception, match="naive datetime"):
        service.import_histories(histories)
    with database.read() as session:
        for table in (CaseRow, EventRow, DepositionRow, TrendFactRow):
            assert session.scalar(select(func.count()).select_from(table)) == 0
    fresh = service.open_case(new_case(), "Billy")
    assert fresh.id is not None
    assert service.get(fresh.id).version == 1
    ids = service.import_histories(csv_histories(5))
    assert ids[0] > fresh.id
    assert service.open_case(new_case(), "Billy").id == ids[-1] + 1


def test_empty_import_is_a_no_op(service: WorkflowService) -> None:
    assert service.import_histories([]) == []
    assert service.open_case(new_case(), "Billy").id == 1


def raw_rows(database: Database, table: str, key: str, key_value: int) -> tuple[Any, ...]:
    """One row exactly as the driver returns it, without SQLAlchemy's type processing."""
    with database.engine.connect() as connection:
        row = connection.exec_driver_sql(f"SELECT * FROM {table} WHERE {key} = {int(key_value)}").one()
    return tuple(row)


def test_bulk_rows_equal_what_the_service_writes(service: WorkflowService, database: Database) -> None:
    """The same new case, once through open_case (the ORM) and once through the bulk path."""
    opened = service.open_case(new_case(opened_at=datetime(2026, 3, 29, 0, 30, 0, 123, tzinfo=UTC)), "Billy")
    assert opened.id is not None
    with database.read() as session:
        event_at, event_text = session.execute(
            select(EventRow.at, EventRow.text).where(EventRow.case_id == opened.id)
        ).one()
    history = CaseHistory(
        replace(opened, id=None),
        # Recorded by its actor, as open_case records it (an import otherwise names the OS user).
        [
            Event(
                event_at.astimezone(LONDON),
                "Billy",
                Action.OPEN,
                event_text,
                OpenPayload(),
                recorded_by="Billy",
            )
        ],
    )
    [imported] = service.import_histories([history])
    by_service = raw_rows(database, "cases", "id", opened.id)
    by_bulk = raw_rows(database, "cases", "id", imported)
    # id and last_event_id differ; every other column is stored identically.
    columns = [column.name for column in CaseRow.__table__.columns]
    differ = {columns[i] for i, (a, b) in enumerate(zip(by_service, by_bulk, strict=True)) if a != b}
    assert differ == {"id", "last_event_id"}
    service_event = raw_rows(database, "events", "case_id", opened.id)
    bulk_event = raw_rows(database, "events", "case_id", imported)
    assert service_event[2:] == bulk_event[2:]


TIMES = [
    None,
    datetime(2026, 11, 24, 14, 5, tzinfo=UTC),
    datetime(2025, 10, 26, 1, 30, 0, 1, tzinfo=UTC),
    datetime(2025, 10, 26, 1, 30, tzinfo=LONDON),
    datetime(2025, 10, 26, 1, 30, fold=1, tzinfo=LONDON),
    datetime(2026, 6, 1, 23, 59, 59, 999_999, tzinfo=timezone(timedelta(hours=-7))),
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC),
]


def comparable(value: Any) -> Any:
    """A bound value; psycopg's Json wrapper (which has no equality) as its class, object and serialiser."""
    if hasattr(value, "obj") and hasattr(value, "dumps"):
        return type(value), value.obj, value.dumps
    return value


DIALECTS = [sqlite.dialect(), postgresql.psycopg.dialect()]  # type: ignore[no-untyped-call]
JSON_DATA: list[Any] = [
    {"customer_view": "line one\nline two\t\x07", "factors": [], "notes": '«quoted» "x" \\ 😀'},
    {"nested": {"deeper": [1, 2.5, -0.0, None, True, {"k": []}]}, "": "empty key", "1e5": 1e-7},
    {"big": 2**70, "inf-like": 1e308, "surrogate": "\udc80", "separator": "\u2028"},
    [1, "two"],  # not a dict: the full chain
    "text",
]


@pytest.mark.parametrize("dialect", DIALECTS, ids=["sqlite", "postgresql"])
def test_converters_match_the_column_types(dialect: Dialect) -> None:
    for table in (bulk.CASES, bulk.EVENTS, bulk.DEPOSITIONS, bulk.TREND_FACTS):
        for column in table.columns:
            convert = bulk._converter(column, dialect)
            process = column.type.dialect_impl(dialect).bind_processor(dialect)
            assert (convert is None) == (process is None), column
            if convert is None or process is None:
                continue
            samples: list[Any] = TIMES if isinstance(column.type, UTCDateTime) else []
            if column.name == "data":
                samples = [
                    {},
                    {"imported": {"line": 2}},
                    {"gesture": {"value": 10.0}},
                    {"x": "é"},
                    *JSON_DATA,
                ]
            for value in samples:
                assert comparable(convert(value)) == comparable(process(value)), (column, value)
    to_time = bulk._converter(bulk.CASES.c.opened_at, dialect)
    assert to_time is not None
    with pytest.raises(ValueError, match="naive"):
        to_time(datetime(2026, 1, 1))


@pytest.mark.parametrize("dialect", DIALECTS, ids=["sqlite", "postgresql"])
def test_one_time_memo_serves_every_time_column_whatever_the_order(dialect: Dialect) -> None:
    """The SQLite memo of time texts is shared by all time columns and keeps only UTC instants: times in
    another zone (a fold's two readings compare equal there) still come out as the full chain gives them."""
    memo = bulk._TimeTexts()
    columns = [bulk.CASES.c.opened_at, bulk.CASES.c.closed_at, bulk.EVENTS.c.at, bulk.DEPOSITIONS.c.filed_at]
    converters = [bulk._converter(column, dialect, memo) for column in columns]
    process = bulk.EVENTS.c.at.type.dialect_impl(dialect).bind_processor(dialect)
    assert process is not None
    instants = [time for time in TIMES if time is not None]
    as_utc = [time.astimezone(UTC) for time in instants]
    for order in (instants + as_utc, as_utc + instants, list(reversed(instants + as_utc))):
        for index, value in enumerate(order):
            convert = converters[index % len(converters)]
            assert convert is not None
            assert comparable(convert(value)) == comparable(process(value)), value
    fold_0, fold_1 = TIMES[3], TIMES[4]
    assert fold_0 == fold_1 and process(fold_0) != process(fold_1)  # the case the memo must not merge


def test_json_shortcut_is_not_used_for_another_serializer() -> None:
    dialect = sqlite.dialect(json_serializer=lambda value: json.dumps(value, ensure_ascii=False))
    convert = bulk._converter(bulk.EVENTS.c.data, dialect)
    assert convert is not None
    assert convert({"x": "é"}) == '{"x": "é"}'


def test_the_bulk_write_uses_a_larger_page_cache_and_restores_it(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = Database(sqlite_url)
    service = WorkflowService(database, SETTINGS, FrozenClock(NOW))
    seen: list[int] = []
    used: set[int] = set()
    insert = bulk._insert_histories

    def spy(session: Any, *args: Any) -> list[int]:
        connection = session.connection()
        used.add(id(connection.connection.driver_connection))
        seen.append(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
        return insert(session, *args)

    monkeypatch.setattr(bulk, "_insert_histories", spy)
    with database.engine.connect() as connection:
        default = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
    histories = csv_histories(20)
    bad = histories[-1]
    histories[-1] = replace(bad, events=[*bad.events[:-1], replace(bad.events[-1], at=datetime(2026, 1, 1))])
    with pytest.raises(Exception, match="naive datetime"):
        service.import_histories(histories)  # an import that fails restores it as well
    service.import_histories(csv_histories(20))
    assert seen == [-(bulk.BULK_CACHE_BYTES // 1024)] * 2
    with database.engine.connect() as connection:
        # The pool hands the same connection out again: its own cache size, and a commit as durable.
        assert used == {id(connection.connection.driver_connection)}
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar_one() == default
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2  # FULL
    check_consistent(database)
    database.dispose()


@pytest.mark.parametrize(
    ("count", "most"), [(0, 5), (1, 5), (5, 5), (6, 5), (23, 5), (1171, 1170), (4999, 327)]
)
def test_statement_sizes_cover_every_row_with_few_distinct_statements(count: int, most: int) -> None:
    sizes = list(bulk._statement_sizes(count, most))
    assert sum(sizes) == count
    assert all(0 < size <= most for size in sizes)
    assert sizes == sorted(sizes, reverse=True), "the largest first"
    assert set(sizes) - {most} <= {1 << bit for bit in range(most.bit_length())}


def test_many_row_inserts_store_what_one_row_inserts_store(tmp_path: Path) -> None:
    """SQLite rows go in many to a statement: with SQLite allowing few parameters per statement (so that a
    batch is split into many statements of odd sizes), the same rows are stored as with the usual limit."""
    histories = csv_histories(120)
    stored_rows: list[dict[str, list[tuple[Any, ...]]]] = []
    for parameters in (None, 64):
        database = Database(f"sqlite:///{tmp_path}/{parameters}.db")
        database.engine.dispose()  # the limit is set on every connection made from now on
        if parameters is not None:

            @event.listens_for(database.engine, "connect")
            def few_parameters(dbapi_connection: Any, _record: Any, limit: int = parameters) -> None:
                dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)

        service = WorkflowService(database, SETTINGS, FrozenClock(NOW))
        assert service.import_histories(copy.deepcopy(histories)) == list(range(1, 121))
        check_consistent(database)
        with database.engine.connect() as connection:
            if parameters is not None:
                limit = connection.connection.driver_connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
                assert limit == parameters
            stored_rows.append(
                {
                    table: [tuple(row) for row in connection.exec_driver_sql(f"SELECT * FROM {table}")]
                    for table in ("cases", "events", "depositions", "trend_facts")
                }
            )
        database.dispose()
    assert stored_rows[0] == stored_rows[1]
    assert len(stored_rows[0]["events"]) == sum(len(history.events) for history in histories)
