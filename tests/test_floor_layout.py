"""The dashboard at the sizes supervisors run it (160×48, 80×24): the open-cases columns fit the pane (no
horizontal scrollbar; the Next column whole; the customer name gives way), Home/End go to the first/last
case, and at 80×24 the header's counts, eight case rows, the nearest countdowns and the footer's keys."""

from __future__ import annotations

from typing import cast

import pytest
from textual.widgets._toast import Toast

from tests.screen_helpers import busy, screen_lines
from tests.tui_fixtures import Shiftdesk, build_shift, quiet_app, started_quietly
from tui.app import ShiftdeskApp
from tui.clockface import local_time
from tui.widgets.open_case_columns import COLUMNS, fit_widths
from tui.widgets.open_cases import OpenCasesTable

SIZES = [pytest.param((160, 48), id="160x48"), pytest.param((80, 24), id="80x24")]


@pytest.fixture
def shift(sqlite_url: str) -> Shiftdesk:
    return busy(build_shift(sqlite_url))


def make_app(shift: Shiftdesk) -> ShiftdeskApp:
    return cast(ShiftdeskApp, quiet_app(shift))


async def started(pilot) -> ShiftdeskApp:
    return cast(ShiftdeskApp, await started_quietly(pilot))


def next_text(app: ShiftdeskApp, case_id: int) -> str:
    deadline = app.board.next_deadline(case_id)
    if deadline is None:
        return "—"
    return f"{deadline.kind} {local_time(deadline.due_at, app.settings.zone)}"


@pytest.mark.parametrize("size", SIZES)
async def test_the_columns_fit_the_pane_and_the_next_column_is_whole(shift, size):
    app = make_app(shift)
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        table = app.main_screen.query_one(OpenCasesTable)
        assert table.max_scroll_x == 0 and not table.show_horizontal_scrollbar
        lines = screen_lines(app)
        assert any("Next deadline" in line for line in lines)
        # Every case row on screen shows its next deadline whole (kind and time), the longest kind too.
        shown = 0
        for case_id in list(app.board.cases):
            row = [line for line in lines if f" {case_id} " in line[:12]]
            if row:
                shown += 1
                assert next_text(app, case_id) in row[0], row[0]
        assert shown >= 8
        await pilot.press("right", "right")
        assert table.scroll_x == 0
        assert any(line.lstrip("│╭ ").startswith("#") for line in screen_lines(app))


@pytest.mark.parametrize("size", SIZES)
async def test_home_and_end_go_to_the_first_and_last_case(shift, size):
    app = make_app(shift)
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        table = app.main_screen.query_one(OpenCasesTable)
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1
        assert table.scroll_x == 0 and table.scroll_y > 0
        await pilot.press("home")
        assert table.cursor_row == 0 and table.scroll_y == 0


def test_the_urgent_columns_never_give_way():
    wanted = {key: width for key, _label, width in COLUMNS}
    for available in range(62, 200):
        widths = fit_widths(available)
        assert sum(widths.values()) <= available
        # "owner-check-back 15:40", the widest Next, always whole; so are the case number and the stage.
        for key in ("id", "next", "stage"):
            assert widths[key] == wanted[key]
        assert widths["customer"] >= 8


async def test_at_80x24_the_header_counts_nearest_countdowns_and_footer_keys_show(shift):
    app = make_app(shift)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        lines = screen_lines(app)
        open_count, due_soon, overdue = app.board.counts(app.now())
        header = lines[0]
        for count in (f"open {open_count}", f"due ≤5m {due_soon}", f"overdue {overdue}"):
            assert count in header, header
        # The nearest deadlines, soonest first: the first four lines of the countdown pane.
        nearest = app.board.all_deadlines()[:4]
        text = "\n".join(lines)
        for deadline in nearest:
            assert f"#{deadline.case_id} {deadline.kind}" in text
        # The footer whole: help, every recovery key with its word, and quit last (/ t e g are in help).
        footer = lines[-1]
        for key, word in (
            ("?", "Help"),
            ("a", "Apo"),
            ("v", "Rev"),
            ("u", "Upd"),
            ("p", "Paus"),
            ("f", "Fix"),
            ("o", "F-up"),
            ("d", "Dep"),
            ("c", "Cls"),
            ("r", "Reas"),
            ("n", "New"),
        ):
            assert f" {key} {word} " in footer, footer
        assert footer.rstrip().endswith("q Quit"), footer


async def test_at_80x24_no_toast_covers_an_open_form(shift):
    app = make_app(shift)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await started(pilot)
        await pilot.press("home", "a")  # the apology form of the first case
        await pilot.pause()
        fields = app.screen.query_one("#form-fields")
        # A breach while the supervisor types: its toast (and a long one) must not land on the fields.
        shift.clock.advance(minutes=20)
        await app.alerts.fire_warnings()
        app.notify("x " * 200, timeout=30)
        await pilot.pause()
        assert app._notifications
        # What the terminal shows on the fields' rows: the form, no toast's text.
        region = fields.region
        for line in screen_lines(app)[region.y : region.bottom]:
            assert "x x x" not in line and "Overdue" not in line, line
        await pilot.press("escape")
        await pilot.pause()
        toasts = [
            toast for toast in app.screen.query(Toast) if toast in app.screen._compositor.visible_widgets
        ]
        assert toasts  # back on the dashboard, the toasts show
        assert all(toast.region.height <= 6 for toast in toasts)
