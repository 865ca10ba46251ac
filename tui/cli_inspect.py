"""`shiftdesk list`, `show` and `export`: reading cases and shift summaries without the dashboard."""

from __future__ import annotations

from pathlib import Path

import click

from core.cases import UnreadableCase
from core.export_formats import DEFAULT_FORMAT, FORMATS
from tui.cli_base import (
    FilePath,
    Runtime,
    actor_option,
    fail,
    main,
    one_line,
    parse_when,
    print_case,
    say,
    say_json,
    version_option,
    who,
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
        say_json(payload)
        return
    if not cases:
        click.echo("no open cases" if open_only else "no cases")
        return
    click.echo(
        f"{'id':>6}  {'stage':<11}  {'assignee':<18}  {'customer':<24}  {'category':<18}  next deadline"
    )
    for case in cases:
        deadlines = pending_deadlines(case, settings.deadlines, settings.calendar)
        due = ""
        if deadlines:
            remaining = int(deadlines[0].remaining(now).total_seconds() // 60)
            when = f"in {remaining} min" if remaining >= 0 else f"{-remaining} min overdue"
            due = f"{deadlines[0].kind} {when}"
        if isinstance(case, UnreadableCase):  # stored by another tool: listed, marked, never fatal
            due = f"UNREADABLE (see 'shiftdesk show {case.id}')  {due}"
        say(
            f"{case.id:>6}  {case.stage.value:<11}  {one_line(case.assignee):<18.18}  "
            f"{one_line(case.customer):<24.24}  {one_line(case.category):<18.18}  {due}"
        )


@main.command()
@click.argument("case_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (see README).")
@click.pass_obj
def show(runtime: Runtime, case_id: int, as_json: bool) -> None:
    """Show a case with its full event timeline and its pending deadlines."""
    from core.case_fields import CASE_VIEW_FIELDS, Kind, stored_value
    from core.case_json import case_json
    from core.deadlines import deadline_history, pauses_line, pending_deadlines, status
    from core.payloads import describe
    from core.summary import opened_state
    from storage import views

    detail = views.case_detail(runtime.database, case_id)
    settings = runtime.settings
    now = runtime.service.clock.now()
    deadlines = pending_deadlines(detail.case, settings.deadlines, settings.calendar)
    opened = opened_state(detail.case, detail.events)
    history = deadline_history(opened, detail.events, settings.deadlines, settings.calendar)
    payload = case_json(detail.case, detail.events, deadlines, now, history)
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
        say_json(payload)
        return
    case = detail.case
    zone = settings.zone
    say(f"case {case.id}  {one_line(case.customer)} ({case.tier.value})  stage: {case.stage.value}")
    if isinstance(case, UnreadableCase):
        say("  UNREADABLE: stored values that cannot be used as they are (shown with stand-ins):")
        for problem in case.problems:
            say(f"    {one_line(problem)}")
    for field in CASE_VIEW_FIELDS:  # the fields the dashboard's case view shows, in its order
        value = getattr(case, field.name)
        if field.kind is Kind.TIME:
            value = f"{value.astimezone(zone):%Y-%m-%d %H:%M}"
        elif field.kind is Kind.FLAG:
            value = "yes" if value else "no"
        say(f"  {field.shown_as:<10} {'' if value is None else stored_value(value)}")
    say("timeline:")
    for event in detail.events:
        details = describe(event.payload, zone)
        said = f"{one_line(event.text)}" + (f"  [{one_line(details)}]" if details else "")
        when = f"{event.at.astimezone(zone):%Y-%m-%d %H:%M}"
        if event.recorder_note:
            # Done by one person, entered by another or from another OS account: all stay visible (a
            # check-back is the owner's; `--as` is only a claim).
            said += f"  ({one_line(event.recorder_note)})"
        say(f"  {when}  {one_line(event.actor):<16.16} {event.action.value:<15} {said}")
    # Every deadline the case has had — met (when, by whom), breached (by how much), pending — as in the
    # dashboard's case view.
    say("deadlines:" if history else "deadlines: none")
    for deadline in history:
        say(
            f"  {deadline.kind:<17} due {deadline.due_at.astimezone(zone):%H:%M}, owed by "
            f"{one_line(deadline.owed_by)}: {one_line(status(deadline, now, zone))}"
        )
        paused = pauses_line(deadline, now, zone)
        if paused:
            say(f"  {'':<17} {one_line(paused)}")


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
    "--format", "fmt", type=click.Choice(list(FORMATS)), default=DEFAULT_FORMAT, help="Document format."
)
@click.option(
    "--out",
    type=FilePath(dir_okay=False, path_type=Path),
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
    say(f"wrote {out}", err=True)
