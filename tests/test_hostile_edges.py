"""Edges a hostile or careless user reaches from the command line: ids past what a column holds, local times
the clocks skip, names that bend the roster; each refused with a clear line, never an "unexpected" error."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.test_export_cli import FrozenRuntime
from tui.cli import main

NOW = datetime(2026, 11, 25, 15, tzinfo=UTC)
LONDON = 'timezone = "Europe/London"\n'


def run_cli(url: str, config: Path, *args: str, now: datetime = NOW) -> Result:
    return CliRunner().invoke(main, list(args), obj=FrozenRuntime(url, str(config), now))


@pytest.fixture
def london(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(LONDON, encoding="utf-8")
    return path


def test_an_export_from_a_time_the_clocks_skip_names_the_gap(sqlite_url: str, london: Path) -> None:
    result = run_cli(sqlite_url, london, "export", "--from", "2026-03-29T01:30", "--to", "2026-03-29T09:00")
    assert result.exit_code == 2
    assert "01:30 on 2026-03-29 does not exist in Europe/London (the clocks went forward)" in result.stderr
    assert "must start before" not in result.stderr


def test_a_case_opened_in_the_gap_is_refused_and_an_ambiguous_time_is_its_first_occurrence(
    sqlite_url: str, london: Path
) -> None:
    add = ["add", "--customer", "Ada", "--category", "late", "--site", "Harbour Road", "--product", "Sofa"]
    add += ["--staff", "Billy", "--description", "Sofa did not arrive", "--as", "Billy"]
    refused = run_cli(sqlite_url, london, *add, "--opened-at", "2026-03-29T01:30")
    assert refused.exit_code == 2 and "does not exist in Europe/London" in refused.stderr
    taken = run_cli(sqlite_url, london, *add, "--opened-at", "2026-10-25T01:30")
    assert taken.exit_code == 0, taken.output
    shown = run_cli(sqlite_url, london, "show", "1", "--json")
    assert '"opened_at": "2026-10-25T00:30:00+00:00"' in shown.stdout  # 01:30 BST, the first of the two


@pytest.mark.parametrize(
    "args",
    [
        ("apologize", "999999999999999999999999", "sorry"),
        ("show", "2147483648"),
        ("show", "9223372036854775808"),
        ("reassign", "2147483648", "Omar"),
        ("update", "0", "called back"),
        ("show", "0"),
    ],
)
def test_an_id_no_column_holds_is_no_case_on_either_backend(
    database_url: str, london: Path, args: tuple[str, ...]
) -> None:
    result = run_cli(database_url, london, *args)
    assert result.exit_code == 1, result.output
    assert result.stderr == f"shiftdesk: error: no case #{int(args[1])}\n"
