"""The trends screen: weekday × hour heat map, breakdowns per day, top lists, and the ranked hotspots."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, ClassVar

import plotext as plt  # type: ignore[import-untyped]
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option

from core.hotspot_causes import CauseCount, hotspot_lines
from core.hotspots import DEFAULT_BOUNDARIES, WEEKDAYS, Hotspot
from tui.text import joined, literal, one_line
from tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from storage.views import Reads

SHADES = " ░▒▓█"


def heat_map(grid: list[list[int]], cell: int = 3) -> Text:
    """Weekday × hour in shade blocks: it reads without colour (NO_COLOR) and in any terminal. `cell` is the
    width of one hour (3, 2 or 1 column), so that a row never wraps in a narrow terminal."""
    peak = max((max(row) for row in grid), default=0) or 1
    step = {3: 1, 2: 2}.get(cell, 3)  # an hour label every `step` hours, each over its own columns
    labels = "".join(f"{hour:<{cell * step}d}" for hour in range(0, 24, step))
    text = Text("     " + labels + "\n", style="dim", no_wrap=True, end="")
    for weekday, row in enumerate(grid):
        text.append(f"{WEEKDAYS[weekday]}  ", style="bold")
        for count in row:
            shade = SHADES[min(len(SHADES) - 1, round(count / peak * (len(SHADES) - 1)))]
            text.append(shade * cell)
        text.append(f"  {sum(row)}\n")
    text.append(f"each cell one hour; █ = {peak} breakdowns", style="dim")
    return text


def hour_width(width: int) -> int:
    """The widest hour cell (3, 2, 1 columns) with which weekday, 24 hours and the row's total fit `width`."""
    return next((cell for cell in (3, 2) if 5 + 24 * cell + 7 <= width), 1)


def bar_chart(pairs: list[tuple[str, int]], width: int) -> Text:
    """Horizontal bars as text, one labelled line per bar (plotext dropped labels on crowded charts)."""
    if not pairs:
        return Text("nothing documented in the window", style="dim")
    label_width = min(16, max(len(label) for label, _ in pairs))
    peak = max(count for _, count in pairs) or 1
    room = max(4, width - label_width - 9)
    text = Text(end="", no_wrap=True)
    for index, (label, count) in enumerate(pairs):
        text.append_text(one_line(label, label_width))
        text.append(" " * (label_width - min(len(label), label_width)) + " ")
        text.append("█" * max(1, round(count / peak * room)))
        text.append(f" {count}" + ("\n" if index < len(pairs) - 1 else ""))
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

    def __init__(
        self, reads: Reads, zone: tzinfo, now: datetime, boundaries: Sequence[int] = DEFAULT_BOUNDARIES
    ) -> None:
        super().__init__(classes="trends-screen")
        self.boundaries = tuple(boundaries)
        self.reads = reads
        self.zone = zone
        self.now = now
        self.hotspots: list[Hotspot] = []
        self.causes: list[list[CauseCount]] = []

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
            yield Static("", id="hotspot-causes")
            yield DataTable(id="hotspot-cases", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#hotspot-list", OptionList).border_title = "Hotspots (Enter lists the cases)"
        self.query_one("#hotspot-cases", DataTable).display = False
        self.query_one("#hotspot-causes", Static).display = False
        self.run_worker(self.load(), group="trends")

    async def load(self) -> None:
        from storage.trend_facts import HOTSPOT_WINDOW

        since = self.now - HOTSPOT_WINDOW
        try:
            overview = await asyncio.to_thread(self.reads.trend_overview, since, self.now, self.zone)
            found = await asyncio.to_thread(
                self.reads.hotspots_with_causes, since, self.now, limit=20, boundaries=self.boundaries
            )
            self.hotspots = [hotspot for hotspot, _causes in found]
            self.causes = [causes for _hotspot, causes in found]
        except Exception as error:
            self.query_one("#heat-map", Static).update(literal(f"cannot read the trends: {error}"))
            return
        width = max(40, self.size.width - 4)
        heat = self.query_one("#heat-map", Static)
        heat.border_title = f"Weekday × hour · {overview.total} breakdowns"
        heat.update(heat_map(overview.weekday_hour, hour_width(self.size.width - 4)))
        days = [day[5:] for day, _count in overview.per_day]
        counts = [count for _day, count in overview.per_day]

        def per_day_chart(chart: Any) -> None:
            chart.plot(list(range(len(counts))), counts, marker="braille")
            step = max(1, len(days) // 8)
            chart.xticks(list(range(0, len(days), step)), days[::step])
            chart.title("breakdowns per day")

        self.query_one("#per-day", Static).update(plot(per_day_chart, width, 12))
        half = max(30, width // 2 - 4)
        for widget_id, dimension, title in (
            ("#top-staff", "staff", "Top staff"),
            ("#top-products", "product", "Top products"),
        ):
            box = self.query_one(widget_id, Static)
            box.border_title = title
            box.update(bar_chart(overview.top.get(dimension, []), half))
        options = self.query_one("#hotspot-list", OptionList)
        options.clear_options()
        for rank, (hotspot, causes) in enumerate(zip(self.hotspots, self.causes, strict=True), start=1):
            label = literal(hotspot_lines(hotspot, causes)[0])
            options.add_option(Option(joined(f"{rank:>2}. ", label), id=str(rank - 1)))
        if not self.hotspots:
            options.add_option(Option(Text("nothing stands out against the rest of the data", style="dim")))
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#hotspot-list")
    def list_cases(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is None:
            return
        index = int(event.option.id)
        hotspot = self.hotspots[index]
        said = hotspot_lines(hotspot, self.causes[index])[1:]
        causes = self.query_one("#hotspot-causes", Static)
        causes.update(
            literal(said[0].strip()) if said else Text("depositions: nothing stands out", style="dim")
        )
        causes.display = True
        self.run_worker(self.show_cases(hotspot), group="cases")

    async def show_cases(self, hotspot: Hotspot) -> None:
        cases = await asyncio.to_thread(self.reads.cases_by_ids, hotspot.case_ids[:200])
        table = self.query_one("#hotspot-cases", DataTable)
        table.clear(columns=True)
        # Sized to the screen (no sideways scrolling): id and time keep their width, the names share the rest.
        spare = max(30, self.app.size.width - 8 - 5 * 2 - 7 - 16)  # borders, cell padding, id, time
        customer, category = spare * 2 // 5, spare * 3 // 10
        staff = spare - customer - category
        widths = {"#": 7, "opened": 16, "customer": customer, "category": category, "staff": staff}
        for label, width in widths.items():
            table.add_column(label, width=width, key=label)
        zone = self.zone
        for case in cases:
            table.add_row(
                Text(str(case.id), justify="right"),
                Text(f"{case.opened_at.astimezone(zone):%a %d %b %H:%M}"),
                one_line(case.customer, customer),
                one_line(case.category, category),
                one_line(case.staff, staff),
                key=str(case.id),
            )
        more = len(hotspot.case_ids) - len(cases)
        title = literal(hotspot.sentence).plain[:80]
        table.border_title = f"{title} · Enter opens a case" + (
            f" · first {len(cases)} of {len(cases) + more}" if more else ""
        )
        table.display = True
        table.focus()
        table.move_cursor(row=0)
        # Lists the cases where they can be seen: the table scrolled into view under the hotspot list.
        self.call_after_refresh(table.scroll_visible, animate=False, top=False)

    @on(DataTable.RowSelected, "#hotspot-cases")
    def open_case(self, event: DataTable.RowSelected) -> None:
        from tui.screens.case_view import CaseScreen

        if event.row_key.value is not None:
            self.app.push_screen(CaseScreen(int(event.row_key.value)))
