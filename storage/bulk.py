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

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from itertools import chain, repeat
from operator import attrgetter
from typing import Any

from sqlalchemy import JSON, Column, Table, bindparam, text
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session

from core.case_fields import DOMAIN_FIELDS, DOMAIN_NAMES, Kind
from core.cases import Action, Case, CaseHistory
from core.collector import collector_paused
from storage.models import CaseRow, DepositionRow, EventRow, TrendFactRow, UTCDateTime
from storage.trend_facts import trend_fact_rows

BATCH = 5_000
BULK_CACHE_BYTES = 64 * 1024 * 1024

CASES: Table = CaseRow.__table__  # type: ignore[assignment]
EVENTS: Table = EventRow.__table__  # type: ignore[assignment]
DEPOSITIONS: Table = DepositionRow.__table__  # type: ignore[assignment]
TREND_FACTS: Table = TrendFactRow.__table__  # type: ignore[assignment]

# A case row: storage's id, the domain's fields (table order), then storage's version and newest event.
CASE_COLUMNS = ("id", *DOMAIN_NAMES, "version", "last_event_id")
EVENT_COLUMNS = ("id", "case_id", "at", "actor", "action", "text", "data", "recorded_by", "os_user", "host")
_DOCUMENT = Action.DOCUMENT  # read once: an enum member looked up on its class costs ~80 ns each time
# The case's own values in DOMAIN_NAMES order, in one C call (choices as their plain str values).
_case_fields = attrgetter(
    *(f"{field.name}._value_" if field.kind is Kind.CHOICE else field.name for field in DOMAIN_FIELDS)
)

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


class _TimeTexts(dict[Any, Any]):
    """The stored text of each UTC instant, computed on the first look-up (`texts[value]` then runs in C).

    Only values whose tzinfo is UTC are kept: two aware times in one other zone that differ only in fold
    compare (and hash) equal though they are different instants. A value in another zone that equals a
    kept UTC instant is that instant, so it may be answered from it; any other goes through `full`.
    """

    def __init__(self) -> None:
        super().__init__({None: None})
        # The full chain for other values: the same for every UTCDateTime column, set by `_converter`.
        self.full: Callable[[Any], Any] | None = None

    def __missing__(self, value: Any) -> Any:
        if value.tzinfo is not UTC:
            assert self.full is not None
            return self.full(value)
        stored = self[value] = _SQLITE_TIME % (
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
        )
        return stored


def _converter(
    column: Column[Any], dialect: Dialect, memo: _TimeTexts | None = None
) -> Callable[[Any], Any] | None:
    """What SQLAlchemy would do to a value of `column` on its way in; None when it does nothing.

    For the time columns (UTCDateTime), values already in UTC (all of them, from the CSV import) take a
    short cut that gives exactly what the full chain gives; it is checked against that chain on sample
    values here and not used if any differs. Other values go through the full chain. On SQLite the text of
    each UTC instant is kept in `memo` (shared by all time columns: a case's times are its events' times)
    and the converter is that memo's own look-up, with no Python call for a time seen before or None.
    """
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return None
    full = process
    if isinstance(column.type, UTCDateTime):
        shortcut: Callable[[Any], Any]
        if dialect.name == "sqlite":
            texts = _TimeTexts() if memo is None else memo
            texts.full = full
            shortcut = texts.__getitem__
        else:

            def shortcut(value: Any) -> Any:
                return value if value is None or value.tzinfo is UTC else full(value)

        if all(shortcut(probe) == full(probe) for probe in _TIME_PROBES):
            return shortcut
    elif isinstance(column.type, JSON):
        empty = process({})
        dumps = _json_dumps()
        if dumps is None or not all(dumps(probe) == full(probe) for probe in _JSON_PROBES):
            dumps = full

        def json_shortcut(value: Any) -> Any:
            # Most events carry no details: their (constant) serialisation is computed once.
            if type(value) is dict:
                return dumps(value) if value else empty
            return full(value)

        return json_shortcut
    return full


def _json_dumps() -> Callable[[Any], str] | None:
    """`json.dumps` with its default settings, its C encoder made once instead of once per value.

    For the small dicts events carry, json.dumps spends more time making that encoder than using it.
    The encoder is the one json.dumps itself makes (same arguments); None where it cannot be made, and
    `_converter` uses it only if it gives what the column's own processor gives on sample values.
    Its circular-reference markers are shared by its calls: an encoding error may leave some behind, but
    it also ends the import that the encoder was made for.
    """
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return None
    try:
        encoder = make(
            {},
            json.JSONEncoder().default,
            json.encoder.encode_basestring_ascii,
            None,
            ": ",
            ", ",
            False,
            False,
            True,
        )
    except TypeError:  # another signature in another Python version
        return None

    def dumps(value: Any) -> str:
        return "".join(encoder(value, 0))

    return dumps


# SQLAlchemy's default storage format of SQLite DATETIME, positional (its own builds a dict per value).
_SQLITE_TIME = "%04d-%02d-%02d %02d:%02d:%02d.%06d"
_TIME_PROBES = (
    None,
    datetime(2026, 11, 24, 14, 5, tzinfo=UTC),
    datetime(2025, 3, 30, 0, 59, 59, 999_999, tzinfo=UTC),
    datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 1, tzinfo=UTC),
)
_JSON_PROBES = (
    {"imported": {"file": "cases.csv", "line": 2, "external_id": 17}},
    {"gesture": {"kind": "voucher", "value": 15.0, "approved_by": None}},
    {"text": 'é "quoted" \\ back\nslash\t\x00\u2028😀\udc80', "factors": ["training", "system"], "n": -0.1},
    {"big": 1e300, "small": 5e-324, "int": 10**30, "flags": [True, False, None], "nested": [[], {}, [{}]]},
)


def _unchanged(value: Any) -> Any:
    return value


class _Writer:
    """Rows of fixed columns into one table, values passed through the column types first.

    SQLite: INSERTs of many rows each (`VALUES (…), (…), …`, as many as SQLite takes parameters for; no
    RETURNING): one bind and one step per statement instead of a reset, bind and step per row as in an
    executemany (a 100k-row import 9.9 s → 9.4 s). PostgreSQL with psycopg 3: a binary COPY FROM STDIN
    in the same transaction (psycopg's executemany would still send one INSERT per row). Either way the
    values are the ones SQLAlchemy would bind, so the stored data is the same.

    The caller may convert some columns itself while it builds the rows (`converted`, each through
    `convert(name)`): one pass over the values instead of taking the rows apart into columns and back.
    `write` converts the others.
    """

    def __init__(
        self,
        connection: Connection,
        table: Table,
        columns: Sequence[str],
        times: _TimeTexts | None = None,
        converted: Sequence[str] = (),
    ) -> None:
        dialect = connection.dialect
        quote = dialect.identifier_preparer.quote
        names = ", ".join(quote(name) for name in columns)
        self.connection = connection
        self.types: list[int] | None = None
        self.table = table.name
        self.columns = list(columns)
        self.copy = dialect.name == "postgresql" and dialect.driver == "psycopg"
        self.copy_sql = f"COPY {quote(table.name)} ({names}) FROM STDIN (FORMAT BINARY)"
        self.insert_sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES "
        self.row_markers = f"({', '.join('?' if dialect.paramstyle == 'qmark' else '%s' for _ in columns)})"
        # SQLite: the most rows one INSERT may carry (a parameter per column each); 0: executemany.
        self.most_rows = 0
        if dialect.name == "sqlite":
            getlimit = getattr(connection.connection.driver_connection, "getlimit", None)
            # SQLite before 3.32 allowed 999 parameters, since then 32,766 (the driver says which). Some
            # builds allow 250,000: kept at 32,766 all the same, as every statement compiled stays in the
            # driver's cache (25,000-row ones held ~50 MB) and its text must stay under SQLite's length limit.
            most = 999 if getlimit is None else getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
            parameters = min(most, 32_766)
            self.most_rows = max(1, parameters // len(columns))
        converters = {
            name: convert
            for name in columns
            if (convert := _converter(table.c[name], dialect, times)) is not None
        }
        self.own = {name: converters.pop(name, _unchanged) for name in converted}
        # (position, converter) of every other column whose type converts values on the way in.
        self.converters = [(self.columns.index(name), convert) for name, convert in converters.items()]

    def convert(self, name: str) -> Callable[[Any], Any]:
        """The conversion of column `name`, one of those the caller converts itself."""
        return self.own[name]

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.converters:
            # Column by column: each converter runs over its column in C (map).
            columns: list[Iterable[Any]] = list(zip(*rows, strict=True))
            for index, convert in self.converters:
                columns[index] = map(convert, columns[index])
            rows = list(zip(*columns, strict=True))
        if self.most_rows:
            self._insert_many(rows)
            return
        if not self.copy:
            self.connection.exec_driver_sql(self.insert_sql + self.row_markers, rows)
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
            with cursor.copy(self.copy_sql) as copy:
                copy.set_types(self.types)
                for row in rows:
                    copy.write_row(row)

    def _insert_many(self, rows: list[tuple[Any, ...]]) -> None:
        """`rows` in statements of many rows each: as many of the largest as fit, then the rest in sizes that
        are powers of two, so that only a few distinct statements are ever compiled (the driver caches
        them; compiling one of thousands of rows costs more than running it)."""
        start = 0
        for size in _statement_sizes(len(rows), self.most_rows):
            sql = self.insert_sql + ", ".join(repeat(self.row_markers, size))
            self.connection.exec_driver_sql(sql, tuple(chain.from_iterable(rows[start : start + size])))
            start += size


def _statement_sizes(count: int, most: int) -> Iterator[int]:
    """`count` split into `most` as often as it fits, then into descending powers of two."""
    yield from repeat(most, count // most)
    rest = count % most
    while rest:
        size = 1 << (rest.bit_length() - 1)
        yield size
        rest -= size


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
    stamp: tuple[str, str] | None = None,
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
    with collector_paused(), _larger_page_cache(session.connection()):
        return _insert_histories(session, histories, zone, progress, stamp)


@dataclass(frozen=True, slots=True)
class Imported:
    """What a streamed import stored: how many cases, their ids (consecutive), how many are still open."""

    count: int = 0
    first_id: int | None = None
    last_id: int | None = None
    still_open: int = 0


def insert_history_batches(
    session: Session,
    batches: Iterable[Sequence[CaseHistory]],
    zone: tzinfo,
    progress: Callable[[int], None] | None = None,
    stamp: tuple[str, str] | None = None,
) -> Imported:
    """Insert batch after batch of histories inside the caller's (write) transaction, holding one batch at a
    time; an exception from `batches` (a bad row found further on) leaves the rollback to the caller.

    Each batch as `insert_histories` stores a sequence; the ids of all batches are consecutive (writers
    are serialised while the transaction lasts).
    """
    count = still_open = 0
    first_id = last_id = None
    with collector_paused(), _larger_page_cache(session.connection()):
        for batch in batches:
            if not batch:
                continue
            ids = _insert_histories(session, batch, zone, progress, stamp)
            count += len(ids)
            first_id = ids[0] if first_id is None else first_id
            last_id = ids[-1]
            still_open += sum(1 for history in batch if history.case.closed_at is None)
    return Imported(count, first_id, last_id, still_open)


def store_late_regions(session: Session, cases: Sequence[Case], zone: tzinfo) -> None:
    """Cases stored before a later row of their file named their site's region: that region, and the
    trend facts of the documented ones again (the region is one of their dimensions)."""
    if not cases:
        return
    connection = session.connection()
    connection.execute(
        CASES.update().where(CASES.c.id == bindparam("case_id")).values(region=bindparam("new_region")),
        [{"case_id": case.id, "new_region": case.region} for case in cases],
    )
    documented = [case for case in cases if case.documented_at is not None]
    for start in range(0, len(documented), BATCH):
        part = documented[start : start + BATCH]
        connection.execute(TREND_FACTS.delete().where(TREND_FACTS.c.case_id.in_([case.id for case in part])))
        _Writer(connection, TREND_FACTS, TREND_FACT_COLUMNS).write(trend_fact_rows(session, part, zone))


@contextmanager
def _larger_page_cache(connection: Connection) -> Iterator[None]:
    """SQLite: a page cache of at least BULK_CACHE_BYTES while the rows go in, the connection's own after.

    With the default (2 MB) the new pages spill into the WAL long before the commit and the busiest
    ones (index leaves) are written there again and again; a larger cache writes each once, at the
    commit. Memory only: the commit is as durable as ever (journal mode and synchronous are untouched).
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    previous = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
    page_size = int(connection.exec_driver_sql("PRAGMA page_size").scalar_one())
    # A negative cache_size is in KiB, a positive one in pages.
    if (-previous * 1024 if previous < 0 else previous * page_size) >= BULK_CACHE_BYTES:
        yield
        return
    connection.exec_driver_sql(f"PRAGMA cache_size = {-(BULK_CACHE_BYTES // 1024)}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {previous}")


def _insert_histories(
    session: Session,
    histories: Sequence[CaseHistory],
    zone: tzinfo,
    progress: Callable[[int], None] | None,
    stamp: tuple[str, str] | None = None,
) -> list[int]:
    session.flush()  # anything pending in the session goes first, so max(id) sees it
    connection = session.connection()
    next_case = _first_free_ids(connection, "cases", len(histories))
    next_event = _first_free_ids(connection, "events", sum(len(h.events) for h in histories))
    times = _TimeTexts()
    cases = _Writer(connection, CASES, CASE_COLUMNS, times)
    events = _Writer(connection, EVENTS, EVENT_COLUMNS, times, converted=("at", "data"))
    depositions = _Writer(connection, DEPOSITIONS, DEPOSITION_COLUMNS, times)
    facts = _Writer(connection, TREND_FACTS, TREND_FACT_COLUMNS, times)
    at_value, data_value = events.convert("at"), events.convert("data")
    os_user, host = stamp if stamp is not None else (None, None)

    ids = list(range(next_case, next_case + len(histories)))
    for start in range(0, len(histories), BATCH):
        batch = histories[start : start + BATCH]
        case_ids = ids[start : start + BATCH]
        first_event = next_event
        event_counts: list[int] = []
        case_rows: list[tuple[Any, ...]] = []
        deposition_rows: list[tuple[Any, ...]] = []
        documented: list[Case] = []
        for case_id, history in zip(case_ids, batch, strict=True):
            case = history.case
            count = len(history.events)
            next_event += count
            event_counts.append(count)
            # As the service stores them: one version per event, pointing at the newest event.
            version = count or 1
            case_rows.append((case_id, *_case_fields(case), version, next_event - 1 if count else 0))
            case.id = case_id
            case.version = version
            if history.deposition is not None:
                document_event = next((e for e in history.events if e.action == _DOCUMENT), None)
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
        # Three in four rows are events: built in one pass, in EVENT_COLUMNS order, converted as they go
        # (the action as its plain str value, `_value_`, as the ORM would bind it).
        event_rows = [
            (
                event_id,
                case_id,
                at_value(event.at),
                event.actor,
                event.action._value_,
                event.text,
                data_value(event.payload.to_json()),
                # Events that do not say which OS user wrote them get `stamp` (as the service stamps its
                # own): here, not as a copy of each event (a million rows make four million events).
                event.recorded_by
                if event.os_user is not None or os_user is None
                else event.recorded_by or os_user,
                event.os_user if event.os_user is not None else os_user,
                event.host if event.os_user is not None else host,
            )
            for event_id, case_id, event in zip(
                range(first_event, next_event),
                chain.from_iterable(map(repeat, case_ids, event_counts)),
                chain.from_iterable(history.events for history in batch),
                strict=True,
            )
        ]
        cases.write(case_rows)  # before their events and depositions (foreign keys)
        events.write(event_rows)
        depositions.write(deposition_rows)
        facts.write(trend_fact_rows(session, documented, zone))
        if progress is not None:
            progress(len(batch))
    return ids
