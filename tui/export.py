"""Dashboard exports: the `e` key, the automatic one at each shift end, and the one missed while closed."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from core.config import Settings
from core.export_formats import AUTOMATIC_FORMATS, DEFAULT_FORMAT
from core.shifts import ShiftOccurrence
from core.summary import Period
from storage.summary_views import export_filename, write_export
from tui.text import literal

if TYPE_CHECKING:
    from tui.app import ShiftdeskApp


def export_folder(settings: Settings, database_url: str) -> Path:
    """The exports of one database: `<[export] folder, else the data dir's exports>/<database name-hash>/`.

    Per database, so the demo's hand-over is never replaced by an empty one from the real database (both
    write the same file names).
    """
    from storage.location import database_folder_name

    if settings.export_folder is not None:
        base = Path(settings.export_folder)
    else:
        from platformdirs import user_data_dir

        base = Path(user_data_dir("shiftdesk", appauthor=False)) / "exports"
    return base / database_folder_name(database_url)


def write_shift(app: ShiftdeskApp, period: Period, formats: tuple[str, ...]) -> list[Path]:
    """Write the summary of `period` in each format into the export folder (0600: it names customers)."""
    url = app.reads.database.url
    folder = export_folder(app.settings, url)
    now = app.now()
    written = []
    for fmt in formats:
        text = app.reads.shift_export(app.settings, period, fmt, now)
        written.append(write_export(folder, period.label, fmt, text, database=url))
    return written


async def export_now(app: ShiftdeskApp) -> None:
    """The `e` key: the running shift so far (or the last one when none runs now), in the default format."""
    calendar = app.settings.calendar
    now = app.now()
    occurrence = calendar.at(now)
    if occurrence is None:
        app.notify("No shift is configured for this hour: nothing to export.", severity="warning")
        return
    try:
        paths = await asyncio.to_thread(write_shift, app, Period.of(occurrence), (DEFAULT_FORMAT,))
    except Exception as error:
        app.notify(literal(f"export failed: {error}"), severity="error", timeout=10)
        return
    app.notify(literal(f"Summary of {occurrence.label} written to {paths[0]}"), timeout=10)


async def export_finished_shift(app: ShiftdeskApp, occurrence: ShiftOccurrence) -> Path | None:
    """At a shift's end (or at the next start when closed then): the automatic formats, into the folder."""
    try:
        paths = await asyncio.to_thread(write_shift, app, Period.of(occurrence), AUTOMATIC_FORMATS)
    except Exception as error:
        app.notify(literal(f"automatic export of {occurrence.label} failed: {error}"), severity="error")
        return None
    app.notify(literal(f"Shift {occurrence.label} ended: summary written to {paths[0].parent}"), timeout=10)
    return paths[0]


def missed_export(settings: Settings, now: datetime, database_url: str) -> ShiftOccurrence | None:
    """The shift that ended before the current one, when its automatic export is not in the folder."""
    calendar = settings.calendar
    current = calendar.at(now)
    previous = calendar.previous(current) if current is not None else None
    if previous is None or previous.ends_at > now:
        return None
    written = export_folder(settings, database_url) / export_filename(previous.label, AUTOMATIC_FORMATS[0])
    return None if written.exists() else previous
