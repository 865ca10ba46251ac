"""Starts the dashboard (kept apart from the CLI so that scripted commands never import Textual)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.cli_base import Runtime


def run_dashboard(runtime: Runtime, actor: str | None = None) -> None:
    """Open the dashboard. On a SQLite file the open cases are read with the standard library and painted
    at once; SQLAlchemy and the rest of storage load behind the first frame (see storage/quick_read.py)."""
    from storage.location import resolve_url
    from storage.quick_read import open_cases_at

    url = (
        runtime.__dict__["database"].url if "database" in runtime.__dict__ else resolve_url(runtime.db_option)
    )
    quick = open_cases_at(url)

    from tui.app import ShiftdeskApp

    app = ShiftdeskApp(
        lambda: runtime.service,
        settings=runtime.settings,
        clock=runtime.service_clock(),
        preload=None if quick is None else quick[1],
        preload_watermark=None if quick is None else quick[0],
        actor=actor,
    )
    app.run()
    if app.return_code:  # a crash (reported in one line and a private file): the shell must see it
        sys.exit(app.return_code)
