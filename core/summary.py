"""End-of-shift summary: the figures of one period, computed from case histories (pure, injected times).

The summary is a snapshot of the period *as of its cutoff*: the end of the period, or `now` when the
period has not ended yet (the running shift). Events after the cutoff are ignored, so exporting a past
shift tomorrow gives the same document as exporting it at its end (up to data entered late).

Rules reused, not re-implemented: the case's state at the cutoff comes from `core.workflow.replay`, its
deadlines from `core.deadlines.deadline_history` (the fix-or-update record) and
`core.deadlines.pending_deadlines` (what is owed at the cutoff: hand-over, follow-ups, depositions).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from core.cases import Action, Case, CaseHistory, Event, Gesture, Stage, UnreadableCase
from core.clock import ensure_utc
from core.deadlines import Deadline, deadline_history, pending_deadlines
from core.escalation import SYSTEM_ACTOR, step_sentence
from core.payloads import (
    AcknowledgePayload,
    EscalatePayload,
    FixPayload,
    FollowUpPayload,
    ReassignPayload,
    hints_of,
)
from core.phrase_check import CHECKED_ACTIONS
from core.policy import DEPOSITION, FIX_OR_UPDATE, FOLLOW_UP, AuthorityPolicy, DeadlinePolicy
from core.shifts import ShiftCalendar, ShiftOccurrence
from core.workflow import clock_pauses, replay

ZERO = timedelta(0)

# The actions whose event payload (`Event.payload`) `summarize` reads, itself or through the workflow rules
# it replays (`core.workflow.check`/`apply`): reassign (`from`, `to`), fix (the gesture), follow-up
# (`satisfied`), spokesperson (`name`), escalate and acknowledge (the step), pause (`reason`, `until`),
# resume (`why`), and the phrase-check hints counted on apologize, review, update and follow-up (`hints`,
# for coaching). A loader may hand over every other event with `NOT_LOADED` details — the deposition's text
# on a document event, say — and get the same summary (tests/test_summary.py checks it).
PAYLOAD_ACTIONS = (
    frozenset(
        {
            Action.REASSIGN,
            Action.FIX,
            Action.FOLLOW_UP,
            Action.SPOKESPERSON,
            Action.ESCALATE,
            Action.ACKNOWLEDGE,
            Action.PAUSE,
            Action.RESUME,
        }
    )
    | CHECKED_ACTIONS
)
# Why a case open at the cutoff has nobody to take it over (HandoverItem.orphaned).
ABSENT = "absent"
NOT_ON_NEXT_SHIFT = "not on the next shift"


class PeriodError(ValueError):
    """A period that cannot be resolved (unknown shift, no shift running, bad range)."""


# -- the period ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """A half-open interval [start, end) in UTC, with the label exports are named after."""

    start: datetime
    end: datetime
    label: str

    @classmethod
    def of(cls, occurrence: ShiftOccurrence) -> Period:
        return cls(occurrence.starts_at, occurrence.ends_at, occurrence.label)

    @classmethod
    def between(cls, start: datetime, end: datetime, label: str = "") -> Period:
        start, end = ensure_utc(start), ensure_utc(end)
        if start >= end:
            raise PeriodError(
                f"the period must start before it ends ({start.isoformat()} is not before {end.isoformat()})"
            )
        return cls(start, end, label or f"{start:%Y-%m-%dT%H%MZ}--{end:%Y-%m-%dT%H%MZ}")


_LABEL = re.compile(r"^(\d{4}-\d{2}-\d{2}):(.+)$")


def resolve_shift(spec: str, calendar: ShiftCalendar, now: datetime) -> Period:
    """`current`, `previous` or `DATE:NAME` (e.g. `2026-11-24:Late`) → the shift occurrence's period."""
    text = spec.strip()
    lowered = text.lower()
    if lowered in ("current", "previous"):
        occurrence = calendar.at(now)
        if occurrence is None:
            raise PeriodError(
                f"no shift is running at {now.astimezone(calendar.zone):%Y-%m-%d %H:%M}: "
                "name one as DATE:NAME or give --from/--to"
            )
        if lowered == "previous":
            before = calendar.previous(occurrence)
            if before is None:
                raise PeriodError(f"no shift ran just before {occurrence.label}: name one as DATE:NAME")
            occurrence = before
        return Period.of(occurrence)
    match = _LABEL.match(text)
    if match is None:
        raise PeriodError(f"{spec!r} is not current, previous or DATE:NAME (e.g. 2026-11-24:Late)")
    try:
        day = date.fromisoformat(match.group(1))
    except ValueError:
        raise PeriodError(f"{spec!r}: {match.group(1)!r} is not a date (YYYY-MM-DD)") from None
    try:
        return Period.of(calendar.named(day, match.group(2).strip()))
    except ValueError as error:
        raise PeriodError(str(error)) from None


# -- what the summary holds -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Breach:
    """A case that missed the fix-or-update rule in the period, by its worst miss."""

    case_id: int
    breached_by: timedelta
    owed_by: str


@dataclass(frozen=True, slots=True)
class FollowUpDone:
    case_id: int
    at: datetime
    actor: str
    satisfied: bool | None
    os_account: str | None = None  # `Event.os_account`: the OS user@host, where not the actor


@dataclass(frozen=True, slots=True)
class Owed:
    """A deadline still owed at the cutoff (follow-up or deposition), with how overdue it is then."""

    case_id: int
    due_at: datetime
    owed_by: str
    overdue: timedelta


@dataclass(frozen=True, slots=True)
class HandoverItem:
    """One case open at the cutoff: what the next shift takes over."""

    case_id: int
    customer: str
    contact: str | None
    stage: Stage
    assignee: str
    owner: str
    next_deadline: Deadline | None
    last_note: str
    # ABSENT or NOT_ON_NEXT_SHIFT when its assignee will not be there to take it over; None otherwise.
    orphaned: str | None = None


@dataclass(frozen=True, slots=True)
class EscalationDone:
    """A step of a breached deadline's ladder taken in the period, and who acknowledged it (if anyone)."""

    case_id: int
    at: datetime
    kind: str
    due_at: datetime
    step: int
    role: str
    target: str
    acknowledged_by: str | None = None

    @property
    def sentence(self) -> str:
        """'escalated to the manager Dana Reyes after 30 min (fix-or-update)'."""
        return step_sentence(self.role, self.target, self.kind, self.due_at, self.at)


@dataclass(frozen=True, slots=True)
class GestureGiven:
    case_id: int
    at: datetime
    kind: str
    value: float
    actor: str
    approved_by: str | None
    # Why it is beyond the giver's authority without a valid approver (`AuthorityPolicy.unapproved`), or
    # None: the service refuses such a gesture, but an import or another tool may have stored one.
    unapproved: str | None = None
    os_account: str | None = None  # `Event.os_account`: the OS user@host, where not the actor


@dataclass(frozen=True, slots=True)
class DepositionWritten:
    case_id: int
    at: datetime
    author: str
    os_account: str | None = None  # `Event.os_account`: the OS user@host, where not the author


@dataclass(slots=True)
class AgentFigures:
    """Per person: open cases assigned at the cutoff, actions (events) in the period, cases opened where
    they were the staff member serving, fix-or-update breaches in the period they owed, how long the
    clocks they owed were paused in the period, and the phrase-check hints their notes drew in the period
    (who may need coaching: counts, never the texts)."""

    open: int = 0
    actions: int = 0
    opened_as_staff: int = 0
    breaches: int = 0
    # How long, within the period, the fix-or-update clocks they owed stood still (waiting on the customer).
    paused: timedelta = ZERO
    phrase_hints: int = 0


@dataclass(frozen=True, slots=True)
class CaseLine:
    """One case of the summary as of the cutoff (the CSV row)."""

    case: Case  # its state at the cutoff
    fix_or_update_met: bool | None  # None: no fix-or-update deadline was decided in the period
    worst_breach: timedelta | None
    follow_up_done: bool
    deposition_filed: bool
    gesture: Gesture | None
    last_note: str
    # By the latest follow-up by the cutoff: satisfied (True), not satisfied (False), none or not recorded.
    recovered: bool | None = None
    # How long its fix-or-update clock stood still within the period (waiting on the customer).
    paused: timedelta = ZERO
    # Why the case's gesture is beyond its giver's authority without a valid approver, or None.
    gesture_unapproved: str | None = None
    # Phrase-check hints drawn by the case's notes in the period.
    phrase_hints: int = 0


@dataclass(slots=True)
class ShiftSummary:
    period_start: datetime
    period_end: datetime
    label: str
    now: datetime
    cases: list[CaseLine] = field(default_factory=list)
    opened: list[int] = field(default_factory=list)
    fixed: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    still_open: list[int] = field(default_factory=list)
    # Cases whose latest follow-up by the cutoff found the customer satisfied / not satisfied.
    recovered: list[int] = field(default_factory=list)
    not_recovered: list[int] = field(default_factory=list)
    fix_or_update_met: list[int] = field(default_factory=list)
    fix_or_update_breached: list[Breach] = field(default_factory=list)
    follow_ups_done: list[FollowUpDone] = field(default_factory=list)
    follow_ups_owed: list[Owed] = field(default_factory=list)
    handover: list[HandoverItem] = field(default_factory=list)
    escalations: list[EscalationDone] = field(default_factory=list)
    gestures: list[GestureGiven] = field(default_factory=list)
    # Cases with a gesture in the period above its giver's limit and no valid approver.
    gestures_unapproved: list[int] = field(default_factory=list)
    depositions_written: list[DepositionWritten] = field(default_factory=list)
    depositions_missing: list[Owed] = field(default_factory=list)
    per_agent: dict[str, AgentFigures] = field(default_factory=dict)
    # Cases whose stored row holds values intake would refuse, summarised with stand-ins (UnreadableCase).
    unreadable: list[int] = field(default_factory=list)
    # Filled by the caller if it wants (e.g. from the trend scan): dicts with at least a "sentence" key.
    hotspots: list[dict[str, Any]] = field(default_factory=list)

    @property
    def cutoff(self) -> datetime:
        return min(self.period_end, self.now)

    @property
    def orphaned(self) -> list[HandoverItem]:
        """The open cases whose assignee will not be there to take them over (listed first in handover)."""
        return [item for item in self.handover if item.orphaned is not None]


# -- computing it ------------------------------------------------------------------------------------------


def opened_state(case: Case, events: Sequence[Event]) -> Case:
    """The case as it was when opened (stage new, no derived facts), rebuilt from its final state.

    The first assignee is the `from` of the first reassignment when there was one (the service records
    it), else the owner; without reassignments it is the current assignee.
    """
    assignee = case.assignee
    owner = case.owner
    for event in events:
        if event.action is Action.REASSIGN:
            payload = event.payload
            assignee = (payload.from_agent if isinstance(payload, ReassignPayload) else None) or case.owner
            break
    for event in events:  # the owner before an absent owner's check-back moved (first such hand-over)
        payload = event.payload
        if isinstance(payload, ReassignPayload) and payload.owner_to is not None:
            owner = payload.owner_from or owner
            break
    return replace(
        case,
        stage=Stage.NEW,
        assignee=assignee,
        owner=owner,
        version=1,
        last_contact_at=case.opened_at,
        fixed_at=None,
        followed_up_at=None,
        documented_at=None,
        closed_at=None,
        check_back_owed_since=None,
        public_apology_at=None,
        spokesperson=None,
        pauses=(),
    )


def _gesture_of(event: Event) -> Gesture | None:
    payload = event.payload
    if not isinstance(payload, FixPayload) or payload.gesture is None or not payload.gesture.kind.strip():
        return None
    gesture = payload.gesture
    # An empty approver is no approver (as the service stores it).
    return gesture if gesture.approved_by != "" else replace(gesture, approved_by=None)


def summarize(
    histories: Iterable[CaseHistory],
    period_start: datetime,
    period_end: datetime,
    now: datetime,
    policy: DeadlinePolicy,
    calendar: ShiftCalendar | None = None,
    label: str = "",
    authority: AuthorityPolicy | None = None,
    *,
    next_roster: Collection[str] = (),
    absent: Collection[str] = (),
) -> ShiftSummary:
    """The summary of [period_start, period_end) as of min(period_end, now), from the given histories.

    With `authority`, every gesture is held to it: one above its giver's limit without a valid approver
    is flagged (`GestureGiven.unapproved`, `gestures_unapproved`).

    Histories that do not concern the period are skipped, so a caller may pass more than needed. A case
    concerns the period when it was opened in it, had an event in it, or was still open at its cutoff.
    `next_roster` (the next shift's people, when it names a roster) and `absent` (agents marked absent)
    flag the open cases nobody will take over: first in the hand-over, listed apart in the documents.
    """
    start, end, now = ensure_utc(period_start), ensure_utc(period_end), ensure_utc(now)
    if start >= end:
        raise PeriodError("the period must start before it ends")
    cutoff = min(end, now)
    summary = ShiftSummary(start, end, label or Period.between(start, end).label, now)

    def agent(name: str) -> AgentFigures:
        figures = summary.per_agent.get(name)
        if figures is None:
            figures = summary.per_agent[name] = AgentFigures()
        return figures

    def in_period(at: datetime) -> bool:
        return start <= at < end and at <= cutoff

    for history in sorted(histories, key=lambda h: h.case.id or 0):
        final = history.case
        case_id = final.id if final.id is not None else 0
        events = [e for e in history.events if e.at < end and e.at <= cutoff]
        opened = opened_state(final, history.events)
        # The stored case is the state after all its events; replay only when some came after the cutoff.
        # (Its pauses are kept as events, not with the stored case: read off them.)
        if len(events) == len(history.events):
            pauses = clock_pauses(events)
            state = final if pauses == final.pauses else replace(final, pauses=pauses)
        else:
            state = replay(replace(opened), events)
        period_events = [e for e in events if e.at >= start]
        opened_in_period = in_period(final.opened_at)
        open_at_cutoff = state.is_open and final.opened_at <= cutoff
        if not (opened_in_period or period_events or open_at_cutoff):
            continue

        if isinstance(final, UnreadableCase):
            summary.unreadable.append(case_id)
        if opened_in_period:
            summary.opened.append(case_id)
            agent(final.staff).opened_as_staff += 1
        if state.fixed_at is not None and in_period(state.fixed_at):
            summary.fixed.append(case_id)
        if state.closed_at is not None and in_period(state.closed_at):
            summary.closed.append(case_id)

        # The fix-or-update rule: every fix-or-update deadline due in the period and decided by the cutoff.
        worst: timedelta | None = None
        worst_owed_by = ""
        decided = False
        # Without the calendar: it only moves deposition deadlines (to the end of the fix's shift), and only
        # the fix-or-update ones are read here (what is owed at the cutoff comes from `pending_deadlines`).
        paused = ZERO
        for deadline in deadline_history(opened, events, policy, None):
            if deadline.kind == FIX_OR_UPDATE and deadline.pauses:
                # Paused time counts where it fell: within the period, by the cutoff, to whoever owed it.
                within = deadline.paused_for(cutoff, since=start) if start < cutoff else ZERO
                if within > ZERO:
                    paused += within
                    agent(deadline.owed_by).paused += within
            if deadline.kind != FIX_OR_UPDATE or not (start <= deadline.due_at < end):
                continue
            if deadline.met_at is None and deadline.due_at > cutoff:
                continue  # still running: neither met nor missed yet
            decided = True
            overdue = deadline.overdue_by(cutoff)
            if overdue > ZERO:
                agent(deadline.owed_by).breaches += 1
                if worst is None or overdue > worst:
                    worst, worst_owed_by = overdue, deadline.owed_by
        met: bool | None = None
        if decided:
            met = worst is None
            if met:
                summary.fix_or_update_met.append(case_id)
            else:
                assert worst is not None
                summary.fix_or_update_breached.append(Breach(case_id, worst, worst_owed_by))

        gesture: Gesture | None = None
        given_by = ""
        for event in events:  # the gesture of the case (CSV), even when the fix was before the period
            if event.action is Action.FIX and (found := _gesture_of(event)) is not None:
                gesture, given_by = found, event.actor
        unapproved = None
        if gesture is not None and authority is not None:
            unapproved = authority.unapproved(given_by, gesture.value, gesture.approved_by)
        case_hints = 0
        for event in period_events:
            payload = event.payload
            if isinstance(payload, EscalatePayload):
                by = next(
                    (
                        e.actor
                        for e in events
                        if isinstance(e.payload, AcknowledgePayload)
                        and (e.payload.kind, e.payload.due_at) == (payload.kind, payload.due_at)
                        and e.payload.step >= payload.step
                        and e.at >= event.at
                    ),
                    None,
                )
                summary.escalations.append(
                    EscalationDone(
                        case_id,
                        event.at,
                        payload.kind,
                        payload.due_at,
                        payload.step,
                        payload.role,
                        payload.target,
                        by,
                    )
                )
            if event.actor == SYSTEM_ACTOR and event.action is Action.ESCALATE:
                continue  # the dashboard's step, nobody's action
            figures = agent(event.actor)
            figures.actions += 1
            hints = hints_of(event.payload)
            figures.phrase_hints += hints
            case_hints += hints
            if event.action is Action.FOLLOW_UP:
                payload = event.payload
                flag = payload.satisfied if isinstance(payload, FollowUpPayload) else None
                summary.follow_ups_done.append(
                    FollowUpDone(case_id, event.at, event.actor, flag, event.os_account)
                )
            elif event.action is Action.DOCUMENT:
                summary.depositions_written.append(
                    DepositionWritten(case_id, event.at, event.actor, event.os_account)
                )
            elif event.action is Action.FIX and gesture is not None:
                summary.gestures.append(
                    GestureGiven(
                        case_id,
                        event.at,
                        gesture.kind,
                        gesture.value,
                        event.actor,
                        gesture.approved_by,
                        unapproved,
                        event.os_account,
                    )
                )
                if unapproved is not None and case_id not in summary.gestures_unapproved:
                    summary.gestures_unapproved.append(case_id)

        # Recovered or not: what the customer said at the latest follow-up (a later fix awaits its own).
        recovered: bool | None = None
        for event in reversed(events):
            if event.action is Action.FOLLOW_UP:
                payload = event.payload
                recovered = payload.satisfied if isinstance(payload, FollowUpPayload) else None
                break
        if recovered is True:
            summary.recovered.append(case_id)
        elif recovered is False:
            summary.not_recovered.append(case_id)

        last_note = next((e.text for e in reversed(events) if e.text.strip()), "")
        if open_at_cutoff:
            summary.still_open.append(case_id)
            agent(state.assignee).open += 1
            owed = pending_deadlines(state, policy, calendar)
            for deadline in owed:
                line = Owed(case_id, deadline.due_at, deadline.owed_by, deadline.overdue_by(cutoff))
                if deadline.kind == FOLLOW_UP:
                    summary.follow_ups_owed.append(line)
                elif deadline.kind == DEPOSITION:
                    summary.depositions_missing.append(line)
            summary.handover.append(
                HandoverItem(
                    case_id,
                    final.customer,
                    final.contact,
                    state.stage,
                    state.assignee,
                    state.owner,
                    owed[0] if owed else None,
                    last_note,
                    ABSENT
                    if state.assignee in absent
                    else NOT_ON_NEXT_SHIFT
                    if next_roster and state.assignee not in next_roster
                    else None,
                )
            )
        summary.cases.append(
            CaseLine(
                state,
                met,
                worst,
                # Done at all: a follow-up that found the customer unhappy was still done (`recovered`).
                any(event.action is Action.FOLLOW_UP for event in events),
                state.documented_at is not None,
                gesture,
                last_note,
                recovered,
                paused,
                unapproved,
                case_hints,
            )
        )
    summary.per_agent = dict(sorted(summary.per_agent.items()))
    # The cases nobody will take over first, an absent agent's before those of who simply goes home (a
    # stable sort: case order otherwise).
    summary.handover.sort(key=lambda item: (item.orphaned is None, item.orphaned != ABSENT))
    return summary
