"""Every command of the `shiftdesk` group, found by walking the group (a new command is covered without a
word here), driven with hostile values: only the documented exit codes (0, 1 refused, 2 usage, 3 conflict),
never an "unexpected" error, a traceback or a raw escape reaching the terminal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.case_fields import BY_NAME
from core.clock import FrozenClock
from core.config import load_settings
from storage.database import Database
from storage.service import WorkflowService
from tests.domain_helpers import make_case
from tests.test_export_cli import FrozenRuntime
from tests.test_hostile_edges import ROSTERED
from tui.cli import main

NOW = datetime(2026, 11, 25, 15, tzinfo=UTC)
DOCUMENTED_EXIT_CODES = {0, 1, 2, 3}
# A file for `import`, with a row whose gesture no one may give and a name holding terminal controls.
IMPORT_CSV = (
    "opened_at,customer,category,site,product,staff,apologized_at,reviewed_at,fixed_at,gesture,gesture_value,"
    "description\n"
    "2026-11-25T09:00,Ada,late,Harbour Road,Sofa,Billy,2026-11-25T09:05,2026-11-25T09:10,2026-11-25T09:15,"
    "voucher,999999,Sofa late\n"
)
HOSTILE_CSV = IMPORT_CSV + '2026-03-29T01:30,"Eve\x1b[2J",late,Harbour Road,Bed,Billy,,,,,nan,Bed late\n'


def every_command(group: click.Group = main, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The path of every leaf command under `group` (`db upgrade` is ("db", "upgrade"))."""
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from every_command(command, (*path, name))
        else:
            yield (*path, name)


def command_at(path: tuple[str, ...]) -> click.Command:
    command: click.Command = main
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


# Values a careless or hostile user types: too big for any column, not numbers, terminal controls,
# line breaks, bidi overrides, very long, empty, local times the clocks skip or repeat, times out of range.
HOSTILE_TEXT = [
    "",
    " ",
    "0",
    "-1",
    "1",
    "2",
    "2147483648",
    "9223372036854775808",
    "999999999999999999999999",
    "-999999999999999999999999",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e309",
    "1e-320",
    "0x10",
    "٣",
    "billy",
    "Maria Lopez",
    "maria lopez",
    "current",
    "previous",
    "2026-11-24:Day",
    "9999-99-99:Day",
    "2026-03-29T01:30",
    "2026-10-25T01:30",
    "2026-11-25T14:00",
    "2026-11-25T14:00+05:00",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "2026-11-25T14:00-23:59",
    "line\nbreak",
    "cr\rreturn",
    "nul\x00byte",
    "esc\x1b[2J\x1b]0;title\x07",
    "\x1b]52;c;aGVsbG8=\x07",
    "\x9b31m C1",
    "\u202eevil rtl\u202c",
    "\u2028line sep",
    "[bold]x[/bold]",
    "=cmd|' /C calc'!A0",
    "x" * 5000,
    "training,process,nonsense",
]
HOSTILE = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=30))


PLAIN_TEXT = st.sampled_from(["Billy", "Sorry for the wait", "Maria Lopez", "Dana Reyes"])
# What a careful user gives, by the kind of value a parameter takes: the other parameters of an example
# hold these, so that the hostile one reaches the code behind the usage checks.
PLAIN_BY_NAME: dict[str, st.SearchStrategy[str]] = {
    "case_id": st.sampled_from(["1", "2", "3"]),
    "opened_at": st.just("2026-11-25T14:00"),
    "from_at": st.just("2026-11-25T08:00"),
    "to_at": st.just("2026-11-25T15:00"),
    "since": st.just("2026-11-01T00:00"),
    "until": st.just("2026-11-25T15:00"),
    "shift_spec": st.sampled_from(["current", "previous", "2026-11-24:Day"]),
    "factors": st.just("process"),
    "value": st.sampled_from(["10", "100"]),
    "expect_version": st.just("1"),
    "limit": st.just("5"),
}


def plain_value(param: click.Parameter, csv_file: str) -> st.SearchStrategy[str]:
    if isinstance(param.type, click.Choice):
        return st.sampled_from([str(choice) for choice in param.type.choices])
    field = BY_NAME.get(param.name or "")
    if field is not None and field.choices is not None:  # `add --tier` …: checked by a callback
        return st.sampled_from([member.value for member in field.choices])
    if isinstance(param.type, click.Path):
        if param.name == "csv_file":
            return st.sampled_from([csv_file, csv_file.replace("cases.csv", "hostile.csv")])
        return st.just("out.txt")
    return PLAIN_BY_NAME.get(param.name or "", PLAIN_TEXT)


def words(param: click.Parameter, value: str | None) -> list[str]:
    """The command-line words giving `value` to `param` (None: an option left out)."""
    if isinstance(param, click.Argument):
        return [value or ""]
    assert isinstance(param, click.Option)
    flag = max(param.opts, key=len)
    if param.is_flag:
        return [flag] if value else []
    return [] if value is None else [f"{flag}={value}"]


@st.composite
def command_line(draw: st.DrawFn, path: tuple[str, ...], csv_file: str) -> list[str]:
    """`path` with every parameter given a plain value (or an option left out), then one or two of them
    given hostile values instead."""
    command = command_at(path)
    params = [param for param in command.params if param.name != "help"]
    hostile = (
        set(draw(st.sets(st.sampled_from(range(len(params))), min_size=1, max_size=2))) if params else set()
    )
    options: list[str] = []
    arguments: list[str] = []
    for index, param in enumerate(params):
        if isinstance(param, click.Option) and param.is_flag:
            value: str | None = "yes" if draw(st.booleans()) else None
        elif index in hostile:
            value = draw(HOSTILE)
        elif isinstance(param, click.Option) and not param.required and draw(st.booleans()):
            value = None
        else:
            value = draw(plain_value(param, csv_file))
        (arguments if isinstance(param, click.Argument) else options).extend(words(param, value))
    if path == ("demo",):
        options.append("--no-open")  # the dashboard itself is driven by the Pilot tests, not here
    # Arguments after `--`, so that one starting with "-" is taken as a value, not an option.
    return [*path, *options, *(["--", *arguments] if arguments else [])]


@pytest.fixture(scope="module")
def floor(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A database with a few cases at different stages, and a config with a roster and limits."""
    home = tmp_path_factory.mktemp("hostile")
    config = home / "config.toml"
    config.write_text(ROSTERED, encoding="utf-8")
    url = f"sqlite:///{home}/shiftdesk.db"
    service = WorkflowService(Database(url), load_settings(config), FrozenClock(NOW))
    for minutes in (50, 40, 30):
        opened = make_case(opened_at=datetime(2026, 11, 25, 14, minutes, tzinfo=UTC), public=True)
        service.open_case(opened, "Billy")
    service.database.dispose()
    return url, str(config)


@pytest.mark.parametrize("path", list(every_command()), ids=" ".join)
def test_every_command_takes_hostile_values_without_an_unexpected_error(
    floor: tuple[str, str], path: tuple[str, ...], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url, config = floor
    if path == ("demo",):  # `demo --fresh` rebuilds the database it is given: not the shared one
        url = f"sqlite:///{tmp_path}/demo.db"
    monkeypatch.chdir(tmp_path)  # relative --out paths land here
    csv_file = tmp_path / "cases.csv"
    csv_file.write_text(IMPORT_CSV, encoding="utf-8")
    (tmp_path / "hostile.csv").write_text(HOSTILE_CSV, encoding="utf-8")
    examples = 4 if path == ("demo",) else 60  # the demo builds 90 days of history each time

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(args=command_line(path, str(csv_file)))
    def drive(args: list[str]) -> None:
        result = CliRunner().invoke(main, args, obj=FrozenRuntime(url, config, NOW))
        shown = f"{args!r}\n{result.output}"
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(shown) from result.exception
        assert result.exit_code in DOCUMENTED_EXIT_CODES, shown
        assert "unexpected" not in result.stderr, shown
        assert "Traceback" not in result.output, shown
        assert "\x1b" not in result.output and "\x9b" not in result.output, shown

    drive()


def test_the_walk_finds_every_command_including_nested_ones() -> None:
    found = set(every_command())
    assert {("add",), ("show",), ("export",), ("db", "upgrade"), ("import",)} <= found
    assert len(found) >= 20
