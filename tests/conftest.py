"""Shared fixtures: one throwaway PostgreSQL per run, and a fresh empty database per test on each backend."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import Any

import pytest

from tests.pgserver import PostgresServer, PostgresUnavailable, throwaway_postgres

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
# pytest-textual-snapshot imports textual before this file runs, and textual reads the variable at import:
# refresh the constant so in-process apps (snapshot tests, App.run_test) see it too.
_textual_constants = sys.modules.get("textual.constants")
if _textual_constants is not None and os.environ["TEXTUAL_ANIMATIONS"].lower() in ("none", "basic", "full"):
    _textual_constants.TEXTUAL_ANIMATIONS = os.environ["TEXTUAL_ANIMATIONS"].lower()  # type: ignore[attr-defined]

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def _postgres_or_skip() -> Iterator[PostgresServer]:
    """A throwaway server; skipped when PostgreSQL is missing, a failure under CI."""
    with ExitStack() as stack:
        try:
            server = stack.enter_context(throwaway_postgres())
        except PostgresUnavailable as exc:
            reason = str(exc)
        else:
            reason = None
        if reason is not None:  # outside the except block: no chained traceback in the report
            if in_ci():
                pytest.fail(f"PostgreSQL is required when CI is set: {reason}", pytrace=False)
            pytest.skip(f"PostgreSQL unavailable: {reason}")
        yield server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway server for the whole run."""
    yield from _postgres_or_skip()


@pytest.fixture
def own_server() -> Iterator[PostgresServer]:
    """A server of the test's own, for tests that stop and restart it."""
    yield from _postgres_or_skip()


@pytest.fixture(params=BACKENDS)
def make_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """A factory of fresh, empty databases on this test's backend (sqlite file or PostgreSQL database)."""
    backend: str = request.param
    created: list[str] = []
    server: PostgresServer | None = None
    if backend == "postgresql":  # looked up lazily so SQLite tests never wait for (or skip on) PostgreSQL
        server = request.getfixturevalue("postgres_server")

    def make() -> str:
        if server is None:
            name = "shiftdesk.db" if not created else f"shiftdesk-{len(created) + 1}.db"
            created.append(name)
            return f"sqlite:///{tmp_path}/{name}"
        name = f"shiftdesk_test_{uuid.uuid4().hex[:12]}"
        url = server.create_database(name)
        created.append(name)
        return url

    yield make

    if server is not None and server.running:
        for name in created:
            with suppress(Exception):  # best effort: the whole cluster is deleted at the end anyway
                server.drop_database(name)


@pytest.fixture
def database_url(make_database_url: Callable[[], str]) -> str:
    """A fresh, empty database URL, once for SQLite (a file in tmp_path) and once for PostgreSQL."""
    return make_database_url()


@pytest.fixture
def database(database_url: str) -> Iterator[Any]:
    """An empty database at the newest schema, on each backend; disposed after the test."""
    from storage.database import Database

    db = Database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite file URL, for tests that need only one backend."""
    return f"sqlite:///{tmp_path}/shiftdesk.db"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Anything that asks for the server itself also counts as a PostgreSQL test (-m "not postgres").
    for item in items:
        if "postgres_server" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.postgres)


# -- under CI, a skipped PostgreSQL test fails the run ------------------------------------------------

_skipped_postgres: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    skipped = report.skipped and not hasattr(report, "wasxfail")
    if skipped and "postgresql" in report.nodeid and report.nodeid not in _skipped_postgres:
        _skipped_postgres.append(report.nodeid)


def _ci_complaint() -> str | None:
    if not (in_ci() and _skipped_postgres):
        return None
    shown = "\n  ".join(_skipped_postgres[:10])
    more = f"\n  … and {len(_skipped_postgres) - 10} more" if len(_skipped_postgres) > 10 else ""
    return (
        f"CI is set, but {len(_skipped_postgres)} PostgreSQL test(s) were skipped; "
        f"CI must run them:\n  {shown}{more}"
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    complaint = _ci_complaint()
    if complaint is None:
        return
    if session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if session.config.pluginmanager.get_plugin("terminalreporter") is None:
        print(complaint, file=sys.stderr)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    complaint = _ci_complaint()
    if complaint is not None:
        terminalreporter.section("PostgreSQL under CI", sep="=", red=True, bold=True)
        terminalreporter.line(complaint, red=True)


@pytest.fixture(autouse=True)
def private_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Tests never read or write the real user's data and config folders (exports, default database)."""
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    return home
