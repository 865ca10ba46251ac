"""The trends screen: weekday × hour heat map, breakdowns per day, top lists, and the ranked hotspots."""

from __future__ import annotations

import asyncio
import os
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, ClassVar

import plotext as plt  # type: ignore[import-untyped]
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from core.hotspots import WEEKDAYS, Hotspot
from tui.text import joined, literal, one_line
from tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from storage.views import Reads

SHADES = " ░▒▓█"


def heat_map(grid: list[list[int]]) -> Text:
    """Weekday × hour in shade blocks: it reads without colour (NO_COLOR) and in any terminal."""
    peak = max((max(row) for row in grid), default=0) or 1
    text = Text("     " + "".join(f"{hour:<3d}" for hour in range(0, 24, 1))[:72] + "\n", style="dim")
    for weekday, row in enumerate(grid):
        text.append(f"{WEEKDAYS[weekday]}  ", style="bold")
        for count in row:
            shade = SHADES[min(len(SHADES) - 1, round(count / peak * (len(SHADES) - 1)))]
            text.append(shade * 3)
        text.append(f"  {sum(row)}\n")
    text.append(f"each cell one hour; █ = {peak} breakdowns", style="dim")
    return text


def plot(build: Any, width: int, height: int) -> Text:
    """A plotext chart as Text (colourless when NO_COLOR is set)."""
    plt.clf()
    plt.plotsize(width, height)
    if os.environ.get("NO_COLOR"):
        plt.theme("clear")
    else:
        plt.theme("pro")
    build(plt)
    return Text.from_ansi(plt.build())


class TrendsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, reads: Reads, zone: tzinfo, now: datetime) -> None:
        super().__init__(classes="trends-screen")
        self.reads = reads
        self.zone = zone
        self.now = now
        self.hotspots: list[Hotspot] = []

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="trends-body"):
            yield Static(
                Text("Trends · documented breakdowns, last 90 days", style="bold"), id="trends-title"
            )
            yield Static("counting…", id="heat-map", classes="chart")
            yield Static("", id="per-day", classes="chart")
            with Horizontal(id="tops"):
                yield Static("", id="top-staff", classes="chart")
                yield Static("", id="top-products", classes="chart")
            yield OptionList(id="hotspot-list")
            yield Static("", id="hotspot-cases", classes="chart")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#hotspot-list", OptionList).border_title = "Hotspots (Enter lists the cases)"
        self.run_worker(self.load(), group="trends")

    async def load(self) -> None:
        from storage.trend_facts import HOTSPOT_WINDOW

        since = self.now - HOTSPOT_WINDOW
        try:
            overview = await asyncio.to_thread(self.reads.trend_overview, since, self.now, self.zone)
            self.hotspots = await asyncio.to_thread(self.reads.hotspots, since, self.now, limit=20)
        except Exception as error:
            self.query_one("#heat-map", Static).update(literal(f"cannot read the trends: {error}"))
            return
        width = max(40, self.size.width - 4)
        heat = self.query_one("#heat-map", Static)
        heat.border_title = f"Weekday × hour · {overview.total} breakdowns"
        heat.update(heat_map(overview.weekday_hour))
        days = [day[5:] for day, _count in overview.per_day]
        counts = [count for _day, count in overview.per_day]

        def per_day_chart(chart: Any) -> None:
            chart.plot(list(range(len(counts))), counts, marker="braille")
            step = max(1, len(days) // 8)
            chart.xticks(list(range(0, len(days), step)), days[::step])
            chart.title("breakdowns per day")

        self.query_one("#per-day", Static).update(plot(per_day_chart, width, 12))
        half = max(30, width // 2 - 2)
        for widget_id, dimension, title in (
            ("#top-staff", "staff", "top staff"),
            ("#top-products", "product", "top products"),
        ):
            pairs = overview.top.get(dimension, [])

            def bars(chart: Any, pairs: list[tuple[str, int]] = pairs, title: str = title) -> None:
                if pairs:
                    chart.bar(
                        [label[:14] for label, _ in pairs], [count for _, count in pairs], orientation="h"
                    )
                chart.title(title)

            self.query_one(widget_id, Static).update(plot(bars, half, 10))
        options = self.query_one("#hotspot-list", OptionList)
        options.clear_options()
        for rank, hotspot in enumerate(self.hotspots, start=1):
            options.add_option(Option(joined(f"{rank:>2}. ", literal(hotspot.sentence)), id=str(rank - 1)))
        if not self.hotspots:
            options.add_option(Option(Text("nothing stands out against the rest of the data", style="dim")))
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#hotspot-list")
    def list_cases(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is None:
            return
        hotspot = self.hotspots[int(event.option.id)]
        self.run_worker(self.show_cases(hotspot), group="cases")

    async def show_cases(self, hotspot: Hotspot) -> None:
        cases = await asyncio.to_thread(self.reads.cases_by_ids, hotspot.case_ids[:200])
        zone = self.zone
        text = Text(end="")
        for case in cases:
            text.append(f"#{case.id:<6} {case.opened_at.astimezone(zone):%a %d %b %H:%M}  ")
            text.append(one_line(case.customer, 24))
            text.append("  ")
            text.append(one_line(case.category, 18))
            text.append("  ")
            text.append(one_line(case.staff, 18))
            text.append("\n")
        if len(hotspot.case_ids) > len(cases):
            text.append(f"… and {len(hotspot.case_ids) - len(cases)} more", style="dim")
        box = self.query_one("#hotspot-cases", Static)
        box.border_title = literal(hotspot.sentence).plain[:80]
        box.update(text)
