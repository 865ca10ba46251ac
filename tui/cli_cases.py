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
    main,
    parse_when,
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
    settings = runtime.service.settings
    # Asked first with the running shift's people: a refusal names who is here to approve it first.
    on_shift = settings.calendar.people_at(runtime.service.clock.now())
    settings.authority.check(who(actor), value, approved_by, on_shift=on_shift)
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
