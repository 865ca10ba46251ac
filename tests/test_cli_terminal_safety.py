"""Stored text another tool wrote (escape sequences in a name) reaches the CLI's terminal only as text."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from tui.cli import main

# Clear the screen, set the window title, write the clipboard (OSC 52), and a bidi override.
HOSTILE = "Ada\x1b[2J\x1b]0;pwned\x07\x1b]52;c;cm0gLXJmIH4=\x07\u202eevil\x9b31m"
ADD = [
    "add", "--customer", "Ada", "--category", "late delivery", "--site", "Harbour Road",
    "--product", "Sofa", "--staff", "Billy", "--description", "Sofa did not arrive",
]  # fmt: skip
STEERING = ("\x1b", "\x07", "\x9b", "\u202e")


def invoke(url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--db", url, *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def hostile_url(sqlite_url: str) -> str:
    code, _out, err = invoke(sqlite_url, *ADD)
    assert code == 0, err
    # Written behind intake's back, as another tool sharing the database could.
    engine = create_engine(sqlite_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE cases SET customer = :name, assignee = :name"), {"name": HOSTILE})
        connection.execute(  # events are append-only: another tool's apology, as it would add one
            text(
                "INSERT INTO events (case_id, at, actor, action, text, data) "
                "SELECT case_id, at, :name, 'apologize', :name, '{}' FROM events WHERE case_id = 1"
            ),
            {"name": HOSTILE},
        )
    engine.dispose()
    return sqlite_url


@pytest.mark.parametrize("command", [["list"], ["show", "1"], ["list", "--json"], ["show", "1", "--json"]])
def test_stored_escape_sequences_are_printed_as_visible_text(hostile_url: str, command: list[str]) -> None:
    code, out, err = invoke(hostile_url, *command)
    assert code == 0, err
    assert not [char for char in STEERING if char in out], out
    assert "\\x1b[2J" in out or "\\u001b[2J" in out  # shown, not dropped: the supervisor sees what is stored


def test_json_still_reads_back_as_the_stored_value(hostile_url: str) -> None:
    _code, out, _err = invoke(hostile_url, "show", "1", "--json")
    assert json.loads(out)["customer"] == HOSTILE
