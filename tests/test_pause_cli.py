"""`shiftdesk pause` and `resume` as a script uses them, on a frozen clock; `show` gives every deadline."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.clock import FrozenClock
from tests.test_cli import ADD
from tui import cli_base
from tui.cli import main

OPENED = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)  # ADD's --opened-at; 14:05 in London too (GMT)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    frozen = FrozenClock(OPENED)
    monkeypatch.setattr(cli_base.Runtime, "service_clock", lambda _runtime: frozen)
    return frozen


@pytest.fixture
def run(sqlite_url: str, tmp_path: Path, clock: FrozenClock):  # type: ignore[no-untyped-def]
    config = tmp_path / "config.toml"
    config.write_text('timezone = "Europe/London"\n[deadlines]\npause_cap_minutes = 60\n', encoding="utf-8")
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(
            main, ["--db", sqlite_url, "--config", str(config), *args], catch_exceptions=False
        )
        return result.exit_code, result.stdout, result.stderr

    return invoke


def shown(run) -> dict:  # type: ignore[no-untyped-def,type-arg]
    code, out, err = run("show", "1", "--json")
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def test_pause_until_a_local_time_stops_the_clock_and_show_json_says_so(run, clock) -> None:  # type: ignore[no-untyped-def]
    run(*ADD)  # a VIP case: ten minutes to fix or update
    clock.advance(minutes=2)
    code, out, err = run(
        "pause", "1", "Customer calls back at 14:40", "--until", "2026-11-24T14:40", "--as", "Hana"
    )
    assert code == 0, err
    assert "fix-or-update clock paused (Customer calls back at 14:40): runs again at 14:40" in out
    clock.advance(minutes=20)  # 14:27: long past the ten minutes, still paused
    case = shown(run)
    [deadline] = case["deadlines"]
    assert deadline["paused"] is True and deadline["paused_seconds"] == 20 * 60
    assert deadline["remaining_seconds"] == 8 * 60 and deadline["breached"] is False
    assert deadline["pauses"][0]["ends_because"] == "resume time passed"
    # Typed as local time, stored in UTC (London is on GMT in November: the same instant).
    assert case["events"][-1]["data"] == {
        "reason": "Customer calls back at 14:40",
        "until": "2026-11-24T14:40:00+00:00",
    }
    clock.advance(minutes=20)  # 14:47: the resume time has passed, the clock has run seven minutes
    [deadline] = shown(run)["deadlines"]
    assert (deadline["paused"], deadline["paused_seconds"], deadline["remaining_seconds"]) == (
        False,
        33 * 60,
        60,
    )


def test_resume_by_hand_then_refused_when_not_paused(run, clock) -> None:  # type: ignore[no-untyped-def]
    run(*ADD)
    assert run("pause", "1", "Waiting for the courier")[0] == 0
    clock.advance(minutes=5)
    code, _out, err = run("resume", "1", "Courier confirmed", "--as", "Billy")
    assert code == 0, err
    [deadline] = shown(run)["deadlines"]
    assert deadline["paused"] is False and deadline["paused_seconds"] == 5 * 60
    assert deadline["pauses"][0]["ends_because"] == "by hand" and deadline["pauses"][0]["recorded"] is True
    code, out, err = run("resume", "1")
    assert code != 0 and out == "" and "case #1 is not paused" in err and len(err.strip().splitlines()) == 1


def test_pause_refusals_name_what_is_wrong(run, clock) -> None:  # type: ignore[no-untyped-def]
    run(*ADD)
    code, _out, err = run("pause", "1", "courier", "--until", "yesterday")
    assert code != 0 and "--until" in err and "ISO 8601" in err
    code, _out, err = run("pause", "1", "courier", "--until", "2026-11-24T14:00")
    assert code != 0 and "is not later than now" in err
    code, _out, err = run("pause", "1", "  ")
    assert code != 0 and "REASON" in err
    run("pause", "1", "courier")
    clock.advance(minutes=61)  # past the configured cap of an hour
    code, _out, err = run("pause", "1", "courier again")
    assert code != 0 and "paused for 1 h already" in err


def test_show_lists_every_deadline_met_breached_and_pending(run, clock) -> None:  # type: ignore[no-untyped-def]
    run(*ADD)  # VIP: ten minutes
    clock.advance(minutes=4)
    run("apologize", "1", "So sorry", "--as", "Billy")  # met, 6 min early
    clock.advance(minutes=2)
    run("pause", "1", "Customer calls back", "--as", "Billy")
    clock.advance(minutes=30)
    run("review", "1", "Late", "--needs", "a date", "--as", "Hana")  # the contact resumes it: met 8 min early
    clock.advance(minutes=25)  # the next ten minutes are long gone: breached by 15 min, still owed
    code, out, _ = run("show", "1")
    assert code == 0
    lines = [line.strip() for line in out.split("deadlines:")[1].strip().splitlines()]
    assert lines[0] == "fix-or-update     due 14:15, owed by Billy: met 14:09 by Billy, 6 min early"
    assert lines[1] == "fix-or-update     due 14:49, owed by Billy: met 14:41 by Hana, 8 min early"
    assert lines[2] == "paused 30 min: 14:11–14:41 Customer calls back (customer contacted)"
    assert lines[3] == "fix-or-update     due 14:51, owed by Billy: breached by 15 min, still owed"
    history = shown(run)["deadline_history"]
    assert [(d["met_by"], d["breached"], d["paused_seconds"]) for d in history] == [
        ("Billy", False, 0),
        ("Hana", False, 30 * 60),
        (None, True, 0),
    ]
