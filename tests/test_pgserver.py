"""The test databases: fresh and isolated on both backends, and a server that survives a restart."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, create_engine, inspect, select
from sqlalchemy.exc import OperationalError

from tests.pgserver import PostgresServer, throwaway_postgres

metadata = MetaData()
notes = Table("notes", metadata, Column("id", Integer, primary_key=True), Column("body", String(80)))


@pytest.fixture
def engine_for() -> Iterator[Callable[[str], Engine]]:
    engines: list[Engine] = []

    def make(url: str) -> Engine:
        engine = create_engine(url)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.dispose()


def test_round_trip(database_url: str, engine_for: Callable[[str], Engine]) -> None:
    engine = engine_for(database_url)
    assert inspect(engine).get_table_names() == []  # fresh and empty
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(notes.insert(), [{"body": "first"}, {"body": "second – ünïcode"}])
    with engine.connect() as connection:
        assert connection.scalars(select(notes.c.body).order_by(notes.c.id)).all() == [
            "first",
            "second – ünïcode",
        ]


def test_url_shape(request: pytest.FixtureRequest, database_url: str) -> None:
    if request.node.callspec.id == "sqlite":
        assert database_url.startswith("sqlite:///") and database_url.endswith("/shiftdesk.db")
        assert ":memory:" not in database_url
    else:
        assert database_url.startswith("postgresql+psycopg://") and "?host=/" in database_url
        assert request.node.get_closest_marker("postgres") is not None


def test_two_databases_are_isolated(
    database_url: str, make_database_url: Callable[[], str], engine_for: Callable[[str], Engine]
) -> None:
    other_url = make_database_url()
    assert other_url != database_url
    first, second = engine_for(database_url), engine_for(other_url)
    metadata.create_all(first)
    with first.begin() as connection:
        connection.execute(notes.insert(), {"body": "only in the first"})
    assert inspect(second).get_table_names() == []
    metadata.create_all(second)
    with second.connect() as connection:
        assert connection.scalars(select(notes.c.body)).all() == []
    with first.connect() as connection:
        assert connection.scalars(select(notes.c.body)).all() == ["only in the first"]


def test_sqlite_url_is_a_file(sqlite_url: str, engine_for: Callable[[str], Engine]) -> None:
    assert sqlite_url.startswith("sqlite:///") and ":memory:" not in sqlite_url
    metadata.create_all(engine_for(sqlite_url))
    assert os.path.exists(sqlite_url.removeprefix("sqlite:///"))


def test_session_server_runs_unprivileged(postgres_server: PostgresServer) -> None:
    assert postgres_server.running
    assert postgres_server.user != "root"
    assert (
        postgres_server.url("x")
        == f"postgresql+psycopg://{postgres_server.user}@/x?host={postgres_server.socket_dir}"
    )
    assert (postgres_server.socket_dir / ".s.PGSQL.5432").is_socket()


@pytest.mark.postgres
def test_server_stops_and_starts_again_on_the_same_data(postgres_server: PostgresServer) -> None:
    # postgres_server only gates availability (skip, or fail under CI); the restart uses a server of its own.
    with throwaway_postgres() as server:
        engine = create_engine(server.create_database("restart"))
        try:
            metadata.create_all(engine)
            with engine.begin() as connection:
                connection.execute(notes.insert(), {"body": "kept across the restart"})

            server.stop()
            assert not server.running
            assert not (server.socket_dir / ".s.PGSQL.5432").exists()
            with pytest.raises(OperationalError), engine.connect() as connection:
                connection.execute(select(1))  # the pooled connection is dead
            engine.dispose()
            with pytest.raises(OperationalError), engine.connect():
                pass  # and nobody listens any more

            server.start()
            assert server.running
            with engine.connect() as connection:
                assert connection.scalars(select(notes.c.body)).all() == ["kept across the restart"]
        finally:
            engine.dispose()
        base_dir = server.base_dir
    assert not base_dir.exists()
