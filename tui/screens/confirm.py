"""Small modal questions: quitting asks first (the dashboard stays open all shift, its reminders with it)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class QuitScreen(ModalScreen[bool]):
    """ "Quit shiftdesk? y / n": y quits; n, Esc and Enter stay (the safe answer is the default).

    The dashboard's keys do nothing while it is open: a stray `q` in a burst of typing must not let the rest
    fire them, and Enter at the end of that burst must not quit.
    """

    DEFAULT_CSS = """
    QuitScreen {
        align: center middle;
        background: $background 60%;
    }
    QuitScreen > Vertical {
        width: 60;
        max-width: 95%;
        height: auto;
        border: thick $warning;
        background: $surface;
        padding: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Quit"),
        Binding("n,escape,enter", "answer(False)", "Stay"),
        # A second q is part of the stray typing, not an answer (ctrl+q again quits: see ShiftdeskApp).
        Binding("q", "swallow", show=False),
    ]

    def __init__(self, warning: str = "") -> None:
        super().__init__()
        self.warning = warning

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Quit shiftdesk?", style="bold"), id="quit-question")
            if self.warning:
                yield Static(Text(self.warning), id="quit-warning")
            yield Static(Text("y: quit · n / Esc / Enter: stay"), id="quit-hint")

    def action_swallow(self) -> None:
        pass

    def action_answer(self, quit_: bool) -> None:
        self.dismiss(quit_)
