"""Where the database is, how to connect to it (SQLite or PostgreSQL), and keeping its schema current."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError
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


def safe_url(url: str) -> str:
    """The URL as it may be shown or logged: the password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable database URL>"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling is switched off so that BEGIN is ours to emit (see _begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # FULL: a commit that returned is on disk, even through a power cut (WAL's NORMAL is not).
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


class Database:
    """One database: its engine, its sessions, and the schema brought to the newest revision on first use."""

    def __init__(self, url: str, *, create: bool = True) -> None:
        self.url = url
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise DatabaseError(f"not a database URL: {url!r}") from None
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            database = parsed.database or ""
            if database in ("", ":memory:"):
                # A per-thread pool would give each worker thread its own empty database.
                raise DatabaseError("an in-memory SQLite database cannot be shared: give a file path")
            if create:
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(url, connect_args={"timeout": 15})
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", self._begin)
        else:
            self.engine = create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})
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
        except OperationalError as error:
            raise DatabaseError(
                f"database {self.display_url} unreachable: {_first_line(error.orig)}"
            ) from None

    def current_revision(self) -> str | None:
        try:
            with self.engine.connect() as connection:
                return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except (OperationalError, ProgrammingError) as error:
            if _is_missing_table(error):
                return None
            raise DatabaseError(
                f"database {self.display_url} unreachable: {_first_line(error.orig)}"
            ) from None

    def ensure_schema(self) -> None:
        """Create or upgrade the schema; cheap when it is already current (Alembic is not even imported)."""
        if self.current_revision() == HEAD_REVISION:
            return
        self.upgrade()

    def upgrade(self, revision: str = "head") -> None:
        from storage.migrate import upgrade

        try:
            upgrade(self.engine, revision)
        except OperationalError as error:
            raise DatabaseError(
                f"database {self.display_url}: migration failed: {_first_line(error.orig)}"
            ) from None

    def dispose(self) -> None:
        self.engine.dispose()


def _first_line(error: object) -> str:
    text_ = str(error).strip().splitlines()
    return text_[0] if text_ else type(error).__name__


def _is_missing_table(error: Exception) -> bool:
    message = str(getattr(error, "orig", error)).lower()
    return "no such table" in message or ("does not exist" in message and "relation" in message)
