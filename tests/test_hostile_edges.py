"""Edges a hostile or careless user reaches from the command line: ids past what a column holds, local times
the clocks skip, names that bend the roster; each refused with a clear line, never an "unexpected" error."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.test_export_cli import FrozenRuntime
from tui.cli import main

NOW = datetime(2026, 11, 25, 15, tzinfo=UTC)
LONDON = 'timezone = "Europe/London"\n'
ROSTERED = (
    LONDON
    + """
[authority]
default_limit = 25
limits = { "Maria Lopez" = 500 }
[[shifts]]
name = "Day"
start = "08:00"
end = "20:00"
supervisor = "Maria Lopez"
agents = ["Billy", "Dana Reyes"]
"""
)
ADD = ["add", "--customer", "Ada", "--category", "late", "--site", "Harbour Road", "--product", "Sofa"]
ADD += ["--staff", "Billy", "--description", "Sofa did not arrive", "--as", "Billy"]


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
    add = ADD
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


@pytest.fixture
def rostered(tmp_path: Path) -> Path:
    path = tmp_path / "rostered.toml"
    path.write_text(ROSTERED, encoding="utf-8")
    return path


@pytest.fixture
def one_public_case(database_url: str, rostered: Path) -> str:
    """Case #1, public (it needs a spokesperson), apologized and reviewed by Billy: ready for its fix."""
    for args in (
        [*ADD, "--public", "--opened-at", "2026-11-25T14:00"],
        ["apologize", "1", "Sorry", "--as", "Billy"],
        ["review", "1", "Late sofa", "--needs", "a sofa", "--as", "Billy"],
    ):
        result = run_cli(database_url, rostered, *args)
        assert result.exit_code == 0, result.output
    return database_url


BAD_NAMES = {
    "a newline": ("Dana\nReyes", "contains a control character (U+000A) at position 5"),
    "5,000 characters": ("D" * 5000, "longer than 200 characters (5000)"),
    "an escape": ("Dana\x1b[2J", "contains a control character (U+001B) at position 5"),
}


@pytest.mark.parametrize("bad", BAD_NAMES.values(), ids=BAD_NAMES.keys())
@pytest.mark.parametrize(
    ("args", "where"),
    [
        (("reassign", "1"), "reassign.to"),
        (("spokesperson", "1"), "spokesperson.name"),
        (("fix", "1", "New sofa", "--gesture", "voucher", "--value", "100", "--approved-by"), None),
    ],
    ids=["reassign", "spokesperson", "approved-by"],
)
def test_names_in_reassign_spokesperson_and_approved_by_follow_the_name_rules_on_both_backends(
    one_public_case: str, rostered: Path, args: tuple[str, ...], where: str | None, bad: tuple[str, str]
) -> None:
    name, problem = bad
    result = run_cli(one_public_case, rostered, *args, name, "--as", "Billy")
    where = where or "fix.gesture.approved_by"
    # The same refusal on SQLite and PostgreSQL (no StringDataRightTruncation from a too-narrow column).
    assert (result.exit_code, result.stderr) == (1, f"shiftdesk: error: {where}: {problem}\n")
    shown = run_cli(one_public_case, rostered, "show", "1", "--json").stdout
    assert '"stage": "reviewed"' in shown and name[:20] not in shown


def test_names_are_matched_to_the_roster_whatever_their_case(one_public_case: str, rostered: Path) -> None:
    for args in (
        ["spokesperson", "1", "  dana   REYES "],
        ["fix", "1", "New sofa", "--gesture", "voucher", "--value", "100", "--approved-by", "maria lopez"],
        ["reassign", "1", "DANA reyes", "--as", "maria LOPEZ"],
        ["check-back", "1", "Called her", "--as", "billy"],  # the owner, typed in lower case
    ):
        result = run_cli(one_public_case, rostered, *args)
        assert result.exit_code == 0, result.output
    case = json.loads(run_cli(one_public_case, rostered, "show", "1", "--json").stdout)
    data = {event["action"]: (event["actor"], event.get("data")) for event in case["events"]}
    assert data["spokesperson"][1] == {"name": "Dana Reyes"}
    assert data["fix"][1]["gesture"]["approved_by"] == "Maria Lopez"
    assert data["reassign"] == ("Maria Lopez", {"to": "Dana Reyes", "from": "Billy"})
    assert data["check-back"][0] == "Billy"
    assert case["assignee"] == "Dana Reyes"
    # A name nobody configured is kept as typed (a temp worker), only trimmed.
    assert run_cli(one_public_case, rostered, "reassign", "1", "  Sam Temp ").exit_code == 0
    assert (
        json.loads(run_cli(one_public_case, rostered, "show", "1", "--json").stdout)["assignee"] == "Sam Temp"
    )


@pytest.mark.parametrize(
    ("typed", "stored", "refused"),
    [
        ("omar FAROUK", "Omar Farouk", None),
        ("O" * 300, None, "approved_by: longer than 200 characters (300)"),
    ],
    ids=["roster-spelling", "too-long"],
)
async def test_the_dashboards_fix_form_takes_the_same_name_rules(
    sqlite_url: str, typed: str, stored: str | None, refused: str | None
) -> None:
    from core.cases import Stage
    from core.payloads import FixPayload
    from storage import views
    from tests.test_tui_flows import highlight, rendered, started
    from tests.tui_fixtures import build_shift
    from tui.app import ShiftdeskApp
    from tui.screens.form import FormScreen

    shift = build_shift(sqlite_url)
    case_id = shift.ids["reviewed"]
    app = ShiftdeskApp(shift.service, actor="Billy Okafor", poll_seconds=0.05, hotspots=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await highlight(pilot, case_id)
        await pilot.press("f", *"Replaced the sofa", "enter", *"upgrade", "enter", *"80", "enter", "enter")
        approver = app.screen.query_one("#field-approved_by")
        approver.value = typed
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        if refused is not None:
            assert isinstance(app.screen, FormScreen)
            assert refused in rendered(app.screen.query_one("#form-error"))
            assert shift.service.get(case_id).stage is Stage.REVIEWED
            return
        assert app.screen is app.main_screen
    [fix] = [e for e in views.case_detail(shift.service.database, case_id).events if e.action.value == "fix"]
    assert isinstance(fix.payload, FixPayload) and fix.payload.gesture is not None
    assert fix.payload.gesture.approved_by == stored


IMPORT_HEADER = "opened_at,customer,category,site,product,staff,apologized_at,reviewed_at,fixed_at,gesture,"
IMPORT_HEADER += "gesture_value,description"


@pytest.mark.parametrize("fmt", ["md", "csv", "json"])
def test_the_summary_flags_an_imported_gesture_above_the_givers_limit_in_every_format(
    database_url: str, rostered: Path, tmp_path: Path, fmt: str
) -> None:
    rows = [
        "2026-11-25T09:00,Ada,late,Harbour Road,Sofa,Billy,09:05,09:10,09:15,voucher,999999,Sofa late",
        "2026-11-25T10:00,Bo,late,Harbour Road,Bed,Billy,10:05,10:10,10:15,voucher,10,Bed late",
    ]
    csv_file = tmp_path / "today.csv"
    rows = [row.replace(",09:", ",2026-11-25T09:").replace(",10:", ",2026-11-25T10:") for row in rows]
    csv_file.write_text("\n".join([IMPORT_HEADER, *rows]) + "\n", encoding="utf-8")
    imported = run_cli(database_url, rostered, "import", str(csv_file), "--as", "Billy")
    assert imported.exit_code == 0, imported.output  # the import itself lets it through (history is history)
    period = ["--from", "2026-11-25T08:00", "--to", "2026-11-25T15:00", "--format", fmt]
    result = run_cli(database_url, rostered, "export", *period)
    assert result.exit_code == 0, result.output
    reason = "a gesture of 999999 is above Billy's limit of 25 and has no approver"
    if fmt == "json":
        document = json.loads(result.stdout)
        assert document["gestures_unapproved"] == [1]
        assert [g["unapproved"] for g in document["gestures"]] == [reason, None]
    elif fmt == "csv":
        import csv
        import io

        lines = list(csv.DictReader(io.StringIO(result.stdout)))
        assert [line["gesture_unapproved"] for line in lines] == [reason, ""]
    else:
        assert "| gestures above the giver's limit without a valid approver | 1 |" in result.stdout
        assert f"NOT APPROVED — {reason}" in result.stdout
        assert "Above the giver's limit without a valid approver: #1." in result.stdout.replace("\\#", "#")


def test_an_approver_nobody_configured_approves_nothing() -> None:
    from core.policy import AuthorityPolicy

    policy = AuthorityPolicy(default_limit=25, limits={"Maria Lopez": 500})
    assert policy.unapproved("Billy", 100, "maria lopez") is None
    assert policy.unapproved("Billy", 20, None) is None
    # A made-up name would have had the default limit, enough for 25: it is no approver at all.
    assert policy.unapproved("Billy", 25.5, "Nobody Real") == (
        "the approver Nobody Real has no limit in [authority] to approve a gesture of 25.5"
    )
    assert "above the approver Maria Lopez's limit of 500 too" in (
        policy.unapproved("Billy", 501, "Maria Lopez") or ""
    )
    assert "finite" in (policy.unapproved("Billy", float("nan"), "Maria Lopez") or "")


def test_the_timeline_and_the_exports_name_the_os_account_where_it_is_not_the_actor() -> None:
    import io

    from rich.console import Console

    from core.cases import Action, CaseHistory, Event, Gesture
    from core.export_formats import to_markdown
    from core.payloads import ApologizePayload, FixPayload, OpenPayload, ReviewPayload
    from core.summary import summarize
    from storage.views import CaseDetail
    from tests.test_summary import CALENDAR, END, POLICY, START, m
    from tests.tui_fixtures import new_case
    from tui.screens.case_view import timeline_table

    case = new_case("Ada", 0, "Billy", id=1, opened_at=m(5))
    claimed = Event(m(5), "Billy", Action.OPEN, "Sofa late", OpenPayload(), os_user="mallory", host="kiosk-2")
    own = Event(m(6), "Billy", Action.APOLOGIZE, "Sorry", ApologizePayload(), os_user="billy", host="desk-1")
    reviewed = Event(m(7), "Billy", Action.REVIEW, "Late", ReviewPayload("a date"), os_user="billy")
    given = FixPayload(Gesture("voucher", 10.0, None))
    fixed = Event(
        m(20), "Billy", Action.FIX, "New sofa", given, recorded_by="Omar", os_user="kiosk", host="d3"
    )
    assert (claimed.os_account, own.os_account) == ("mallory@kiosk-2", None)  # billy is Billy's own
    assert fixed.recorder_note == "recorded by Omar; OS user kiosk@d3"
    # Omar's own login recording Billy's step: who recorded it is said, the login adds nothing.
    by_omar = replace(fixed, os_user="omar")
    assert by_omar.recorder_note == "recorded by Omar"

    console = Console(file=io.StringIO(), width=200, color_system=None)
    console.print(timeline_table(CaseDetail(case, [claimed, own, fixed], None), UTC))
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert "Sofa late  (OS user mallory@kiosk-2)" in shown
    assert "Sorry  (" not in shown
    assert "(recorded by Omar; OS user kiosk@d3)" in shown

    summary = summarize(
        [CaseHistory(case, [claimed, own, reviewed, fixed])], START, END, END, POLICY, CALENDAR
    )
    assert "| Billy (OS user kiosk@d3) |" in to_markdown(summary, CALENDAR.zone)


@pytest.mark.parametrize(
    ("login", "person", "fits"),
    [
        ("omar", "Omar Farouk", True),
        ("farouk", "Omar Farouk", True),
        ("omar.farouk", "Omar Farouk", True),
        ("OFarouk", "Omar Farouk", True),
        ("omarf", "Omar Farouk", True),
        ("billy", "Omar Farouk", False),
        ("om", "Omar Farouk", False),
        ("mallory", "Billy", False),
        ("", "Billy", False),
    ],
)
def test_a_login_is_taken_as_the_persons_own_only_in_the_usual_shapes(
    login: str, person: str, fits: bool
) -> None:
    from core.cases import login_fits

    assert login_fits(login, person) is fits


def test_the_demo_never_deletes_a_db_file_holding_cases_unless_told(tmp_path: Path, london: Path) -> None:
    url = f"sqlite:///{tmp_path}/real.db"
    old = datetime(2026, 11, 20, 9, tzinfo=UTC)  # five days before NOW: the demo would call it stale
    assert run_cli(url, london, *ADD, now=old).exit_code == 0
    result = run_cli(url, london, "demo", "--no-open")
    assert result.exit_code == 1
    assert "already holds cases" in result.stderr and "--fresh" in result.stderr
    shown = run_cli(url, london, "show", "1", "--json")
    assert shown.exit_code == 0 and json.loads(shown.stdout)["customer"] == "Ada"
