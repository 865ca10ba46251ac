"""The dashboard's modal screens close once, whatever keys were queued behind the one that closed them."""

from __future__ import annotations

import asyncio
from typing import TypeVar

from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen

Result = TypeVar("Result")


class OnceModal(ModalScreen[Result]):
    """A modal screen whose first dismiss is its only one.

    Keys sent together (Enter Enter from a fast typist or a paste) are all queued for the modal before the
    first closes it: a second dismiss would run the result callback again and pop the screen beneath it
    ("Can't pop screen" stopped the dashboard). `closing` tells the screen's own handlers to ignore them.
    """

    closing = False

    def dismiss(self, result: Result | None = None) -> AwaitComplete:
        if self.closing:
            return AwaitComplete(asyncio.sleep(0))  # already going: nothing more to do
        self.closing = True
        return super().dismiss(result)
