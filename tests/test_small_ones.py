"""The small things a supervisor noticed: dated older depositions, one "Keys" in the palette, Tab in help,
a time axis under the sparklines, a deadline met late that says so."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

import pytest

from core.deadlines import Deadline
from storage.views import DepositionLine
from tests.screen_helpers import screen_lines
from tests.tui_fixtures import NOW, ZONE, Shiftdesk, build_shift, quiet_app, started_quietly
from tui.app import ShiftdeskApp
from tui.screens.case_view import deadline_cells
from tui.screens.help import HelpScreen
from tui.widgets.depositions import RecentDepositions


@pytest.fixture
def shift(sqlite_url: str) -> Shiftdesk:
    return build_shift(sqlite_url)


def make_app(shift: Shiftdesk) -> ShiftdeskApp:
    return cast(ShiftdeskApp, quiet_app(shift))


async def started(pilot) -> ShiftdeskApp:
    return cast(ShiftdeskApp, await started_quietly(pilot))


async def test_recent_depositions_from_before_today_show_their_date(shift):
    app = make_app(shift)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        pane = app.main_screen.query_one(RecentDepositions)
        today = DepositionLine(7, NOW - timedelta(minutes=30), "Ann", "Today Person", "late delivery", "x")
        older = DepositionLine(
            8, NOW - timedelta(days=1, hours=2), "Ann", "Yesterday Person", "wrong item", "y"
        )
        pane.show([today, older], ZONE, NOW)
        await pilot.pause()
        shown = [str(pane.get_option_at_index(index).prompt) for index in range(pane.option_count)]
        assert shown[0].startswith("14:30 #7 ")
        assert shown[1].startswith("Tue 24 Nov 13:00 #8 ")


async def test_the_palette_lists_the_keys_once(shift):
    app = make_app(shift)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert len([title for title in titles if title.startswith("Keys")]) == 1, titles


async def test_help_names_tab_for_moving_between_panes(shift):
    app = make_app(shift)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(screen_lines(app))
        assert "Tab" in text and "between panes" in text


async def test_the_sparklines_have_a_time_axis(shift):
    app = make_app(shift)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        lines = screen_lines(app)
        axis = [line for line in lines if "24 h ago" in line]
        assert axis and "now" in axis[0].split("24 h ago")[1]


async def test_after_a_conflict_the_forms_header_shows_the_case_as_it_is_now(shift):
    from core.cases import Action
    from tui.screens.form import FormScreen

    app = make_app(shift)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        case_id = shift.ids["apologized"]
        app.table.move_cursor(row=app.table.get_row_index(str(case_id)))
        await pilot.press("v")  # the review form, on an apologized case
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        assert "apologized" in "\n".join(screen_lines(app))
        # Meanwhile another supervisor reviews it.
        shift.service.act(case_id, Action.REVIEW, "Grace Liu", "Seen to", {"needs": "a call"})
        await pilot.press(*"It came late", "enter", *"a new date", "ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        assert isinstance(app.screen, FormScreen)
        header = [line for line in screen_lines(app) if f"#{case_id} · " in line]
        assert header and "reviewed" in header[0] and "apologized" not in header[0], header


@pytest.mark.parametrize(("met_after", "left"), [(-3, "met"), (0, "met"), (4, "met late")])
def test_the_left_column_of_a_deadline_met_late_says_late(met_after: int, left: str) -> None:
    """A follow-up done 4 minutes late read "met" in the case view's left column: without colour, only the
    state column (far right) told it from one met in time."""
    due = NOW - timedelta(hours=1)
    deadline = Deadline(7, "follow-up", due, "Hana Sato", met_at=due + timedelta(minutes=met_after))
    assert deadline_cells(deadline, NOW, ZONE)[0] == left
