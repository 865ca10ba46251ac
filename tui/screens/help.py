"""The help screen: every key of the dashboard, generated from the bindings so it cannot drift."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.screens.modal import OnceModal

INTRO = (
    "Service recovery runs in order: apologize → review the complaint → fix (or a progress update before "
    "the fix-or-update clock runs out) → follow up → deposition → close. Refused keys say what must happen "
    "first."
)


# Moving around, whatever screen the help was asked from.
MOVING = [
    ("Tab / shift+Tab", "move between panes: open breakdowns, countdowns, recent depositions, trends"),
    ("Home / End", "first / last case of the open breakdowns"),
    ("Enter", "on a recent deposition or a hotspot's case: open that case"),
]


class HelpScreen(OnceModal[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, bindings: list[tuple[str, str]]) -> None:
        super().__init__(classes="help-screen")
        self.key_list = bindings

    def compose(self) -> ComposeResult:
        table = Table(show_header=True, header_style="bold", box=None, expand=True)
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("does")
        for key, description in [*self.key_list, *MOVING]:
            table.add_row(Text(key), Text(description))
        with VerticalScroll(id="help"):
            yield Static(Text("shiftdesk — keys", style="bold"))
            yield Static(Text(INTRO))
            yield Static(table)
            yield Static(
                Text("Esc, q or ? closes this help. ctrl+p lists every action by name.", style="dim")
            )

    def action_close(self) -> None:
        self.dismiss(None)
