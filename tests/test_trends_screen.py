"""The trends screen: heat map, per-day chart, top lists, ranked hotspots; Enter lists a hotspot's cases."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from textual.widgets import DataTable, OptionList, Static

from core.clock import FrozenClock
from core.config import Settings
from core.demo import DEMO_SHIFTS, FREIGHT_LIFT, build_demo
from storage.database import Database
from storage.service import WorkflowService
from tui.app import ShiftdeskApp
from tui.screens.trends import TrendsScreen, heat_map

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('trends') / 'demo.db'}"
    service = WorkflowService(Database(url), Settings(zone=UTC, shifts=DEMO_SHIFTS), FrozenClock(NOW))
    data = build_demo(NOW, UTC)
    service.import_histories([*data.history, *data.shift_cases])
    return url


def text_of(widget: Static) -> str:
    content = widget.content
    return content if isinstance(content, str) else getattr(content, "plain", str(content))


def demo_app(demo_url: str) -> ShiftdeskApp:
    service = WorkflowService(Database(demo_url), Settings(zone=UTC, shifts=DEMO_SHIFTS), FrozenClock(NOW))
    return ShiftdeskApp(service, actor="Omar Farouk", poll_seconds=60, hotspots=False, auto_export=False)


async def trends_with_hotspots(pilot) -> TrendsScreen:  # type: ignore[no-untyped-def]
    """`t` on the loaded dashboard, then until the trends screen has its hotspots (a scan in a worker)."""
    await pilot.app.loaded.wait()
    await pilot.press("t")
    screen = pilot.app.screen
    assert isinstance(screen, TrendsScreen)
    for _ in range(100):
        await pilot.pause(0.05)
        if screen.hotspots:
            break
    return screen


async def test_trends_screen_charts_and_finds_the_planted_hotspots(demo_url):
    app = demo_app(demo_url)
    async with app.run_test(size=(160, 60)) as pilot:
        screen = await trends_with_hotspots(pilot)
        heat = text_of(screen.query_one("#heat-map", Static))
        assert heat.splitlines()[1].startswith("Mon") and "Sun" in heat
        assert "breakdowns per day" in text_of(screen.query_one("#per-day", Static))
        assert screen.query_one("#top-staff", Static).border_title == "Top staff"
        assert "█" in text_of(screen.query_one("#top-staff", Static))
        sentences = [hotspot.sentence for hotspot in screen.hotspots]
        assert any("Wednesdays 15:00–16:00 with Billy Okafor" in sentence for sentence in sentences)
        assert any("08:30–09:30 at Harbour Road" in sentence for sentence in sentences)
        assert any(sentence.startswith("Office chair") for sentence in sentences)
        options = screen.query_one("#hotspot-list", OptionList)
        assert options.option_count == len(sentences)
        await pilot.press("enter")
        listed = screen.query_one("#hotspot-cases", DataTable)
        for _ in range(40):
            await pilot.pause(0.05)
            if listed.row_count:
                break
        first = screen.hotspots[0]
        assert listed.coordinate_to_cell_key((0, 0)).row_key.value == str(first.case_ids[0])
        await pilot.press("escape")
        assert app.screen is app.main_screen


async def test_the_demos_freight_lift_hotspot_shows_its_root_cause_above_its_cases(demo_url):
    """The demo as built: down the list to Harbour Road's 08:30-09:30 hotspot, Enter, and its depositions'
    root cause is there above its cases (the freight lift's breakdowns, most of the window's)."""
    app = demo_app(demo_url)
    async with app.run_test(size=(160, 60)) as pilot:
        screen = await trends_with_hotspots(pilot)
        harbour = next(
            index
            for index, hotspot in enumerate(screen.hotspots)
            if hotspot.sentence.startswith("08:30–09:30 at Harbour Road: ")
        )
        options = screen.query_one("#hotspot-list", OptionList)
        assert options.highlighted == 0
        for _ in range(harbour):
            await pilot.press("down")
        assert options.highlighted == harbour
        await pilot.press("enter")
        await pilot.pause(0.1)
        said = screen.query_one("#hotspot-causes", Static)
        assert said.display
        count = screen.hotspots[harbour].count
        assert re.match(rf"depositions: {FREIGHT_LIFT}: (\d+) of {count}", text_of(said)), text_of(said)
        lift_cases = int(text_of(said).split(": ")[2].split(" of ")[0])
        assert 0.6 * count <= lift_cases <= 0.9 * count
        listed = screen.query_one("#hotspot-cases", DataTable)
        assert said.region.y < listed.region.y or not listed.display


async def test_the_trends_pane_headline_prefers_a_new_hotspot(demo_url, monkeypatch):
    from storage.views import Reads
    from tui.widgets.trends_pane import TrendsPane

    scan = Reads.hotspots

    def second_is_new(self, since, until, *, limit=20, boundaries=(12, 28, 44)):  # type: ignore[no-untyped-def]
        found = scan(self, since, until, limit=limit, boundaries=boundaries)
        # The second strongest grew this week, the strongest did not: the headline is the second.
        return [
            replace(hotspot, recent=30, recent_expected=1.0) if rank == 1 else replace(hotspot, recent=0)
            for rank, hotspot in enumerate(found)
        ]

    monkeypatch.setattr(Reads, "hotspots", second_is_new)
    service = WorkflowService(Database(demo_url), Settings(zone=UTC, shifts=DEMO_SHIFTS), FrozenClock(NOW))
    app = ShiftdeskApp(service, actor="Omar Farouk", poll_seconds=60, hotspots=True, auto_export=False)
    async with app.run_test(size=(160, 60)) as pilot:
        await app.loaded.wait()
        label = app.main_screen.query_one(TrendsPane).query_one("#top-hotspot")
        for _ in range(100):
            await pilot.pause(0.05)
            if "top hotspot" in str(label.content):
                break
        shown = str(label.content)
        assert shown.startswith("top hotspot: ")
        assert "(new this week)" in shown


def test_heat_map_reads_without_colour():
    grid = [[0] * 24 for _ in range(7)]
    grid[2][15] = 8
    grid[0][9] = 4
    lines = heat_map(grid).plain.splitlines()
    assert lines[3].startswith("Wed") and "███" in lines[3]
    assert "▒▒▒" in lines[1] or "▓▓▓" in lines[1] or "░░░" in lines[1]
    assert lines[-1] == "each cell one hour; █ = 8 breakdowns"
