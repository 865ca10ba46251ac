"""The reassign picker: agents with their open load; the least loaded first, or the best match once typed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.screens.modal import OnceModal
from tui.text import joined, literal, one_line


@dataclass(frozen=True)
class Candidate:
    name: str
    load: int
    on_shift: bool  # offered first: on the running shift's roster, or (no roster) holding open cases now
    remark: str = ""  # shown dim after the load: "not on this shift", "seen on recent cases"


def match_rank(name: str, wanted: str) -> int | None:
    """How well `name` matches what was typed (casefolded): 0 the exact name, 1 a word of it starts with it
    ("ha" → Hana Sato), 2 anywhere in it (Aisha), None not at all."""
    folded = name.casefold()
    if folded == wanted:
        return 0
    if folded.startswith(wanted) or any(word.startswith(wanted) for word in folded.split()):
        return 1
    return 2 if wanted in folded else None


HINT = "Enter: reassign · ↑/↓: move · Esc: cancel"
OFF_ROSTER = "new:"  # the option id prefix of a typed name nobody on the list has


class ReassignPicker(OnceModal[str | None]):
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
        hint: str = HINT,
    ) -> None:
        super().__init__(classes="picker-screen")
        self.hint = hint  # what Enter does here (the absent-agent list reuses the picker)
        self.title_text = title
        self.candidates = candidates
        self.current = current
        self.note = note
        self.hand_over = hand_over
        self.handing_over = False  # the write is under way: further keys must not pick or cancel twice
        self.armed: str | None = (
            None  # an off-roster name Enter was pressed on once: the next Enter hands over
        )

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static(self.title_text, id="picker-title")
            yield Input(placeholder="type to filter agents…", id="picker-filter")
            yield OptionList(id="picker-options")
            if self.note:
                yield Static(literal(self.note), id="picker-note")
            yield Static(self.hint, id="picker-hint")

    def on_mount(self) -> None:
        self.fill("")

    def fill(self, needle: str) -> None:
        options = self.query_one("#picker-options", OptionList)
        options.clear_options()
        typed = " ".join(needle.split())
        wanted = typed.casefold()
        ranked: list[tuple[int, Candidate]] = []
        for candidate in self.candidates:
            rank = match_rank(candidate.name, wanted) if wanted else 0
            if rank is not None and candidate.name != self.current:
                ranked.append((rank, candidate))
        # The best match first; among equals the on-shift roster, then the least loaded: under the cursor.
        ranked.sort(key=lambda item: (item[0], not item[1].on_shift, item[1].load, item[1].name.casefold()))
        for _rank, candidate in ranked:
            prompt = Text(end="", no_wrap=True)
            prompt.append(one_line(candidate.name, 28))
            prompt.append(f"  {candidate.load} open", style="bold" if candidate.load == 0 else "")
            if candidate.remark:
                prompt.append(f"  ({candidate.remark})", style="dim")
            options.add_option(Option(prompt, id=f"agent:{candidate.name}"))
        exact = any(rank == 0 for rank, _ in ranked)
        if wanted and wanted == self.current.casefold():
            prompt = joined(one_line(self.current, 28, style="bold"), " already has this case")
            options.add_option(Option(prompt, disabled=True))
        elif wanted and not exact and (len(wanted) >= 3 or not ranked):
            # A name nobody on the list has (not for two letters that begin listed names): offered last,
            # and handed over only on a second Enter.
            options.add_option(Option(self.off_roster_prompt(typed), id=f"{OFF_ROSTER}{typed}"))
        if options.option_count and not options.get_option_at_index(0).disabled:
            options.highlighted = 0

    def off_roster_prompt(self, typed: str) -> Text:
        if self.armed == typed:
            return joined(
                one_line(typed, 24, style="bold"), Text(" — not on the roster: Enter again", style="reverse")
            )
        prompt = Text("assign to ", style="dim", end="", no_wrap=True)
        prompt.append(one_line(typed, 28, style="bold"))
        prompt.append(" — not on the roster", style="dim")
        return prompt

    @on(Input.Changed, "#picker-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        if self.armed is not None:
            self.armed = None
            self.query_one("#picker-hint", Static).update(self.hint)
        self.fill(event.value)

    def action_move(self, step: int) -> None:
        options = self.query_one("#picker-options", OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    @on(Input.Submitted, "#picker-filter")
    def confirm(self) -> None:
        options = self.query_one("#picker-options", OptionList)
        if options.highlighted is not None:
            self.pick(options.get_option_at_index(options.highlighted).id or "")

    @on(OptionList.OptionSelected, "#picker-options")
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.pick(event.option.id or "")

    def pick(self, option_id: str) -> None:
        """A listed agent is handed the case at once; a typed name nobody has, only on a second Enter."""
        if option_id.startswith("agent:"):
            self.choose(option_id.removeprefix("agent:"))
            return
        typed = option_id.removeprefix(OFF_ROSTER)
        if not option_id.startswith(OFF_ROSTER) or not typed:
            return
        if self.armed == typed:
            self.choose(typed)
            return
        self.armed = typed
        options = self.query_one("#picker-options", OptionList)
        options.replace_option_prompt(option_id, self.off_roster_prompt(typed))
        self.query_one("#picker-hint", Static).update(
            joined(
                "Enter again: hand it to ", one_line(typed, 28), ", who is not on the roster · Esc: cancel"
            )
        )

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
