"""Small modals: quitting asks first; a refused action says why and keeps the keys typed after it."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Static

from tui.screens.modal import OnceModal
from tui.text import joined, one_line


class QuitScreen(OnceModal[bool]):
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


class AskScreen(OnceModal[bool]):
    """A yes-or-no question with what it will do listed: y does it; n, Esc and Enter leave things be."""

    DEFAULT_CSS = """
    AskScreen {
        align: center middle;
        background: $background 60%;
    }
    AskScreen > Vertical {
        width: 72;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: thick $warning;
        background: $surface;
        padding: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape,enter", "answer(False)", "No"),
    ]

    def __init__(self, question: Text, body: Text, hint: str) -> None:
        super().__init__()
        self.question, self.body, self.hint = question, body, hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text.assemble(self.question, style="bold"), id="ask-question")
            yield Static(self.body, id="ask-body")
            yield Static(Text(self.hint), id="ask-hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class RefusalScreen(OnceModal[None]):
    """Why an action cannot happen now, and what can; it takes every key until Esc (or a first Enter).

    A toast let the supervisor's next keystrokes through: `u` refused, then "Refund being processed" typed
    for the form that never opened ran `e` (export) and `n` (new case). Here what is typed is shown as
    "not saved" and does nothing else.
    """

    DEFAULT_CSS = """
    RefusalScreen {
        align: center middle;
        background: $background 60%;
    }
    RefusalScreen > Vertical {
        width: 76;
        max-width: 95%;
        height: auto;
        border: thick $warning;
        background: $surface;
        padding: 0 1;
    }
    RefusalScreen #refusal-typed {
        display: none;
    }
    RefusalScreen #refusal-typed.-typed {
        display: block;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Back", priority=True)]

    def __init__(self, title: str, reason: Text, next_steps: Text | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.reason = reason
        self.next_steps = next_steps
        self.typed = ""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text, style="bold"), id="refusal-title")
            yield Static(self.reason, id="refusal-reason")
            if self.next_steps is not None:
                yield Static(self.next_steps, id="refusal-next")
            yield Static("", id="refusal-typed")
            yield Static(Text("Esc or Enter: back to the board", style="italic"), id="refusal-hint")

    def on_key(self, event: events.Key) -> None:
        """Every other key is kept here: letters must not reach the dashboard's keys (q and ? included).

        Enter closes it only while nothing was typed: someone typing into a form that never opened presses
        Enter between fields, and the next field's letters would run the dashboard's keys again.
        """
        event.stop()
        event.prevent_default()
        if event.key == "enter" and not self.typed:
            self.dismiss()
            return
        if event.key == "enter":
            self.typed += " ⏎ "
            self.query_one("#refusal-hint", Static).update(Text("Esc: back to the board", style="italic"))
        elif event.key == "backspace":
            self.typed = self.typed[:-1]
        elif event.is_printable and event.character:
            self.typed += event.character
        else:
            return
        shown = self.query_one("#refusal-typed", Static)
        shown.set_class(bool(self.typed), "-typed")
        shown.update(joined("Typed meanwhile, not saved: ", one_line(self.typed[-60:], style="bold")))
