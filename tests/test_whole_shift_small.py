"""A whole shift on the demo at 80×24 under NO_COLOR: every open case, three hotspots, every form.

The depositions and the remaining hotspots are walked at 160×48 (test_whole_shift_wide.py): what a small
terminal without colour changes is the layout and the marks, which every open case and form shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.whole_shift import shift_url, walk_a_whole_shift

__all__ = ["shift_url"]  # the module's fixture: the demo stored once for this file


async def test_a_whole_shift_on_the_demo_at_80x24_without_colour(
    shift_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await walk_a_whole_shift(shift_url, tmp_path, monkeypatch, (80, 24), no_color=True, walk_all=False)
