"""Text that can reach a terminal safely: control, format and bidi characters shown as visible escapes.

Stored text is never trusted to be printable: another tool may have written the shared database, and one
ESC is enough to clear a screen, set a window title or write the clipboard (OSC 52). Everything that
renders user text — the dashboard through `tui/text.py`, the CLI through `for_terminal` — goes through
`visible`, which replaces every character that can steer a terminal or hide, reorder or fake text:

- C0 controls U+0000–U+001F (newline and tab only where the caller asks to keep them), DEL, C1 controls
  U+0080–U+009F (U+009B is CSI on its own), i.e. all of Unicode category Cc;
- every format character (category Cf): bidi embeddings and overrides U+202A–U+202E, isolates
  U+2066–U+2069, marks U+200E/U+200F/U+061C, zero-width characters, the BOM, tag characters U+E0000…;
- the line and paragraph separators U+2028/U+2029 (Zl, Zp) and lone surrogates (Cs), which cannot even be
  encoded for output.

The escape convention is Python's: `\\xhh` for a code point below U+0100, `\\uhhhh` below U+10000, else
`\\Uhhhhhhhh` (lower-case hex, always that many digits) — ESC is `\\x1b`, RIGHT-TO-LEFT OVERRIDE `\\u202e`.
A backslash typed by a user stays one backslash (`C:\\Users\\ana` is shown as typed) except where it would
read as the start of an escape: before another backslash, before `x`/`u`/`U` followed by two/four/eight
hex digits, or before a character that is itself escaped; there it is doubled. So the output can always be
read back unambiguously — left to right, `\\\\` is a backslash, `\\x..`/`\\u....`/`\\U........` the code
point, and any other backslash itself (tests/test_visible.py decodes it that way for any string) — while
ordinary text, backslashes included, comes out unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# The code points escaped, as inclusive ranges: Unicode 14's Cc, Cf, Zl, Zp and Cs (the Unicode version of
# Python 3.11's unicodedata), written out rather than computed at import, which would scan 1.1 million code
# points on every start of the CLI. tests/test_visible.py checks the list against the running Python's
# unicodedata for every code point, so a newer Python's additions fail a test instead of slipping through.
ESCAPED_RANGES: tuple[tuple[int, int], ...] = (
    (0x0000, 0x001F),  # C0 controls (ESC is 0x1B)
    (0x007F, 0x009F),  # DEL, C1 controls (0x9B is an 8-bit CSI, 0x9D an 8-bit OSC)
    (0x00AD, 0x00AD),  # soft hyphen: invisible unless a line breaks there
    (0x0600, 0x0605),  # Arabic number signs (prepended concatenation marks)
    (0x061C, 0x061C),  # Arabic letter mark (bidi)
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),  # Mongolian vowel separator
    (0x200B, 0x200F),  # zero-width space, non-joiner, joiner; LRM, RLM
    (0x2028, 0x202E),  # line and paragraph separators; LRE, RLE, PDF, LRO, RLO
    (0x2060, 0x2064),  # word joiner, invisible operators
    (0x2066, 0x206F),  # LRI, RLI, FSI, PDI; deprecated format characters
    (0xD800, 0xDFFF),  # lone surrogates
    (0xFEFF, 0xFEFF),  # BOM / zero-width no-break space
    (0xFFF9, 0xFFFB),  # interlinear annotation
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),  # Egyptian hieroglyph format controls (0x13439–0x1343F are Unicode 15)
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),  # musical beam and slur controls
    (0xE0001, 0xE0001),  # language tag
    (0xE0020, 0xE007F),  # tag characters: invisible ASCII look-alikes ("ASCII smuggling")
)

_HEX = "[0-9A-Fa-f]"


def _char_class(keep: str) -> str:
    parts = []
    for low, high in ESCAPED_RANGES:
        if low == 0:  # C0: leave out what the caller keeps, as single characters and ranges
            parts += [re.escape(chr(c)) for c in range(low, high + 1) if chr(c) not in keep]
        elif low == high:
            parts.append(re.escape(chr(low)))
        else:
            parts.append(f"{re.escape(chr(low))}-{re.escape(chr(high))}")
    return "[" + "".join(parts) + "]"


def _pattern(keep: str) -> re.Pattern[str]:
    escaped = _char_class(keep)
    # A backslash is doubled only where a reader would otherwise take it for the start of an escape.
    backslash = rf"\\(?=\\|x{_HEX}{{2}}|u{_HEX}{{4}}|U{_HEX}{{8}}|{escaped})"
    return re.compile(f"{backslash}|{escaped}")


def escape(char: str) -> str:
    """One code point as its escape (`\\x1b`, `\\u202e`, `\\U000e0041`)."""
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _replace(match: re.Match[str]) -> str:
    char = match.group()
    return "\\\\" if char == "\\" else escape(char)


_Sub = Callable[[Callable[[re.Match[str]], str], str], str]
# One compiled pattern per choice of kept characters, built at import (four small patterns, ~1 ms).
_SUBS: dict[str, _Sub] = {keep: _pattern(keep).sub for keep in ("", "\n", "\t", "\n\t")}


def visible(text: str, *, keep_newlines: bool = False, keep_tabs: bool = False) -> str:
    """`text` with every control, format, bidi and separator character shown as an escape (see above).

    The default suits single-line places (a name in a table cell): a newline becomes `\\x0a`. Multi-line
    places (a description, a note, the CLI's own output) keep newlines and tabs. Carriage returns are always
    escaped: a lone CR moves the cursor back over what was printed, which hides text.
    """
    # Fast path for the usual name or note: isprintable() is false for every escaped character (and for a
    # few harmless ones, like a no-break space, which then take the regex path), and runs in C at ~1 GB/s.
    if text.isprintable() and "\\" not in text:
        return text
    keep = ("\n" if keep_newlines else "") + ("\t" if keep_tabs else "")
    return _SUBS[keep](_replace, text)


def for_terminal(text: str) -> str:
    """What the CLI may print of a line or block holding stored text: newlines and tabs kept, a CRLF read as
    a newline, everything else that could steer the terminal made visible. Meant for `click.echo(
    for_terminal(...))` around stored values; not for text styled with ANSI colours on purpose."""
    return visible(text.replace("\r\n", "\n"), keep_newlines=True, keep_tabs=True)


# -- documents that are not shown by us but may well be `cat`-ed: strip, or escape the way the format does --

_STRIP = re.compile(_char_class(""))


def strip_controls(text: str) -> str:
    """`text` without any of the escaped characters (for Markdown, whose readers show no escapes)."""
    return _STRIP.sub("", text)


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # JSON spells a code point beyond the BMP as a UTF-16 surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


# In encoded JSON, newline, tab and CR are the layout between values (in strings the encoder escapes them).
_JSON_RAW = re.compile(_char_class("\n\t\r"))


def json_visible(encoded: str) -> str:
    """Encoded JSON with the escaped characters written as `\\uXXXX` escapes.

    `json.dumps(..., ensure_ascii=False)` escapes C0 (so ESC) but writes DEL, C1 (8-bit CSI), bidi
    overrides and U+2028 raw. Outside strings the encoder writes only ASCII punctuation, literals and layout
    (newline, tab, CR: left alone), so every character escaped here is inside a string, where `\\uXXXX` is
    valid JSON that decodes to the same text.
    """
    if encoded.isascii() and "\x7f" not in encoded:  # the usual document: nothing to do, found at C speed
        return encoded
    return _JSON_RAW.sub(_json_escape, encoded)
