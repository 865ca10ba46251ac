"""The footer of key hints: Textual's Footer, rebuilt only when the keys it shows change."""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer


class KeyFooter(Footer):
    """Textual's Footer rebuilds its dozen key widgets whenever the screen's bindings are announced, which
    happens each time a modal closes — about 80 ms of styling before the screen underneath can show the
    result of the key that closed it. The keys shown rarely change: rebuild only when they do."""

    _shown: tuple[Any, ...] | None = None

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
        return (self.compact, self.show_command_palette, bindings)

    async def recompose(self) -> None:
        if not self.is_attached or self._pruning:
            return  # its screen is gone (closed before a recompose planned for after a refresh)
        keys = self._keys_shown()
        if keys == self._shown and self.children:
            return
        self._shown = keys
        await super().recompose()
