"""The phrase check at the command line: one `hint:` line on stderr per phrase found, for the same steps as
the dashboard's forms; the step is saved all the same, and the export counts the hints per agent."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.config import load_settings
from tests.test_cli import ADD
from tests.test_phrase_check import HARMLESS
from tui.cli import main

CONFIG = """
[[phrases.avoid]]
phrase = "above my pay grade"
instead = "“Let me bring in someone who can decide this now.”"
"""
PERIOD = ("--from", "2000-01-01T00:00:00+00:00", "--to", "2100-01-01T00:00:00+00:00")


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.fixture
def run(sqlite_url: str, config: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def invoke(*args: str) -> tuple[str, str]:
        result = runner.invoke(
            main, ["--db", sqlite_url, "--config", str(config), *args], catch_exceptions=False
        )
        assert result.exit_code == 0, result.stderr
        return result.stdout, result.stderr

    return invoke


def every_phrase(config: Path) -> tuple[list[str], str]:
    """The configured phrases (shipped and the file's) and one note saying every one of them."""
    words = [phrase.words for phrase in load_settings(config).phrases]
    return words, ". ".join(w.replace("…", "right now, so").upper() for w in words) + "."


def test_each_configured_phrase_gets_one_hint_line_at_each_checked_step(run, config: Path) -> None:  # type: ignore[no-untyped-def]
    words, note = every_phrase(config)
    assert words[-1] == "above my pay grade"
    run(*ADD)
    steps = [
        ("apologize", ("apologize", "1", note, "--as", "Billy")),
        ("review", ("review", "1", "Late, no call", "--needs", note, "--as", "Billy")),
        ("update", ("update", "1", note, "--as", "Hana")),
        ("fix", ("fix", "1", note, "--as", "Hana")),  # not a checked step: no hint
        ("follow-up", ("follow-up", "1", note, "--not-satisfied", "--as", "Hana")),
    ]
    for step, args in steps:
        out, err = run(*args)
        assert out.strip(), step  # saved: the case is printed as usual
        lines = err.splitlines()
        if step == "fix":
            assert lines == []
            continue
        assert len(lines) == len(words), (step, err)
        for line, phrase in zip(lines, words, strict=True):
            assert line.startswith(f"hint: {step}: “{phrase}”"), line
            assert "try:" in line


def test_harmless_sentences_draw_no_hint_at_any_checked_step(run) -> None:  # type: ignore[no-untyped-def]
    run(*ADD)
    note = " ".join(HARMLESS)
    _, err = run("apologize", "1", note, "--as", "Billy")
    assert err == ""
    _, err = run("review", "1", note, "--needs", note, "--as", "Billy")
    assert err == ""
    for sentence in HARMLESS:
        _, err = run("update", "1", sentence, "--as", "Billy")
        assert err == "", (sentence, err)
    run("fix", "1", "Delivered", "--as", "Billy")
    _, err = run("follow-up", "1", note, "--satisfied", "--as", "Billy")
    assert err == ""


def test_the_export_counts_the_hints_per_agent_in_every_format(run) -> None:  # type: ignore[no-untyped-def]
    run(*ADD)
    given: dict[str, int] = {}
    for args, actor in [
        (("apologize", "1", "Sorry if you feel that way."), "Billy"),
        (("review", "1", "Not my job, honestly", "--needs", "a date; our policy doesn't allow more"), "Hana"),
        (("update", "1", "Courier booked for 5pm."), "Hana"),
        (("update", "1", "You'll have to wait. Please call back later."), "Tom"),
    ]:
        _, err = run(*args, "--as", actor)
        given[actor] = given.get(actor, 0) + err.count("hint: ")
    assert given == {"Billy": 1, "Hana": 2, "Tom": 2}
    out, _ = run("export", *PERIOD, "--format", "json")
    per_agent = json.loads(out)["per_agent"]
    # Whoever opened the case (the OS user here) acted too, with no note checked: nothing counted for them.
    assert {
        name: figures["phrase_hints"] for name, figures in per_agent.items() if figures["phrase_hints"]
    } == given
    out, _ = run("export", *PERIOD, "--format", "md")
    assert (
        "| agent | open | actions | opened as staff | fix-or-update misses | paused min | phrase hints |"
        in out
    )
    assert any(line.startswith("| Hana |") and line.endswith("| 2 |") for line in out.splitlines())
    out, _ = run("export", *PERIOD, "--format", "csv")
    [row] = list(csv.DictReader(io.StringIO(out)))
    assert row["phrase_hints"] == "5"  # the case's notes drew five in all
    assert "Sorry if you feel" not in json.dumps(per_agent)  # counts, never the texts
