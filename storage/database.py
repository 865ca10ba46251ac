"""Where the database is, how to connect to it (SQLite or PostgreSQL), and keeping its schema current."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from storage.errors import DatabaseError
from storage.location import ENV_VAR, default_sqlite_path, resolve_url

# The newest migration (kept in quick_read.py, which must not import SQLAlchemy); checked by a test against
# Alembic's own idea of head, so they cannot drift.
from storage.quick_read import HEAD_REVISION

__all__ = [
    "ENV_VAR",
    "HEAD_REVISION",
    "Database",
    "DatabaseError",
    "default_sqlite_path",
    "resolve_url",
    "safe_url",
]


# Query parameters that carry a secret (libpq takes password= and sslpassword= there as well as in the URL).
_SECRET_QUERY = re.compile(r"(?i)([?&][^=&]*password=)[^&]*")
URL_FORM = "dialect+driver://user:password@host:port/database, e.g. sqlite:///path/to/shiftdesk.db"


def safe_url(url: str) -> str:
    """The URL as it may be shown or logged: the password masked, even in a URL that does not parse."""
    try:
        parsed: URL | None = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        parsed = None
    # An unencoded "@" in the password ends it early for the parser, leaving its tail in the host.
    if parsed is None or "@" in (parsed.host or ""):
        shown = _mask_userinfo(url)
    else:
        shown = parsed.render_as_string(hide_password=True)
    return _SECRET_QUERY.sub(r"\1***", shown)


def _mask_userinfo(url: str) -> str:
    """Mask everything from the first colon after "//" (else after the start) up to the last "@".

    For text the URL parser refused: it may over-mask (a host or port), but never shows a password.
    """
    head, at, tail = url.rpartition("@")
    if not at:
        return url
    start = head.find("//")
    colon = head.find(":", start + 2 if start >= 0 else 0)
    return f"{head[: colon + 1]}***{at}{tail}" if colon >= 0 else url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling is switched off so that BEGIN is ours to emit (see _begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # FULL: a commit that returned is on disk, even through a power cut (WAL's NORMAL is not).
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=15000")
    # 1 MiB of pages per connection (SQLite's default is 2 MiB): the dashboard keeps its connection all shift
    # and the cache fills to the bound as the database grows — memory nothing reads twice (its reads are
    # indexed and small, the hotspot scan reads each page once; the OS keeps the file's pages anyway). The
    # bulk import raises it for its own transaction (storage/bulk.py).
    cursor.execute("PRAGMA cache_size=-1024")
    cursor.close()


class Database:
    """One database: its engine, its sessions, and the schema brought to the newest revision on first use."""

    def __init__(self, url: str, *, create: bool = True) -> None:
        self.url = url
        # Every error below is raised `from None`: the chained original would print the URL, password
        # and all, in a second traceback.
        try:
            parsed = make_url(url)
        except (ArgumentError, ValueError):
            raise DatabaseError(f"not a database URL: {safe_url(url)} (expected {URL_FORM})") from None
        if "@" in (parsed.host or ""):
            # The parser ended the password at its first "@" and took the rest for the host, where a
            # driver's "cannot resolve host" message would show it.
            raise DatabaseError(
                f"not a database URL: {safe_url(url)} (an @ in the user name or password is written %40)"
            )
        self._password = parsed.password if isinstance(parsed.password, str) else None
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self.path: Path | None = None
        if self.is_sqlite:
            database = parsed.database or ""
            if database in ("", ":memory:"):
                # A per-thread pool would give each worker thread its own empty database.
                raise DatabaseError("an in-memory SQLite database cannot be shared: give a file path")
            self.path = Path(database).expanduser()
            # A "file:" URI names its file in SQLite's own syntax: left to SQLite as it is.
            if not parsed.query.get("uri"):
                _private_file(self.path, make_folder=create)
        try:
            if self.is_sqlite:
                self.engine = create_engine(url, connect_args={"timeout": 15})
                event.listen(self.engine, "connect", _sqlite_pragmas)
                event.listen(self.engine, "begin", self._begin)
            else:
                self.engine = create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})
        except sa_exc.NoSuchModuleError:
            raise DatabaseError(
                f"database {self.display_url}: unknown kind of database {parsed.drivername!r} "
                "(shiftdesk works with sqlite:///… and postgresql+psycopg://…)"
            ) from None
        except ImportError as error:
            raise DatabaseError(
                f"database {self.display_url}: its driver {error.name or parsed.drivername!r} is not "
                "installed (shiftdesk works with sqlite:///… and postgresql+psycopg://…)"
            ) from None
        except (ArgumentError, TypeError, ValueError) as error:
            raise DatabaseError(self._scrub(f"database {self.display_url}: {_first_line(error)}")) from None
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if create:
            self.ensure_schema()

    @staticmethod
    def _begin(connection: Any) -> None:
        # Writers take the write lock up front: a deferred BEGIN that later upgrades can fail at once
        # with "database is locked" instead of waiting out the busy timeout.
        mode = "IMMEDIATE" if connection.get_execution_options().get("write") else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")

    @property
    def display_url(self) -> str:
        return safe_url(self.url)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; rolled back at the end (reads never commit)."""
        with self._wrap_errors(), self._sessions() as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction: committed when the block ends normally, rolled back on any exception."""
        with self._wrap_errors(), self._sessions() as session:
            session.connection(execution_options={"write": True})
            if not self.is_sqlite:
                # PostgreSQL hands out ids from sequences in call order but commits in any order; one
                # advisory lock per write transaction makes them commit in order, so "changed since
                # event N" never misses a slower writer. (SQLite's BEGIN IMMEDIATE serialises already.)
                session.execute(text("SELECT pg_advisory_xact_lock(7316)"))
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def _wrap_errors(self) -> Iterator[None]:
        try:
            yield
        # Not every DBAPIError: a refused constraint (IntegrityError) in a write is the caller's to see.
        except (OperationalError, sa_exc.InterfaceError) as error:
            raise DatabaseError(self.explain(error)) from None
        except sa_exc.DatabaseError as error:
            if type(error) is not sa_exc.DatabaseError:  # e.g. IntegrityError, ProgrammingError
                raise
            raise DatabaseError(self.explain(error)) from None  # SQLite: not a database, or damaged

    def explain(self, error: DBAPIError) -> str:
        """One line saying what is wrong with the database and how to fix it; no password in it."""
        reason = _first_line(error.orig)
        advice = _sqlite_advice(self.path, reason) if self.path else None
        return self._scrub(advice or f"database {self.display_url} unreachable: {reason}")

    def _scrub(self, message: str) -> str:
        """`message` without the raw URL or the password (a driver may quote either back)."""
        message = message.replace(self.url, self.display_url)
        # Short passwords are left: masking every "pw" in a message would garble it, and shows little.
        if self._password and len(self._password) >= 4:
            message = message.replace(self._password, "***")
        return message

    def current_revision(self) -> str | None:
        try:
            with self.engine.connect() as connection:
                return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError as error:
            if _is_missing_table(error):
                return None
            raise DatabaseError(self.explain(error)) from None

    def ensure_schema(self) -> None:
        """Create or upgrade the schema; cheap when it is already current (Alembic is not even imported)."""
        if self.current_revision() == HEAD_REVISION:
            return
        self.upgrade()

    def upgrade(self, revision: str = "head") -> None:
        from alembic.util.exc import CommandError

        from storage.migrate import upgrade

        try:
            upgrade(self.engine, revision)
        except CommandError as error:
            # Most often a database upgraded by a newer shiftdesk: its revision is unknown here.
            raise DatabaseError(
                f"database {self.display_url} is at schema revision {self.current_revision()!r}, which this "
                f"shiftdesk (schema {HEAD_REVISION}) does not know: upgrade shiftdesk ({_first_line(error)})"
            ) from None
        except DBAPIError as error:
            reason = _first_line(error.orig)
            advice = _sqlite_advice(self.path, reason) if self.path else None
            raise DatabaseError(
                self._scrub(advice or f"database {self.display_url}: migration failed: {reason}")
            ) from None

    def dispose(self) -> None:
        self.engine.dispose()


def _private_file(path: Path, *, make_folder: bool) -> None:
    """Create a new SQLite file 0600 (in a new folder 0700) before SQLite would create it 0644.

    It holds customers' names, contacts and depositions. SQLite gives the -wal and -shm files it creates
    later the database file's own permissions, so they come out 0600 too. An existing file is left as it is.
    """
    folder = path.parent
    if make_folder and not folder.exists():
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            folder.mkdir(mode=0o700, exist_ok=True)  # only the folder shiftdesk makes for itself
        except OSError as error:
            raise DatabaseError(
                f"cannot create the folder {folder} for the database: {error.strerror or error} "
                "(give --db a path in a folder you can write, e.g. sqlite:///$HOME/shiftdesk.db)"
            ) from None
    if not folder.is_dir():
        return  # SQLite's own "unable to open" follows, explained by _sqlite_advice
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError:
        return  # a read-only folder or file system: SQLite's own error follows, explained there
    os.close(descriptor)


def _sqlite_advice(path: Path, reason: str) -> str | None:
    """What SQLite's terse `reason` means for the file at `path`, and the fix; None if not about the file."""
    lowered = reason.lower()
    folder = path.parent
    if "file is not a database" in lowered or "malformed" in lowered or "file is encrypted" in lowered:
        return (
            f"{path} is not a shiftdesk database (SQLite: {reason}): check the --db path, or move that "
            "file away to start a new database there"
        )
    read_only = "readonly" in lowered or "read-only" in lowered
    if not read_only and "unable to open" not in lowered and "disk i/o error" not in lowered:
        return None
    # The file system is asked what SQLite would not say: which of path and folder is the trouble.
    if path.is_dir():
        return f"{path} is a folder, not a database file: name a file in it, e.g. {path / 'shiftdesk.db'}"
    if not folder.is_dir():
        return f"cannot open the database {path}: the folder {folder} does not exist (create it first)"
    exists = path.exists()
    if exists and not os.access(path, os.R_OK):
        return f"cannot open the database {path}: permission denied (shiftdesk needs to read and write it)"
    if not os.access(folder, os.W_OK):  # also False on a read-only file system
        if exists:
            return (
                f"cannot use the database {path}: its folder {folder} is read-only, and SQLite (WAL mode) "
                f"must create {path.name}-shm and {path.name}-wal there; make the folder writable, or copy "
                "the database to a writable folder"
            )
        return (
            f"cannot create the database {path}: the folder {folder} is not writable (fix its permissions, "
            "or give --db a path in a folder you can write)"
        )
    if exists and not os.access(path, os.W_OK):
        return f"the database {path} is read-only: make it writable for shiftdesk (chmod u+w {path})"
    return f"cannot open the database {path} ({reason}): check the path, its permissions and free disk space"


def _first_line(error: object) -> str:
    text_ = str(error).strip().splitlines()
    return text_[0] if text_ else type(error).__name__


def _is_missing_table(error: Exception) -> bool:
    message = str(getattr(error, "orig", error)).lower()
    return "no such table" in message or ("does not exist" in message and "relation" in message)
