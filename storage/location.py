"""Where the database is: --db URL, else $SHIFTDESK_DB, else a SQLite file in the platform data directory."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "SHIFTDESK_DB"


def default_sqlite_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("shiftdesk", appauthor=False)) / "shiftdesk.db"


def resolve_url(explicit: str | None = None) -> str:
    """--db URL, else $SHIFTDESK_DB, else a SQLite file in the platform's data directory."""
    if explicit:
        return explicit
    if os.environ.get(ENV_VAR):
        return os.environ[ENV_VAR]
    return f"sqlite:///{default_sqlite_path()}"
