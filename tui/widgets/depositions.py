"""The recent-depositions pane: newest first, one line each; Enter opens the case with its deposition."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.views import DepositionLine

from datetime import datetime, tzinfo

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.clockface import local_time
from tui.text import one_line


class RecentDepositions(OptionList):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.border_title = "Recent depositions"

    def show(self, lines: list[DepositionLine], zone: tzinfo, now: datetime) -> None:
        """Today's by their time; older ones with their date too ('Tue 24 Nov 21:16')."""
        highlighted = self.highlighted
        self.clear_options()
        today = now.astimezone(zone).date()
        for line in lines:
            prompt = Text(end="", no_wrap=True, overflow="ellipsis")
            earlier = line.filed_at.astimezone(zone).date() != today
            when = local_time(line.filed_at, zone, with_date=earlier)
            prompt.append(f"{when} #{line.case_id} ", style="bold")
            prompt.append(one_line(line.customer, 20))
            prompt.append(" — ")
            prompt.append(one_line(line.category, 16))
            prompt.append(": ")
            prompt.append(one_line(line.root_cause, 60))
            self.add_option(Option(prompt, id=str(line.case_id)))
        if lines:
            self.highlighted = min(highlighted or 0, len(lines) - 1)
