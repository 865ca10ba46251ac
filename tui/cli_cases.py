"""`shiftdesk add` and the workflow commands (apologize … close, reassign): one service call each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from core.case_fields import ASKED_FIELDS, Kind, asked_is_required, import_default
from core.cases import Action, Case
from core.payloads import Payload, empty
from core.phrase_check import step_hints
from tui.cli_base import (
    Runtime,
    actor_option,
    enum_option,
    fail,
    main,
    one_line,
    parse_when,
    plural,
    print_case,
    say,
    version_option,
    who,
)


def asked_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """`add`'s options, one per field a person opening a case is asked (the case-field table's order)."""
    for field in reversed(ASKED_FIELDS):  # click lists options in the order the decorators are written
        option = f"--{field.name.replace('_', '-')}"
        if field.kind is Kind.FLAG:
            function = click.option(option, is_flag=True, help=field.prompt)(function)
        elif field.kind is Kind.CHOICE:
            assert field.choices is not None
            allowed = "|".join(member.value for member in field.choices)
            default = import_default(field.name).value
            function = click.option(
                option,
                default=default,
                callback=enum_option(field.choices, field.name),
                help=f"{field.prompt}: {allowed} (default {default}).",
            )(function)
        else:
            if asked_is_required(field):
                # No default at all: click ≥ 8.3 takes an explicit `default=None` as a value given.
                function = click.option(option, required=True, help=field.prompt)(function)
            else:
                # The owner's prompt already says what leaving it empty means.
                described = field.prompt if field.import_default_from else f"{field.prompt} (optional)"
                function = click.option(option, default="", help=described)(function)
    return function


@main.command()
@asked_options
@click.option("--opened-at", default=None, metavar="ISO8601", help="When it broke down (default: now).")
@actor_option
@click.pass_obj
def add(runtime: Runtime, /, actor: str | None, opened_at: str | None, **fields: Any) -> None:
    """Open a case; prints its id once the commit is durable."""
    service = runtime.service
    owner = fields.pop("owner").strip() or fields["staff"]
    fields["contact"] = fields["contact"] or None
    when = parse_when(opened_at, runtime.settings, "--opened-at") or service.clock.now()
    case = service.open_case(Case(opened_at=when, owner=owner, assignee=owner, **fields), who(actor))
    click.echo(case.id)


def phrase_hints(runtime: Runtime, action: Action, text: str, payload: Payload | None = None) -> None:
    """The phrase check's hints for a saved step, on stderr, one line each starting `hint:` (never an error:
    the step is saved; the count goes into the shift summary)."""
    details = payload if payload is not None else empty(action)
    for hint in step_hints(runtime.settings.phrase_book, action, text, details):
        say(f"hint: {action.value}: {hint.message}", err=True)


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
        phrase_hints(runtime, action, text)


simple_action("apologize", Action.APOLOGIZE, "Record the personal apology to the customer.")
simple_action(
    "update", Action.UPDATE, "Record a progress update to the customer (restarts the fix-or-update clock)."
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
    phrase_hints(runtime, Action.REVIEW, text, ReviewPayload(needs))


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
    # The service checks the names and the authority (a refusal names the running shift's approvers first).
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
@click.option(
    "--satisfied/--not-satisfied",
    default=None,
    help="Was the customer satisfied? One of the two is required: the answer is never assumed.",
)
@actor_option
@version_option
@click.pass_obj
def follow_up(
    runtime: Runtime,
    case_id: int,
    text: str,
    satisfied: bool | None,
    actor: str | None,
    expect_version: int | None,
) -> None:
    """Record the follow-up after the fix."""
    if satisfied is None:
        raise click.UsageError("say whether the customer is satisfied: --satisfied or --not-satisfied")
    print_case(
        runtime.service.follow_up(
            case_id, who(actor), text, satisfied=satisfied, expected_version=expect_version
        )
    )
    phrase_hints(runtime, Action.FOLLOW_UP, text)


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
    runtime: Runtime,
    /,
    case_id: int,
    factors: str,
    actor: str | None,
    expect_version: int | None,
    **fields: str,
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
@actor_option
@click.pass_obj
def ack(runtime: Runtime, case_id: int, actor: str | None) -> None:
    """Acknowledge the case's escalation: its alert stops repeating (recorded on the case)."""
    print_case(runtime.service.acknowledge(case_id, who(actor)))


@main.command()
@click.argument("name")
@click.option("--reassign", is_flag=True, help="Hand their open cases to the least loaded people on shift.")
@actor_option
@click.pass_obj
def absent(runtime: Runtime, name: str, reassign: bool, actor: str | None) -> None:
    """Mark an agent absent (who and when are stored); with --reassign, hand their open cases over, the
    check-backs they owe as owner moving with a note."""
    from core.absence import agents_at, plan_absence, plan_lines
    from storage import views

    service = runtime.service
    absence = service.mark_absent(name, who(actor))
    since = f"{absence.since.astimezone(runtime.settings.zone):%Y-%m-%d %H:%M}"  # stored UTC, shown local
    marked_by = one_line(absence.marked_by)
    say(f"{one_line(absence.agent)} is absent since {since} (marked by {marked_by})")
    database = runtime.database
    away = {item.agent for item in views.absences(database)}
    loads = views.agent_loads(database)
    roster = agents_at(runtime.settings.calendar, service.clock.now())
    candidates = [person for person in (roster or tuple(sorted(loads))) if person not in away]
    moves = plan_absence(absence.agent, views.open_cases(database), loads, candidates)
    if not moves:
        say("no open case of theirs")
        return
    if not reassign:
        say(f"{plural(len(moves), 'open case')} of theirs: run again with --reassign to hand them over")
        for line in plan_lines(moves):
            say(f"  {one_line(line)}")
        return
    if not candidates:
        fail("nobody on shift (and not absent) to hand their cases to")
    done, problems = service.hand_over_absent(moves, who(actor))
    for line in plan_lines([move for move in moves if move.case_id in {case.id for case in done}]):
        say(f"handed over: {one_line(line)}")
    for problem in problems:
        say(f"not handed over: {one_line(problem)}", err=True)
    if problems:
        raise SystemExit(1)


@main.command()
@click.argument("name")
@actor_option
@click.pass_obj
def present(runtime: Runtime, name: str, actor: str | None) -> None:
    """Mark an absent agent present again."""
    if not runtime.service.mark_present(name, who(actor)):
        fail(f"{one_line(name)} is not marked absent")
    say(f"{one_line(name)} is present again")


@main.command()
@click.argument("case_id", type=int)
@click.argument("reason")
@click.option(
    "--until",
    default=None,
    metavar="ISO8601",
    help="When the clock runs again by itself (local time unless an offset is given; the cap still holds).",
)
@actor_option
@version_option
@click.pass_obj
def pause(
    runtime: Runtime,
    case_id: int,
    reason: str,
    until: str | None,
    actor: str | None,
    expect_version: int | None,
) -> None:
    """Stop the fix-or-update clock while the case waits on the customer: REASON is what it waits on.

    A customer contact (update, check-back …), the --until time, `resume` or the configured cap
    ([deadlines] pause_cap_minutes, 2 hours by default) makes it run again.
    """
    if not reason.strip():
        raise click.BadParameter("say what the case waits on", param_hint="REASON")
    from core.pauses import stretches

    case = runtime.service.pause(
        case_id,
        who(actor),
        reason,
        until=parse_when(until, runtime.settings, "--until"),
        expected_version=expect_version,
    )
    print_case(case)
    stretch = stretches(case.pauses, runtime.settings.deadlines.pause_cap)[-1]
    ends = stretch.ends_at.astimezone(runtime.settings.zone)
    say(f"fix-or-update clock paused ({one_line(reason)}): runs again at {ends:%H:%M} ({stretch.why.value})")


@main.command()
@click.argument("case_id", type=int)
@click.argument("text", default="")
@actor_option
@version_option
@click.pass_obj
def resume(runtime: Runtime, case_id: int, text: str, actor: str | None, expect_version: int | None) -> None:
    """Run a paused fix-or-update clock again (by hand); TEXT is an optional note."""
    print_case(runtime.service.resume(case_id, who(actor), text, expected_version=expect_version))
