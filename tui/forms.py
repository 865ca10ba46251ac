"""Every recovery form as one row of a table: title, fields, and how its values become a service call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from core.case_fields import ASKED_FIELDS, CaseField, Kind, asked_is_required, import_default
from core.cases import Action, Case
from core.config import Settings
from core.deposition import Deposition, parse_factors
from core.gestures import suggestions
from tui.screens.form import Field, FormSpec

if TYPE_CHECKING:
    from storage.service import WorkflowService


@dataclass(frozen=True)
class Submission:
    """What a submitted case form hands to its service call."""

    case_id: int
    actor: str  # who is at the dashboard: records the step
    version: int | None  # the version on screen: a stale one is refused with ConflictError
    values: dict[str, Any]

    @property
    def done_by(self) -> str:
        """Who did the step (the form's "Done by"; the one recording it when left empty)."""
        return str(self.values.get("done_by") or "").strip() or self.actor


# The service call a form's values map to (run in a worker thread); ValueError carries a field's problem.
ServiceCall = Callable[["WorkflowService", Submission], Case]
# A line under a form's fields, worked out from the settings, the actor, the case and the time now.
FormNote = Callable[[Settings, str, Case, datetime], str]


@dataclass(frozen=True)
class CaseForm:
    """One recovery action on the highlighted case: refused up front when core/ says it cannot happen now."""

    action: Action
    title: str
    fields: tuple[Field, ...]
    call: ServiceCall
    note: FormNote | None = None
    note_after: str = ""  # the field the note goes under (default: after the last)


def act_with_text(action: Action) -> ServiceCall:
    """An action recorded with one text and nothing else."""

    def call(service: WorkflowService, form: Submission) -> Case:
        return service.act(
            form.case_id,
            action,
            form.done_by,
            form.values["text"],
            expected_version=form.version,
            recorded_by=form.actor,
        )

    return call


def review(service: WorkflowService, form: Submission) -> Case:
    values = form.values
    return service.act(
        form.case_id,
        Action.REVIEW,
        form.done_by,
        values["text"],
        {"needs": values["needs"]},
        expected_version=form.version,
        recorded_by=form.actor,
    )


def fix(service: WorkflowService, form: Submission) -> Case:
    values = form.values
    raw = str(values.get("value") or "").strip()
    try:
        value = float(raw) if raw else 0.0
    except ValueError:
        raise ValueError(f"value: {raw!r} is not a number") from None
    approver = values.get("approved_by") or None
    return service.fix(
        form.case_id,
        form.done_by,
        values["text"],
        gesture_kind=values.get("gesture", ""),
        gesture_value=value,
        approved_by=approver,
        expected_version=form.version,
        recorded_by=form.actor,
    )


def follow_up(service: WorkflowService, form: Submission) -> Case:
    return service.follow_up(
        form.case_id,
        form.done_by,
        form.values["text"],
        satisfied=form.values["satisfied"] == SATISFIED[0],
        expected_version=form.version,
        recorded_by=form.actor,
    )


def file_deposition(service: WorkflowService, form: Submission) -> Case:
    values = form.values
    try:
        factors = parse_factors(values.get("factors", ""))
    except ValueError as error:
        raise ValueError(f"factors: {error}") from None
    deposition = Deposition(
        customer_view=values["customer_view"],
        customer_needed=values["customer_needed"],
        actions_taken=values["actions_taken"],
        root_cause=values["root_cause"],
        factors=factors,
        gesture=values.get("gesture", ""),
        notes=values.get("notes", ""),
    )
    return service.file_deposition(
        form.case_id, form.done_by, deposition, expected_version=form.version, recorded_by=form.actor
    )


def name_spokesperson(service: WorkflowService, form: Submission) -> Case:
    return service.act(
        form.case_id,
        Action.SPOKESPERSON,
        form.done_by,
        "",
        {"name": form.values["to"]},
        expected_version=form.version,
        recorded_by=form.actor,
    )


def resume_time(text: str, zone: tzinfo, now: datetime) -> datetime | None:
    """The pause form's resume time: "15:40" (today, local) or an ISO 8601 date-time (local unless it has
    an offset), stored in UTC; empty is none. The workflow refuses one that is not later than now."""
    text = text.strip()
    if not text:
        return None
    try:
        if len(text) <= 5 and ":" in text:
            hour, minute = (int(part) for part in text.split(":"))
            return (
                now.astimezone(zone)
                .replace(hour=hour, minute=minute, second=0, microsecond=0)
                .astimezone(UTC)
            )
        at = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"resume at: {text!r} is not a time like 15:40 or 2026-11-25 15:40") from None
    return (at if at.tzinfo is not None else at.replace(tzinfo=zone)).astimezone(UTC)


def pause(service: WorkflowService, form: Submission) -> Case:
    """The resume time is read in the configured zone, on the day of the service's clock."""
    values = form.values
    until = resume_time(str(values.get("until") or ""), service.settings.zone, service.clock.now())
    return service.pause(
        form.case_id,
        form.done_by,
        values["reason"],
        until=until,
        expected_version=form.version,
        recorded_by=form.actor,
    )


def resume(service: WorkflowService, form: Submission) -> Case:
    return service.resume(
        form.case_id,
        form.done_by,
        form.values.get("text", ""),
        expected_version=form.version,
        recorded_by=form.actor,
    )


def pause_note(settings: Settings, _actor: str, _case: Case, _now: datetime) -> str:
    cap = int(settings.deadlines.pause_cap.total_seconds() // 60)
    return (
        f"The fix-or-update clock stands still until the resume time, a contact with the customer, a resume "
        f"(g), or {cap} min in all for this wait, whichever comes first."
    )


def authority_note(settings: Settings, actor: str, case: Case, now: datetime) -> str:
    """The limit, and the something extra that fits the case's tier: for whoever owes the fix (the form's
    "Done by", whose limit the service checks), with who could approve more, on shift first."""
    owes = case.assignee or actor
    on_shift = settings.calendar.people_at(now)
    advice = suggestions(case.tier, owes, settings.gestures, settings.authority, on_shift)
    if not settings.gestures:  # none configured: the limit alone
        limit = f"{settings.authority.limit_of(owes):g}"
        return f"Authority: {owes} may give up to {limit} alone; above it, name the approver."
    return "\n".join(advice.lines())


def confirmed_from_case(settings: Settings, _actor: str, case: Case, _now: datetime) -> str:
    opened = case.opened_at.astimezone(settings.zone)
    return (
        f"Confirmed from the case: opened {opened:%a %d %b %H:%M}, "
        f"staff {case.staff}, site {case.site} ({case.region}), product {case.product}, "
        f"category {case.category}."
    )


# Either-or answers are chosen explicitly, never defaulted: the first option of each is the "yes".
SATISFIED = ("satisfied", "not satisfied")
PUBLIC = ("public", "not public")


def one_text(label: str, *, required: bool = True, checked: bool = False) -> tuple[Field, ...]:
    return (Field("text", label, required=required, checked=checked),)


# The `form('<name>')` action of each key opens the row of that name.
CASE_FORMS: dict[str, CaseForm] = {
    "apologize": CaseForm(
        Action.APOLOGIZE,
        "Apologize",
        one_text("How you apologized (in your words)", checked=True),
        act_with_text(Action.APOLOGIZE),
    ),
    "review": CaseForm(
        Action.REVIEW,
        "Review the complaint with the customer",
        (
            Field("text", "What went wrong, in the customer's eyes", required=True, checked=True),
            Field("needs", "What the customer needs for a good outcome", required=True, checked=True),
        ),
        review,
    ),
    "update": CaseForm(
        Action.UPDATE,
        "Progress update",
        one_text("What you told the customer", checked=True),
        act_with_text(Action.UPDATE),
    ),
    "fix": CaseForm(
        Action.FIX,
        "Record the fix",
        (
            Field("text", "What was fixed", required=True),
            Field("gesture", "Something extra (discount, upgrade …), optional"),
            Field("value", "Its value", kind="number"),
            Field("approved_by", "Approved by (needed above your limit)"),
        ),
        fix,
        note=authority_note,
        note_after="gesture",
    ),
    "follow_up": CaseForm(
        Action.FOLLOW_UP,
        "Follow up after the fix",
        (
            Field("text", "What the customer said", required=True, checked=True),
            Field("satisfied", "Is the customer satisfied?", kind="either", required=True, choices=SATISFIED),
        ),
        follow_up,
    ),
    "deposition": CaseForm(
        Action.DOCUMENT,
        "Deposition — write it while memory is fresh",
        (
            Field("customer_view", "What went wrong, in the customer's eyes", required=True),
            Field("customer_needed", "What the customer needed", required=True),
            Field("actions_taken", "What was done", required=True),
            Field("root_cause", "Root cause", required=True),
            Field(
                "factors",
                "Factors, comma-separated: training, process, system, staffing, product, facility, external",
            ),
            Field("gesture", "Gesture given"),
            Field("notes", "Notes"),
        ),
        file_deposition,
        note=confirmed_from_case,
    ),
    "close": CaseForm(
        Action.CLOSE, "Close the case", one_text("Closing note", required=False), act_with_text(Action.CLOSE)
    ),
    "check_back": CaseForm(
        Action.CHECK_BACK,
        "Owner's check-back",
        one_text("What the original owner told the customer"),
        act_with_text(Action.CHECK_BACK),
    ),
    "public_apology": CaseForm(
        Action.PUBLIC_APOLOGY,
        "Public apology",
        one_text("Where and what was posted"),
        act_with_text(Action.PUBLIC_APOLOGY),
    ),
    "spokesperson": CaseForm(
        Action.SPOKESPERSON,
        "Name the spokesperson",
        (Field("to", "Spokesperson", required=True),),
        name_spokesperson,
    ),
    "amend": CaseForm(
        Action.AMEND, "Amend the deposition", one_text("The correction"), act_with_text(Action.AMEND)
    ),
    "pause": CaseForm(
        Action.PAUSE,
        "Waiting on the customer — pause the fix-or-update clock",
        (
            Field("reason", "What the case waits on (customer calls back after 3 pm …)", required=True),
            Field("until", "Resume at (15:40, or 2026-11-25 15:40), optional"),
        ),
        pause,
        note=pause_note,
    ),
    "resume": CaseForm(
        Action.RESUME,
        "Resume the fix-or-update clock",
        one_text("Note (optional)", required=False),
        resume,
    ),
}


def _asked(field: CaseField) -> Field:
    """The new-case form's input for one field of the case-field table."""
    if field.kind is Kind.FLAG:  # an explicit yes or no: Enter must not decide it (see choice.py)
        return Field(field.name, field.prompt, kind="either", required=True, choices=PUBLIC)
    if field.kind is Kind.CHOICE:
        assert field.choices is not None
        values = tuple(member.value for member in field.choices)
        return Field(
            field.name, field.prompt, kind="choice", choices=values, initial=import_default(field.name)
        )
    return Field(field.name, field.prompt, required=asked_is_required(field))


def fields_for(form: CaseForm, case: Case) -> list[Field]:
    """The form's fields and, last, "Done by": prefilled with who owes the step (the owner for the
    owner's check-back, else the assignee), so an agent's step is never stored as the supervisor's."""
    owes = case.owner if form.action is Action.CHECK_BACK else case.assignee
    return [*form.fields, Field("done_by", "Done by", required=True, initial=owes)]


NEW_CASE = FormSpec(
    "New case",
    "A breakdown just reported. The person serving becomes the owner unless you name one.",
    [_asked(field) for field in ASKED_FIELDS],
)


def new_case_from(values: dict[str, Any], opened_at: datetime) -> Case:
    """The case the new-case form describes; the person serving owns it unless an owner is named."""
    typed: dict[str, Any] = {}
    for field in ASKED_FIELDS:
        value = values[field.name]
        if field.kind is Kind.FLAG:
            typed[field.name] = value == PUBLIC[0]
        elif field.kind is Kind.CHOICE:
            assert field.choices is not None
            typed[field.name] = field.choices(value or import_default(field.name))
        else:
            typed[field.name] = value
    typed["contact"] = typed["contact"] or None
    owner = typed["owner"].strip() or typed["staff"].strip()
    return Case(**{**typed, "opened_at": opened_at, "owner": owner, "assignee": owner})
