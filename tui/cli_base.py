"""The `shiftdesk` group and what its commands share: the runtime (settings, database, service), options."""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from core.cases import Case, parse_enum
from core.times import local_time
from core.visible import for_terminal, json_visible, visible

if TYPE_CHECKING:
    from core.clock import Clock
    from core.config import Settings
    from storage.database import Database
    from storage.service import WorkflowService

CONFIG_ENV = "SHIFTDESK_CONFIG"


class Runtime:
    """The composition root: settings, database and service, built on first use from the CLI options."""

    def __init__(self, db_url: str | None, config_path: str | None) -> None:
        self.db_option = db_url
        self.config_option = config_path

    @cached_property
    def settings(self) -> Settings:
        from core.config import load_settings

        return load_settings(self.config_path)

    @property
    def config_path(self) -> Path | None:
        if self.config_option:
            return Path(self.config_option)
        if os.environ.get(CONFIG_ENV):
            return Path(os.environ[CONFIG_ENV])
        from platformdirs import user_config_dir

        default = Path(user_config_dir("shiftdesk", appauthor=False)) / "config.toml"
        return default if default.exists() else None

    @cached_property
    def database(self) -> Database:
        from storage.database import Database, resolve_url

        return Database(resolve_url(self.db_option))

    @cached_property
    def service(self) -> WorkflowService:
        from storage.service import WorkflowService, system_identity

        # A command records as the OS user running it, whoever `--as` says did the step.
        return WorkflowService(
            self.database, self.settings, self.service_clock(), recorder=system_identity()[0]
        )

    def service_clock(self) -> Clock:
        from core.clock import SystemClock

        return SystemClock()


def say(text: str, *, err: bool = False) -> None:
    """Print a line or block that may hold stored text: nothing in it can steer the terminal."""
    click.echo(for_terminal(text), err=err)


def say_json(payload: object) -> None:
    """Print a JSON document; stored text in it cannot steer the terminal (C1 and bidi escaped too)."""
    click.echo(json_visible(json.dumps(payload, ensure_ascii=False, indent=2)))


def one_line(value: object) -> str:
    """A stored value for a single-line place (a table cell): newlines and every control shown escaped."""
    return visible(str(value))


def fail(message: str, code: int = 1) -> NoReturn:
    say(f"shiftdesk: error: {message}", err=True)
    sys.exit(code)


def plural(count: int, noun: str) -> str:
    """`1 case`, `1,000 cases`."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def quiet_broken_pipe() -> NoReturn:
    """The reader went away (`shiftdesk list | head -3`): stop without a word, as `cat` does.

    Python would try to flush stdout again at exit and print "Exception ignored … BrokenPipeError": point
    stdout at /dev/null first. 141 is what a shell reports for a command ended by SIGPIPE (128 + 13).
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(141)


def _param_name(param: click.Parameter) -> str:
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return (param.metavar or param.name or "?").upper()


class ShiftdeskCommand(click.Command):
    """A command whose usage errors name every missing option at once, not one per attempt."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        original = list(args)  # the parser consumes the list it is given
        try:
            return super().parse_args(ctx, args)
        except click.MissingParameter:
            parser = self.make_parser(ctx)
            try:
                given, _rest, _order = parser.parse_args(args=list(original))
            except click.UsageError:
                raise
            missing = [
                _param_name(param)
                for param in self.get_params(ctx)
                if param.required
                and given.get(param.name or "") is None
                and param.resolve_envvar_value(ctx) is None
            ]
            if len(missing) <= 1:
                raise
            raise click.UsageError(f"missing {', '.join(missing)}", ctx) from None


class ShiftdeskGroup(click.Group):
    """Turns every expected failure into one clear line on stderr and a non-zero exit code."""

    command_class = ShiftdeskCommand

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[call-overload]  # passed through as given
        # Click's own standalone handling prints usage errors as a usage block and "Error: …"; every error
        # here is one `shiftdesk: error:` line (usage errors with the command's --help to look at).
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[call-overload]
        except click.UsageError as error:
            command = error.ctx.command_path if error.ctx is not None else "shiftdesk"
            fail(f"{error.format_message()} (see '{command} --help')", error.exit_code)
        except click.ClickException as error:
            fail(error.format_message(), error.exit_code)
        except click.exceptions.Abort:
            fail("aborted", 1)
        except BrokenPipeError:
            quiet_broken_pipe()
        try:
            sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        except BrokenPipeError:
            quiet_broken_pipe()
        # With standalone_mode off, click returns a click.exceptions.Exit's code instead of exiting.
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        from core.config import ConfigError
        from core.policy import AuthorityError
        from core.workflow import WorkflowError
        from storage.errors import CaseNotFound, ConflictError, DatabaseError, ValidationError

        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:  # before click's main turns it into a plain exit 1
            quiet_broken_pipe()
        except ConflictError as error:
            fail(str(error), 3)
        except (
            WorkflowError,
            AuthorityError,
            ValidationError,
            CaseNotFound,
            ConfigError,
            DatabaseError,
        ) as error:
            fail(str(error))
        except KeyboardInterrupt:
            fail("interrupted", 130)
        except Exception as error:
            if os.environ.get("SHIFTDESK_DEBUG"):
                raise
            from storage.database import safe_url

            message = str(error).splitlines()[0] if str(error) else type(error).__name__
            if ctx.obj is not None and ctx.obj.db_option:
                message = message.replace(ctx.obj.db_option, safe_url(ctx.obj.db_option))
            fail(f"unexpected {type(error).__name__}: {message} (SHIFTDESK_DEBUG=1 shows the traceback)", 2)


class FilePath(click.Path):
    """click.Path that refuses a NUL byte as a usage error: the OS cannot take one (os.stat raises
    ValueError, which click would let through as an unexpected error)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and "\x00" in value:
            self.fail("a file name cannot hold a NUL character", param, ctx)
        return super().convert(value, param, ctx)


def parse_when(value: str | None, settings: Any, field: str) -> datetime | None:
    """ISO 8601; a naive time is read in the configured local zone."""
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 date-time", param_hint=field) from None
    if at.tzinfo is None:
        try:
            at = local_time(at, settings.zone)  # the one rule: a time the clocks skip is refused
        except ValueError as error:
            raise click.BadParameter(f"{value!r}: {error}", param_hint=field) from None
    return at


def enum_option(kind: Any, field: str) -> Callable[[click.Context, click.Parameter, str | None], Any]:
    def convert(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
        if value is None:
            return None
        try:
            return parse_enum(kind, value, field)
        except ValueError as error:
            raise click.BadParameter(str(error).split(": ", 1)[1], param_hint=f"--{field}") from None

    return convert


def actor_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--as", "actor", default=None, metavar="NAME", help="Who is acting (default: your OS user name)."
    )(function)


def version_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--expect-version",
        type=int,
        default=None,
        metavar="N",
        help="Refuse with a conflict (exit 3) unless the case is still at version N.",
    )(function)


def who(actor: str | None) -> str:
    return actor or getpass.getuser()


def print_case(case: Case) -> None:
    say(f"case {case.id}: {case.stage.value}, assigned to {one_line(case.assignee)} (version {case.version})")


@click.group(
    cls=ShiftdeskGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="Database URL (default: $SHIFTDESK_DB, else a SQLite file in your data dir).",
)
@click.option(
    "--config",
    "config_path",
    metavar="PATH",
    help="TOML settings (default: $SHIFTDESK_CONFIG, else config.toml in your config dir).",
)
@click.version_option(package_name="shiftdesk")
@click.pass_context
def main(ctx: click.Context, db_url: str | None, config_path: str | None) -> None:
    """shiftdesk: run service recovery through a shift.

    Without a command, opens the live dashboard on the configured database.
    """
    if ctx.obj is None:  # a caller (a test harness, a long-lived worker) may hand in its own Runtime
        ctx.obj = Runtime(db_url, config_path)
    if ctx.invoked_subcommand is None:
        from tui.launch import run_dashboard

        run_dashboard(ctx.obj)
