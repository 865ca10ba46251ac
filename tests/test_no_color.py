"""NO_COLOR in a real terminal: every urgent mark (OVERDUE, !!, VIP, PUB, the header's overdue count) must
read at least as clearly as WCAG's 4.5:1, computed from the SGR codes the dashboard emits (tmux
capture-pane -e), not from what the code meant."""

from __future__ import annotations

import re
import shutil
import time

import pytest

from tests.test_tmux_e2e import Terminal, shiftdesk_command, user_env

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

SGR = re.compile(r"\x1b\[([\d;]*)m")
# A terminal's own colours, when the program leaves them to it (a dark terminal; reversed, a light one).
DEFAULT_FG = (229, 229, 229)
DEFAULT_BG = (0, 0, 0)
MARKS = ("OVERDUE", "!!", "VIP", "PUB", "overdue ")


def xterm_256(index: int) -> tuple[int, int, int]:
    basic = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205),
        (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255),
        (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]  # fmt: skip
    if index < 16:
        return basic[index]
    if index < 232:
        index -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return steps[index // 36], steps[(index // 6) % 6], steps[index % 6]
    grey = 8 + 10 * (index - 232)
    return grey, grey, grey


def cells(line: str) -> list[tuple[str, tuple]]:
    """Each character of a captured line with its (fg, bg, bold, reverse); None is the terminal's default."""
    fg = bg = None
    bold = reverse = False
    out: list[tuple[str, tuple]] = []
    position = 0
    for match in SGR.finditer(line + "\x1b[m"):
        for char in line[position : match.start()]:
            out.append((char, (fg, bg, bold, reverse)))
        position = match.end()
        codes = [int(code) if code else 0 for code in match[1].split(";")] if match[1] else [0]
        index = 0
        while index < len(codes):
            code = codes[index]
            if code == 0:
                fg = bg = None
                bold = reverse = False
            elif code == 1:
                bold = True
            elif code == 22:
                bold = False
            elif code == 7:
                reverse = True
            elif code == 27:
                reverse = False
            elif code in (38, 48):
                if codes[index + 1] == 5:
                    colour, index = xterm_256(codes[index + 2]), index + 2
                else:
                    colour, index = tuple(codes[index + 2 : index + 5]), index + 4
                if code == 38:
                    fg = colour
                else:
                    bg = colour
            elif code == 39:
                fg = None
            elif code == 49:
                bg = None
            elif 30 <= code <= 37 or 90 <= code <= 97:
                fg = xterm_256(code - 30 if code < 90 else code - 82)
            elif 40 <= code <= 47 or 100 <= code <= 107:
                bg = xterm_256(code - 40 if code < 100 else code - 92)
            index += 1
    return out


def luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(value) for value in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(style: tuple) -> float:
    fg, bg, _bold, reverse = style
    if fg is None and bg is None:
        return 21.0  # the terminal's own pair, reversed or not
    fg, bg = fg or DEFAULT_FG, bg or DEFAULT_BG
    if reverse:
        fg, bg = bg, fg
    light, dark = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def marks_on(screen: str) -> list[tuple[str, float, str]]:
    found = []
    for line in screen.splitlines():
        row = cells(line)
        text = "".join(char for char, _ in row)
        for mark in MARKS:
            for hit in re.finditer(re.escape(mark), text):
                worst = min(contrast(row[i][1]) for i in range(hit.start(), hit.end() - (mark[-1] == " ")))
                found.append((mark, worst, text.strip()[:60]))
    return found


def test_urgent_marks_read_clearly_under_no_color(tmp_path, private_user_dirs):
    env = {**user_env(private_user_dirs), "NO_COLOR": "1"}
    terminal = Terminal([*shiftdesk_command(), "demo", "--fresh"], env)
    try:
        terminal.wait_for("OVERDUE", timeout=60)
        time.sleep(1.5)  # the lower panes and the first tick
        screen = terminal.tmux("capture-pane", "-e", "-p", "-t", terminal.session)
    finally:
        terminal.close()
    found = marks_on(screen)
    kinds = {mark for mark, _, _ in found}
    assert {"OVERDUE", "VIP", "PUB", "overdue "} <= kinds, found
    faint = [item for item in found if item[1] < 4.5]
    assert not faint, faint
