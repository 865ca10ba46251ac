"""The `shiftdesk` command: scripted intake and inspection, and the entry to the dashboard.

The group and its shared options live in tui/cli_base.py; each command family in a tui/cli_*.py module,
imported here so that it registers its commands. None of them imports Textual (tui/launch.py does, when
the dashboard opens).
"""

from __future__ import annotations

from tui import cli_cases, cli_inspect, cli_setup
from tui.cli_base import Runtime, main

__all__ = ["Runtime", "cli_cases", "cli_inspect", "cli_setup", "main"]


if __name__ == "__main__":
    main()
