"""The read side of the end-of-shift export: load a period's case histories, render, write the file.

One entry point for every caller — `shiftdesk export`, the dashboard's `e` key and the scheduled
automatic end-of-shift export: `export_shift(...)` gives the document, `write_export(...)` stores it.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import defaultdict, namedtuple
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, bindparam, case, null, or_, select

from core.cases import Action, Case, CaseHistory, Event
from core.collector import collector_paused
from core.config import Settings
from core.deposition import Deposition
from core.export_formats import FORMATS, render
from core.payloads import NOT_LOADED, read
from core.shifts import ShiftOccurrence
from core.summary import PAYLOAD_ACTIONS, Period, ShiftSummary, summarize
from storage.database import Database
from storage.mapping import case_from_row, filed_from_row
from storage.models import CaseRow, DepositionRow, EventRow


def _relevant_ids(start: datetime, end: datetime) -> Any:
    """Ids of the cases that concern [start, end): open at some point of it, or with an event in it (an
    amendment of a deposition is an event on a case that may have closed long before).

    "Open at some point" is spelt as two terms that each start from an index on `closed_at` — still open,
    or closed since `start` — rather than from `opened_at < end`, which is nearly every case of a long
    history.
    """
    open_now = and_(CaseRow.closed_at.is_(None), CaseRow.opened_at < end)
    closed_since = and_(CaseRow.closed_at >= start, CaseRow.opened_at < end)
    acted_in = CaseRow.id.in_(select(EventRow.case_id).where(EventRow.at >= start, EventRow.at < end))
    return select(CaseRow.id).where(or_(open_now, closed_since, acted_in))


_ACTIONS = {action.value: action for action in Action}
# A case row as a plain named tuple for `case_from_row`: reading 26 columns by name from SQLAlchemy's Row
# costs more than building the Case itself.
_CaseColumns = namedtuple("_CaseColumns", [c.key for c in CaseRow.__table__.columns])  # type: ignore[misc]
_case_columns: Any = _CaseColumns._make
# Case ids per IN (...) list: under the 999 bound parameters of SQLite builds before 3.32.
_IDS_PER_QUERY = 900


def _load_histories(database: Database, start: datetime, end: datetime, *, whole: bool) -> list[CaseHistory]:
    """The histories of the cases concerning the period, by case id: each case as stored now, all its
    events, and — `whole` — its deposition and every event's payload; otherwise (what `summarize` reads)
    no deposition and the payload only of the events in `PAYLOAD_ACTIONS` (`NOT_LOADED` for the others:
    most events, the document event with the deposition's text among them, need no JSON decoded).

    The cases come from one query that finds them, their events (and depositions) from queries on those
    ids, 900 at a time: the search for the period's cases, which cannot use an index for "had an event in
    the period", runs once. Plain rows (not ORM instances), converted by `storage.mapping`.
    """
    cases_table, events_table = CaseRow.__table__, EventRow.__table__
    if whole:
        payload: Any = events_table.c.data
    else:
        wanted = events_table.c.action.in_(sorted(action.value for action in PAYLOAD_ACTIONS))
        payload = case((wanted, events_table.c.data), else_=null())
    ids_param: Any = bindparam("ids", expanding=True)
    events_query = (
        select(
            events_table.c.case_id,
            events_table.c.id,
            events_table.c.at,
            events_table.c.actor,
            events_table.c.action,
            events_table.c.text,
            payload,
            events_table.c.os_user,
            events_table.c.host,
        )
        .where(events_table.c.case_id.in_(ids_param))
        .order_by(events_table.c.case_id, events_table.c.id)
    )
    action_of = _ACTIONS.get
    events: dict[int, list[Event]] = defaultdict(list)
    filed: dict[int, Deposition] = {}
    with database.read() as session:
        connection = session.connection()
        found = select(cases_table).where(cases_table.c.id.in_(_relevant_ids(start, end).scalar_subquery()))
        cases: dict[int, Case] = {}
        for columns in map(_case_columns, connection.execute(found)):
            cases[columns.id] = case_from_row(columns)
        case_ids = sorted(cases)
        for first in range(0, len(case_ids), _IDS_PER_QUERY):
            chunk = {"ids": case_ids[first : first + _IDS_PER_QUERY]}
            rows = connection.execute(events_query, chunk)
            for case_id, event_id, at, actor, action, text, data, os_user, host in rows:
                # (An action it does not know: Action(action) raises the ValueError event_from_row would.)
                kind = action_of(action) or Action(action)
                details = read(kind, data) if whole or kind in PAYLOAD_ACTIONS else NOT_LOADED
                # The OS account that wrote it: exports show it beside the actor where they differ.
                event = Event(at, actor, kind, text, details, event_id, os_user=os_user, host=host)
                events[case_id].append(event)
            if whole:
                depositions = select(DepositionRow).where(DepositionRow.case_id.in_(ids_param))
                for row in session.execute(depositions, chunk).scalars():
                    filed[row.case_id] = filed_from_row(row, []).content
    return [CaseHistory(cases[case_id], events.get(case_id, []), filed.get(case_id)) for case_id in case_ids]


def histories_for_period(database: Database, start: datetime, end: datetime) -> list[CaseHistory]:
    """The histories (case as stored now, all its events, its deposition) of the cases concerning the
    period, by case id."""
    return _load_histories(database, start, end, whole=True)


def histories_to_summarize(database: Database, start: datetime, end: datetime) -> list[CaseHistory]:
    """What `summarize` reads of the cases concerning the period (the export's loader): each case as
    stored now and its events, only the payloads in `PAYLOAD_ACTIONS` decoded, no deposition."""
    return _load_histories(database, start, end, whole=False)


def summary_for(
    database: Database, settings: Settings, period: Period | ShiftOccurrence, now: datetime
) -> ShiftSummary:
    """Load and summarise one period (a shift occurrence or an explicit Period) as of `now`."""
    if isinstance(period, ShiftOccurrence):
        period = Period.of(period)
    from core.absence import roster_at
    from storage.views import absences

    histories = histories_to_summarize(database, period.start, period.end)
    return summarize(
        histories,
        period.start,
        period.end,
        now,
        settings.deadlines,
        settings.calendar,
        period.label,
        settings.authority,
        # Who takes the open cases over: the shift starting when this one ends, and who is absent now.
        next_roster=roster_at(settings.calendar, period.end),
        absent={absence.agent for absence in absences(database)},
    )


def export_shift(
    service_or_database: Any,
    settings: Settings,
    occurrence_or_period: Period | ShiftOccurrence,
    fmt: str,
    redact: bool,
    now: datetime,
    hotspots: list[dict[str, Any]] | None = None,
) -> str:
    """The export document of one period in `fmt` (md, csv, json). Accepts a WorkflowService (its
    database is used) or a Database."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")
    database = getattr(service_or_database, "database", service_or_database)
    with collector_paused():  # a 5,000-case shift: 0.96 s → 0.79 s
        summary = summary_for(database, settings, occurrence_or_period, now)
        if hotspots is None:
            end = min(
                occurrence_or_period.ends_at
                if isinstance(occurrence_or_period, ShiftOccurrence)
                else occurrence_or_period.end,
                now,
            )
            from core.hotspots import boundaries_for

            hotspots = top_hotspots(database, end, boundaries=boundaries_for(settings.shifts))
        summary.hotspots = list(hotspots)
        return render(summary, fmt, settings.zone, redact)


def top_hotspots(
    database: Database, until: datetime, limit: int = 3, boundaries: Sequence[int] | None = None
) -> list[dict[str, Any]]:
    """The strongest hotspots of the 90 days before `until`, for the summary (without their case lists),
    each with what changed this week and its depositions' causes (`trends --json`'s documents)."""
    from core.hotspots import DEFAULT_BOUNDARIES
    from storage.hotspot_causes import hotspot_documents
    from storage.trend_facts import HOTSPOT_WINDOW

    return hotspot_documents(
        database,
        until - HOTSPOT_WINDOW,
        until,
        limit=limit,
        boundaries=DEFAULT_BOUNDARIES if boundaries is None else boundaries,
        case_ids=False,
    )


# -- writing files -----------------------------------------------------------------------------------------

PRIVATE_MODE = 0o600


def _shared_mode() -> int:
    """rw for everyone the umask allows (what a plain open() would give)."""
    mask = os.umask(0o077)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomically(path: Path, text: str, *, private: bool) -> Path:
    """Write `text` to `path` through a temporary file in the same folder and os.replace.

    `private`: the file is created 0600 (it holds customer names and contacts) — never readable by others,
    not even for an instant, and also when a file of that name existed with a wider mode.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)  # 0600
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fchmod(handle.fileno(), PRIVATE_MODE if private else _shared_mode())
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def export_filename(label: str, fmt: str) -> str:
    """`shiftdesk-2026-11-24_Late.md`: `:` (and anything unsafe in a file name) becomes `_`."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")
    safe = _UNSAFE.sub("_", label.replace(":", "_")).strip("._") or "export"
    return f"shiftdesk-{safe}.{FORMATS[fmt].extension}"


# In each export folder: which database its files are of (the password-free URL).
DATABASE_MARK = ".shiftdesk-database"


class ExportFolderTaken(OSError):
    """The export folder holds the files of another database: nothing of it is overwritten."""


def write_export(folder: Path, label: str, fmt: str, text: str, database: str | None = None) -> Path:
    """Store an export in `folder` (created if needed) as `shiftdesk-<label>.<ext>`, mode 0600.

    Files in the export folder are always 0600, redacted or not: `shiftdesk export --out` is the way to a
    shareable redacted file. With `database` (its URL), the folder is marked as that database's, and a file
    in a folder marked as another database's is never overwritten (ExportFolderTaken).
    """
    folder = Path(folder).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / export_filename(label, fmt)
    if database is not None:
        from storage.location import database_folder_name

        identity = database_folder_name(database)  # the same database by any of its URLs, no password
        mark = folder / DATABASE_MARK
        owner = mark.read_text(encoding="utf-8").strip() if mark.is_file() else None
        if owner is not None and owner != identity and target.exists():
            raise ExportFolderTaken(f"{target} belongs to database {owner}, not {identity}: not overwritten")
        if owner is None:
            write_atomically(mark, identity + "\n", private=True)
    return write_atomically(target, text, private=True)
