"""The trends pane: breakdowns per hour over the last 24 h, per top category, and the top hotspot."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Sparkline, Static

from tui.text import joined, one_line


def time_axis() -> Table:
    """The sparklines' time axis, one line: '24 h ago' at the left end, '12 h' in the middle, 'now' at the
    right (every sparkline of the pane spans the same 24 hours, one bar per hour)."""
    axis = Table.grid(expand=True)
    axis.add_column(justify="left", ratio=1)
    axis.add_column(justify="center", ratio=1)
    axis.add_column(justify="right", ratio=1)
    axis.add_row("24 h ago", "12 h", "now")
    return axis


class TrendsPane(Vertical):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.border_title = "Trends · last 24 h"

    def compose(self) -> ComposeResult:
        yield Label("all breakdowns per hour", id="trend-all-label", classes="trend-label")
        yield Sparkline([0] * 24, id="trend-all")
        yield Static(time_axis(), id="trend-axis", classes="trend-label")
        for index in range(3):
            yield Label("", id=f"trend-cat-{index}-label", classes="trend-label")
            yield Sparkline([0] * 24, id=f"trend-cat-{index}")
        yield Label("hotspot: scanning…", id="top-hotspot")

    def show(self, hourly: list[int], per_category: list[tuple[str, list[int]]]) -> None:
        self.query_one("#trend-all", Sparkline).data = hourly
        self.query_one("#trend-all-label", Label).update(f"all breakdowns per hour · {sum(hourly)} in 24 h")
        for index in range(3):
            label = self.query_one(f"#trend-cat-{index}-label", Label)
            line = self.query_one(f"#trend-cat-{index}", Sparkline)
            if index < len(per_category):
                category, counts = per_category[index]
                label.update(joined(one_line(category, 30), f" · {sum(counts)}"))
                line.data = counts
                line.display = True
                label.display = True
            else:
                line.display = False
                label.display = False

    def show_hotspot(self, sentence: str | None) -> None:
        text = joined("top hotspot: ", one_line(sentence)) if sentence else "no hotspot stands out (90 days)"
        self.query_one("#top-hotspot", Label).update(text)
