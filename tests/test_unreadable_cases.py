"""A stored case row that intake would refuse (written by another tool or an older version) never takes the
board down: list, show, export and the dashboard show it, marked, and every other case as usual."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text

from core.case_fields import READ_ORDER
from core.cases import UnreadableCase
from storage import views
from storage.database import Database
from tests.test_export_cli import FrozenRuntime
from tests.tui_fixtures import NOW, build_shift
from tui.cli import main

# Columns copied from a good case into the bad one, each changed as another tool might have written it.
BAD_ROWS = {
    "year 9999": {"opened_at": "'9999-12-31 23:59:00'"},
    "year 1": {"opened_at": "'0001-01-02 00:00:00'"},
    "unknown choices": {"tier": "'gold'", "channel": "'pigeon'", "stage": "'limbo'"},
    "terminal controls": {"customer": "'Eve' || char(27) || '[2J' || char(27) || ']0;pwned' || char(7)"},
}
# SQLite keeps whatever text another tool writes in a time column; PostgreSQL's timestamptz refuses it.
SQLITE_ONLY = {"not a time": {"opened_at": "'yesterday'"}, "no time at all": {"fixed_at": "'2026-13-45'"}}


def plant(url: str, changes: dict[str, str]) -> int:
    """Copy the first case (with its opening event) as a new row holding `changes`, by raw SQL."""
    database = Database(url)
    postgres = not database.is_sqlite
    columns = [name for name in READ_ORDER if name != "id"] + ["last_event_id"]
    chosen = []
    for name in columns:
        value = changes.get(name, name)
        if postgres:
            value = value.replace("char(", "chr(")
            if name.endswith("_at") and name in changes:
                value = f"CAST({value} || '+00' AS timestamptz)"
        chosen.append(value)
    with database.engine.begin() as connection:
        connection.execute(
            text(
                f"INSERT INTO cases ({', '.join(columns)}) SELECT {', '.join(chosen)} FROM cases WHERE id = 1"
            )
        )
        new_id = connection.execute(text("SELECT max(id) FROM cases")).scalar_one()
        copied = (
            "SELECT :new, at, actor, action, text, data FROM events WHERE case_id = 1 AND action = 'open'"
        )
        connection.execute(
            text(f"INSERT INTO events (case_id, at, actor, action, text, data) {copied}"), {"new": new_id}
        )
    database.dispose()
    return int(new_id)


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), obj=FrozenRuntime(url, "", NOW))


@pytest.mark.parametrize("kind", BAD_ROWS)
def test_a_bad_row_is_listed_shown_and_exported_marked_and_the_rest_still_works(
    database_url: str, kind: str
) -> None:
    check_marked_everywhere(database_url, BAD_ROWS[kind])


@pytest.mark.parametrize("kind", SQLITE_ONLY)
def test_text_that_is_no_time_in_a_sqlite_time_column_is_marked_too(sqlite_url: str, kind: str) -> None:
    check_marked_everywhere(sqlite_url, SQLITE_ONLY[kind])


def test_a_time_another_tool_stored_with_an_offset_is_read_as_its_instant(sqlite_url: str) -> None:
    build_shift(sqlite_url).service.database.dispose()
    planted = plant(sqlite_url, {"opened_at": "'2026-11-25T14:00:00+05:00'"})
    case = views.case_detail(Database(sqlite_url), planted).case
    assert not isinstance(case, UnreadableCase)
    assert case.opened_at == datetime(2026, 11, 25, 9, tzinfo=UTC)


def check_marked_everywhere(database_url: str, changes: dict[str, str]) -> None:
    shift = build_shift(database_url)
    shift.service.database.dispose()
    bad = plant(database_url, changes)

    [marked] = [case for case in views.list_cases(Database(database_url)) if case.id == bad]
    assert isinstance(marked, UnreadableCase) and marked.problems
    listed = run(database_url, "list")
    assert listed.exit_code == 0, listed.output
    assert "Traceback" not in listed.output and "unexpected" not in listed.output
    row = next(line for line in listed.stdout.splitlines() if line.split()[0] == str(bad))
    assert "UNREADABLE" in row
    assert all(str(case_id) in listed.stdout for case_id in shift.ids.values())  # the rest is listed
    shown = run(database_url, "show", str(bad))
    assert shown.exit_code == 0, shown.output
    assert "stored values that cannot be used as they are" in shown.stdout
    assert "\x1b" not in shown.stdout
    document = json.loads(run(database_url, "show", str(bad), "--json").stdout)
    assert document["unreadable"] == list(marked.problems)
    assert "unreadable" not in json.loads(run(database_url, "show", "1", "--json").stdout)
    for fmt in ("md", "csv", "json"):
        exported = run(database_url, "export", "--from", "2026-11-25T06:00", "--to", "2026-11-25T22:00",
                       "--format", fmt)  # fmt: skip
        assert exported.exit_code == 0, exported.output
        assert "\x1b" not in exported.stdout
        if fmt == "json":
            assert json.loads(exported.stdout)["unreadable"] == [bad]
        elif fmt == "md":
            assert f"`shiftdesk show ID` says what): #{bad}." in exported.stdout
    assert run(database_url, "list", "--json").exit_code == 0


@pytest.mark.parametrize("kind", ["year 9999", "unknown choices", "terminal controls"])
async def test_the_dashboard_shows_the_bad_row_marked_and_opens_it(database_url: str, kind: str) -> None:
    from tests.test_demo_payloads import shown_case
    from tests.tui_fixtures import quiet_app, started_quietly
    from tui.screens.case_view import fields_table
    from tui.widgets.open_cases import OpenCasesTable

    shift = build_shift(database_url)
    bad = plant(database_url, BAD_ROWS[kind])
    app = quiet_app(shift)
    async with app.run_test(size=(120, 40)) as pilot:  # type: ignore[attr-defined]
        await started_quietly(pilot)
        table = app.main_screen.query_one(OpenCasesTable)  # type: ignore[attr-defined]
        shown = {int(str(key.value)): table.get_row(key) for key in table.rows}
        assert set(shift.ids.values()) - {shift.ids.get("closed")} <= set(shown)  # the others, as usual
        assert bad in shown and "UNREADABLE" in shown[bad][2].plain
        table.move_cursor(row=table.get_row_index(str(bad)))
        await pilot.pause()
        await pilot.press("enter")
        screen = await shown_case(pilot, bad)
        detail = screen.detail  # type: ignore[attr-defined]
        assert isinstance(detail.case, UnreadableCase)
        from io import StringIO

        from rich.console import Console

        console = Console(file=StringIO(), width=160, color_system=None)
        console.print(fields_table(detail, shift.service.settings.zone))
        drawn = console.file.getvalue()  # type: ignore[attr-defined]
        assert "UNREADABLE" in drawn and "\x1b" not in drawn
