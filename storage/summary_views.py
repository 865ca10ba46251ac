"""The read side of the end-of-shift export: load a period's case histories, render, write the file.

One entry point for every caller — `shiftdesk export`, the dashboard's `e` key and the scheduled
automatic end-of-shift export: `export_shift(...)` gives the document, `write_export(...)` stores it.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, or_, select

from core.cases import CaseHistory, Event
from core.config import Settings
from core.export_formats import FORMATS, render
from core.shifts import ShiftOccurrence
from core.summary import Period, ShiftSummary, summarize
from storage.database import Database
from storage.mapping import case_from_row, event_from_row, filed_from_row
from storage.models import CaseRow, DepositionRow, EventRow


def _relevant_ids(start: datetime, end: datetime) -> Any:
    """Ids of the cases that concern [start, end): open at some point of it, or with an event in it.

    (For consistent data the second follows from the first; it is kept for histories imported with an
    `opened_at` later than some of their events.)
    """
    open_during = and_(CaseRow.opened_at < end, or_(CaseRow.closed_at.is_(None), CaseRow.closed_at >= start))
    acted_in = CaseRow.id.in_(select(EventRow.case_id).where(EventRow.at >= start, EventRow.at < end))
    return select(CaseRow.id).where(or_(open_during, acted_in))


def histories_for_period(database: Database, start: datetime, end: datetime) -> list[CaseHistory]:
    """The histories (case as stored now, all its events, its deposition) of the cases concerning the
    period, by case id. Three queries whatever the number of cases: cases, their events, depositions."""
    ids = _relevant_ids(start, end).scalar_subquery()
    # Plain rows (not ORM instances: five times faster for thousands of cases); the mapping converters
    # read them by column name just the same.
    cases_table, events_table = CaseRow.__table__, EventRow.__table__
    with database.read() as session:
        connection = session.connection()
        case_rows: Any = connection.execute(select(cases_table).where(cases_table.c.id.in_(ids)))
        cases = {row.id: case_from_row(row) for row in case_rows}
        event_rows: Any = connection.execute(
            select(events_table)
            .where(events_table.c.case_id.in_(ids))
            .order_by(events_table.c.case_id, events_table.c.id)
        )
        events: dict[int, list[Event]] = defaultdict(list)
        for row in event_rows:
            events[row.case_id].append(event_from_row(row))
        filed = {
            row.case_id: filed_from_row(row, []).content
            for row in session.execute(select(DepositionRow).where(DepositionRow.case_id.in_(ids))).scalars()
        }
    return [
        CaseHistory(cases[case_id], events.get(case_id, []), filed.get(case_id)) for case_id in sorted(cases)
    ]


def summary_for(
    database: Database, settings: Settings, period: Period | ShiftOccurrence, now: datetime
) -> ShiftSummary:
    """Load and summarise one period (a shift occurrence or an explicit Period) as of `now`."""
    if isinstance(period, ShiftOccurrence):
        period = Period.of(period)
    histories = histories_for_period(database, period.start, period.end)
    return summarize(
        histories, period.start, period.end, now, settings.deadlines, settings.calendar, period.label
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
    summary = summary_for(database, settings, occurrence_or_period, now)
    if hotspots is None:
        end = min(
            occurrence_or_period.ends_at
            if isinstance(occurrence_or_period, ShiftOccurrence)
            else occurrence_or_period.end,
            now,
        )
        hotspots = top_hotspots(database, end)
    summary.hotspots = list(hotspots)
    return render(summary, fmt, settings.zone, redact)


def top_hotspots(database: Database, until: datetime, limit: int = 3) -> list[dict[str, Any]]:
    """The strongest hotspots of the 90 days before `until`, for the summary (without their case lists)."""
    from storage.trend_facts import HOTSPOT_WINDOW, scan_hotspots

    found = scan_hotspots(database, until - HOTSPOT_WINDOW, until, limit=limit)
    return [
        {key: value for key, value in hotspot.to_json().items() if key != "case_ids"} for hotspot in found
    ]


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
    return f"shiftdesk-{safe}.{FORMATS[fmt]}"


def write_export(folder: Path, label: str, fmt: str, text: str, redacted: bool) -> Path:
    """Store an export in `folder` (created if needed) as `shiftdesk-<label>.<ext>`, mode 0600.

    Files in the export folder are always 0600, redacted or not (`redacted` is taken so that callers state
    what they write; `shiftdesk export --out` is the way to a shareable redacted file).
    """
    folder = Path(folder).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    return write_atomically(folder / export_filename(label, fmt), text, private=True)
