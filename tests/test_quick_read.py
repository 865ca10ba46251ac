"""The first-paint read (stdlib sqlite3) gives exactly the cases the SQLAlchemy read side gives."""

from __future__ import annotations

from storage import views
from storage.quick_read import open_cases, sqlite_file
from tests.tui_fixtures import build_shift


def test_quick_read_matches_the_orm_read(sqlite_url: str) -> None:
    shift = build_shift(sqlite_url)
    quick = open_cases(sqlite_url)
    assert quick is not None and len(quick) == 5
    assert sorted(quick, key=lambda case: case.id or 0) == sorted(
        views.open_cases(shift.service.database), key=lambda case: case.id or 0
    )


def test_quick_read_steps_aside_when_it_cannot_be_sure(tmp_path) -> None:
    assert open_cases("postgresql+psycopg://u@/db?host=/tmp") is None
    assert open_cases(f"sqlite:///{tmp_path / 'missing.db'}") is None
    plain = tmp_path / "other.db"
    import sqlite3

    sqlite3.connect(plain).execute("CREATE TABLE cases (id INTEGER)").connection.close()
    assert open_cases(f"sqlite:///{plain}") is None  # no schema revision: the full path decides


def test_sqlite_file_understands_the_url_forms() -> None:
    assert str(sqlite_file("sqlite:////var/lib/x.db")) == "/var/lib/x.db"
    assert str(sqlite_file("sqlite+pysqlite:///rel/x.db")) == "rel/x.db"
    assert sqlite_file("sqlite:///:memory:") is None
