"""The header line: shift, supervisor, local clock and the counts a supervisor glances at."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from core.config import Settings
from tui.clockface import mark_style
from tui.text import one_line


class ShiftHeader(Static):
    def __init__(self, settings: Settings, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self.settings = settings
        self._shown: Text | None = None

    def show(self, now: datetime, counts: tuple[int, int, int], banner: str = "") -> None:
        """The counts come first after the name: on a narrow terminal what is cut is the shift's name and
        supervisor, never how many cases are due or overdue."""
        open_count, due_soon, overdue = counts
        occurrence = self.settings.calendar.at(now)
        text = Text(end="", no_wrap=True, overflow="ellipsis")
        text.append(" shiftdesk ", style="bold reverse")
        text.append(f"  open {open_count}")
        text.append("  ")
        text.append(f"due ≤5m {due_soon}", style=self.marked("bold yellow") if due_soon else "")
        text.append("  ")
        text.append(f"overdue {overdue}", style=self.marked("bold reverse red") if overdue else "")
        if banner:
            text.append("  ")
            text.append(f"⚠ {banner}", style=self.marked("bold reverse yellow"))
        text.append(f"  {now.astimezone(self.settings.zone):%a %d %b %H:%M}")
        if occurrence is not None:
            text.append(f"  {occurrence.shift.name} {occurrence.shift.hours_label}", style="bold")
            if occurrence.shift.supervisor:
                text.append("  supervisor ")
                text.append(one_line(occurrence.shift.supervisor, style="bold"))
        # Called every second, but it only changes with the minute or a count: redraw only then.
        if text != self._shown:
            self._shown = text
            self.update(text, layout=False)

    def marked(self, style: str) -> str:
        """An urgent mark's style; under NO_COLOR in the text's own colours, bold and reversed."""
        return mark_style(style, self.app.no_color)
