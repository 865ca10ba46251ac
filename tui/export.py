"""The dashboard's export key: the end-of-shift summary written to the export folder."""

from __future__ import annotations

from typing import Any


async def export_now(app: Any) -> None:
    app.notify("export is not wired yet", severity="warning")
