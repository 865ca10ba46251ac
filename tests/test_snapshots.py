"""Screens as a supervisor sees them, at a fixed instant: main screen, case view and reassign picker, at
120×40 and 80×24 (pytest-textual-snapshot; `pytest --snapshot-update` after a deliberate change)."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.tui_fixtures import build_shift
from tui.app import ShiftdeskApp

SIZES = [pytest.param((120, 40), id="120x40"), pytest.param((80, 24), id="80x24")]


@pytest.fixture
def app(sqlite_url: str) -> ShiftdeskApp:
    shift = build_shift(sqlite_url)
    app = ShiftdeskApp(shift.service, actor="Omar Farouk", poll_seconds=60, hotspots=False, auto_export=False)
    app.fixture_ids = shift.ids  # type: ignore[attr-defined]
    return app


async def settle(pilot) -> None:
    app = pilot.app
    await app.loaded.wait()
    await pilot.pause()
    app.clear_notifications()  # start-up toasts time out by the wall clock: not part of the picture
    for box in app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


async def highlight(pilot, key: str) -> None:
    app = pilot.app
    table = app.table
    table.move_cursor(row=table.get_row_index(str(app.fixture_ids[key])))
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_main_screen(snap_compare, app, size):
    assert snap_compare(app, terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_case_view(snap_compare, app, size):
    async def open_case(pilot) -> None:
        await settle(pilot)
        await highlight(pilot, "documented")
        await pilot.press("enter")
        await pilot.pause(0.3)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=open_case)


@pytest.mark.parametrize("size", SIZES)
def test_reassign_picker(snap_compare, app, size):
    async def open_picker(pilot) -> None:
        await settle(pilot)
        await highlight(pilot, "reviewed")
        await pilot.press("r")
        await pilot.pause()
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=open_picker)
