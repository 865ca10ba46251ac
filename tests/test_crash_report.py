"""An unexpected error ends the dashboard with exit code 1, one plain line, and a private report file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.tui_fixtures import build_shift
from tui.app import ShiftdeskApp
from tui.crash import write_crash_report


class Boom(RuntimeError):
    pass


async def test_a_crash_prints_one_line_without_locals_and_writes_a_private_report(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    shift = build_shift(sqlite_url)
    app = ShiftdeskApp(shift.service, actor="Omar Farouk", poll_seconds=0.05, hotspots=False)
    customer_contact = "+44 7700 900123"  # a local of the failing frame: must not reach the terminal

    def explode() -> None:
        contact = customer_contact
        raise Boom(f"while handling case #{len(contact)}")

    with pytest.raises(Boom):
        async with app.run_test() as pilot:
            await app.loaded.wait()
            await pilot.pause()
            app.call_later(explode)  # inside the app's loop, as a handler's bug would be
            await pilot.pause()
            await pilot.pause()
    assert app.return_code == 1
    printed = capsys.readouterr().err.replace("\n", "")  # the one line, as the console wrapped it
    assert printed.startswith("shiftdesk stopped on an unexpected error (Boom)"), printed
    assert customer_contact not in printed and "Traceback" not in printed and "contact" not in printed
    [report] = (tmp_path / "state").rglob("crash-*.log")
    assert str(report) in printed and "Boom" in printed
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert stat.S_IMODE(report.parent.stat().st_mode) == 0o700
    body = report.read_text()
    assert "Boom: while handling case #15" in body and customer_contact not in body  # no locals there either


def test_reports_never_overwrite_each_other(tmp_path: Path) -> None:
    first = write_crash_report(Boom("one"), tmp_path)
    second = write_crash_report(Boom("two"), tmp_path)
    assert first != second and "one" in first.read_text() and "two" in second.read_text()
