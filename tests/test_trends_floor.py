"""The trends screen as a supervisor uses it: every bar labelled, a hotspot's cases listed in sight in aligned
columns, Enter on one opens its case, the footer offers only keys that work there, and at 80×24 the heat map
keeps one line per weekday."""

from __future__ import annotations

from datetime import UTC

from textual.widgets import DataTable, Static

from core.clock import FrozenClock
from core.config import Settings
from core.demo import DEMO_SHIFTS
from storage.database import Database
from storage.service import WorkflowService
from tests.screen_helpers import screen_lines
from tests.test_trends_screen import NOW, demo_url, text_of  # noqa: F401 (the module's demo database)
from tui.app import ShiftdeskApp
from tui.screens.case_view import CaseScreen
from tui.screens.trends import TrendsScreen
from tui.widgets.key_footer import KeyFooter


def make_app(url: str) -> ShiftdeskApp:
    service = WorkflowService(Database(url), Settings(zone=UTC, shifts=DEMO_SHIFTS), FrozenClock(NOW))
    return ShiftdeskApp(service, actor="Omar Farouk", poll_seconds=60, hotspots=False, auto_export=False)


async def open_trends(pilot) -> TrendsScreen:
    await pilot.app.loaded.wait()
    await pilot.press("t")
    for _ in range(200):
        await pilot.pause(0.05)
        if isinstance(pilot.app.screen, TrendsScreen) and pilot.app.screen.hotspots:
            break
    screen = pilot.app.screen
    assert isinstance(screen, TrendsScreen)
    await pilot.pause()
    return screen


async def test_every_bar_has_its_label(demo_url):  # noqa: F811
    app = make_app(demo_url)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_trends(pilot)
        screen = app.screen
        for widget_id in ("#top-staff", "#top-products"):
            lines = [
                line for line in text_of(screen.query_one(widget_id, Static)).splitlines() if "█" in line
            ]
            assert len(lines) >= 3
            for line in lines:
                label = line.split("█")[0].strip(" │┤")
                assert label, f"an unlabelled bar in {widget_id}: {line!r}"


async def test_enter_lists_a_hotspots_cases_in_sight_and_enter_opens_one(demo_url):  # noqa: F811
    app = make_app(demo_url)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_trends(pilot)
        await pilot.press("enter")
        table = screen.query_one("#hotspot-cases", DataTable)
        for _ in range(60):
            await pilot.pause(0.05)
            if table.row_count:
                break
        await pilot.pause(0.2)
        first_id = str(screen.hotspots[0].case_ids[0])
        # At least eight of its rows on screen, under their column headers.
        visible = [
            line
            for line in screen_lines(app)
            if any(f" {case_id} " in line for case_id in screen.hotspots[0].case_ids[:30])
        ]
        assert len(visible) >= 8, "\n".join(screen_lines(app))
        assert table.has_focus
        await pilot.press("enter")
        for _ in range(40):
            await pilot.pause(0.05)
            if isinstance(app.screen, CaseScreen) and app.screen.detail is not None:
                break
        assert isinstance(app.screen, CaseScreen) and app.screen.case_id == int(first_id)
        await pilot.press("escape")
        assert app.screen is screen


async def test_the_trends_footer_offers_only_what_works_there(demo_url):  # noqa: F811
    app = make_app(demo_url)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_trends(pilot)
        await pilot.pause(0.2)
        footer = screen.query_one(KeyFooter)
        keys = {key.key for key in footer.children if hasattr(key, "key")}
        assert {"a", "v", "u", "f", "r"}.isdisjoint(keys), keys
        assert "escape" in keys


async def test_at_80x24_the_heat_map_keeps_a_line_per_weekday(demo_url):  # noqa: F811
    app = make_app(demo_url)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_trends(pilot)
        heat = screen.query_one("#heat-map", Static)
        lines = text_of(heat).splitlines()
        assert len(lines) == 9  # hours, seven weekdays, the legend
        assert all(len(line) <= heat.content_region.width for line in lines[:8]), lines
        assert heat.content_region.height == 9
