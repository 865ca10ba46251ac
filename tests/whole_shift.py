"""A whole shift on the demo's own data, as a supervisor works it: every screen, every form, two terminals.

At 160×48, at 80×24 and under NO_COLOR, with Pilot pressing keys: every recent deposition and every open
case is opened from its pane, every hotspot lists its cases and opens one, every recovery form is filled
with Enter alone (the stored event must say what was chosen), a case is handed over and a new one opened;
no exception, no notification of an error, and nothing drawn outside the terminal.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual import events
from textual.widgets import DataTable, OptionList

from core.absence import agents_at
from core.cases import Action, Case
from core.demo import build_demo
from core.workflow import allowed_actions
from storage import views
from storage.database import Database
from tests.test_demo_payloads import demo_service, shown_case, tab_to_depositions
from tui.app import ShiftdeskApp
from tui.forms import CASE_FORMS
from tui.screens.case_view import CaseScreen
from tui.screens.form import FormScreen
from tui.screens.keys import MAIN_KEYS
from tui.screens.trends import TrendsScreen
from tui.widgets.open_cases import OpenCasesTable

# The key of each recovery form, read off the bindings the user sees (`form('fix')` → "f").
FORM_KEYS = {
    match.group(1): binding.key
    for binding in MAIN_KEYS
    if (match := re.fullmatch(r"form\('(\w+)'\)", binding.action))
}
# The walk for each terminal is its own test file (test_whole_shift_*.py) so that the two run side by side
# on separate workers: together they are the suite's longest minute.


@pytest.fixture(scope="module")
def shift_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo's 90 days and its running shift, stored as `demo` stores it."""
    url = f"sqlite:///{tmp_path_factory.mktemp('whole-shift')}/demo.db"
    service = demo_service(url)
    data = build_demo(service.clock.now(), service.settings.zone)
    service.import_histories([*data.history, *data.shift_cases])
    service.database.dispose()
    return url


def fresh_copy(url: str, tmp_path: Path) -> str:
    """Each terminal works its own copy: the forms write, and every run starts from the same shift."""
    source = Path(url.removeprefix("sqlite:///"))
    target = tmp_path / "shift.db"
    target.write_bytes(source.read_bytes())
    return f"sqlite:///{target}"


def assert_within_the_terminal(app: ShiftdeskApp) -> None:
    width = app.size.width
    for widget in app.screen.walk_children():
        if widget.display and widget.region.area:  # below the fold is fine (panes scroll); beside it is not
            assert widget.region.right <= width, (widget, widget.region, app.size)
    for table in app.screen.query(DataTable):
        assert not table.show_horizontal_scrollbar, f"{table} scrolls sideways at {app.size}"


def assert_no_error_toast(app: ShiftdeskApp) -> None:
    errors = [note.message for note in app._notifications if note.severity == "error"]
    assert not errors, errors


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Until the workers a key started (a service call, a reload after it) are done and painted."""
    for _ in range(2):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def fill_with_enter_only(pilot, form: FormScreen) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Fill each field in turn and press Enter, as the form's hint says; returns what was chosen.

    Text goes in as a terminal's paste: typing key by key is walked in test_floor_ready, and a key costs
    the Pilot about 90 ms of waiting for the app to go idle (typed, this walk took a minute)."""
    chosen: dict[str, object] = {}
    for field in form.spec.fields:
        if field.kind == "either":
            await pilot.press("1")  # the first option, by its number: Enter alone never chooses
            chosen[field.name] = field.choices[0]
        elif field.kind == "text" and field.required and not field.initial:
            text = "process" if field.name == "factors" else f"whole shift {field.name}"
            pilot.app.post_message(events.Paste(text))
            await pilot.pause()
            chosen[field.name] = text
        await pilot.press("enter")
    return chosen


def row_case_id(table: DataTable[object]) -> int:
    """The case id of the row under a table's cursor (rows are keyed by case id)."""
    return int(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))


def case_for(app: ShiftdeskApp, action: Action, done: set[int]) -> Case | None:
    """An open case of the board on which `action` is possible now (one not used yet, if there is one)."""
    possible = [case for case in app.board.cases.values() if action in allowed_actions(case)]
    fresh = [case for case in possible if case.id not in done]
    return (fresh or possible or [None])[0]


async def walk_a_whole_shift(
    shift_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
    no_color: bool,
    walk_all: bool,
) -> None:
    """The shift in one terminal; `walk_all` opens every deposition and hotspot, not only the first three."""
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    url = fresh_copy(shift_url, tmp_path)
    database = Database(url)
    depositions = [line.case_id for line in views.recent_depositions(database, 30)]
    app = ShiftdeskApp(
        demo_service(url), actor="Omar Farouk", poll_seconds=60, hotspots=True, auto_export=False
    )
    async with app.run_test(size=size, notifications=True) as pilot:
        await app.loaded.wait()
        await settle(pilot)
        assert app.no_color is no_color
        main = app.main_screen
        assert_within_the_terminal(app)

        # Every recent deposition, from its pane: Tab there, Enter, Esc back.
        await tab_to_depositions(pilot)
        for case_id in depositions if walk_all else depositions[:3]:
            await pilot.press("enter")
            screen = await shown_case(pilot, case_id)
            assert_within_the_terminal(app)
            assert screen.detail is not None and screen.detail.deposition is not None
            await pilot.press("escape")
            await pilot.press("down")

        # Every open case, from the table: Enter on each row in turn.
        table = main.query_one(OpenCasesTable)
        table.focus()
        await pilot.press("home")
        open_ids = [case.id for case in app.board.cases.values()]
        assert len(open_ids) > 20
        for _ in open_ids:
            await pilot.press("enter")
            screen = app.screen
            assert isinstance(screen, CaseScreen)
            await shown_case(pilot, screen.case_id)
            assert_within_the_terminal(app)
            await pilot.press("escape", "down")

        # Every hotspot, its cases listed in sight, and one of them opened.
        await pilot.press("t")
        await settle(pilot)
        trends = app.screen
        assert isinstance(trends, TrendsScreen)
        assert_within_the_terminal(app)
        hotspots = list(trends.hotspots)
        assert hotspots, "the demo plants patterns: the trends screen must find some"
        options = trends.query_one("#hotspot-list", OptionList)
        for index in range(len(hotspots) if walk_all else min(3, len(hotspots))):
            options.focus()
            options.highlighted = index
            await pilot.press("enter")
            await settle(pilot)
            cases = trends.query_one("#hotspot-cases", DataTable)
            assert cases.row_count > 0 and cases.has_focus
            assert_within_the_terminal(app)
            await pilot.press("enter")
            await shown_case(pilot, row_case_id(cases))
            await pilot.press("escape")
            await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is main

        # Every recovery form, filled with Enter alone, on a case where it is possible now.
        done: set[int] = set()
        for name, form in CASE_FORMS.items():
            case = case_for(app, form.action, done)
            if case is None or case.id is None:
                continue  # nothing on this shift can take it now (checked below: most forms ran)
            done.add(case.id)
            main.open_case_screen(case.id)
            view = await shown_case(pilot, case.id)
            await pilot.press(FORM_KEYS[name])
            await pilot.pause()
            form_screen = app.screen
            assert isinstance(form_screen, FormScreen), (name, case.id, case.stage)
            assert_within_the_terminal(app)
            chosen = await fill_with_enter_only(pilot, form_screen)
            await settle(pilot)
            assert app.screen is view, (name, [n.message for n in app._notifications])
            [last] = views.case_detail(database, case.id).events[-1:]
            assert last.action is form.action, (name, last)
            typed = [value for value in chosen.values() if isinstance(value, str) and "whole shift" in value]
            if typed and last.text:
                assert last.text in typed or any(value in last.text for value in typed), (name, last.text)
            if "satisfied" in chosen:
                assert getattr(last.payload, "satisfied", None) is (chosen["satisfied"] == "satisfied")
            await pilot.press("escape")
            await settle(pilot)
        assert len(done) >= len(CASE_FORMS) - 3, f"forms that ran: {len(done)} of {len(CASE_FORMS)}"

        # A hand-over by typing a name's start, and a new case.
        table.focus()
        await pilot.press("home")
        handed = app.board.cases[row_case_id(table)]
        # Someone on the shift running now (the demo deals its cases to that shift, whatever the hour).
        taker = next(
            person for person in agents_at(app.settings.calendar, app.now()) if person != handed.assignee
        )
        await pilot.press("r", *taker.split()[0].casefold(), "enter")
        await settle(pilot)
        assert app.screen is main
        assert views.case_detail(database, handed.id or 0).case.assignee == taker
        await pilot.press("n")
        new_form = app.screen
        assert isinstance(new_form, FormScreen)
        await fill_with_enter_only(pilot, new_form)
        await settle(pilot)
        assert app.screen is main
        newest = max(case.id or 0 for case in views.list_cases(database))
        assert views.case_detail(database, newest).case.customer == "whole shift customer"
        assert_within_the_terminal(app)
        assert_no_error_toast(app)
    database.dispose()
