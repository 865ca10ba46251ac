"""The footer of key hints: Textual's Footer, rebuilt only when the keys it shows change."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# Below this width the footer shows the recovery keys with short words, without the palette's hint and the
# keys that open other screens, and resume (/ t e g still work; ? lists every key in full, ctrl+p every action
# by name; a refused `p` on a paused case offers g), so that what it shows fits an 80-column terminal whole.
NARROW = 150  # the full footer's width
LEFT_OUT_WHEN_NARROW = {"filter", "trends", "export", "form('resume')"}
SHORT = {
    "Apologize": "Apo",
    "Review": "Rev",
    "Update": "Upd",
    "Pause": "Paus",
    "Follow-up": "F-up",
    "Deposition": "Dep",
    "Close": "Cls",
    "Reassign": "Reas",
    "Filter": "Find",
    "Trends": "Trnd",
    "Export": "Exp",
}


class KeyFooter(Footer):
    """Textual's Footer rebuilds its dozen key widgets whenever the screen's bindings are announced, which
    happens each time a modal closes — about 80 ms of styling before the screen underneath can show the
    result of the key that closed it. The keys shown rarely change: rebuild only when they do."""

    _shown: tuple[Any, ...] | None = None
    _narrow = False

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW
        if narrow != self._narrow:
            self._narrow = narrow
            self.set_class(narrow, "-narrow")
            self.show_command_palette = not narrow
            self.call_later(self.recompose)

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        left_out = set(LEFT_OUT_WHEN_NARROW)
        if any(isinstance(widget, FooterKey) and widget.action == "app.pop_screen" for widget in widgets):
            left_out.add("new_case")  # the case view: Back takes its room (n still opens a new case)
        for widget in widgets:
            if self._narrow and isinstance(widget, FooterKey):
                if widget.action in left_out:
                    continue
                widget.description = SHORT.get(widget.description, widget.description)
            yield widget

    def _keys_shown(self) -> tuple[Any, ...]:
        bindings = tuple(
            (
                binding.key,
                binding.key_display,
                binding.description,
                binding.action,
                binding.group,
                enabled,
                tooltip,
            )
            for (_node, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show
        )
        return (self._narrow, self.compact, self.show_command_palette, bindings)

    async def recompose(self) -> None:
        if not self.is_attached or self._pruning:
            return  # its screen is gone (closed before a recompose planned for after a refresh)
        keys = self._keys_shown()
        if keys == self._shown and self.children:
            return
        self._shown = keys
        await super().recompose()
