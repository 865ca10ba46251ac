"""Starts the dashboard (kept apart from the CLI so that scripted commands never import Textual)."""

from __future__ import annotations

from typing import Any


def run_dashboard(runtime: Any, actor: str | None = None) -> None:
    from tui.app import ShiftdeskApp

    ShiftdeskApp(runtime.service, actor=actor).run()
