"""A whole shift on the demo in a 160×48 colour terminal: every deposition, open case, hotspot and form."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.whole_shift import shift_url, walk_a_whole_shift

__all__ = ["shift_url"]  # the module's fixture: the demo stored once for this file


async def test_a_whole_shift_on_the_demo_at_160x48(
    shift_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await walk_a_whole_shift(shift_url, tmp_path, monkeypatch, (160, 48), no_color=False, walk_all=True)
