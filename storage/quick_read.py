"""First paint without SQLAlchemy: a SQLite file's open cases read with the standard library alone.

Importing SQLAlchemy (and numpy behind the trend facts) costs more than Textual's own start, so the dashboard
paints its open cases from this read and lets the full storage layer load behind the first frame. The
mapping must stay the same as storage/mapping.py's case_from_row; a test compares the two.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

from core.case_fields import READ_ORDER, case_reader
from core.cases import Action, Case, Event
from core.payloads import read
from core.times import UNREADABLE
from core.workflow import CLOCK_EVENTS, clock_pauses

# The newest schema revision (storage/database.py re-exports it; a test checks it against Alembic's head).
HEAD_REVISION = "0005"

# Selected by name, in the order `_case` takes them.
COLUMNS = ", ".join(READ_ORDER)


def sqlite_file(url: str) -> Path | None:
    """The file of a `sqlite:///PATH` URL (any sqlite driver), else None."""
    scheme, separator, rest = url.partition("://")
    if not separator or scheme.split("+")[0] != "sqlite" or not rest.startswith("/"):
        return None
    path = unquote(rest[1:].split("?")[0])
    return Path(path).expanduser() if path and path != ":memory:" else None


def _when(value: str | None) -> datetime | None:
    # Stored as naive UTC text by storage/models.py's UTCDateTime on SQLite; text another tool wrote that
    # is no time comes back as UNREADABLE, and the case holding it is read marked (as the full path does).
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value)
        return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    except (ValueError, TypeError, OverflowError):
        return UNREADABLE


_case = case_reader(_when)


def open_cases(url: str) -> list[Case] | None:
    """The open cases, or None when this is not an up-to-date SQLite file (the full path then takes over)."""
    read = open_cases_at(url)
    return None if read is None else read[1]


def open_cases_at(url: str) -> tuple[int, list[Case]] | None:
    """The newest event id and the open cases as of it (one read transaction), or None as `open_cases`.

    With the event id, the dashboard's full load reads only what changed after it, not every open case
    again (on a floor of 10,000 open cases that second read cost more than the first paint)."""
    path = sqlite_file(url)
    if path is None or not path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        if revision is None or revision[0] != HEAD_REVISION:
            return None
        connection.execute("BEGIN")  # both reads see one snapshot: no change falls between them
        newest = connection.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
        rows = connection.execute(f"SELECT {COLUMNS} FROM cases WHERE closed_at IS NULL").fetchall()
        # The pauses of running clocks, as storage/pauses.py reads them (rarely any: one indexed query).
        clock_rows = connection.execute(_CLOCK_EVENTS).fetchall()
        connection.execute("COMMIT")
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    cases = [_case(row) for row in rows]
    if not clock_rows:
        return int(newest), cases
    events: dict[int, list[Event]] = defaultdict(list)
    for case_id, at, actor, action, text, data in clock_rows:
        kind, when = Action(action), _when(at)
        assert when is not None  # events.at is never NULL
        details = read(kind, json.loads(data) if data else {})
        events[case_id].append(Event(when, actor, kind, text, details))
    return int(newest), [
        replace(case, pauses=clock_pauses(events[case.id])) if case.id in events else case for case in cases
    ]


_CLOCK_EVENTS = f"""
SELECT case_id, at, actor, action, text, data FROM events
WHERE case_id IN (
    SELECT DISTINCT e.case_id FROM cases c JOIN events e ON e.case_id = c.id
    WHERE c.closed_at IS NULL AND c.fixed_at IS NULL AND e.action = '{Action.PAUSE.value}'
) AND action IN ({", ".join(f"'{action.value}'" for action in sorted(CLOCK_EVENTS))})
ORDER BY id
"""
