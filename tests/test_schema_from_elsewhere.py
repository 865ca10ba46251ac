"""A database another shiftdesk version wrote: one clear line, and the disposable demo file is rebuilt."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui.cli import main


def upgraded_elsewhere(path: Path) -> None:
    """Make `path` look like a database a newer shiftdesk migrated (a schema revision unknown here)."""
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.execute("INSERT INTO alembic_version VALUES ('9999_from_the_future')")
    connection.close()


def test_a_newer_schema_is_named_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    upgraded_elsewhere(path)
    result = CliRunner().invoke(main, ["--db", f"sqlite:///{path}", "list"])
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert "9999_from_the_future" in line and "upgrade shiftdesk" in line and "unexpected" not in line


def test_demo_rebuilds_its_own_file_when_another_version_wrote_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    demo_file = tmp_path / "shiftdesk" / "demo.db"
    demo_file.parent.mkdir()
    upgraded_elsewhere(demo_file)
    result = CliRunner().invoke(main, ["demo", "--no-open"])
    assert result.exit_code == 0, result.stderr
    assert "demo database" in result.stderr
    done = sqlite3.connect(demo_file)
    assert done.execute("SELECT count(*) FROM cases").fetchone()[0] > 1000
    done.close()
