"""`shiftdesk demo`, `trends`, `import` and `db upgrade`: setting a database up and looking over it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tui.cli_base import (
    FilePath,
    Runtime,
    actor_option,
    fail,
    main,
    parse_when,
    plural,
    say,
    say_json,
    who,
)


def remove_sqlite_file(db_file: Path) -> None:
    """Delete a SQLite database with its WAL and shared-memory files."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_file}{suffix}").unlink(missing_ok=True)


@main.command()
@click.option("--fresh", is_flag=True, help="Rebuild the demo database even if a recent one exists.")
@click.option("--no-open", is_flag=True, help="Build the demo database, do not open the dashboard.")
@click.pass_obj
def demo(runtime: Runtime, fresh: bool, no_open: bool) -> None:
    """Open the dashboard on a separate demo database holding a realistic shift and 90 days of history.

    \b
    The demo database is demo.db in your data directory
    (~/.local/share/shiftdesk/demo.db on Linux), apart from your real one;
    its exports go to its own folder, exports/demo-<hash>/ there (or under
    [export] folder), never over the real database's. Point other commands
    at it with --db, e.g.:
      shiftdesk --db sqlite:///$HOME/.local/share/shiftdesk/demo.db list
    """
    from dataclasses import replace
    from datetime import timedelta

    from core.demo import DEMO_SHIFTS, build_demo
    from core.policy import AuthorityPolicy
    from storage import views
    from storage.database import Database, default_sqlite_path
    from storage.errors import DatabaseError

    settings = replace(
        runtime.settings,
        shifts=DEMO_SHIFTS,
        authority=AuthorityPolicy(limits={shift.supervisor: 250.0 for shift in DEMO_SHIFTS}),
    )
    runtime.__dict__["settings"] = settings
    path = default_sqlite_path().with_name("demo.db")
    url = runtime.db_option or f"sqlite:///{path}"
    now = runtime.service_clock().now()
    own_file = runtime.db_option is None  # the demo's own file is disposable; a --db one is not
    if fresh and own_file:
        remove_sqlite_file(path)  # before opening it: it may be at a schema this version does not know
    try:
        database = Database(url)
    except DatabaseError:
        if not own_file:
            raise
        remove_sqlite_file(path)  # written by another shiftdesk version, or damaged: build it anew
        database = Database(url)
    # The demo pretends to be a running shift: an old one (its deadlines long past) is rebuilt.
    newest = views.latest_event_at(database)
    stale = newest is None or newest < now - timedelta(hours=3)
    if stale and not fresh and not own_file and newest is not None:
        # Rebuilding deletes the file: never unasked for a --db one holding cases (it may be the real one).
        fail(
            f"{database.display_url} already holds cases (last changed {newest:%Y-%m-%d %H:%M} UTC); "
            "the demo rebuilds a --db file only when it is empty or with --fresh, which deletes it"
        )
    if fresh or stale:
        if not database.is_sqlite:
            fail("the demo builds only into a SQLite file; drop --db or point it at a new .db file")
        database.dispose()
        remove_sqlite_file(Path(database.engine.url.database or path))
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

    from core.hotspot_causes import hotspot_lines
    from core.hotspots import boundaries_for
    from storage.hotspot_causes import hotspot_causes, hotspot_documents
    from storage.trend_facts import HOTSPOT_WINDOW, scan_hotspots

    now = runtime.service_clock().now()
    until_at = parse_when(until, runtime.settings, "--until") or now
    since_at = parse_when(since, runtime.settings, "--since") or until_at - HOTSPOT_WINDOW
    if since_at >= until_at:
        raise click.BadParameter("must be before --until", param_hint="--since")
    boundaries = boundaries_for(runtime.settings.shifts)
    if as_json:
        say_json(hotspot_documents(runtime.database, since_at, until_at, limit=limit, boundaries=boundaries))
        return
    found = scan_hotspots(runtime.database, since_at, until_at, limit=limit, boundaries=boundaries)
    if not found:
        click.echo("no hotspots: nothing stands out against the rest of the data")
    causes = hotspot_causes(runtime.database, found, since_at, until_at)
    for rank, (hotspot, cause) in enumerate(zip(found, causes, strict=True), start=1):
        first, *rest = hotspot_lines(hotspot, cause)
        say(f"{rank:>2}. {first}  (p={hotspot.p_value:.2g}, adjusted {hotspot.adjusted_p_value:.2g})")
        for line in rest:
            say(line)


@main.command("import")
@click.argument("csv_file", type=FilePath(exists=True, dir_okay=False, path_type=Path))
@actor_option
@click.pass_obj
def import_command(runtime: Runtime, csv_file: Path, actor: str | None) -> None:
    """Import historical and open cases from a CSV file: all rows or none (see README for the columns)."""
    from core.csv_import import CasesCsv, CsvImportError

    service = runtime.service
    try:
        # Read and stored a batch at a time in one transaction (a million rows never sit in memory): a bad
        # row anywhere rolls back what the batches before it wrote, and every problem is listed.
        file = CasesCsv(csv_file, runtime.settings, now=service.clock.now(), actor=who(actor))
        if file.lines >= 5_000 and sys.stderr.isatty():
            with click.progressbar(length=file.lines, label="importing", file=sys.stderr) as bar:
                imported = service.import_batches(file.batches(), lambda: file.late_regions, bar.update)
        else:
            imported = service.import_batches(file.batches(), lambda: file.late_regions)
    except CsvImportError as error:
        count = len(error.problems)
        say(f"shiftdesk: error: {csv_file}: {count} problem(s), nothing imported:", err=True)
        for problem in error.problems:
            say(f"  {problem}", err=True)
        sys.exit(1)
    line = f"imported {plural(imported.count, 'case')}" + (
        f" (#{imported.first_id}–#{imported.last_id})" if imported.count else ""
    )
    if imported.still_open:
        # History without closed_at is imported open: say so, or a supervisor finds a thousand "open" cases.
        line += f", {imported.still_open:,} of them still open (no closed_at)"
    click.echo(line)


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
