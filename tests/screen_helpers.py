"""Reading back what the terminal shows in an in-process run, and a shift big enough to scroll."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from core.cases import Tier
from tests.tui_fixtures import NOW, Shiftdesk, new_case

AGENTS = ("Billy Okafor", "Hana Sato", "Marta Kowalski", "Dev Patel")
NAMES = (
    "Alexandria Montgomery-Fitzwilliam",
    "Bo Li",
    "Chiamaka Nwachukwu-Adeyemi",
    "Dan Wu",
    "Evangeline Ross",
)


def screen_lines(app) -> list[str]:
    """What the terminal shows, one string per row, read back from Textual's own screenshot."""
    svg = app.export_screenshot()
    lines: dict[float, list[tuple[float, str]]] = {}
    for match in re.finditer(r'<text[^>]*x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', svg):
        x, y, content = float(match[1]), float(match[2]), match[3]
        lines.setdefault(y, []).append((x, html.unescape(content).replace("\xa0", " ")))
    return ["".join(part for _x, part in sorted(parts)) for _y, parts in sorted(lines.items())]


def busy(shift: Shiftdesk, count: int = 40) -> Shiftdesk:
    """`count` more open cases (long names, VIP and public ones, a hand-over): the table scrolls."""
    for index in range(count):
        minutes = 2 + (index * 37) % 55
        shift.clock.set(NOW - timedelta(minutes=minutes))
        case = new_case(
            NAMES[index % len(NAMES)],
            minutes,
            AGENTS[index % len(AGENTS)],
            tier=Tier.VIP if index % 7 == 0 else Tier.STANDARD,
            public=index % 5 == 0,
        )
        stored = shift.service.open_case(case, case.staff)
        if index % 9 == 0:
            assert stored.id is not None
            shift.service.reassign(stored.id, AGENTS[(index + 1) % len(AGENTS)], "Omar Farouk")
    shift.clock.set(NOW)
    return shift
