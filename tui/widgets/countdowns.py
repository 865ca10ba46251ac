"""The countdowns pane: every pending deadline, soonest first, re-rendered each second for the lines shown."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from tui.board import Board
from tui.clockface import countdown, urgency
from tui.text import one_line

STYLES = {
    "calm": "",
    "warning": "bold yellow",
    "urgent": "bold red",
    "overdue": "bold reverse red",
}
MARKS = {"calm": " ", "warning": "!", "urgent": "!!", "overdue": "OVERDUE"}


class Countdowns(Static):
    """Cost per tick: the lines that fit on screen, whatever the number of cases or events stored."""

    def __init__(self, board: Board, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self.board = board
        self.border_title = "Countdowns"

    def tick(self, now: datetime) -> None:
        lines = max(1, self.size.height or 20)
        deadlines = self.board.all_deadlines()
        text = Text(end="", no_wrap=True, overflow="ellipsis")
        if not deadlines:
            text.append("nothing owed right now", style="dim")
        for index, deadline in enumerate(deadlines[:lines]):
            remaining = deadline.remaining(now)
            level = urgency(remaining)
            case = self.board.cases.get(deadline.case_id or 0)
            customer = case.customer if case else ""
            if index:
                text.append("\n")
            text.append(f"{countdown(remaining):>8} ", style=STYLES[level])
            text.append(f"{MARKS[level]:<7} ", style=STYLES[level])
            text.append(f"#{deadline.case_id} {deadline.kind:<15} ")
            text.append(one_line(deadline.owed_by, 14))
            text.append(" · ")
            text.append(one_line(customer, 18))
        subtitle = f"{lines} of {len(deadlines)}" if len(deadlines) > lines else f"{len(deadlines)}"
        if subtitle != self.border_subtitle:  # setting it redraws the border: only when it changes
            self.border_subtitle = subtitle
        # No layout pass: the pane keeps its size, only its text changes.
        self.update(text, layout=False)
