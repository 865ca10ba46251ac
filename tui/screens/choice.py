"""An explicit either-or form field: nothing chosen at first, Enter never chooses, the choice in words."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


class ChoiceField(Widget, can_focus=True):
    """`( ) satisfied   ( ) not satisfied` — ←/→ and space, a number, or an option's first letter choose.

    A Checkbox toggles on Enter and shows its state only by colour: in a form whose hint says "Enter: next
    field" that stored the opposite of what the user meant. Here Enter only moves on (`Done`), the chosen
    option is marked `(•)` and named in words, and with nothing chosen the value is None.
    """

    DEFAULT_CSS = """
    ChoiceField {
        height: auto;
        width: 1fr;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "move(-1)", "Previous", show=False),
        Binding("right", "move(1)", "Next", show=False),
        Binding("space", "choose_highlighted", "Choose", show=False),
    ]

    value: reactive[str | None] = reactive(None)
    cursor: reactive[int] = reactive(0)

    class Done(Message):
        """Enter on the field: the form moves to the next field (or saves on the last)."""

        def __init__(self, field: Widget) -> None:
            super().__init__()
            self.field = field

    class Changed(Message):
        """An option was chosen."""

        def __init__(self, field: ChoiceField) -> None:
            super().__init__()
            self.field = field

    def __init__(self, options: tuple[str, ...], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.options = options
        initials = [option[:1].casefold() for option in options]
        # An option's first letter chooses it when the letters differ ("s" / "n"); numbers always do.
        self.hotkeys = {str(number): option for number, option in enumerate(options, 1)}
        if len(set(initials)) == len(initials):
            self.hotkeys.update(zip(initials, options, strict=True))
        self._spans: list[tuple[int, int]] = []

    def render(self) -> Text:
        line = Text(end="")  # wraps in a narrow terminal: the "not chosen yet" must stay readable
        self._spans = []
        for index, option in enumerate(self.options):
            if index:
                line.append("   ")
            start = len(line)
            mark = "(•)" if option == self.value else "( )"
            style = "bold" if option == self.value else ""
            if self.has_focus and index == self.cursor:
                style += " reverse"
            line.append(f"{mark} {option}", style=style.strip())
            self._spans.append((start, len(line)))
        if self.value is None:
            keys = " / ".join(key for key in self.hotkeys if not key.isdigit()) or "1 / 2"
            line.append(f"   — not chosen yet: {keys} (or ←/→, space)", style="italic")
        else:
            line.append("   — chosen: ", style="italic")
            line.append(self.value, style="bold")
        return line

    def watch_value(self, value: str | None) -> None:
        if value is not None:
            self.post_message(self.Changed(self))

    def on_focus(self) -> None:
        if self.value in self.options:
            self.cursor = self.options.index(self.value)

    def action_move(self, step: int) -> None:
        self.cursor = (self.cursor + step) % len(self.options)

    def action_choose_highlighted(self) -> None:
        self.value = self.options[self.cursor]

    def on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(self.Done(self))
            return
        option = self.hotkeys.get((event.character or "").casefold())
        if option is not None:
            event.stop()
            event.prevent_default()
            self.value = option
            self.cursor = self.options.index(option)

    def on_click(self, event: events.Click) -> None:
        for index, (start, end) in enumerate(self._spans):
            if start <= event.x < end:
                self.cursor = index
                self.value = self.options[index]
                return
