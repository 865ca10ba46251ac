"""End to end in a real terminal: tmux runs `shiftdesk --db …`, keys reassign a case, the database and the
screen both show the new assignee; user text with markup appears exactly as typed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from storage.database import Database
from storage.service import WorkflowService
from tests.tui_fixtures import MARKUP_NAME, build_shift, new_case, settings

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Terminal:
    """One tmux server of our own (-L), so the user's sessions are left alone."""

    def __init__(self, command: list[str], env: dict[str, str], size: tuple[int, int] = (160, 48)) -> None:
        self.socket = f"shiftdesk-test-{uuid.uuid4().hex[:8]}"
        self.session = "e2e"
        environment = " ".join(f"{key}={value!s}" for key, value in env.items())
        quoted = " ".join(command)
        self.tmux(
            "new-session",
            "-d",
            "-s",
            self.session,
            "-x",
            str(size[0]),
            "-y",
            str(size[1]),
            f"env -i {environment} {quoted}",  # a clean environment: no COLUMNS/LINES from pytest
        )

    def tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True, timeout=10
        )
        return result.stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.tmux("send-keys", "-t", self.session, *(["-l"] if literal else []), *keys)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session)

    def wait_for(self, text: str, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.05)
        raise AssertionError(f"{text!r} did not appear on screen:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=10)


@pytest.fixture
def terminal_factory():
    opened: list[Terminal] = []

    def open_(command: list[str], env: dict[str, str]) -> Terminal:
        terminal = Terminal(command, env)
        opened.append(terminal)
        return terminal

    yield open_
    for terminal in opened:
        terminal.close()


def shiftdesk_command() -> list[str]:
    script = Path(sys.executable).with_name("shiftdesk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui.cli"]


def user_env(private_user_dirs: Path) -> dict[str, object]:
    """What a user's terminal passes on, with their own (empty, private) data and config folders."""
    return {
        "XDG_DATA_HOME": private_user_dirs / "data",
        "XDG_CONFIG_HOME": private_user_dirs / "config",
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
    }


def test_reassign_in_a_real_terminal(tmp_path, terminal_factory, private_user_dirs):
    url = f"sqlite:///{tmp_path / 'floor.db'}"
    shift = build_shift(url)
    case_id = shift.ids["reviewed"]  # Chloé Martin's case, with Billy Okafor
    terminal = terminal_factory([*shiftdesk_command(), "--db", url], user_env(private_user_dirs))
    screen = terminal.wait_for("Open breakdowns")
    screen = terminal.wait_for("Chloé Martin")
    assert MARKUP_NAME in screen  # shown exactly as typed, not as bold "Ada"
    terminal.keys("/")
    terminal.wait_for("filter: customer")
    terminal.keys("Chlo", literal=True)
    terminal.wait_for("Chlo ")
    terminal.keys("Enter")
    time.sleep(0.2)
    terminal.keys("r")
    terminal.wait_for("type to filter agents")
    terminal.keys("mar", literal=True)
    terminal.wait_for("Marta Kowalski  1 open")  # the picker filtered down to her, with her load
    terminal.keys("Enter")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if shift.service.get(case_id).assignee == "Marta Kowalski":
            break
        time.sleep(0.05)
    assert shift.service.get(case_id).assignee == "Marta Kowalski", terminal.screen()
    assert shift.service.get(case_id).owner == "Billy Okafor"
    # The case's row in the open-breakdowns table now names her.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        rows = [
            line for line in terminal.screen().splitlines() if "Chloé Martin" in line and "reviewed" in line
        ]
        if rows and "Marta Kowalski" in rows[0]:
            break
        time.sleep(0.05)
    assert rows and "Marta Kowalski" in rows[0], terminal.screen()


def test_a_case_added_by_the_cli_appears_within_two_seconds(tmp_path, terminal_factory, private_user_dirs):
    url = f"sqlite:///{tmp_path / 'floor.db'}"
    build_shift(url)
    terminal = terminal_factory([*shiftdesk_command(), "--db", url], user_env(private_user_dirs))
    terminal.wait_for("Chloé Martin")
    other = WorkflowService(Database(url), settings())
    started = time.monotonic()
    other.open_case(new_case("Zelda [i]Quist[/i]", 0, "Dev Patel"), "Dev Patel")
    terminal.wait_for("Zelda [i]Quist[/i]", timeout=5)
    assert time.monotonic() - started <= 2.0
