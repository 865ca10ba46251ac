"""The floor every dashboard figure is compared with: a Textual app showing one Static.

Run it as a program (`python benchmarks/minimal_app.py`) for the first-paint and idle-CPU baselines in a real
terminal; bench_dashboard.py imports `MinimalApp` (memory baseline: the same ticks on one Static) and
`MinimalPickerApp` (key → modal painted, Enter → screen updated baseline) for the in-process figures.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static

WORD = "MINIMAL-APP-READY"  # benchmarks/_common.py MINIMAL_WORD


class MinimalApp(App[None]):
    """One Static; `tick()` rewrites it, so an in-process soak can drive it like the dashboard's tick."""

    def compose(self) -> ComposeResult:
        yield Static(WORD, id="word")

    def tick(self, text: str = WORD) -> None:
        self.query_one("#word", Static).update(text)


class MinimalPicker(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "choose", "Choose", priority=True)]

    def compose(self) -> ComposeResult:
        yield OptionList(*[f"Agent {index}  {index} open" for index in range(10)], id="choices")

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    def action_choose(self) -> None:
        options = self.query_one(OptionList)
        self.dismiss(str(options.get_option_at_index(options.highlighted or 0).prompt))


class MinimalPickerApp(App[None]):
    """`r` opens a modal list, Enter dismisses it and the Static shows the choice: the same round trip as the
    dashboard's reassign, without a database or a table."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("r", "pick", "Pick")]

    def compose(self) -> ComposeResult:
        yield Static(WORD, id="word")

    def action_pick(self) -> None:
        def chosen(value: str | None) -> None:
            if value:
                self.query_one("#word", Static).update(value)

        self.push_screen(MinimalPicker(), chosen)


if __name__ == "__main__":
    MinimalApp().run()
