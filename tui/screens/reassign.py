"""The reassign picker: agents on shift with their open load, the least loaded first under the cursor."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.text import literal, one_line


@dataclass(frozen=True)
class Candidate:
    name: str
    load: int
    on_shift: bool


class ReassignPicker(ModalScreen[str | None]):
    """Type to filter, ↑/↓ to move, Enter to hand the case over, Esc to cancel.

    With `hand_over`, Enter awaits it with the chosen name while the picker stays open, and `hand_over`
    closes the picker when the write is done: closing and showing the new row then land in one frame
    (a closing modal and a changed table each make Textual redraw the whole table).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "move(1)", "Next", show=False, priority=True),
        Binding("up", "move(-1)", "Previous", show=False, priority=True),
    ]

    def __init__(
        self,
        title: Text,
        candidates: list[Candidate],
        current: str,
        note: str = "",
        hand_over: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(classes="picker-screen")
        self.title_text = title
        self.candidates = candidates
        self.current = current
        self.note = note
        self.hand_over = hand_over
        self.handing_over = False  # the write is under way: further keys must not pick or cancel twice

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static(self.title_text, id="picker-title")
            yield Input(placeholder="type to filter agents…", id="picker-filter")
            yield OptionList(id="picker-options")
            if self.note:
                yield Static(literal(self.note), id="picker-note")
            yield Static("Enter: reassign · ↑/↓: move · Esc: cancel", id="picker-hint")

    def on_mount(self) -> None:
        self.fill("")

    def fill(self, needle: str) -> None:
        options = self.query_one("#picker-options", OptionList)
        options.clear_options()
        wanted = needle.casefold().strip()
        shown = [
            candidate
            for candidate in self.candidates
            if candidate.name != self.current and wanted in candidate.name.casefold()
        ]
        # On-shift roster first, then by load; the least-loaded on-shift agent gets the cursor.
        shown.sort(key=lambda candidate: (not candidate.on_shift, candidate.load, candidate.name.casefold()))
        for candidate in shown:
            prompt = Text(end="", no_wrap=True)
            prompt.append(one_line(candidate.name, 28))
            prompt.append(f"  {candidate.load} open", style="bold" if candidate.load == 0 else "")
            if not candidate.on_shift:
                prompt.append("  (not on this shift)", style="dim")
            options.add_option(Option(prompt, id=f"agent:{candidate.name}"))
        typed = needle.strip()
        if typed and not shown:  # nobody on the list matches: offer the typed name itself
            prompt = Text("assign to ", style="dim", end="")
            prompt.append(one_line(typed, 28, style="bold"))
            prompt.append(" (not on the roster)", style="dim")
            options.add_option(Option(prompt, id=f"agent:{typed}"))
        if options.option_count:
            options.highlighted = 0

    @on(Input.Changed, "#picker-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.fill(event.value)

    def action_move(self, step: int) -> None:
        options = self.query_one("#picker-options", OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    @on(Input.Submitted, "#picker-filter")
    def confirm(self) -> None:
        options = self.query_one("#picker-options", OptionList)
        if options.highlighted is None:
            return
        option_id = options.get_option_at_index(options.highlighted).id or ""
        self.choose(option_id.removeprefix("agent:"))

    @on(OptionList.OptionSelected, "#picker-options")
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.choose((event.option.id or "").removeprefix("agent:"))

    def choose(self, agent: str) -> None:
        if self.handing_over:
            return
        if self.hand_over is None:
            self.dismiss(agent)
            return
        self.handing_over = True
        # An app worker, not the picker's: the picker is closed by it, which would cancel its own workers.
        self.app.run_worker(self.hand_over(agent), group="write")

    def action_cancel(self) -> None:
        if not self.handing_over:
            self.dismiss(None)
