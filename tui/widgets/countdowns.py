"""The countdowns pane: every pending deadline, soonest first; each second only changed cells are redrawn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from core.deadlines import Deadline
from core.pauses import ResumeWhy, Stretch
from tui.board import Board
from tui.clockface import LEVEL_STYLES, countdown, level_style, local_time, urgency
from tui.text import one_line

MARKS = {"calm": " ", "warning": "!", "urgent": "!!", "overdue": "OVERDUE", "paused": "‖"}
PAUSED = "paused"
CLOCK_WIDTH = 8
MARK_WIDTH = 7
# The columns that change every second: the clock and its mark (with their trailing spaces).
TICKING_WIDTH = CLOCK_WIDTH + 1 + MARK_WIDTH + 1
NOTHING_OWED = "nothing owed right now"


def paused_about(running: Stretch, zone: tzinfo) -> str:
    """What a paused line says after the case: the reason and when the clock runs again ("resume 15:40",
    "resume 17:00, cap 16:05" when the cap comes first, "cap 16:05" without a resume time)."""
    asked = running.pause.until
    parts = [f"resume {local_time(asked, zone)}"] if asked is not None else []
    if running.why is not ResumeWhy.RESUME_TIME:
        parts.append(f"cap {local_time(running.ends_at, zone)}")
    return f"{one_line(running.pause.reason, 40).plain} · {', '.join(parts)}"


@dataclass(frozen=True, slots=True)
class CountdownLine:
    """What one line shows: the ticking part (clock, urgency) and the part that changes only with the case."""

    clock: str
    level: str
    about: str  # "#12 fix-or-update   Ada · Customer" — user text, already one line and literal

    @property
    def ticking(self) -> str:
        return f"{self.clock:>{CLOCK_WIDTH}} {MARKS[self.level]:<{MARK_WIDTH}} "


class Countdowns(Widget):
    """Drawn line by line (Textual's line API), not as one Static: a tick re-renders the clock columns of
    the lines whose clock changed, so its cost is the lines on screen, whatever the number of cases or
    events stored, and it never asks for a layout pass."""

    def __init__(self, board: Board, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.board = board
        self.border_title = "Countdowns"
        self._lines: list[CountdownLine] = []
        self._about: dict[tuple[Deadline, str, Stretch | None], str] = {}
        self._strips: dict[int, Strip] = {}
        self._base: Style | None = None
        self._levels: dict[str, Style] | None = None  # the urgency styles, once the app (NO_COLOR?) is known

    @property
    def text(self) -> str:
        """The pane's lines as plain text (what a reader sees, without colour)."""
        if not self._lines:
            return NOTHING_OWED
        return "\n".join(f"{line.ticking}{line.about}" for line in self._lines)

    def tick(self, now: datetime) -> None:
        visible = max(1, self.size.height or 20)
        deadlines = self.board.all_deadlines()
        lines = [self._line(deadline, now) for deadline in deadlines[:visible]]
        subtitle = f"{visible} of {len(deadlines)}" if len(deadlines) > visible else f"{len(deadlines)}"
        if subtitle != self.border_subtitle:  # setting it redraws the border: only when it changes
            self.border_subtitle = subtitle
        previous, self._lines = self._lines, lines
        if len(previous) != len(lines):
            self._strips.clear()
            self.refresh()
            return
        changed = [y for y, pair in enumerate(zip(previous, lines, strict=True)) if pair[0] != pair[1]]
        if not changed:
            return
        for y in changed:
            self._strips.pop(y, None)
        # One region around the changed lines, not one per line: Textual renders each region separately,
        # through every widget under it. Usually only the clocks moved: then only their columns.
        if all(previous[y].about == lines[y].about for y in changed):
            same_marks = all(previous[y].level == lines[y].level for y in changed)
            width = CLOCK_WIDTH if same_marks else TICKING_WIDTH
        else:
            width = self.size.width
        self.refresh(Region(0, changed[0], width, changed[-1] - changed[0] + 1))

    def _line(self, deadline: Deadline, now: datetime) -> CountdownLine:
        remaining = deadline.remaining(now)
        case = self.board.cases.get(deadline.case_id or 0)
        customer = case.customer if case else ""
        # Waiting on the customer: "paused" instead of a clock, with the reason and when it runs again.
        running = deadline.paused(now)
        key = (deadline, customer, running)
        about = self._about.get(key)
        if about is None:
            if len(self._about) > 4 * max(len(self._lines), 64):
                self._about.clear()  # bounded: deadlines come and go all shift
            about = self._about[key] = (
                f"#{deadline.case_id} {deadline.kind:<15} "
                f"{one_line(deadline.owed_by, 14).plain} · {one_line(customer, 18).plain}"
            )
            if running is not None:
                about = self._about[key] = f"{about} · {paused_about(running, self.board.settings.zone)}"
        if running is not None:
            return CountdownLine(PAUSED, PAUSED, about)
        return CountdownLine(countdown(remaining), urgency(remaining), about)

    def render_line(self, y: int) -> Strip:
        strip = self._strips.get(y)
        if strip is None:
            strip = self._strips[y] = self._line_strip(y)
        return strip

    def _line_strip(self, y: int) -> Strip:
        """Line `y` as a strip (not `_render`: that name is Textual's own, called by text selection)."""
        if self._base is None:
            self._base = self.rich_style  # worked out from the CSS through every ancestor: once, not per line
        base = self._base
        width = self.size.width
        if not self._lines:
            segments = [Segment(NOTHING_OWED, base + Style(dim=True))] if y == 0 else []
            return Strip(segments).crop_extend(0, width, base)
        if y >= len(self._lines):
            return Strip.blank(width, base)
        line = self._lines[y]
        if self._levels is None:
            no_color = self.app.no_color
            self._levels = {level: Style.parse(level_style(level, no_color)) for level in LEVEL_STYLES}
        style = base + self._levels[line.level]
        about = line.about
        room = width - TICKING_WIDTH
        if cell_len(about) > room:
            about = set_cell_size(about, max(0, room - 1)) + "…" if room > 0 else ""
        segments = [Segment(line.ticking, style), Segment(about, base)]
        return Strip(segments).crop_extend(0, width, base)

    def on_resize(self) -> None:
        self._strips.clear()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # a theme or class change recolours every line
        self._base = None
