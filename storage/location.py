"""Where the database is: --db URL, else $SHIFTDESK_DB, else a SQLite file in the platform data directory."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

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


def url_without_password(url: str) -> str:
    """The URL with any password left out: what a folder name may be derived from (never the secret)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def database_folder_name(url: str) -> str:
    """A short, stable folder name of one database: its name and 8 hex digits of its (password-free) URL,
    e.g. `demo-3f2a9c1b` for ~/.local/share/shiftdesk/demo.db. Two databases never share one, and the
    same database always gets the same one, wherever it is opened from."""
    from storage.quick_read import sqlite_file

    path = sqlite_file(url)
    if path is not None:
        identity, name = str(path.resolve()), path.stem
    else:
        identity = url_without_password(url)
        name = urlsplit(identity).path.rsplit("/", 1)[-1] if "://" in identity else ""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "database"
    digest = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{name[:40]}-{digest}"
