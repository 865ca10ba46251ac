"""Bulk writing of whole case histories (CSV import, demo data): one transaction, batched inserts.

Ids are handed out here rather than by the database, so that every table is written in bulk with no
RETURNING (which SQLite would answer with one INSERT per row): an executemany on SQLite, a binary COPY on
PostgreSQL. That is safe because it runs inside a write transaction and writers are serialised (SQLite:
BEGIN IMMEDIATE; PostgreSQL: the advisory lock taken in `Database.write`): nobody else can insert between
our `max(id)` and our commit. On PostgreSQL the id sequences are moved past the ids we use before the
first insert, so later ordinary inserts never collide.

Values go through each column's own bind processor (the same functions SQLAlchemy would apply, e.g.
UTCDateTime's conversion to UTC; short cuts only where they give the same result), so what is stored is
exactly what the ORM path stores.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from operator import attrgetter
from typing import Any

from sqlalchemy import JSON, Column, Table, text
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session

from core.cases import Action, Case, CaseHistory
from storage.mapping import DERIVED
from storage.models import CaseRow, DepositionRow, EventRow, TrendFactRow, UTCDateTime
from storage.trend_facts import trend_fact_rows

BATCH = 5_000

CASES: Table = CaseRow.__table__  # type: ignore[assignment]
EVENTS: Table = EventRow.__table__  # type: ignore[assignment]
DEPOSITIONS: Table = DepositionRow.__table__  # type: ignore[assignment]
TREND_FACTS: Table = TrendFactRow.__table__  # type: ignore[assignment]

CASE_COLUMNS = (
    "id",
    "opened_at",
    "customer",
    "contact",
    "tier",
    "channel",
    "category",
    "severity",
    "public",
    "site",
    "region",
    "product",
    "staff",
    "owner",
    "description",
    *DERIVED,
    "version",
    "last_event_id",
)
EVENT_COLUMNS = ("id", "case_id", "at", "actor", "action", "text", "data")
# The case's own values, in CASE_COLUMNS order between id and version (enums as their plain str values).
_ENUMS = ("tier", "channel", "severity", "stage")
_case_fields = attrgetter(*(f"{name}._value_" if name in _ENUMS else name for name in CASE_COLUMNS[1:-2]))
_event_fields = attrgetter("at", "actor", "action._value_", "text", "data")

TREND_FACT_COLUMNS = ("case_id", "opened_epoch", "packed")
DEPOSITION_COLUMNS = (
    "case_id",
    "filed_at",
    "author",
    "customer_view",
    "customer_needed",
    "actions_taken",
    "root_cause",
    "factors",
    "gesture",
    "notes",
)


def _converter(
    column: Column[Any], dialect: Dialect, memo: dict[datetime, str] | None = None
) -> Callable[[Any], Any] | None:
    """What SQLAlchemy would do to a value of `column` on its way in; None when it does nothing.

    For the time columns (UTCDateTime), values already in UTC (all of them, from the CSV import) take a
    short cut that gives exactly what the full chain gives; it is checked against that chain on sample
    values here and not used if any differs. Other values go through the full chain. On SQLite the text of
    each UTC instant is kept in `memo` (shared by all time columns: a case's times are its events' times).
    """
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return None
    full = process
    if isinstance(column.type, UTCDateTime):
        if dialect.name == "sqlite":
            known: dict[datetime, str] = {} if memo is None else memo

            def shortcut(value: Any) -> Any:
                if value is None:
                    return None
                if value.tzinfo is not UTC:
                    return full(value)
                stored = known.get(value)
                if stored is None:
                    stored = known[value] = _SQLITE_TIME % (
                        value.year,
                        value.month,
                        value.day,
                        value.hour,
                        value.minute,
                        value.second,
                        value.microsecond,
                    )
                return stored

        else:

            def shortcut(value: Any) -> Any:
                return value if value is None or value.tzinfo is UTC else full(value)

        if all(shortcut(probe) == full(probe) for probe in _TIME_PROBES):
            return shortcut
    elif isinstance(column.type, JSON):
        empty = process({})

        def shortcut(value: Any) -> Any:
            # Most events carry no details: their (constant) serialisation is computed once.
            return empty if type(value) is dict and not value else full(value)

        return shortcut
    return full


# SQLAlchemy's default storage format of SQLite DATETIME, positional (its own builds a dict per value).
_SQLITE_TIME = "%04d-%02d-%02d %02d:%02d:%02d.%06d"
_TIME_PROBES = (
    None,
    datetime(2026, 11, 24, 14, 5, tzinfo=UTC),
    datetime(2025, 3, 30, 0, 59, 59, 999_999, tzinfo=UTC),
    datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 1, tzinfo=UTC),
)


class _Writer:
    """Rows of fixed columns into one table, values passed through the column types first.

    SQLite: one DBAPI executemany (in C, no RETURNING). PostgreSQL with psycopg 3: a binary COPY FROM STDIN
    in the same transaction (psycopg's executemany would still send one INSERT per row). Either way the
    values are the ones SQLAlchemy would bind, so the stored data is the same.
    """

    def __init__(
        self,
        connection: Connection,
        table: Table,
        columns: Sequence[str],
        times: dict[datetime, str] | None = None,
    ) -> None:
        dialect = connection.dialect
        quote = dialect.identifier_preparer.quote
        names = ", ".join(quote(name) for name in columns)
        self.connection = connection
        self.types: list[int] | None = None
        self.table = table.name
        self.columns = list(columns)
        self.copy = dialect.name == "postgresql" and dialect.driver == "psycopg"
        if self.copy:
            self.sql = f"COPY {quote(table.name)} ({names}) FROM STDIN (FORMAT BINARY)"
        else:
            marker = "?" if dialect.paramstyle == "qmark" else "%s"
            self.sql = (
                f"INSERT INTO {quote(table.name)} ({names}) VALUES ({', '.join(marker for _ in columns)})"
            )
        # (position, converter) of every column whose type converts values on the way in.
        self.converters = [
            (index, convert)
            for index, name in enumerate(columns)
            if (convert := _converter(table.c[name], dialect, times)) is not None
        ]

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.converters:
            columns: list[Iterable[Any]] = list(zip(*rows, strict=True))
            for index, convert in self.converters:
                columns[index] = map(convert, columns[index])
            rows = list(zip(*columns, strict=True))
        if not self.copy:
            self.connection.exec_driver_sql(self.sql, rows)
            return
        driver_connection: Any = self.connection.connection.driver_connection
        with driver_connection.cursor() as cursor:
            if self.types is None:
                # Binary COPY needs each column's exact type: asked of the table itself, once.
                cursor.execute(
                    "SELECT attname, atttypid::int FROM pg_attribute"
                    " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                    (self.table,),
                )
                oids = dict(cursor.fetchall())
                self.types = [oids[name] for name in self.columns]
            with cursor.copy(self.sql) as copy:
                copy.set_types(self.types)
                for row in rows:
                    copy.write_row(row)


def _first_free_ids(connection: Connection, table: str, count: int) -> int:
    """The first of `count` consecutive ids for `table`, reserved; the caller holds the write lock."""
    highest = int(connection.execute(text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar_one())
    if connection.dialect.name == "postgresql":
        sequence = f"pg_get_serial_sequence('{table}', 'id')"
        # Never move a sequence backwards (ids of rolled-back inserts are gone for good, like nextval's).
        used = connection.execute(text(f"SELECT pg_sequence_last_value({sequence}::regclass)")).scalar()
        highest = max(highest, int(used or 0))
        if count:
            # setval is not transactional: a rollback leaves a gap, exactly as nextval would.
            connection.execute(text(f"SELECT setval({sequence}, :last, true)"), {"last": highest + count})
    return highest + 1


def insert_histories(
    session: Session,
    histories: Sequence[CaseHistory],
    zone: tzinfo,
    progress: Callable[[int], None] | None = None,
) -> list[int]:
    """Insert every history inside the caller's (write) transaction; returns the new case ids in order.

    Ids are fresh (never from the input), so an import can never overwrite a stored case. Each case gets
    version = its number of events (every event is one change, as the workflow service counts them) and
    last_event_id = its newest event, so live dashboards see the import as a change. `progress` is called
    after each batch with the number of histories that batch stored.
    """
    if not histories:
        return []
    # Hundreds of thousands of new rows would set off full garbage collections over every object alive,
    # the whole parsed import among them, again and again; nothing here makes reference cycles.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _insert_histories(session, histories, zone, progress)
    finally:
        if collecting:
            gc.enable()


def _insert_histories(
    session: Session,
    histories: Sequence[CaseHistory],
    zone: tzinfo,
    progress: Callable[[int], None] | None,
) -> list[int]:
    session.flush()  # anything pending in the session goes first, so max(id) sees it
    connection = session.connection()
    next_case = _first_free_ids(connection, "cases", len(histories))
    next_event = _first_free_ids(connection, "events", sum(len(h.events) for h in histories))
    times: dict[datetime, str] = {}
    cases = _Writer(connection, CASES, CASE_COLUMNS, times)
    events = _Writer(connection, EVENTS, EVENT_COLUMNS, times)
    depositions = _Writer(connection, DEPOSITIONS, DEPOSITION_COLUMNS, times)
    facts = _Writer(connection, TREND_FACTS, TREND_FACT_COLUMNS, times)

    ids: list[int] = []
    for start in range(0, len(histories), BATCH):
        batch = histories[start : start + BATCH]
        case_rows: list[tuple[Any, ...]] = []
        event_rows: list[tuple[Any, ...]] = []
        deposition_rows: list[tuple[Any, ...]] = []
        documented: list[Case] = []
        for history in batch:
            case_id = next_case
            next_case += 1
            case = history.case
            for event in history.events:
                event_rows.append((next_event, case_id, *_event_fields(event)))
                next_event += 1
            # As the service stores them: one version per event, pointing at the newest event.
            last_event_id = next_event - 1 if history.events else 0
            version = max(len(history.events), 1)
            case_rows.append((case_id, *_case_fields(case), version, last_event_id))
            case.id = case_id
            case.version = version
            ids.append(case_id)
            if history.deposition is not None:
                document_event = next((e for e in history.events if e.action == Action.DOCUMENT), None)
                content = history.deposition
                deposition_rows.append(
                    (
                        case_id,
                        document_event.at if document_event else case.documented_at,
                        document_event.actor if document_event else case.assignee,
                        content.customer_view,
                        content.customer_needed,
                        content.actions_taken,
                        content.root_cause,
                        ",".join(f.value for f in content.factors),
                        content.gesture,
                        content.notes,
                    )
                )
                documented.append(case)
        cases.write(case_rows)  # before their events and depositions (foreign keys)
        events.write(event_rows)
        depositions.write(deposition_rows)
        facts.write(trend_fact_rows(session, documented, zone))
        if progress is not None:
            progress(len(batch))
    return ids
