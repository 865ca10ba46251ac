"""The case view follows its case live: after its own form, after another terminal's change, and its
countdowns tick each second from the wall clock (`app.now()`)."""

from __future__ import annotations

import pytest

from tests.test_tui_flows import highlight, rendered
from tests.tui_fixtures import Shiftdesk, build_shift
from tui.app import ShiftdeskApp
from tui.screens.case_view import CaseScreen

SIZE = (120, 40)


@pytest.fixture
def shift(sqlite_url: str) -> Shiftdesk:
    return build_shift(sqlite_url)


def make_app(shift: Shiftdesk, poll: float = 60) -> ShiftdeskApp:
    """By default live sync stays out of it (a minute's poll): the view must follow its own actions itself."""
    return ShiftdeskApp(
        shift.service, actor="Omar Farouk", poll_seconds=poll, hotspots=False, auto_export=False
    )


async def open_case(pilot, case_id: int) -> CaseScreen:
    app = pilot.app
    await app.loaded.wait()
    await pilot.pause()
    await highlight(pilot, case_id)
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(app.screen, CaseScreen)
    return app.screen


async def settled(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.1)


async def test_a_form_filed_from_the_case_view_shows_in_it(shift):
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_case(pilot, shift.ids["fixed"])
        assert "· fixed ·" in rendered(view.query_one("#case-title"))
        await pilot.press("o", *"Happy with the courier", "enter", "s", "ctrl+s")  # s: satisfied
        await settled(pilot)
        assert app.screen is view
        assert "· followed-up ·" in rendered(view.query_one("#case-title"))
        assert "follow-up" in rendered(view.query_one("#case-timeline")).split("Timeline")[-1]
        assert "deposition" in rendered(view.query_one("#case-deadlines"))


async def test_a_deposition_filed_from_the_case_view_shows_in_it(shift):
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_case(pilot, shift.ids["fixed"])
        await pilot.press("o", *"Happy", "enter", "s", "ctrl+s")
        await settled(pilot)
        await pilot.press("d")
        await pilot.pause()
        for text in ("Late", "A date", "Courier", "Stock count wrong", "process"):
            await pilot.press(*text, "enter")
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert app.screen is view
        assert "· documented ·" in rendered(view.query_one("#case-title"))
        deposition = rendered(view.query_one("#case-deposition"))
        assert "no deposition yet" not in deposition and "Stock count wrong" in deposition


async def test_a_change_from_another_terminal_shows_in_the_open_case_view(shift):
    app = make_app(shift, poll=0.05)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_case(pilot, shift.ids["fixed"])
        shift.service.follow_up(shift.ids["fixed"], "Billy Okafor", "Fine now", satisfied=True)
        await pilot.pause(0.3)
        await settled(pilot)
        assert "· followed-up ·" in rendered(view.query_one("#case-title"))


async def test_the_case_view_countdowns_tick_from_the_clock(shift):
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_case(pilot, shift.ids["markup"])  # fix-or-update due 15:08: 08:00 left
        assert "08:00" in rendered(view.query_one("#case-deadlines"))
        shift.clock.advance(seconds=7)
        await pilot.pause(1.3)  # the app's own 1-s tick, nothing else
        assert "07:53" in rendered(view.query_one("#case-deadlines"))
        shift.clock.advance(minutes=9)
        await pilot.pause(1.3)
        shown = rendered(view.query_one("#case-deadlines"))
        assert "+01:07" in shown and "OVERDUE" in shown
