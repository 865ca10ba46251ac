"""The `shiftdesk` command: scripted intake and inspection, and the entry to the dashboard."""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, NoReturn

import click

from core.cases import Action, Case, Channel, Severity, Tier, parse_enum

CONFIG_ENV = "SHIFTDESK_CONFIG"


class Runtime:
    """The composition root: settings, database and service, built on first use from the CLI options."""

    def __init__(self, db_url: str | None, config_path: str | None) -> None:
        self.db_option = db_url
        self.config_option = config_path

    @cached_property
    def settings(self) -> Any:
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
    def database(self) -> Any:
        from storage.database import Database, resolve_url

        return Database(resolve_url(self.db_option))

    @cached_property
    def service(self) -> Any:
        from storage.service import WorkflowService

        return WorkflowService(self.database, self.settings, self.service_clock())

    def service_clock(self) -> Any:
        from core.clock import SystemClock

        return SystemClock()


def fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"shiftdesk: error: {message}", err=True)
    sys.exit(code)


class ShiftdeskGroup(click.Group):
    """Turns every expected failure into one clear line on stderr and a non-zero exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        from core.config import ConfigError
        from core.policy import AuthorityError
        from core.workflow import WorkflowError
        from storage.errors import CaseNotFound, ConflictError, DatabaseError, ValidationError

        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
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


def parse_when(value: str | None, settings: Any, field: str) -> datetime | None:
    """ISO 8601; a naive time is read in the configured local zone."""
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 date-time", param_hint=field) from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=settings.zone)
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
    click.echo(f"case {case.id}: {case.stage.value}, assigned to {case.assignee} (version {case.version})")


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


@main.command()
@click.option("--fresh", is_flag=True, help="Rebuild the demo database even if a recent one exists.")
@click.option("--no-open", is_flag=True, help="Build the demo database, do not open the dashboard.")
@click.pass_obj
def demo(runtime: Runtime, fresh: bool, no_open: bool) -> None:
    """Open the dashboard on a separate demo database holding a realistic shift and 90 days of history."""
    from dataclasses import replace
    from datetime import timedelta

    from core.demo import DEMO_SHIFTS, build_demo
    from core.policy import AuthorityPolicy
    from storage import views
    from storage.database import Database, default_sqlite_path

    settings = replace(
        runtime.settings,
        shifts=DEMO_SHIFTS,
        authority=AuthorityPolicy(limits={shift.supervisor: 250.0 for shift in DEMO_SHIFTS}),
    )
    runtime.__dict__["settings"] = settings
    path = default_sqlite_path().with_name("demo.db")
    url = runtime.db_option or f"sqlite:///{path}"
    now = runtime.service_clock().now()
    database = Database(url)
    # The demo pretends to be a running shift: an old one (its deadlines long past) is rebuilt.
    newest = views.latest_event_at(database)
    stale = newest is None or newest < now - timedelta(hours=3)
    if fresh or stale:
        if not database.is_sqlite:
            fail("the demo builds only into a SQLite file; drop --db or point it at a new .db file")
        database.dispose()
        db_file = Path(database.engine.url.database or path)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        database = Database(url)
        data = build_demo(now, settings.zone)
        runtime.__dict__["database"] = database
        count = len(runtime.service.import_histories([*data.history, *data.shift_cases]))
        click.echo(f"demo database {database.display_url}: {count} cases", err=True)
    runtime.__dict__["database"] = database
    if not no_open:
        from tui.launch import run_dashboard

        # The demo is worked as the running shift's supervisor, whose authority limit is the demo's own.
        occurrence = settings.calendar.at(now)
        run_dashboard(runtime, actor=occurrence.shift.supervisor if occurrence else None)


@main.command()
@click.option("--since", default=None, metavar="ISO8601", help="Start of the window (default: 90 days ago).")
@click.option("--until", default=None, metavar="ISO8601", help="End of the window (default: now).")
@click.option("--limit", type=click.IntRange(1, 200), default=20, help="How many hotspots at most.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (see README).")
@click.pass_obj
def trends(runtime: Runtime, since: str | None, until: str | None, limit: int, as_json: bool) -> None:
    """Hotspots: where, when and with whom breakdowns cluster beyond what the rest predicts."""

    from storage.trend_facts import HOTSPOT_WINDOW, scan_hotspots

    now = runtime.service_clock().now()
    until_at = parse_when(until, runtime.settings, "--until") or now
    since_at = parse_when(since, runtime.settings, "--since") or until_at - HOTSPOT_WINDOW
    if since_at >= until_at:
        raise click.BadParameter("must be before --until", param_hint="--since")
    found = scan_hotspots(runtime.database, since_at, until_at, limit=limit)
    if as_json:
        click.echo(json.dumps([hotspot.to_json() for hotspot in found], ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("no hotspots: nothing stands out against the rest of the data")
    for rank, hotspot in enumerate(found, start=1):
        click.echo(f"{rank:>2}. {hotspot.sentence}  (p={hotspot.p_value:.2g})")


@main.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@actor_option
@click.pass_obj
def import_command(runtime: Runtime, csv_file: Path, actor: str | None) -> None:
    """Import historical and open cases from a CSV file: all rows or none (see README for the columns)."""
    from core.csv_import import CsvImportError, parse_cases_csv

    service = runtime.service
    try:
        histories = parse_cases_csv(csv_file, runtime.settings, now=service.clock.now(), actor=who(actor))
    except CsvImportError as error:
        count = len(error.problems)
        click.echo(f"shiftdesk: error: {csv_file}: {count} problem(s), nothing imported:", err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    show_progress = len(histories) >= 5_000 and sys.stderr.isatty()
    with click.progressbar(length=len(histories), label="importing", file=sys.stderr) as bar:
        ids = service.import_histories(histories, progress=bar.update if show_progress else None)
    click.echo(f"imported {len(ids)} cases" + (f" (#{ids[0]}–#{ids[-1]})" if ids else ""))


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(runtime: Runtime) -> None:
    """Create the schema or bring it to the newest revision."""
    from storage.database import Database, resolve_url

    database = Database(resolve_url(runtime.db_option), create=False)
    database.upgrade()
    click.echo(f"database {database.display_url} is at revision {database.current_revision()}")


@main.command()
@click.option("--customer", required=True, help="Customer name.")
@click.option("--contact", default=None, help="Phone, e-mail … (optional).")
@click.option("--category", required=True, help="What kind of breakdown (late delivery, billing …).")
@click.option("--site", required=True)
@click.option("--region", default="", help="Region of the site.")
@click.option("--product", required=True)
@click.option("--staff", required=True, help="Who was serving when it broke down.")
@click.option("--owner", default=None, help="Who took the case, the customer's ally (default: --staff).")
@click.option("--description", required=True)
@click.option(
    "--severity",
    default="medium",
    callback=enum_option(Severity, "severity"),
    help="low|medium|high|critical",
)
@click.option("--tier", default="standard", callback=enum_option(Tier, "tier"), help="standard|vip|chronic")
@click.option(
    "--channel",
    default="phone",
    callback=enum_option(Channel, "channel"),
    help="phone|in-person|email|chat|social",
)
@click.option(
    "--public",
    is_flag=True,
    help="Seen by the public (social media …): needs a public apology and a spokesperson.",
)
@click.option("--opened-at", default=None, metavar="ISO8601", help="When it broke down (default: now).")
@actor_option
@click.pass_obj
def add(runtime: Runtime, actor: str | None, opened_at: str | None, **fields: Any) -> None:
    """Open a case; prints its id once the commit is durable."""
    service = runtime.service
    owner = fields.pop("owner") or fields["staff"]
    when = parse_when(opened_at, runtime.settings, "--opened-at") or service.clock.now()
    case = service.open_case(Case(opened_at=when, owner=owner, assignee=owner, **fields), who(actor))
    click.echo(case.id)


def simple_action(name: str, action: Action, help_text: str) -> None:
    @main.command(name, help=help_text)
    @click.argument("case_id", type=int)
    @click.argument("text")
    @actor_option
    @version_option
    @click.pass_obj
    def command(
        runtime: Runtime, case_id: int, text: str, actor: str | None, expect_version: int | None
    ) -> None:
        print_case(runtime.service.act(case_id, action, who(actor), text, expected_version=expect_version))


simple_action("apologize", Action.APOLOGIZE, "Record the personal apology to the customer.")
simple_action(
    "update", Action.UPDATE, "Record a progress update given to the customer (restarts the 20-minute clock)."
)
simple_action(
    "check-back", Action.CHECK_BACK, "The original owner checked back with the customer after a hand-off."
)
simple_action("public-apology", Action.PUBLIC_APOLOGY, "Record the public apology posted for a public case.")
simple_action("amend", Action.AMEND, "Append a correction under a filed deposition.")


@main.command()
@click.argument("case_id", type=int)
@click.argument("text")
@click.option("--needs", required=True, help="What the customer needs for a good outcome.")
@actor_option
@version_option
@click.pass_obj
def review(
    runtime: Runtime, case_id: int, text: str, needs: str, actor: str | None, expect_version: int | None
) -> None:
    """Review the complaint: TEXT is what went wrong in the customer's eyes."""
    from core.payloads import ReviewPayload

    if not needs.strip():
        raise click.BadParameter("must not be empty", param_hint="--needs")
    print_case(
        runtime.service.act(
            case_id, Action.REVIEW, who(actor), text, ReviewPayload(needs), expected_version=expect_version
        )
    )


@main.command()
@click.argument("case_id", type=int)
@click.argument("text")
@click.option("--gesture", default="", help="The something extra: discount, upgrade, voucher …")
@click.option(
    "--value", type=float, default=0.0, help="Value of the gesture (checked against authority limits)."
)
@click.option("--approved-by", default=None, help="Approver, when the value is above your limit.")
@actor_option
@version_option
@click.pass_obj
def fix(
    runtime: Runtime,
    case_id: int,
    text: str,
    gesture: str,
    value: float,
    approved_by: str | None,
    actor: str | None,
    expect_version: int | None,
) -> None:
    """Record the fix, with an optional gesture."""
    print_case(
        runtime.service.fix(
            case_id,
            who(actor),
            text,
            gesture_kind=gesture,
            gesture_value=value,
            approved_by=approved_by,
            expected_version=expect_version,
        )
    )


@main.command("follow-up")
@click.argument("case_id", type=int)
@click.argument("text")
@click.option("--satisfied/--not-satisfied", default=True, help="Was the customer satisfied?")
@actor_option
@version_option
@click.pass_obj
def follow_up(
    runtime: Runtime, case_id: int, text: str, satisfied: bool, actor: str | None, expect_version: int | None
) -> None:
    """Record the follow-up after the fix."""
    print_case(
        runtime.service.follow_up(
            case_id, who(actor), text, satisfied=satisfied, expected_version=expect_version
        )
    )


@main.command()
@click.argument("case_id", type=int)
@click.option("--customer-view", required=True, help="What went wrong, in the customer's eyes.")
@click.option("--customer-needed", required=True, help="What the customer needed.")
@click.option("--actions-taken", required=True, help="What was done.")
@click.option("--root-cause", required=True)
@click.option(
    "--factors",
    default="",
    help="Comma-separated: training, process, system, staffing, product, facility, external.",
)
@click.option("--gesture", default="", help="The gesture given, if any.")
@click.option("--notes", default="")
@actor_option
@version_option
@click.pass_obj
def document(
    runtime: Runtime, case_id: int, factors: str, actor: str | None, expect_version: int | None, **fields: str
) -> None:
    """File the deposition of a case (immutable once filed; correct it with `amend`)."""
    from core.deposition import Deposition, parse_factors

    try:
        parsed = parse_factors(factors)
    except ValueError as error:
        raise click.BadParameter(str(error).split(": ", 1)[1], param_hint="--factors") from None
    print_case(
        runtime.service.file_deposition(
            case_id, who(actor), Deposition(factors=parsed, **fields), expected_version=expect_version
        )
    )


@main.command()
@click.argument("case_id", type=int)
@click.argument("text", default="")
@actor_option
@version_option
@click.pass_obj
def close(runtime: Runtime, case_id: int, text: str, actor: str | None, expect_version: int | None) -> None:
    """Close a documented case."""
    print_case(runtime.service.act(case_id, Action.CLOSE, who(actor), text, expected_version=expect_version))


@main.command()
@click.argument("case_id", type=int)
@click.argument("name")
@actor_option
@version_option
@click.pass_obj
def spokesperson(
    runtime: Runtime, case_id: int, name: str, actor: str | None, expect_version: int | None
) -> None:
    """Name the spokesperson of a public case."""
    from core.payloads import SpokespersonPayload

    print_case(
        runtime.service.act(
            case_id,
            Action.SPOKESPERSON,
            who(actor),
            "",
            SpokespersonPayload(name),
            expected_version=expect_version,
        )
    )


@main.command()
@click.argument("case_id", type=int)
@click.argument("agent")
@actor_option
@version_option
@click.pass_obj
def reassign(
    runtime: Runtime, case_id: int, agent: str, actor: str | None, expect_version: int | None
) -> None:
    """Hand a case to AGENT (its original owner still owes the customer a check-back)."""
    print_case(runtime.service.reassign(case_id, agent, who(actor), expected_version=expect_version))


@main.command("list")
@click.option("--open", "open_only", is_flag=True, help="Only cases not yet closed.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (see README).")
@click.pass_obj
def list_command(runtime: Runtime, open_only: bool, as_json: bool) -> None:
    """List cases, oldest first."""
    from core.case_json import case_json
    from core.deadlines import pending_deadlines
    from storage import views

    cases = views.list_cases(runtime.database, open_only=open_only)
    now = runtime.service.clock.now()
    settings = runtime.settings
    if as_json:
        payload = [
            case_json(case, deadlines=pending_deadlines(case, settings.deadlines, settings.calendar), now=now)
            for case in cases
        ]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for case in cases:
        deadlines = pending_deadlines(case, settings.deadlines, settings.calendar)
        due = ""
        if deadlines:
            remaining = int(deadlines[0].remaining(now).total_seconds() // 60)
            when = f"in {remaining} min" if remaining >= 0 else f"{-remaining} min overdue"
            due = f"{deadlines[0].kind} {when}"
        click.echo(
            f"{case.id:>6}  {case.stage.value:<11}  {case.assignee:<18.18}  "
            f"{case.customer:<24.24}  {case.category:<18.18}  {due}"
        )


@main.command()
@click.argument("case_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (see README).")
@click.pass_obj
def show(runtime: Runtime, case_id: int, as_json: bool) -> None:
    """Show a case with its full event timeline and its pending deadlines."""
    from core.case_json import case_json
    from core.deadlines import pending_deadlines
    from core.payloads import describe
    from storage import views

    detail = views.case_detail(runtime.database, case_id)
    settings = runtime.settings
    now = runtime.service.clock.now()
    deadlines = pending_deadlines(detail.case, settings.deadlines, settings.calendar)
    payload = case_json(detail.case, detail.events, deadlines, now)
    if detail.deposition is not None:
        payload["deposition"] = {
            "filed_at": detail.deposition.filed_at.isoformat(),
            "author": detail.deposition.author,
            **detail.deposition.content.to_data(),
            "amendments": [
                {"at": a.at.isoformat(), "author": a.author, "text": a.text}
                for a in detail.deposition.amendments
            ],
        }
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    case = detail.case
    zone = settings.zone
    click.echo(f"case {case.id}  {case.customer} ({case.tier.value})  stage: {case.stage.value}")
    for key in (
        "category",
        "severity",
        "channel",
        "site",
        "region",
        "product",
        "staff",
        "owner",
        "assignee",
        "contact",
    ):
        click.echo(f"  {key:<10} {payload[key] if payload[key] is not None else ''}")
    click.echo(f"  public     {'yes' if case.public else 'no'}")
    click.echo(f"  {'description':<10} {case.description}")
    click.echo("timeline:")
    for event in detail.events:
        details = describe(event.payload)
        click.echo(
            f"  {event.at.astimezone(zone):%Y-%m-%d %H:%M}  {event.actor:<16.16} "
            f"{event.action.value:<15} {event.text}" + (f"  [{details}]" if details else "")
        )
    click.echo("deadlines:" if deadlines else "deadlines: none pending")
    for deadline in deadlines:
        left = int(deadline.remaining(now).total_seconds() // 60)
        state = f"in {left} min" if left >= 0 else f"OVERDUE by {-left} min"
        click.echo(
            f"  {deadline.kind:<17} due {deadline.due_at.astimezone(zone):%H:%M} ({state}), "
            f"owed by {deadline.owed_by}"
        )


@main.command()
@click.option(
    "--shift",
    "shift_spec",
    default=None,
    metavar="current|previous|DATE:NAME",
    help="Which shift (default: current, the one running now; e.g. 2026-11-24:Late).",
)
@click.option("--from", "from_at", default=None, metavar="ISO8601", help="Start of an explicit period.")
@click.option("--to", "to_at", default=None, metavar="ISO8601", help="End of an explicit period (excluded).")
@click.option(
    "--format", "fmt", type=click.Choice(["md", "csv", "json"]), default="md", help="Document format."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file (mode 0600 unless --redact) instead of stdout.",
)
@click.option("--redact", is_flag=True, help="Replace customer names by 'customer #ID', drop contacts.")
@click.pass_obj
def export(
    runtime: Runtime,
    shift_spec: str | None,
    from_at: str | None,
    to_at: str | None,
    fmt: str,
    out: Path | None,
    redact: bool,
) -> None:
    """End-of-shift summary of a shift or a period (see README for its JSON keys and CSV columns)."""
    from core.summary import Period, PeriodError, resolve_shift
    from storage.summary_views import export_shift, write_atomically

    settings = runtime.settings
    now = runtime.service.clock.now()
    try:
        if from_at is not None or to_at is not None:
            if shift_spec is not None:
                fail("give either --shift or --from/--to, not both", 2)
            if from_at is None or to_at is None:
                fail("--from and --to go together", 2)
            start = parse_when(from_at, settings, "--from")
            end = parse_when(to_at, settings, "--to")
            assert start is not None and end is not None
            period = Period.between(start, end)
        else:
            period = resolve_shift(shift_spec or "current", settings.calendar, now)
    except click.BadParameter as error:
        fail(error.format_message(), 2)
    except PeriodError as error:
        fail(f"--shift: {error}" if from_at is None and to_at is None else f"--from/--to: {error}", 2)
    text = export_shift(runtime.database, settings, period, fmt, redact, now)
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        write_atomically(out, text, private=not redact)
    except OSError as error:
        fail(f"cannot write {out}: {error.strerror or error}")
    click.echo(f"wrote {out}", err=True)


if __name__ == "__main__":
    main()
