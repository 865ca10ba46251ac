"""Nothing but text reaches the terminal: core/visible.py's escapes, and the dashboard's renderables."""

from __future__ import annotations

import io
import json
import re
import unicodedata

from hypothesis import example, given
from hypothesis import strategies as st
from rich.console import Console
from rich.table import Table
from rich.text import Text

from core.export_formats import to_csv, to_json, to_markdown
from core.visible import ESCAPED_RANGES, for_terminal, json_visible, strip_controls, visible
from tests.test_redaction import case_history, shift
from tests.test_summary import ZONE
from tui.text import joined, literal, one_line

STEERING = {"Cc", "Cf", "Zl", "Zp", "Cs"}
CLEAR_SCREEN = "\x1b[2J"
OSC_TITLE = "\x1b]0;pwned\x07"
OSC_52_CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4=\x07"
HOSTILE_NAME = f"Ada{CLEAR_SCREEN}{OSC_TITLE}{OSC_52_CLIPBOARD} Brennan"
# Every code point, surrogates and the newest letters included.
ANY_TEXT = st.text(st.characters(codec=None, categories=None))
ESCAPE = re.compile(r"\\(\\|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})")


def decode(shown: str) -> str:
    """Reads visible()'s output back, left to right, as its docstring says a reader can."""
    return ESCAPE.sub(lambda m: "\\" if m.group(1) == "\\" else chr(int(m.group(1)[1:], 16)), shown)


def steering(text: str, allowed: str = "") -> list[str]:
    return [c for c in text if unicodedata.category(c) in STEERING and c not in allowed]


def test_the_three_sequences_of_the_incident_come_out_as_plain_text() -> None:
    shown = visible(HOSTILE_NAME)
    assert shown == "Ada\\x1b[2J\\x1b]0;pwned\\x07\\x1b]52;c;cm0gLXJmIH4=\\x07 Brennan"
    assert "\x1b" not in shown and "\x07" not in shown
    assert for_terminal(HOSTILE_NAME) == shown


def test_bidi_and_invisible_characters_are_shown() -> None:
    assert visible("abc\u202edcba\u2066x\u2069\u200e\u200f\u061c") == (
        "abc\\u202edcba\\u2066x\\u2069\\u200e\\u200f\\u061c"
    )
    assert visible("a\u2028b\u2029c\u00adz\ufeff\u200b") == "a\\u2028b\\u2029c\\xadz\\ufeff\\u200b"
    assert visible("\x7f\x9b31m\x85") == "\\x7f\\x9b31m\\x85"  # DEL, 8-bit CSI, NEL
    assert visible("tag\U000e0041\U000e0042") == "tag\\U000e0041\\U000e0042"  # invisible "AB"


def test_newlines_and_tabs_pass_only_where_the_caller_keeps_them() -> None:
    assert visible("a\nb\tc") == "a\\x0ab\\x09c"
    assert visible("a\nb\tc", keep_newlines=True) == "a\nb\\x09c"
    assert visible("a\nb\tc", keep_tabs=True) == "a\\x0ab\tc"
    assert visible("a\r\nb", keep_newlines=True, keep_tabs=True) == "a\\x0d\nb"
    assert for_terminal("a\r\nb\tc\rd") == "a\nb\tc\\x0dd"  # CRLF is a newline; a lone CR hides text


def test_ordinary_text_and_backslashes_are_unchanged() -> None:
    for text in (
        "Chloé Martin",
        "C:\\Users\\ana",
        "a \\ b",
        "\\n is not a newline",
        "日本語 ✓ \U0001f469\U0001f3fd",
        "",
    ):
        assert visible(text) == text


def test_a_backslash_is_doubled_only_where_it_would_read_as_an_escape() -> None:
    assert visible("\\x1b") == "\\\\x1b"  # typed literally: not to be confused with a real ESC
    assert visible("\\u202e and \\U0001f600") == "\\\\u202e and \\\\U0001f600"
    assert visible("C:\\x64\\bin") == "C:\\\\x64\\bin"
    assert visible("\\\\") == "\\\\\\"  # the first, before another backslash; the last one stands alone
    assert visible("\\\x1b") == "\\\\\\x1b"  # before an escaped character
    assert visible("\\xZZ \\u12") == "\\xZZ \\u12"  # not enough hex digits: no escape to confuse


@given(ANY_TEXT, st.booleans(), st.booleans())
@example(HOSTILE_NAME, False, False)
@example("\\\\x1b\x1b\\", True, True)
def test_visible_leaves_no_steering_character_and_reads_back(text: str, newlines: bool, tabs: bool) -> None:
    shown = visible(text, keep_newlines=newlines, keep_tabs=tabs)
    allowed = ("\n" if newlines else "") + ("\t" if tabs else "")
    assert steering(shown, allowed) == []
    assert decode(shown) == text  # unambiguous: the original comes back


@given(ANY_TEXT)
def test_text_without_steering_characters_or_backslashes_is_returned_as_it_is(text: str) -> None:
    if not steering(text) and "\\" not in text:
        assert visible(text) == text


def test_the_escaped_ranges_are_exactly_the_steering_categories_of_this_python() -> None:
    listed = {code for low, high in ESCAPED_RANGES for code in range(low, high + 1)}
    categorised = {code for code in range(0x110000) if unicodedata.category(chr(code)) in STEERING}
    assert categorised <= listed, [hex(code) for code in sorted(categorised - listed)][:20]
    # Beyond them only code points this Python does not know yet (Unicode 15's Egyptian format controls).
    assert {unicodedata.category(chr(code)) for code in listed - categorised} <= {"Cn"}
    every = "".join(chr(code) for code in sorted(listed))
    assert steering(visible(every)) == [] and decode(visible(every)) == every


@given(ANY_TEXT, st.sampled_from([None, 2, "\t"]))
def test_json_visible_keeps_the_value_and_leaves_no_raw_steering_character(text: str, indent: object) -> None:
    value = {"name": text, "n": [1, None], text: [text]}
    encoded = json.dumps(value, ensure_ascii=False, indent=indent)  # type: ignore[arg-type]
    safe = json_visible(encoded)
    assert steering(safe, "\n\t") == []  # newline and tab only as the layout between values
    assert json.loads(safe) == value


def test_json_dumps_alone_writes_c1_and_bidi_raw() -> None:
    # Why json_visible exists: the standard encoder escapes only C0 when ensure_ascii is off.
    raw = json.dumps("\x9b2J\u202e", ensure_ascii=False)
    assert "\x9b" in raw and "\u202e" in raw
    assert json_visible(raw) == '"\\u009b2J\\u202e"'
    assert json_visible(json.dumps("\U000e0041", ensure_ascii=False)) == '"\\udb40\\udc41"'


def test_strip_controls_drops_them() -> None:
    assert strip_controls(HOSTILE_NAME) == "Ada[2J]0;pwned]52;c;cm0gLXJmIH4= Brennan"
    assert strip_controls("a\u202eb\u2028c\x9bd\U000e0041") == "abcd"


def test_exports_carry_no_raw_control_character_from_stored_text() -> None:
    summary = shift(
        case_history(
            1, HOSTILE_NAME, None, f"note{OSC_52_CLIPBOARD}\u202eevil\x9b2J", gesture=f"voucher{CLEAR_SCREEN}"
        )
    )
    markdown, table, payload = to_markdown(summary, ZONE), to_csv(summary, ZONE), to_json(summary)
    assert steering(markdown, "\n") == [] and steering(payload, "\n") == [] and steering(table, "\r\n") == []
    assert "| Ada\\[2J\\]0;pwned\\]52;c;cm0gLXJmIH4= Brennan |" in markdown  # stripped, then escaped
    assert (
        "Ada\\x1b[2J\\x1b]0;pwned\\x07" in table
        and "note\\x1b]52;" in table
        and "\\u202eevil\\x9b2J" in table
    )
    loaded = json.loads(payload)  # JSON loses nothing: its escapes decode to the stored text
    assert loaded["handover"][0]["customer"] == HOSTILE_NAME
    assert loaded["handover"][0]["last_note"] == f"note{OSC_52_CLIPBOARD}\u202eevil\x9b2J"
    assert loaded["gestures"][0]["kind"] == f"voucher{CLEAR_SCREEN}"


# -- the dashboard's renderables ---------------------------------------------------------------------------


def rendered(renderable: object, width: int = 200) -> str:
    """What a real terminal would receive, minus colours (so any ESC left must have come from the text)."""
    out = io.StringIO()
    Console(file=out, force_terminal=True, color_system=None, width=width, legacy_windows=False).print(
        renderable
    )
    return out.getvalue()


def test_rendering_stored_text_raw_would_reach_the_terminal() -> None:
    # The check below can fail: a plain rich Text passes ESC through to the terminal untouched.
    assert "\x1b" in rendered(Text(HOSTILE_NAME))


def test_literal_and_one_line_render_no_escape_sequence_from_the_name() -> None:
    table = Table("field", "value")  # like the case view's detail table
    table.add_row("customer", literal(HOSTILE_NAME))
    table.add_row("description", literal(f"line one\n{OSC_52_CLIPBOARD}line two\u202e"))
    table.add_row("title", joined("case #1 · ", one_line(HOSTILE_NAME, 30)))
    for renderable in (table, literal(HOSTILE_NAME), one_line(HOSTILE_NAME), one_line(HOSTILE_NAME, 12)):
        output = rendered(renderable)
        assert "\x1b" not in output and "\x07" not in output and "\u202e" not in output
    assert "\\x1b[2J" in rendered(literal(HOSTILE_NAME))


def test_literal_keeps_lines_and_one_line_marks_them() -> None:
    assert literal("a\nb\tc").plain == "a\nb\tc"
    assert one_line("a\r\nb\nc\rd\te").plain == "a ⏎ b ⏎ c\\x0dd\\x09e"
    assert literal("[bold]x[/bold]").plain == "[bold]x[/bold]"
    assert literal(f"x{CLEAR_SCREEN}").plain == "x\\x1b[2J"
