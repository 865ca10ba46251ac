"""The footer of key hints: a rebuild asked for while its screen is closing does nothing (no NoScreen)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import Static

from tui.widgets.key_footer import KeyFooter


class WithFooter(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [("x", "app.bell", "Ring")]

    def compose(self) -> ComposeResult:
        yield Static("a screen with key hints")
        yield KeyFooter()


class FooterApp(App[None]):
    pass


async def test_a_rebuild_while_its_screen_closes_does_nothing() -> None:
    app = FooterApp()
    async with app.run_test() as pilot:
        screen = WithFooter()
        await app.push_screen(screen)
        await pilot.pause()
        footer = screen.query_one(KeyFooter)
        assert any("Ring" in str(key.render()) for key in footer.children)
        # Textual's Footer recomposes after a refresh when bindings change; the screen may be closing by
        # then (a trends screen left at once, say): the footer is being removed with it.
        app.pop_screen()
        for _ in range(20):
            await footer.recompose()  # must neither raise nor rebuild a footer on its way out
            await pilot.pause(0.001)
