"""The one place where user-entered text becomes something Textual renders: always literally, never markup,
and never a control sequence (stored text is not trusted to be printable: see core/visible.py)."""

from __future__ import annotations

from rich.text import Text

from core.visible import for_terminal, visible


def literal(value: object, style: str = "") -> Text:
    """Text shown exactly as typed: `[bold]` stays `[bold]`, `[@click=...]` does nothing, and an ESC, a bidi
    override or any other control or format character shows as an escape (`\\x1b`); lines and tabs stay."""
    return Text(for_terminal(str(value)), style=style, no_wrap=False, end="")


def one_line(value: object, width: int = 0, style: str = "") -> Text:
    """A single line of user text (newlines shown as ⏎, any other control character as an escape),
    optionally cut to `width` with an ellipsis."""
    flat = visible(str(value).replace("\r\n", "\n").replace("\n", " ⏎ "))
    text = Text(flat, style=style, no_wrap=True, overflow="ellipsis", end="")
    if width and len(flat) > width:
        text.truncate(width, overflow="ellipsis")
    return text


def joined(*parts: Text | str) -> Text:
    """Plain strings here are our own labels (trusted); Text parts keep their own literal content."""
    result = Text(end="")
    for part in parts:
        result.append(part if isinstance(part, Text) else Text(part))
    return result
