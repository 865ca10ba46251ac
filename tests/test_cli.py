"""The command line as a script would use it: ids on stdout, JSON shapes, one-line errors and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui.cli import main

ADD = [
    "add", "--customer", "Ada [bold]Brennan[/bold]", "--contact", "+44 20 7946 0000",
    "--category", "late delivery", "--site", "Harbour Road", "--region", "North",
    "--product", "Sofa", "--staff", "Billy", "--description", "Sofa did not arrive",
    "--tier", "vip", "--channel", "social", "--public", "--opened-at", "2026-11-24T14:05:00+00:00",
]  # fmt: skip


@pytest.fixture
def run(database_url: str):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(main, ["--db", database_url, *args], catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return invoke


def test_add_then_list_json_shows_the_case(run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(*ADD)
    assert code == 0 and out.strip() == "1"
    code, out, _ = run("list", "--json")
    assert code == 0
    [case] = json.loads(out)
    assert case["id"] == 1 and case["customer"] == "Ada [bold]Brennan[/bold]"
    expected = {"tier": "vip", "channel": "social", "public": True, "stage": "new", "owner": "Billy"}
    assert {key: case[key] for key in expected} == expected and case["assignee"] == "Billy"
    assert case["opened_at"] == "2026-11-24T14:05:00+00:00"
    assert case["deadlines"][0]["kind"] == "fix-or-update"


def test_whole_sequence_by_cli_shows_every_event(run) -> None:  # type: ignore[no-untyped-def]
    run(*ADD)
    steps = [
        ("apologize", "1", "So sorry, Ada", "--as", "Billy"),
        ("review", "1", "Late, no call", "--needs", "a firm date", "--as", "Billy"),
        ("update", "1", "Carrier booked", "--as", "Billy"),
        ("reassign", "1", "Hana", "--as", "Omar"),
        ("fix", "1", "Delivered", "--gesture", "voucher", "--value", "20", "--as", "Hana"),
        ("follow-up", "1", "Happy now", "--satisfied", "--as", "Hana"),
        ("check-back", "1", "Billy called: all fine", "--as", "Billy"),
        ("document", "1", "--customer-view", "late", "--customer-needed", "date", "--actions-taken", "x",
         "--root-cause", "carrier", "--factors", "external,process", "--as", "Hana"),
        ("public-apology", "1", "Posted on the thread", "--as", "Grace"),
        ("spokesperson", "1", "Grace Liu", "--as", "Omar"),
        ("close", "1", "--as", "Hana"),
    ]  # fmt: skip
    for step in steps:
        code, _out, err = run(*step)
        assert code == 0, (step, err)
    code, out, _ = run("show", "1", "--json")
    shown = json.loads(out)
    assert shown["stage"] == "closed" and shown["deadlines"] == []
    assert [e["action"] for e in shown["events"]] == [
        "open", "apologize", "review", "update", "reassign", "fix", "follow-up", "check-back",
        "document", "public-apology", "spokesperson", "close",
    ]  # fmt: skip
    assert all({"at", "actor", "action", "text"} <= set(e) for e in shown["events"])
    assert shown["events"][5]["actor"] == "Hana"
    assert shown["deposition"]["factors"] == ["external", "process"]


def test_refused_action_is_one_line_and_non_zero(run) -> None:  # type: ignore[no-untyped-def]
    run(*ADD)
    code, out, err = run("fix", "1", "done")
    assert code == 1 and out == ""
    assert err.strip() == "shiftdesk: error: cannot fix case #1 yet: apologize to the customer first"


def test_conflict_exits_3(run) -> None:  # type: ignore[no-untyped-def]
    run(*ADD)
    run("reassign", "1", "Hana", "--expect-version", "1")
    code, _out, err = run("reassign", "1", "Marta", "--expect-version", "1")
    assert code == 3 and "changed by someone else" in err and len(err.strip().splitlines()) == 1


def test_bad_option_values_are_named(run) -> None:  # type: ignore[no-untyped-def]
    code, _out, err = run(*[*ADD[:-2], "--opened-at", "yesterday"])
    assert code == 2 and "--opened-at" in err and "ISO 8601" in err
    code, _out, err = run(*[a if a != "vip" else "gold" for a in ADD])
    assert code == 2 and "--tier" in err and "standard, vip, chronic" in err


def test_unknown_case(run) -> None:  # type: ignore[no-untyped-def]
    code, _out, err = run("show", "42")
    assert code == 1 and err.strip() == "shiftdesk: error: no case #42"


def test_unreachable_database_is_one_line_without_password(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--db", "postgresql+psycopg://sup:pw-S3CRET@127.0.0.1:9/x", "list"])
    assert result.exit_code == 1
    assert "pw-S3CRET" not in result.stderr and "unreachable" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_console_entry_runs_as_a_module(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", url, "db", "upgrade"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "is at revision" in done.stdout


@pytest.mark.parametrize("command", [["list"], ["--help"], ["show", "1"], ["export", "--help"], ["trends"]])
def test_scripted_commands_never_import_textual(tmp_path: Path, command: list[str]) -> None:
    """Scripts run these in loops: Textual (and Rich's console machinery behind it) must stay out."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    probe = (
        "import sys\n"
        "from tui.cli import main\n"
        f"try:\n    main([{', '.join(repr(arg) for arg in ['--db', url, *command])}])\n"
        "except SystemExit:\n    pass\n"
        "print('TEXTUAL' if any(name.split('.')[0] == 'textual' for name in sys.modules) else 'NONE')\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "NONE", result.stdout + result.stderr


def test_check_back_by_a_stranger_is_refused_and_show_says_who_recorded(run) -> None:  # type: ignore[no-untyped-def]
    """Floor-ready: the owner's check-back was discharged by whoever ran the command."""
    import getpass
    import socket

    run(*ADD)
    run("apologize", "1", "Sorry", "--as", "Billy")
    run("reassign", "1", "Hana", "--as", "Omar")
    code, _out, err = run("check-back", "1", "I called her", "--as", "Random Stranger")
    assert code == 1
    assert err.startswith("shiftdesk: error: only the original owner Billy can check back")
    code, _out, err = run("check-back", "1", "Billy called her", "--as", "Billy")
    assert code == 0, err
    code, out, _ = run("show", "1", "--json")
    check_back = json.loads(out)["events"][-1]
    me = getpass.getuser()
    assert (check_back["actor"], check_back["recorded_by"]) == ("Billy", me)
    assert (check_back["os_user"], check_back["host"]) == (me, socket.gethostname())
    code, out, _ = run("show", "1")
    line = next(line for line in out.splitlines() if "check-back" in line)
    # `--as` is only a claim: who really entered it is shown beside it (their login is their own name, so
    # the OS account adds nothing here; tests/test_hostile_edges.py covers a login that fits nobody).
    assert f"(recorded by {me})" in line


def test_list_has_a_header_and_says_when_there_is_nothing(run) -> None:  # type: ignore[no-untyped-def]
    assert run("list")[:2] == (0, "no cases\n")
    run(*ADD)
    code, out, _ = run("list")
    assert code == 0
    header, row = out.splitlines()
    assert header.split() == ["id", "stage", "assignee", "customer", "category", "next", "deadline"]
    assert row.split()[:2] == ["1", "new"]
    assert run("list", "--open")[1].splitlines()[0] == header


def test_list_open_says_no_open_cases(run) -> None:  # type: ignore[no-untyped-def]
    assert run("list", "--open")[:2] == (0, "no open cases\n")


def test_usage_errors_are_one_line_naming_every_missing_option(run) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run("add", "--customer", "Ada")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "shiftdesk: error: missing --category, --description, --site, --product, --staff "
        "(see 'main add --help')"
    ]
    code, _out, err = run("add", "--severity", "huge")
    assert code == 2 and err.startswith("shiftdesk: error: Invalid value for --severity") and err[-1] == "\n"
    assert len(err.splitlines()) == 1


def test_list_piped_into_head_exits_quietly(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Floor-ready: `shiftdesk list | head -3` ended with "unexpected BrokenPipeError"."""
    from core.clock import FrozenClock
    from storage.database import Database
    from storage.service import WorkflowService
    from tests.test_bulk import NOW, SETTINGS, csv_histories

    url = f"sqlite:///{tmp_path}/many.db"
    database = Database(url)
    # Far more than a pipe holds (64 KiB), so the writer is still writing when `head` has gone.
    WorkflowService(database, SETTINGS, FrozenClock(NOW)).import_histories(csv_histories(3000))
    database.dispose()
    result = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {sys.executable} -m tui.cli --db {url} list | head -1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stderr == ""
    assert result.stdout.split() == ["id", "stage", "assignee", "customer", "category", "next", "deadline"]
    assert result.returncode in (0, 141)
