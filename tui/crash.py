"""What an unexpected error leaves behind: a private report file, and one plain line in the terminal."""

from __future__ import annotations

import os
import traceback
from datetime import UTC, datetime
from pathlib import Path


def crash_folder() -> Path:
    """Where reports go: the platform's per-user log folder (~/.local/state/shiftdesk/log on Linux)."""
    from platformdirs import user_log_dir

    return Path(user_log_dir("shiftdesk", appauthor=False))


def write_crash_report(error: BaseException, folder: Path | None = None) -> Path:
    """Write the traceback of `error` (no local variables: they hold customers' names and contacts) into a
    new file readable by its owner alone (0600, in a 0700 folder), and return its path."""
    folder = folder or crash_folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = folder / f"crash-{stamp}-{os.getpid()}.log"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as report:
        report.write(f"shiftdesk crashed at {stamp} (pid {os.getpid()})\n\n")
        report.write("".join(traceback.format_exception(error)))
    return path


def crash_line(error: BaseException, report: Path | None) -> str:
    """The one line the terminal gets: what kind of error, and where the details are."""
    where = f"the report is in {report}" if report is not None else "no report could be written"
    return f"shiftdesk stopped on an unexpected error ({type(error).__name__}); {where}"
